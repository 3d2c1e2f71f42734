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


#: Exchanges that are valid in any North American area code in use (for telling an
#: area code that is not in use from a wrong rest of the number).
_SAMPLE_LINES = ("2345678", "7654321", "8675309", "4561234")


def _area_code_in_use(area: str) -> bool:
    return any(
        phonenumbers.is_valid_number(
            phonenumbers.PhoneNumber(country_code=1, national_number=int(area + line))
        )
        for line in _SAMPLE_LINES
    )


def why_invalid(number: str) -> str:
    """What is wrong with a number :func:`is_valid` refuses, and what to write: for a US
    number with 10 digits, whether the area code or the rest is wrong (``555 is not an
    area code in use``) rather than asking for an area code it has."""
    generic = (
        "write a US number with its area code (312-555-0142) or '+' and the country code for others"
    )
    parsed = parse(number)
    if parsed is None:
        return generic
    national = str(parsed.national_number)
    if parsed.country_code != 1:
        return f"it is not a valid number for country code +{parsed.country_code}: check it"
    if len(national) < 7:
        return generic
    if len(national) == 7:
        return "the area code is missing: write it first (312-555-0142)"
    if len(national) != 10:
        return f"a US number has 10 digits with its area code; this has {len(national)}: check it"
    area, rest = national[:3], national[3:]
    if area[0] in "01" or not _area_code_in_use(area):
        return (
            f"{area} is not an area code in use: check the number (the area code is its "
            "first three digits)"
        )
    if rest[0] in "01":
        return (
            f"the part after the area code cannot start with {rest[0]} ({rest[:3]}-{rest[3:]}):"
            " check the number"
        )
    return f"{area}-{rest[:3]}-{rest[3:]} is not a number in use in area code {area}: check it"
