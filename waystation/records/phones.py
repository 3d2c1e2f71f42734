"""Parsing phone numbers once: the validator, the cross-file check and the
pages all ask about the same numbers, and libphonenumber's parse is the
costliest step of validating a listing."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

DEFAULT_REGION = "US"


def is_short_code(number: str) -> bool:
    """An SMS short code such as 233733 (5-6 digits)."""
    digits = number.strip()
    return digits.isdigit() and 5 <= len(digits) <= 6


#: A plain North American number: "312-555-0142", "(312) 555-0142", "+1 312.555.0142".
_NANP = re.compile(
    r"^(?:\+?1[\s.-]?)?\(?([2-9][0-9]{2})\)?[\s.-]?([2-9][0-9]{2})[\s.-]?([0-9]{4})$"
)


@lru_cache(maxsize=65536)
def parse(number: str) -> phonenumbers.PhoneNumber | None:
    """The parsed number (US by default, ``+`` for others), or None."""
    match = _NANP.match(number.strip())
    if match:
        # What phonenumbers.parse gives for these, without its general machinery.
        return phonenumbers.PhoneNumber(
            country_code=1, national_number=int("".join(match.groups()))
        )
    try:
        return phonenumbers.parse(number.strip(), DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None


def is_valid(number: str) -> bool:
    parsed = parse(number)
    if parsed is None:
        return False
    national = str(parsed.national_number)
    if parsed.country_code == 1 and len(national) == 10 and not parsed.extension:
        # North American numbers are allocated by area code and exchange (NPA-NXX,
        # at most NPA-NXX-X): libphonenumber's patterns end in digits it does not
        # test, so the answer for one number holds for its whole thousands-block.
        return _valid_nanp_block(national[:7])
    return phonenumbers.is_valid_number(parsed)


@lru_cache(maxsize=65536)
def _valid_nanp_block(block: str) -> bool:
    sample = phonenumbers.PhoneNumber(country_code=1, national_number=int(block + "000"))
    return phonenumbers.is_valid_number(sample)


def e164(number: str) -> str:
    """``+13125550142`` for a parseable number; the bare digits otherwise."""
    parsed = parse(number)
    if parsed is None:
        return "".join(ch for ch in number if ch.isdigit())
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
