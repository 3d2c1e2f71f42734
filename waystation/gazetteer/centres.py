"""Offline places: ZIP and city centres, and "is this point in that state?".

Everything here comes from the ``zipcodes`` package (about 42,000 US ZIP
codes, each with the centroid of its area), read once, lazily, the first
time a function needs it; the derived indexes are kept for the life of the
process.  No network, no polygon data:

* :func:`zip_centre` is a ZIP code's centroid;
* :func:`city_centre` is the mean of the centroids of a city's ZIP codes in
  one state (matched ignoring case, accents, spaces and punctuation);
* :func:`is_in_state` answers from the state's bounding box (computed from
  its ZIP centroids) and the nearest ZIP centroids: a point none of whose
  :data:`NEAREST_K` nearest centroids lies in the state is outside it.  Near
  a border this is an approximation (good to a few km), which is what the
  geocoding checks need: catching a street matched in the wrong city.
"""

from __future__ import annotations

import math
import os
import pickle
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from waystation.gazetteer.states import STATES

EARTH_RADIUS_KM = 6371.0088
#: How many nearest ZIP centroids :func:`is_in_state` looks at.
NEAREST_K = 8
#: Degrees added around a state's box of ZIP centroids (centroids lie inside
#: the state, its border lies further out).
BBOX_MARGIN_DEG = 0.5
#: Size of a grid cell of the nearest-centroid index, in degrees.
GRID_DEG = 0.5
#: Rings of grid cells searched before giving up (about 5 degrees).
MAX_RINGS = 10


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance between two points, in kilometres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def normalize_city(name: str) -> str:
    """``"Winston-Salem"``, ``"winston salem"`` and ``"WINSTON SALEM."`` → ``"winstonsalem"``.

    Accents are dropped too (``"Mayagüez"`` → ``"mayaguez"``).
    """
    folded = name.casefold()
    if not folded.isascii():
        decomposed = unicodedata.normalize("NFKD", folded)
        folded = "".join(c for c in decomposed if c.isalnum() and c.isascii())
    return _NOT_ALNUM.sub("", folded)


def zip5(postal_code: str | None) -> str | None:
    """The 5-digit ZIP of a 5- or 9-digit ZIP code (``"60601-1234"`` → ``"60601"``)."""
    if not postal_code:
        return None
    digits = postal_code.strip()[:5]
    return digits if len(digits) == 5 and digits.isdigit() else None


@dataclass(frozen=True)
class _Index:
    zip_state: dict[str, str]
    zip_point: dict[str, tuple[float, float]]
    city_points: dict[tuple[str, str], list[tuple[float, float]]]
    bbox: dict[str, tuple[float, float, float, float]]  # min lat, min lon, max lat, max lon
    grid: dict[tuple[int, int], list[tuple[float, float, str]]]


def _mean(points: list[tuple[float, float]]) -> tuple[float, float]:
    return (
        sum(p[0] for p in points) / len(points),
        sum(p[1] for p in points) / len(points),
    )


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return (math.floor(lat / GRID_DEG), math.floor(lon / GRID_DEG))


def _rows() -> list[dict]:
    import zipcodes  # imported here: nothing is read until a place is needed

    return zipcodes.list_all()


def row_point(row: dict) -> tuple[float, float] | None:
    """A ``zipcodes`` row's centroid, or None when it has none that is usable (missing,
    0/0, out of range): the one reading of the package's points for every index."""
    try:
        lat, lon = float(row["lat"]), float(row["long"])
    except (KeyError, TypeError, ValueError):
        return None
    if (lat == 0 and lon == 0) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return (lat, lon)


def cache_path(prefix: str, suffix: str) -> Path | None:
    """A file in the user's cache (never the repository) for data derived from the
    installed ``zipcodes``: ``<prefix>-zipcodes-<version>-<suffix>``, so a new release
    of the package is never read through an old index (None: no cache)."""
    try:
        from importlib.metadata import version

        zipcodes_version = version("zipcodes")
    except Exception:  # noqa: BLE001 - any failure: just don't cache
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "waystation" / f"{prefix}-zipcodes-{zipcodes_version}-{suffix}"


def _cache_file() -> Path | None:
    """Where the derived index is kept between runs."""
    return cache_path("places", "v1.pickle")


def _states_cache_file() -> Path | None:
    """The part of the cached index the validator needs (a quarter of it, read 4x faster)."""
    path = _cache_file()
    return path.with_name(path.name.replace("-v1.pickle", "-states-v1.pickle")) if path else None


@dataclass(frozen=True)
class _StateIndex:
    """What ZIP/state checks need: no centroids by ZIP or city."""

    zip_state: dict[str, str]
    bbox: dict[str, tuple[float, float, float, float]]
    grid: dict[tuple[int, int], list[tuple[float, float, str]]]


