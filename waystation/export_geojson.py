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

from waystation.export_records import flat_record


def feature_collection(directory) -> dict[str, Any]:
    features = []
    for listing in directory.listings:
        record = flat_record(listing, directory.place(listing), directory.settings)
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


def write_geojson(directory, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(feature_collection(directory), sort_keys=True, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")
