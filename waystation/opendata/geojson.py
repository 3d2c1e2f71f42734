"""``providers.geojson``: every listing with a public place, as open data.

Public listings are points at their address; approximate ones are points at
the centre of their ZIP code or city with ``precision`` and
``area_radius_m`` saying so (draw a circle of that radius, never a pin).
Hidden listings, and listings with no place, are not in this file (they are
in ``providers.csv`` and the HSDS export, with their state only).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from waystation.opendata.records import export_views, view_record


def feature_collection(directory, records: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """``records``: the listings' flat records, if already made (in the directory's order)."""
    if records is None:
        records = [view_record(v, directory.settings) for v in export_views(directory)]
    features = []
    for listing, record in zip(directory.listings, records, strict=True):
        if record["latitude"] is None or record["visibility"] == "hidden":
            continue
        properties = {k: v for k, v in record.items() if k not in ("latitude", "longitude")}
        properties = {k: v for k, v in properties.items() if v not in (None, "", [])}
        features.append(
            {
                "type": "Feature",
                "id": listing.id,
                "geometry": {
                    "type": "Point",
                    "coordinates": [record["longitude"], record["latitude"]],
                },
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}


def write_geojson(directory, path: Path, records: list[dict[str, Any]] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    collection = feature_collection(directory, records)
    text = json.dumps(collection, sort_keys=True, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")
