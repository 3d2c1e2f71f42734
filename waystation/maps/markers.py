"""The map's marker data: one compact GeoJSON file per language, loaded once.

A map with 10,000 listings cannot carry one HTML popup per marker (folium's
way makes an 8 MB page), so the overview, state and embed maps load this file
and build markers, popups and the list beside the map in the browser, with
``textContent`` only.  Every value comes from
:func:`waystation.publish.public_listing`: public listings are points,
approximate ones the centre of their ZIP code or city with the area's radius
(``r``: drawn as a circle, never a pin); hidden listings and listings without
a place are not in the file.

Feature properties (short names keep the file small):

``i`` id, ``n`` name (in the file's language), ``c`` city, ``s`` state,
``r`` radius in metres (approximate listings only), ``v`` service term
indexes, ``p`` population term indexes (absent: everyone), ``l`` language
codes.  The file's ``terms`` member lists the services and populations in
index order.
"""

from __future__ import annotations

import json
from typing import Any

from waystation.records import vocabulary

#: Decimal places of map coordinates: 5 is about a metre.
DECIMALS = 5


def _indexes(values: list[str], vocab: str) -> list[int]:
    ids = vocabulary.get(vocab).ids
    return sorted(ids.index(v) for v in values if v in ids)


def map_feature(data: dict[str, Any]) -> dict[str, Any] | None:
    """The map's feature of a listing, from its public view (``public_listing()``)."""
    point = data.get("point")
    loc = data["location"]
    if point is None or loc["visibility"] == "hidden":
        return None
    properties: dict[str, Any] = {"i": data["id"], "n": data["name"], "s": loc["state"]}
    if loc.get("city"):
        properties["c"] = loc["city"]
    if loc["visibility"] == "approximate":
        properties["r"] = int(point.get("radius_m") or 0)
    properties["v"] = _indexes(data["services"], "services")
    if data["populations"]:
        properties["p"] = _indexes(data["populations"], "populations")
    if data["languages"]:
        properties["l"] = list(data["languages"])
    return {
        "type": "Feature",
        "geometry": {
            "type": "Point",
            "coordinates": [round(point["lon"], DECIMALS), round(point["lat"], DECIMALS)],
        },
        "properties": properties,
    }


def map_collection(directory, lang: str) -> dict[str, Any]:
    features = []
    for listing in directory.listings:
        feature = map_feature(directory.public(listing, lang))
        if feature is not None:
            features.append(feature)
    features.sort(key=lambda f: (f["properties"]["n"].casefold(), f["properties"]["i"]))
    return {
        "type": "FeatureCollection",
        "terms": {
            "services": list(vocabulary.get("services").ids),
            "populations": list(vocabulary.get("populations").ids),
        },
        "features": features,
    }


def map_json(collection: dict[str, Any]) -> str:
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"
