"""Opening hours on the pages: a table for everyone, data for "open now".

Whether a place is open *now* is decided in the visitor's browser at the time
they look (theme/static/js/open-now.js), never at build time: a page built on
Monday must not say "open" on Sunday.  The build only publishes the hours and
the provider's time zone as JSON in a ``data-hours`` attribute.  Without
JavaScript the visitor reads the table.
"""

from __future__ import annotations

import json
from typing import Any

from waystation.records import vocabulary

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: Each state's (main) time zone.  Where a state spans two zones, the zone of
#: most of its people; the hours are the provider's local hours either way.
STATE_TIME_ZONES = {
    "AL": "America/Chicago", "AK": "America/Anchorage", "AZ": "America/Phoenix",
    "AR": "America/Chicago", "CA": "America/Los_Angeles", "CO": "America/Denver",
    "CT": "America/New_York", "DE": "America/New_York", "DC": "America/New_York",
    "FL": "America/New_York", "GA": "America/New_York", "HI": "Pacific/Honolulu",
    "ID": "America/Boise", "IL": "America/Chicago", "IN": "America/Indiana/Indianapolis",
    "IA": "America/Chicago", "KS": "America/Chicago", "KY": "America/New_York",
    "LA": "America/Chicago", "ME": "America/New_York", "MD": "America/New_York",
    "MA": "America/New_York", "MI": "America/Detroit", "MN": "America/Chicago",
    "MS": "America/Chicago", "MO": "America/Chicago", "MT": "America/Denver",
    "NE": "America/Chicago", "NV": "America/Los_Angeles", "NH": "America/New_York",
    "NJ": "America/New_York", "NM": "America/Denver", "NY": "America/New_York",
    "NC": "America/New_York", "ND": "America/Chicago", "OH": "America/New_York",
    "OK": "America/Chicago", "OR": "America/Los_Angeles", "PA": "America/New_York",
    "RI": "America/New_York", "SC": "America/New_York", "SD": "America/Chicago",
    "TN": "America/Chicago", "TX": "America/Chicago", "UT": "America/Denver",
    "VT": "America/New_York", "VA": "America/New_York", "WA": "America/Los_Angeles",
    "WV": "America/New_York", "WI": "America/Chicago", "WY": "America/Denver",
    "PR": "America/Puerto_Rico", "GU": "Pacific/Guam", "VI": "America/St_Thomas",
    "AS": "Pacific/Pago_Pago", "MP": "Pacific/Saipan",
}  # fmt: skip


def time_zone(state: str) -> str:
    return STATE_TIME_ZONES.get(state, "America/New_York")


def hours_rows(hours: Any, lang: str) -> list[dict[str, Any]]:
    """One row per day, Monday first: ``{day, label, spans: ["09:00–17:00", …]}``.

    ``hours`` is ``public_listing()["hours"]``: ``"24/7"``, a list of
    ``{days, opens, closes, overnight}`` or None.  Days without hours get no
    spans (the template says "closed").
    """
    if not hours or isinstance(hours, str):
        return []
    days = vocabulary.get("days")
    spans: dict[str, list[tuple[str, str, bool]]] = {day: [] for day in DAYS}
    for entry in hours:
        for day in entry["days"]:
            spans[day].append((entry["opens"], entry["closes"], bool(entry.get("overnight"))))
    rows = []
    for day in DAYS:
        rows.append(
            {
                "day": day,
                "label": days.label(day, lang),
                "spans": [
                    {"opens": o, "closes": c, "overnight": n} for o, c, n in sorted(spans[day])
                ],
            }
        )
    return rows


def hours_json(hours: Any, state: str) -> str:
    """The data open-now.js reads.

    ``{"tz": …, "always": bool, "hours": [[day, opens, closes, overnight], …]}``
    """
    data: dict[str, Any] = {"tz": time_zone(state), "always": hours == "24/7", "hours": []}
    if isinstance(hours, list):
        data["hours"] = sorted(
            [day, h["opens"], h["closes"], bool(h.get("overnight"))]
            for h in hours
            for day in h["days"]
        )
    return json.dumps(data, sort_keys=True, separators=(",", ":"))
