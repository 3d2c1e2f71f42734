"""Parsing phone numbers once: the validator, the cross-file check and the
pages all ask about the same numbers, and libphonenumber's parse is the
costliest step of validating a listing."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers

DEFAULT_REGION = "US"


def is_short_code(number: str) -> bool:
    """An SMS short code such as 233733 (5-6 digits)."""
    digits = number.strip()
    return digits.isdigit() and 5 <= len(digits) <= 6


@lru_cache(maxsize=65536)
def parse(number: str) -> phonenumbers.PhoneNumber | None:
    """The parsed number (US by default, ``+`` for others), or None."""
    try:
        return phonenumbers.parse(number.strip(), DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None


@lru_cache(maxsize=65536)
def is_valid(number: str) -> bool:
    parsed = parse(number)
    return parsed is not None and phonenumbers.is_valid_number(parsed)


def e164(number: str) -> str:
    """``+13125550142`` for a parseable number; the bare digits otherwise."""
    parsed = parse(number)
    if parsed is None:
        return "".join(ch for ch in number if ch.isdigit())
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
