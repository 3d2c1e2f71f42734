"""ZIP and city centres for the browser, split into small files.

The search page turns what a visitor types ("60601", "Chicago, IL") or the
browser's geolocation into a point *in the browser*, so the location never
leaves the device.  The build ships the data for that, from the ``zipcodes``
package (about 42,000 ZIP codes with the centroid of each), in shards small
enough that one look-up loads a few KB, never the whole country:

* ``zip/<first three digits>.json``: ``{"60601": [lat, lon, "IL", "Chicago",
  "cook"], …}``: the ZIP's centroid, state, main city and county key
  (:func:`county_key`, for listings that serve some counties only);
* ``zip/index.json``: for each three-digit prefix, the box around its ZIP
  centroids: what geolocation needs to find the nearest ZIP;
* ``city/<st>-<letter>.json``: ``{"chicago": ["Chicago", lat, lon, ["cook",
  "dupage"]], …}``: a city's centre (the mean of its ZIP centroids, as
  :func:`waystation.places.city_centre` computes it) and the counties of its
  ZIP codes, keyed by :func:`waystation.places.normalize_city` and split by
  state and first letter.

Military (APO/FPO) ZIP codes have no place and are left out, like places.py
does.  Coordinates keep the package's four decimals (about 10 m).
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from waystation.geography import STATES
from waystation.places import normalize_city

_COUNTY_WORDS = re.compile(
    r"\b(county|parish|borough|census area|city and borough|municipality|municipio|"
    r"island|islands|district)\b",
    re.IGNORECASE,
)


def county_key(name: str) -> str:
    """``"Cook County"``, ``"cook"`` and ``"IL/Cook"``'s county all give ``"cook"``.

    Drops the kind of county (County, Parish, Borough, Municipio, …) and
    everything but letters and digits, so a listing's ``counties: [IL/Cook]``
    matches the ``zipcodes`` package's ``"Cook County"``.
    """
    name = name.split("/", 1)[1] if "/" in name else name
    return normalize_city(_COUNTY_WORDS.sub(" ", name))


@dataclass
class ZipPlace:
    code: str
    lat: float
    lon: float
    state: str
    city: str
    county: str


@dataclass
class PlaceData:
    zips: dict[str, ZipPlace]
    # (state, city key) -> (display name, [points], Counter of county keys)
    cities: dict[tuple[str, str], tuple[str, list[tuple[float, float]], Counter]] = field(
        default_factory=dict
    )


def load_places() -> PlaceData:
    """Every placeable ZIP code and city of the ``zipcodes`` package."""
    import zipcodes

    zips: dict[str, ZipPlace] = {}
    primary: dict[tuple[str, str], tuple[str, list, Counter]] = {}
    acceptable: dict[tuple[str, str], tuple[str, list, Counter]] = {}
    for row in zipcodes.list_all():
        code, state = row.get("zip_code") or "", row.get("state") or ""
        if not code or state not in STATES or row.get("zip_code_type") == "MILITARY":
            continue
        try:
            lat, lon = float(row["lat"]), float(row["long"])
        except (KeyError, TypeError, ValueError):
            continue
        if (lat == 0 and lon == 0) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            continue
        city = (row.get("city") or "").strip()
        county = _county_key(row.get("county") or "")
        zips[code] = ZipPlace(code, lat, lon, state, _title(city), county)
        for names, target in (([city], primary), (row.get("acceptable_cities") or [], acceptable)):
            for name in names:
                key = _city_key(name)
                if not key:
                    continue
                entry = target.get((state, key))
                if entry is None:
                    entry = target[(state, key)] = (_title(name), [], Counter())
                entry[1].append((lat, lon))
                if county:
                    entry[2][county] += 1
    cities = dict(acceptable)
    cities.update(primary)
    return PlaceData(zips, cities)


_city_key = lru_cache(maxsize=None)(normalize_city)
_county_key = lru_cache(maxsize=None)(county_key)


def _title(name: str) -> str:
    """``"SAN JUAN"`` -> ``"San Juan"`` (the package writes some names in capitals)."""
    if name.isupper():
        return " ".join(part.capitalize() for part in name.split(" "))
    return name


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _write(path: Path, data: Any) -> int:
    text = _json(data)
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


def zip_shards(places: PlaceData) -> dict[str, dict[str, list[Any]]]:
    shards: dict[str, dict[str, list[Any]]] = defaultdict(dict)
    for code, place in sorted(places.zips.items()):
        shards[code[:3]][code] = [place.lat, place.lon, place.state, place.city, place.county]
    return dict(shards)


def zip_index(shards: dict[str, dict[str, list[Any]]]) -> dict[str, list[float]]:
    """``{prefix: [min_lat, min_lon, max_lat, max_lon]}`` of each shard's centroids."""
    index = {}
    for prefix, entries in sorted(shards.items()):
        lats = [e[0] for e in entries.values()]
        lons = [e[1] for e in entries.values()]
        index[prefix] = [min(lats), min(lons), max(lats), max(lons)]
    return index


def city_shards(places: PlaceData) -> dict[str, dict[str, list[Any]]]:
    shards: dict[str, dict[str, list[Any]]] = defaultdict(dict)
    for (state, key), (name, points, counties) in sorted(places.cities.items()):
        lat = round(sum(p[0] for p in points) / len(points), 4)
        lon = round(sum(p[1] for p in points) / len(points), 4)
        shards[city_shard_name(state, key)][key] = [name, lat, lon, sorted(counties)]
    return dict(shards)


def city_shard_name(state: str, city_key: str) -> str:
    """``("IL", "chicago")`` -> ``"il-c"``: the file that holds the city."""
    first = city_key[:1] if city_key[:1].isalpha() else "0"
    return f"{state.lower()}-{first}"


def write_place_shards(folder: Path, places: PlaceData | None = None) -> dict[str, int]:
    """Write ``zip/`` and ``city/`` under ``folder``; return file counts and bytes."""
    places = places or load_places()
    (folder / "zip").mkdir(parents=True, exist_ok=True)
    (folder / "city").mkdir(parents=True, exist_ok=True)
    total = 0
    zips = zip_shards(places)
    # Every possible shard exists (most are tiny, some empty): a look-up of an unknown
    # ZIP or city reads "{}" instead of failing with a 404 the browser would log.
    for n in range(1000):
        prefix = f"{n:03d}"
        total += _write(folder / "zip" / f"{prefix}.json", zips.get(prefix, {}))
    total += _write(folder / "zip" / "index.json", zip_index(zips))
    cities = city_shards(places)
    letters = "0abcdefghijklmnopqrstuvwxyz"
    names = [city_shard_name(state, letter) for state in STATES for letter in letters]
    for name in names:
        total += _write(folder / "city" / f"{name}.json", cities.get(name, {}))
    return {"zip_files": 1001, "city_files": len(names), "bytes": total}
