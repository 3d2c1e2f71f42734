"""Whether an imported place may be ``public``: only when nothing marks it confidential.

211 data does not say which addresses are secret; it says so in other ways.  A place is
imported ``approximate`` (city and ZIP only, never a pin), or ``hidden`` when no town is
known, when any of these holds, and each reason is listed at the top of the report:

- a service's taxonomy term the mapping marks ``confidential`` (shelters);
- words in the service's, organization's or location's name or description: shelter,
  safe house, refugio, albergue, domestic violence, violencia doméstica, confidential,
  undisclosed ...;
- a street that is not a street: ``Confidential``, ``Undisclosed``, ``Withheld``,
  ``Private``, ``Call for address`` ...;
- a P.O. box (a mailing address is not a place), or only a postal address.
"""

from __future__ import annotations

import re

from waystation.opendata.hsds_import.taxonomy import words

#: Whole words (after :func:`words`) that mark a place confidential.
WORDS = (
    "shelter",
    "shelters",
    "safe house",
    "safehouse",
    "safe home",
    "refugio",
    "albergue",
    "casa de acogida",
    "domestic violence",
    "intimate partner violence",
    "violencia domestica",
    "confidential",
    "confidencial",
    "undisclosed",
    "secret location",
    "location withheld",
    "address withheld",
    "not disclosed",
)

_WORDS = re.compile(" (" + "|".join(re.escape(w) for w in WORDS) + ") ")
_NOT_A_STREET = re.compile(
    r"confidential|confidencial|undisclosed|withheld|not disclosed|not listed|unlisted|"
    r"private|secret|call for (the )?(address|location)|by appointment only|"
    r"no (street )?address|n/?a$|unknown|tbd|redacted",
    re.I,
)
_PO_BOX = re.compile(
    r"\b(p\.?\s*o\.?\s*box|post\s+office\s+box|p\.?\s*o\.?\s*b\.?\s*\d|box\s+#?\d|"
    r"apartado( postal)?|lock\s*box|pmb\s*#?\d)",
    re.I,
)


def word_reasons(texts: dict[str, str | None]) -> list[str]:
    """``'<word>' in <where>`` for each confidential word in each labelled text."""
    reasons = []
    for where, text in texts.items():
        if not text:
            continue
        match = _WORDS.search(words(text))
        if match:
            reasons.append(f"{match.group(1)!r} in the {where}")
    return reasons


def street_reasons(street: str | None) -> list[str]:
    if not street:
        return []
    # The street itself is never quoted: it may be the very address to keep out of files.
    if _PO_BOX.search(street):
        return ["the street is a P.O. box (a mailing address, not a place)"]
    if _NOT_A_STREET.search(street):
        return ["the street is marked confidential or undisclosed"]
    return []
