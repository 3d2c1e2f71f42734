"""``coverage.csv`` and ``coverage.json`` (open data) and the map's ``coverage/regions.json``.

``coverage.csv``: one row per state (USPS code, then ``US`` for the whole country) and
key, in the order of :data:`waystation.gazetteer.states.STATES` and of the report's
keys (service groups, services, populations, trafficking types, languages).  Columns
(docs/coverage.md explains them):

``state, kind, id, zip_areas, weight, beyond_reach, beyond_far, remote_only, no_help``

``coverage.json``: the same rows (``columns`` and ``rows`` as lists), with what they
were computed with (``weighting``, ``reach_miles``, ``far_miles``, ``zip_areas``,
``listings``) and the ZIP3 ``regions`` with each service group's gaps.  Keys sorted,
no spaces: byte-identical for the same directory.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from waystation.coverage.compute import Coverage
from waystation.coverage.summary import regions, state_rows

CSV = "coverage.csv"
JSON = "coverage.json"
#: The map's data, beside the page (not open data: the same as coverage.json's regions).
MAP_DATA = "coverage/regions.json"
COLUMNS = (
    "state",
    "kind",
    "id",
    "zip_areas",
    "weight",
    "beyond_reach",
    "beyond_far",
    "remote_only",
    "no_help",
)


def _number(value: float) -> int | float:
    """Whole numbers without ``.0`` (the same text in CSV and JSON)."""
    return int(value) if float(value).is_integer() else value


def csv_text(coverage: Coverage) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in state_rows(coverage):
        values = row.as_dict()
        writer.writerow([_number(v) if isinstance(v, float) else v for v in values.values()])
    return out.getvalue()


def _dumps(data: object) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"


def meta(coverage: Coverage) -> dict:
    return {
        "weighting": coverage.weighting,
        "reach_miles": _number(coverage.reach_miles),
        "far_miles": _number(coverage.far_miles),
        "zip_areas": len(coverage.areas),
        "listings": coverage.listings,
    }


def json_text(coverage: Coverage) -> str:
    rows = [
        [_number(v) if isinstance(v, float) else v for v in row.as_dict().values()]
        for row in state_rows(coverage)
    ]
    data = {
        **meta(coverage),
        "keys": [{"kind": kind, "id": key_id} for kind, key_id in coverage.keys],
        "columns": list(COLUMNS),
        "rows": rows,
        "regions": [region.as_dict() for region in regions(coverage)],
    }
    return _dumps(data)


def map_text(coverage: Coverage) -> str:
    """What the map draws: each region's centre, size and gaps by service group."""
    data = {
        **meta(coverage),
        "regions": [
            [r.state, r.zip3, r.lat, r.lon, _number(r.weight), r.gaps, r.no_help]
            for r in regions(coverage)
            if r.gaps
        ],
    }
    return _dumps(data)


def write_files(coverage: Coverage, output: Path) -> list[Path]:
    """Write the three files into ``output``; return their paths."""
    output = Path(output)
    written = []
    for name, text in ((CSV, csv_text(coverage)), (JSON, json_text(coverage)),
                       (MAP_DATA, map_text(coverage))):  # fmt: skip
        target = output / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        written.append(target)
    return written