def read_cache(path: Path | None, kind: type) -> Any:
    """What :func:`write_cache` left at ``path`` if it is a ``kind`` (None: no cache file,
    unreadable, or left by another version of the code)."""
    if path is None:
        return None
    try:
        with path.open("rb") as handle:
            cached = pickle.load(handle)  # noqa: S301 - our own file in the user's cache
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
        return None
    return cached if isinstance(cached, kind) else None


def write_cache(path: Path | None, value: object) -> None:
    """Keep ``value`` at ``path`` for :func:`read_cache` (written whole, then renamed; a
    cache that cannot be written is simply not kept)."""
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass


@lru_cache(maxsize=1)
def _state_index() -> _StateIndex:
    """The ZIP-to-state table, state boxes and centroid grid (from their own cache
    file when there is one: validating needs nothing else)."""
    if _index.cache_info().currsize:
        index = _index()
        return _StateIndex(index.zip_state, index.bbox, index.grid)
    path = _states_cache_file()
    cached = read_cache(path, _StateIndex)
    if cached is not None:
        return cached
    index = _index()
    states = _StateIndex(index.zip_state, index.bbox, index.grid)
    write_cache(path, states)
    return states


@lru_cache(maxsize=1)
def _index() -> _Index:
    """The ZIP index; built once from ``zipcodes`` (about 2 s), then read from a cache file."""
    path = _cache_file()
    cached = read_cache(path, tuple)
    if cached is not None and len(cached) == 2:
        index, others = cached
        _other_city_names.cache_clear()
        _PRELOADED["others"] = others
        return index
    index = _build_index()
    if path is not None:
        _PRELOADED["others"] = _build_other_city_names(index)
        write_cache(path, (index, _PRELOADED["others"]))
    return index


_PRELOADED: dict[str, dict] = {}


def _build_index() -> _Index:
    zip_state: dict[str, str] = {}
    zip_point: dict[str, tuple[float, float]] = {}
    city: dict[tuple[str, str], list[tuple[float, float]]] = {}
    by_state: dict[str, list[tuple[float, float]]] = {}
    grid: dict[tuple[int, int], list[tuple[float, float, str]]] = {}
    city_keys: dict[str, str] = {}
    for row in _rows():
        code, state = row.get("zip_code") or "", row.get("state") or ""
        if not code or not state:
            continue
        zip_state[code] = state
        if state not in STATES or row.get("zip_code_type") == "MILITARY":
            continue
        point = row_point(row)
        if point is None:
            continue
        zip_point[code] = point
        name = row.get("city") or ""
        key = city_keys.get(name)
        if key is None:
            key = city_keys[name] = normalize_city(name)
        city.setdefault((state, key), []).append(point)
        by_state.setdefault(state, []).append(point)
        grid.setdefault(_cell(*point), []).append((point[0], point[1], state))
    bbox = {
        state: (
            min(p[0] for p in points) - BBOX_MARGIN_DEG,
            min(p[1] for p in points) - BBOX_MARGIN_DEG,
            max(p[0] for p in points) + BBOX_MARGIN_DEG,
            max(p[1] for p in points) + BBOX_MARGIN_DEG,
        )
        for state, points in by_state.items()
    }
    return _Index(zip_state, zip_point, city, bbox, grid)


@lru_cache(maxsize=1)
def _other_city_names() -> dict[tuple[str, str], list[tuple[float, float]]]:
    """Other names the Postal Service accepts for a ZIP (e.g. Hollywood in Los Angeles)."""
    index = _index()
    if "others" in _PRELOADED:
        return _PRELOADED["others"]
    return _build_other_city_names(index)


def _build_other_city_names(index: _Index) -> dict[tuple[str, str], list[tuple[float, float]]]:
    names: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for row in _rows():
        point = index.zip_point.get(row.get("zip_code") or "")
        if point is None:
            continue
        for other in row.get("acceptable_cities") or ():
            names.setdefault((row["state"], normalize_city(other)), []).append(point)
    return names


def zip_state(postal_code: str | None) -> str | None:
    """The USPS state code a ZIP code belongs to, or ``None`` if unknown."""
    code = zip5(postal_code)
    return _state_index().zip_state.get(code) if code else None


def zip_centre(postal_code: str | None) -> tuple[float, float] | None:
    """``(lat, lon)`` of a ZIP code's centroid, or ``None`` if unknown."""
    code = zip5(postal_code)
    return _index().zip_point.get(code) if code else None


def city_centre(city: str | None, state: str | None) -> tuple[float, float] | None:
    """``(lat, lon)``: the mean of the centroids of ``city``'s ZIP codes in ``state``."""
    if not city or not state:
        return None
    return _city_centre(state.upper(), normalize_city(city))


