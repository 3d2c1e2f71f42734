"""Language codes (ISO 639-1 and 639-3) and their names in the site's languages.

Names come from CLDR through Babel where it knows the code ("Cantonese"),
else from ISO 639-3 through pycountry and its translations ("Mam",
"Q'anjob'al"): survivors' languages include many that CLDR lacks.
"""

from __future__ import annotations

import gettext
from functools import cache

import pycountry
from babel import Locale


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


@cache
def _iso_translation(lang: str) -> gettext.NullTranslations:
    try:
        return gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=[lang])
    except OSError:
        return gettext.NullTranslations()


@cache
def _pycountry_language(code: str):
    if len(code) == 2:
        return pycountry.languages.get(alpha_2=code)
    if len(code) == 3:
        return pycountry.languages.get(alpha_3=code)
    return None


def is_known(code: str) -> bool:
    """True for an ISO 639-1 or 639-3 code (lowercase)."""
    if not isinstance(code, str) or code != code.lower():
        return False
    # CLDR's list first: it holds the common codes and loads much faster than ISO 639-3.
    return code in _locale("en").languages or _pycountry_language(code) is not None


@cache
def name(code: str, lang: str = "en") -> str:
    """The language's name in ``lang``, e.g. name('es', 'es') == 'español' (cached: Babel's
    lookup costs a tenth of a millisecond, and every listing page names its languages)."""
    known = _locale(lang).languages.get(code)
    if known:
        return known
    record = _pycountry_language(code)
    if record is None:
        return code
    return _iso_translation(lang).gettext(record.name)


@cache
def _names_to_codes() -> dict[str, str]:
    table: dict[str, str] = {}
    for lang in ("es", "en"):
        for code, label in _locale(lang).languages.items():
            if "_" not in code and len(code) in (2, 3):
                table.setdefault(label.casefold(), code)
    return table


def suggest(value: str) -> str | None:
    """A code for a value written as a name ('Spanish' -> 'es') or wrong case."""
    if not isinstance(value, str):
        return None
    lowered = value.strip().lower()
    if lowered != value and is_known(lowered):
        return lowered
    return _names_to_codes().get(value.strip().casefold())
