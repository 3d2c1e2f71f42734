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
* ``zip/states.txt``: which state each three-digit prefix belongs to, as ranges
  (:func:`prefix_state_ranges`): what the search page's head reads to ask for a
  state's listings before the ZIP code's own file has arrived;
* ``city/<st>-<letter>.json``: ``{"chicago": ["Chicago", lat, lon, ["cook",
  "dupage"]], …}``: a city's centre (the mean of its ZIP centroids, as
  :func:`waystation.gazetteer.centres.city_centre` computes it) and the counties of its
  ZIP codes, keyed by :func:`waystation.gazetteer.centres.normalize_city` and split by
  state and first letter.

Military (APO/FPO) ZIP codes have no place and are left out, like places.py
does.  Coordinates keep the package's four decimals (about 10 m).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from waystation.gazetteer import centres
from waystation.gazetteer.centres import normalize_city
from waystation.gazetteer.states import STATES

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
        point = centres.row_point(row)
        if point is None:
            continue
        lat, lon = point
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


#: Where :func:`render_place_shards` writes :func:`prefix_state_ranges`.
PREFIX_STATES = "zip/states.txt"


def prefix_state_ranges(shards: dict[str, dict[str, list[Any]]]) -> str:
    """Which state each three-digit ZIP prefix belongs to, as ranges: ``"000--005NY006PR…"``.

    Five characters per range: its first prefix and the state of every prefix from it
    to the next range's first (``--``: prefixes without a ZIP code).  A prefix whose ZIP
    codes lie in several states (7 of about 900: 063 is Connecticut and one New York
    ZIP code) gets the state of most of them; the ZIP code's own file has the truth.
    About 150 ranges, 700 characters.
    """
    ranges: list[str] = []
    previous = None
    for n in range(1000):
        prefix = f"{n:03d}"
        counts = Counter(entry[2] for entry in shards.get(prefix, {}).values())
        state = min(counts, key=lambda st: (-counts[st], st)) if counts else "--"
        if state != previous:
            ranges.append(prefix + state)
            previous = state
    return "".join(ranges)


def state_of_prefix(ranges: str, prefix: str) -> str:
    """The state :func:`prefix_state_ranges` gives a prefix (``""`` for none): what the
    search page's head script does, in Python (for the tests)."""
    found = ""
    for i in range(0, len(ranges), 5):
        if ranges[i : i + 3] > prefix:
            break
        found = ranges[i + 3 : i + 5]
    return "" if found == "--" else found


@lru_cache(maxsize=1)
def prefix_states() -> str:
    """:func:`prefix_state_ranges` of the ``zipcodes`` package, from the place shards'
    cache when there is one (reading the package takes about a second)."""
    cached = _cached_files()
    if cached is not None and PREFIX_STATES in cached:
        return cached[PREFIX_STATES][0].read_text(encoding="utf-8")
    return prefix_state_ranges(zip_shards(load_places()))


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


def render_place_shards(places: PlaceData | None = None) -> dict[str, bytes]:
    """``{"zip/606.json": bytes, …, "city/il-c.json": bytes, …}``: every file of ``zip/``
    and ``city/``."""
    places = places or load_places()
    files: dict[str, bytes] = {}
    zips = zip_shards(places)
    # Every possible shard exists (most are tiny, some empty): a look-up of an unknown
    # ZIP or city reads "{}" instead of failing with a 404 the browser would log.
    for n in range(1000):
        prefix = f"{n:03d}"
        files[f"zip/{prefix}.json"] = _json(zips.get(prefix, {})).encode("utf-8")
    files["zip/index.json"] = _json(zip_index(zips)).encode("utf-8")
    files[PREFIX_STATES] = prefix_state_ranges(zips).encode("ascii")
    cities = city_shards(places)
    letters = "0abcdefghijklmnopqrstuvwxyz"
    for name in [city_shard_name(state, letter) for state in STATES for letter in letters]:
        files[f"city/{name}.json"] = _json(cities.get(name, {})).encode("utf-8")
    return files


def write_place_shards(folder: Path, places: PlaceData | None = None) -> dict[str, int]:
    """Write ``zip/`` and ``city/`` under ``folder``; return file counts and bytes.

    The files depend only on the ``zipcodes`` package and this code, not on the
    listings: rendered once (about 3 s) into a cache folder, then linked from it
    (:func:`_cached_files`); written from scratch when given ``places`` or when
    there is no usable cache.
    """
    (folder / "zip").mkdir(parents=True, exist_ok=True)
    (folder / "city").mkdir(parents=True, exist_ok=True)
    cached = _cached_files() if places is None else None
    if cached is not None:
        total = 0
        for name, (source, size) in cached.items():
            _link_or_copy(source, folder / name)
            total += size
    else:
        files = render_place_shards(places)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        total = sum(len(data) for data in files.values())
        cached = files  # type: ignore[assignment]
    zip_files = sum(1 for name in cached if name.startswith("zip/") and name.endswith(".json"))
    city_files = sum(1 for name in cached if name.startswith("city/"))
    return {"zip_files": zip_files, "city_files": city_files, "bytes": total}


# -- the cache ----------------------------------------------------------------------
#
# A folder in the user's cache (like places.py's index), named after the zipcodes
# version and a digest of the code that renders the files, holding the rendered files
# and a stamp (every file's name, size and mtime, written last).  The output gets hard
# links to the cached files (a copy where linking fails: another file system), which
# saves creating and writing 2,500 files per build.  A cached file changed in place
# (through such a link) no longer matches the stamp: the folder is then rendered again.

_STAMP = "stamp.json"


def _cache_folder() -> Path | None:
    try:
        from importlib.metadata import version

        import waystation.gazetteer.centres
        import waystation.gazetteer.states

        code = hashlib.sha256()
        for module in (
            sys.modules[__name__],
            waystation.gazetteer.centres,
            waystation.gazetteer.states,
        ):
            code.update(Path(module.__file__ or "").read_bytes())
        key = f"zipcodes-{version('zipcodes')}-{code.hexdigest()[:12]}"
    except Exception:  # noqa: BLE001 - any failure: just don't cache
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "waystation" / f"place-shards-{key}"


def _read_cache(folder: Path) -> dict[str, tuple[Path, int]] | None:
    """``{name: (cached file, size)}`` if every file matches the stamp, else None."""
    try:
        stamp = json.loads((folder / _STAMP).read_text(encoding="utf-8"))
        found = {}
        for name, size, mtime in stamp:
            path = folder / name
            info = path.stat()
            if info.st_size != size or info.st_mtime_ns != mtime:
                return None
            found[name] = (path, size)
        return found
    except (OSError, ValueError, TypeError):
        return None


def _cached_files() -> dict[str, tuple[Path, int]] | None:
    folder = _cache_folder()
    if folder is None:
        return None
    found = _read_cache(folder)
    if found is not None:
        return found
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        fresh = Path(tempfile.mkdtemp(prefix=f"{folder.name}.", dir=folder.parent))
        (fresh / "zip").mkdir()
        (fresh / "city").mkdir()
        stamp = []
        for name, data in render_place_shards().items():
            (fresh / name).write_bytes(data)
            info = (fresh / name).stat()
            stamp.append([name, info.st_size, info.st_mtime_ns])
        (fresh / _STAMP).write_text(json.dumps(stamp), encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a stale or damaged cache
        try:
            os.rename(fresh, folder)
        except OSError:  # another build just cached it: use that one
            shutil.rmtree(fresh, ignore_errors=True)
    except OSError:
        return None
    return _read_cache(folder)


def _link_or_copy(source: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
