"""``providers.geojson``: every listing with a public place, as open data.

Public listings are points at their address; approximate ones are points at
the centre of their ZIP code or city with ``precision`` and
``area_radius_m`` saying so (draw a circle of that radius, never a pin).
Hidden listings, and listings with no place, are not in this file (they are
in ``providers.csv`` and the HSDS export, with their state only).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from waystation.opendata.json_stream import write_list
from waystation.opendata.records import export_views, view_record


def features(
    directory, records: Iterable[dict[str, Any]] | None = None
) -> Iterator[dict[str, Any]]:
    """The file's features, one per listing with a public place (``records``: the
    listings' flat records, if already made, in the directory's order)."""
    if records is None:
        records = [view_record(v, directory.settings) for v in export_views(directory)]
    for listing, record in zip(directory.listings, records, strict=True):
        if record["latitude"] is None or record["visibility"] == "hidden":
            continue
        properties = {k: v for k, v in record.items() if k not in ("latitude", "longitude")}
        properties = {k: v for k, v in properties.items() if v not in (None, "", [])}
        yield {
            "type": "Feature",
            "id": listing.id,
            "geometry": {
                "type": "Point",
                "coordinates": [record["longitude"], record["latitude"]],
            },
            "properties": properties,
        }


def feature_collection(
    directory, records: Iterable[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """``records``: the listings' flat records, if already made (in the directory's order)."""
    return {"type": "FeatureCollection", "features": list(features(directory, records))}


def write_geojson(directory, path: Path, records: Iterable[dict[str, Any]] | None = None) -> None:
    """The bytes of ``json.dumps(feature_collection(…), sort_keys=True,
    ensure_ascii=False)`` and a newline, written feature by feature."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as file:
        file.write('{"features": ')
        write_list(file, features(directory, records), sort_keys=True, ensure_ascii=False)
        file.write(', "type": "FeatureCollection"}\n')
