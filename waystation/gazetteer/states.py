"""US states and territories as the record format names them (USPS codes)."""

from __future__ import annotations

STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas",
    "CA": "California", "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware",
    "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia", "HI": "Hawaii",
    "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma",
    "OR": "Oregon", "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina",
    "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas", "UT": "Utah",
    "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia",
    "WI": "Wisconsin", "WY": "Wyoming",
    "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands",
    "AS": "American Samoa", "MP": "Northern Mariana Islands",
}  # fmt: skip

#: Spanish names, where they differ from the English ones.
STATES_ES: dict[str, str] = {
    "DC": "Distrito de Columbia", "HI": "Hawái", "LA": "Luisiana",
    "MI": "Míchigan", "MN": "Minesota", "MS": "Misisipi", "MO": "Misuri",
    "NJ": "Nueva Jersey", "NM": "Nuevo México", "NY": "Nueva York",
    "NC": "Carolina del Norte", "ND": "Dakota del Norte", "OR": "Oregón",
    "PA": "Pensilvania", "SC": "Carolina del Sur", "SD": "Dakota del Sur",
    "TN": "Tennessee", "TX": "Texas", "VA": "Virginia", "WV": "Virginia Occidental",
    "PR": "Puerto Rico", "VI": "Islas Vírgenes de EE. UU.", "AS": "Samoa Americana",
    "MP": "Islas Marianas del Norte", "KS": "Kansas", "AR": "Arkansas",
}  # fmt: skip


def state_name(code: str, lang: str = "en") -> str:
    if lang == "es" and code in STATES_ES:
        return STATES_ES[code]
    return STATES.get(code, code)
