"""The distances: for every ZIP area and every key, the nearest in-person listing.

A *key* is what a person needs: a service term, a service group, or any service for a
population, a trafficking type or a spoken language (:func:`keys`).  For each key,
:func:`compute` puts the published points of the listings that match it in a k-d tree
(``scipy.spatial.cKDTree``) over 3-D unit vectors (for a handful of points, one
matrix product instead: :data:`FEW_POINTS`), asks it for every ZIP area's
nearest point (the chord between unit vectors), and turns the chord into the
great-circle distance (``2 R asin(c / 2)``): exact, and fast enough for every build
(``make bench-coverage``).  Whether a listing reaches the area from afar (phone,
online, statewide, national, county-wide; :mod:`~waystation.coverage.sources`) comes
from a listings × states (and × counties) table multiplied by the keys × listings one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.spatial import cKDTree

from waystation.coverage.sources import Source
from waystation.coverage.zip_areas import WEIGHT_AREAS, ZipAreas
from waystation.gazetteer.centres import EARTH_RADIUS_KM
from waystation.records import vocabulary

KM_PER_MILE = 1.609344
#: Up to this many distinct points, the nearest is found by comparing every area with
#: every point (one matrix product, in blocks of areas): quicker than building and
#: querying a tree for a handful of listings.  Above it, the k-d tree.
FEW_POINTS = 32
#: Areas per block of the matrix product (block × FEW_POINTS float64 at a time).
BLOCK = 8192

#: The kinds of key, in the order the report shows them.
KINDS = ("group", "service", "population", "type", "language")


@dataclass(frozen=True)
class Coverage:
    """Distances and reach, one row per key, one column per ZIP area."""

    areas: ZipAreas
    keys: tuple[tuple[str, str], ...]
    distance_km: np.ndarray  # keys × areas, float32, inf where no listing matches
    from_afar: np.ndarray  # keys × areas, bool: reached by phone/online/statewide/national
    weights: np.ndarray  # per area
    weighting: str  # zip_areas.WEIGHT_AREAS | WEIGHT_PEOPLE
    reach_miles: float
    far_miles: float
    listings: int  # listings counted (published and open)

    def row(self, kind: str, key_id: str) -> int:
        return self.keys.index((kind, key_id))

    def miles(self, kind: str, key_id: str) -> np.ndarray:
        return self.distance_km[self.row(kind, key_id)] / KM_PER_MILE

    def beyond(self, kind: str, key_id: str, miles: float) -> np.ndarray:
        """Per area: no in-person listing for the key within ``miles``."""
        return self.distance_km[self.row(kind, key_id)] > miles * KM_PER_MILE


def keys(languages: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """Every key, in display order: groups, services, populations, types, languages."""
    vocab = vocabulary.load()
    return (
        tuple(("group", g.id) for g in vocabulary.service_groups())
        + tuple(("service", t) for t in vocab["services"].ids)
        + tuple(("population", t) for t in vocab["populations"].ids)
        + tuple(("type", t) for t in vocab["trafficking_types"].ids)
        + tuple(("language", code) for code in sorted(set(languages)))
    )


def spoken_languages(found: Sequence[Source]) -> list[str]:
    return sorted({code for source in found for code in source.languages})


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on the unit sphere (n × 3) for latitudes and longitudes in degrees."""
    phi, lam = np.radians(lat), np.radians(lon)
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


def chord_to_km(chord: np.ndarray) -> np.ndarray:
    """The great-circle distance (km, float32) between unit vectors ``chord`` apart."""
    return (2 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2, 0.0, 1.0))).astype(np.float32)


def nearest_chord(points: np.ndarray, areas: np.ndarray) -> np.ndarray:
    """For each of ``areas`` (n × 3 unit vectors), the chord to the nearest of ``points``."""
    if len(points) > FEW_POINTS:
        return cKDTree(points).query(areas, k=1)[0]
    result = np.empty(len(areas))
    for start in range(0, len(areas), BLOCK):
        block = areas[start : start + BLOCK]
        # |a - p|² = 2 - 2 a·p for unit vectors: the largest dot product is the nearest.
        closest = (block @ points.T).max(axis=1)
        result[start : start + BLOCK] = np.sqrt(np.clip(2.0 - 2.0 * closest, 0.0, 4.0))
    return result