@lru_cache(maxsize=4096)
def _city_centre(state: str, city_key: str) -> tuple[float, float] | None:
    points = _index().city_points.get((state, city_key)) or _other_city_names().get(
        (state, city_key)
    )
    return _mean(points) if points else None


def state_bbox(state: str) -> tuple[float, float, float, float] | None:
    """``(min_lat, min_lon, max_lat, max_lon)`` around a state's ZIP centroids, with margin."""
    return _state_index().bbox.get(state.upper())


def nearest_zip_states(lat: float, lon: float, k: int = NEAREST_K) -> list[str]:
    """States of the ``k`` ZIP centroids nearest to the point, nearest first.

    Searches a grid of :data:`GRID_DEG` cells ring by ring, and one ring
    more once ``k`` candidates are found; empty if nothing lies within
    :data:`MAX_RINGS` rings.
    """
    candidates = _candidates(lat, lon, k)
    # distance_km(lat, lon, c[0], c[1]) with what depends only on the point
    # computed once (the same operations in the same order: the same floats).
    radians, sin, cos, asin, sqrt = math.radians, math.sin, math.cos, math.asin, math.sqrt
    phi1 = radians(lat)
    cos_phi1 = cos(phi1)
    diameter = 2 * EARTH_RADIUS_KM

    def distance(c: tuple[float, float, str]) -> float:
        phi2 = radians(c[0])
        a = sin((phi2 - phi1) / 2) ** 2 + cos_phi1 * cos(phi2) * sin(radians(c[1] - lon) / 2) ** 2
        return diameter * asin(min(1.0, sqrt(a)))

    candidates.sort(key=distance)
    return [c[2] for c in candidates[:k]]


def _candidates(lat: float, lon: float, k: int) -> list[tuple[float, float, str]]:
    """ZIP centroids in the rings of grid cells that hold the ``k`` nearest."""
    grid = _state_index().grid
    ci, cj = _cell(lat, lon)
    candidates: list[tuple[float, float, str]] = []
    last_ring = MAX_RINGS
    for ring in range(MAX_RINGS + 1):
        if ring > last_ring:
            break
        candidates.extend(_ring(grid, ci, cj, ring))
        if len(candidates) >= k and last_ring == MAX_RINGS:
            last_ring = ring + 1
    return candidates


def _ring(
    grid: dict[tuple[int, int], list[tuple[float, float, str]]], ci: int, cj: int, ring: int
) -> Iterable[tuple[float, float, str]]:
    if ring == 0:
        yield from grid.get((ci, cj), ())
        return
    for i in range(ci - ring, ci + ring + 1):
        for j in range(cj - ring, cj + ring + 1):
            if max(abs(i - ci), abs(j - cj)) == ring:
                yield from grid.get((i, j), ())


def is_in_state(lat: float, lon: float, state: str) -> bool:
    """Whether the point lies in ``state``, as far as ZIP centroids can tell.

    Outside the state's box of centroids (plus :data:`BBOX_MARGIN_DEG`) is
    outside; otherwise the point is inside if any of its :data:`NEAREST_K`
    nearest ZIP centroids is in the state.  A state without ZIP data
    answers ``True`` (nothing to check against).
    """
    state = state.upper()
    box = state_bbox(state)
    if box is None:
        return True
    min_lat, min_lon, max_lat, max_lon = box
    if not (min_lat <= lat <= max_lat and min_lon <= lon <= max_lon):
        return False
    # The candidates hold the nearest centroids: when they agree, no need to rank them.
    states = {c[2] for c in _candidates(lat, lon, NEAREST_K)}
    if states == {state}:
        return True
    if state not in states:
        return False
    return state in nearest_zip_states(lat, lon)


#: A geocoded point further than this from its ZIP (or city) centre is refused.
MAX_KM_FROM_CENTRE = 50.0


def check_point(
    lat: float,
    lon: float,
    state: str,
    postal_code: str | None = None,
    city: str | None = None,
    max_km: float = MAX_KM_FROM_CENTRE,
) -> str | None:
    """Why a point cannot be the address's place, or ``None`` if it is plausible.

    Refused: a point outside ``state``, or more than ``max_km`` from the
    centre of ``postal_code`` (or, with no known ZIP, of ``city``).
    Geocoders often match a street of the same name in another town.
    """
    if not is_in_state(lat, lon, state):
        return f"({lat:.5f}, {lon:.5f}) is outside {state}"
    centre = zip_centre(postal_code)
    what = f"ZIP {zip5(postal_code)}"
    if centre is None:
        centre, what = city_centre(city, state), f"{city}'s centre"
    if centre is not None:
        km = distance_km(lat, lon, centre[0], centre[1])
        if km > max_km:
            return f"({lat:.5f}, {lon:.5f}) is {km:.0f} km from {what} (more than {max_km:g} km)"
    return None
