"""Phone checks: the fast path for North American numbers gives libphonenumber's answer."""

from __future__ import annotations

import random

import phonenumbers

from waystation.records import phones


def test_block_cache_agrees_with_libphonenumber_on_random_nanp_numbers():
    rng = random.Random(20261130)
    numbers = [
        f"+1{rng.randint(200, 999)}{rng.randint(0, 999):03d}{rng.randint(0, 9999):04d}"
        for _ in range(20_000)
    ]
    valid = 0
    for number in numbers:
        truth = phonenumbers.is_valid_number(phonenumbers.parse(number))
        assert phones.is_valid(number) == truth, number
        valid += truth
    assert 0 < valid < len(numbers)  # both answers were exercised


def test_other_countries_short_codes_and_garbage():
    assert phones.is_valid("+52 55 5555 0123")  # Mexico City
    assert not phones.is_valid("+52 1")
    assert phones.is_short_code("233733") and not phones.is_short_code("2337")
    assert not phones.is_valid("call us")
    assert phones.e164("(312) 555-0142") == "+13125550142"