def membership(found: Sequence[Source], all_keys: Sequence[tuple[str, str]]) -> np.ndarray:
    """keys × listings, bool: which listings count for which key."""
    column = {key: i for i, key in enumerate(all_keys)}
    groups = {g.id: g.terms for g in vocabulary.service_groups()}
    populations = [key_id for kind, key_id in all_keys if kind == "population"]
    result = np.zeros((len(all_keys), len(found)), dtype=bool)
    for j, source in enumerate(found):
        wanted = [("service", s) for s in source.services]
        wanted += [("group", g) for g, terms in groups.items() if set(terms) & set(source.services)]
        # A listing that names no population serves everyone.
        wanted += [("population", p) for p in (source.populations or populations)]
        wanted += [("type", t) for t in source.trafficking_types]
        wanted += [("language", c) for c in source.languages]
        for key in wanted:
            i = column.get(key)
            if i is not None:
                result[i, j] = True
    return result


def _reach_tables(found: Sequence[Source], areas: ZipAreas):
    """(area → state index, listings × states), (area → county index, listings × counties)."""
    state_names, area_state = np.unique(areas.states, return_inverse=True)
    state_index = {name: i for i, name in enumerate(state_names.tolist())}
    county_names, area_county = np.unique(areas.county_keys, return_inverse=True)
    county_index = {name: i for i, name in enumerate(county_names.tolist())}
    rows, cols, c_rows, c_cols = [], [], [], []
    for j, source in enumerate(found):
        for state in source.states:
            i = state_index.get(state)
            if i is not None:
                rows.append(j)
                cols.append(i)
        for county in source.counties:
            i = county_index.get(county)
            if i is not None and county:
                c_rows.append(j)
                c_cols.append(i)
    shape_s = (len(found), len(state_names))
    shape_c = (len(found), len(county_names))
    by_state = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=shape_s)
    ones = np.ones(len(c_rows), np.float32)
    by_county = sparse.csr_matrix((ones, (c_rows, c_cols)), shape=shape_c)
    return area_state, by_state, area_county, by_county


def compute(
    found: Sequence[Source],
    areas: ZipAreas,
    weights: np.ndarray | None = None,
    weighting: str = WEIGHT_AREAS,
    reach_miles: float = 50,
    far_miles: float = 100,
    languages: Sequence[str] | None = None,
) -> Coverage:
    """The :class:`Coverage` of ``found`` over ``areas``."""
    found = list(found)
    all_keys = keys(spoken_languages(found) if languages is None else languages)
    member = membership(found, all_keys)
    n_keys, n_areas = len(all_keys), len(areas)
    area_xyz = unit_vectors(areas.lat, areas.lon)
    has_point = np.array([s.point is not None for s in found], dtype=bool)
    points = np.array([s.point if s.point is not None else (0.0, 0.0) for s in found], dtype=float)
    source_xyz = unit_vectors(points[:, 0], points[:, 1]) if found else np.zeros((0, 3))
    distance = np.full((n_keys, n_areas), np.inf, dtype=np.float32)
    done: dict[bytes, np.ndarray] = {}
    for k in range(n_keys):
        chosen = member[k] & has_point
        if not chosen.any():
            continue
        mask_key = np.packbits(chosen).tobytes()
        found_before = done.get(mask_key)
        if found_before is None:
            xyz = np.unique(source_xyz[chosen], axis=0)
            found_before = done[mask_key] = chord_to_km(nearest_chord(xyz, area_xyz))
        distance[k] = found_before
    area_state, by_state, area_county, by_county = _reach_tables(found, areas)
    key_member = sparse.csr_matrix(member.astype(np.float32))
    states_reached = (key_member @ by_state).toarray() > 0  # keys × states
    counties_reached = (key_member @ by_county).toarray() > 0  # keys × counties
    from_afar = states_reached[:, area_state] | counties_reached[:, area_county]
    return Coverage(
        areas=areas,
        keys=all_keys,
        distance_km=distance,
        from_afar=from_afar,
        weights=np.ones(n_areas) if weights is None else np.asarray(weights, dtype=np.float64),
        weighting=weighting,
        reach_miles=float(reach_miles),
        far_miles=float(far_miles),
        listings=len(found),
    )
