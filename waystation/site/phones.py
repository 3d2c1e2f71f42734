"""Phone numbers on the pages: a link with the right scheme and a clear purpose.

``voice``, ``hotline``, ``tty`` and ``whatsapp`` numbers are ``tel:`` links;
``text`` numbers are ``sms:`` links (a short code such as ``233733`` as it is);
``fax`` numbers are shown, not linked.  The ``href`` always carries the E.164
form (``tel:+13125550142``) so every phone dials it the same way; the text
shows the national form for US numbers and the international one otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import phonenumbers

from waystation.records import phones
from waystation.records.phones import is_short_code

#: The URI scheme for each phone type; None: shown, not linked.
SCHEMES = {
    "voice": "tel",
    "hotline": "tel",
    "tty": "tel",
    "whatsapp": "tel",
    "text": "sms",
    "fax": None,
}


@dataclass(frozen=True)
class PhoneLink:
    href: str | None  # None for fax
    display: str  # as people read it
    e164: str  # or the short code


@lru_cache(maxsize=65536)
def phone_link(number: str, kind: str) -> PhoneLink:
    scheme = SCHEMES.get(kind, "tel")
    if kind == "text" and is_short_code(number):
        code = number.strip()
        return PhoneLink(f"sms:{code}", code, code)
    parsed = phones.parse(number)
    if parsed is None:
        digits = "".join(ch for ch in number if ch.isdigit() or ch == "+")
        return PhoneLink(f"{scheme}:{digits}" if scheme else None, number.strip(), digits)
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    if parsed.country_code == 1:
        display = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    else:
        display = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    if parsed.extension:
        # tel: URIs carry an extension as ";ext=" (RFC 3966).
        e164 = f"{e164};ext={parsed.extension}"
    return PhoneLink(f"{scheme}:{e164}" if scheme else None, display, e164)
