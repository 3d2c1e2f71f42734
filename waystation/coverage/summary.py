"""The report's figures: shares of ZIP areas beyond reach, by state and by ZIP3 region.

For each state (and ``"US"``, every area) and each key, :func:`state_rows` gives the
weighted share of ZIP areas

- ``beyond_reach``: with no in-person listing within ``COVERAGE_REACH_MILES``;
- ``beyond_far``: with none within ``COVERAGE_FAR_MILES``;
- ``remote_only``: beyond reach, but reached by a phone, online, statewide, national
  or county-wide service;
- ``no_help``: beyond reach and reached by nothing at all.

:func:`regions` gathers the gaps of each service group by ZIP3 region (the first three
digits of the ZIP code, within one state): the map's cells and the table that stands
for it without JavaScript.  Every figure is rounded, every list sorted: the same
directory gives the same bytes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from waystation.coverage.compute import KM_PER_MILE, Coverage
from waystation.gazetteer.states import STATES

NATION = "US"
#: Decimal places of a share (0.1234 = 12.34 %).
SHARE_DECIMALS = 4
#: Decimal places of a region's centre: 0.1 degree (about 11 km; a region spans tens of
#: km).  No coordinate in the coverage files is finer than this, so none can point near
#: a confidential place more precisely than the region it lies in.
CENTRE_DECIMALS = 1
#: How many county names name a region.
REGION_COUNTIES = 3


@dataclass(frozen=True)
class Row:
    state: str  # USPS code, or NATION
    kind: str
    id: str
    zip_areas: int
    weight: int  # areas, or people (rounded)
    beyond_reach: float
    beyond_far: float
    remote_only: float
    no_help: float

    def as_dict(self) -> dict:
        return {
            "state": self.state,
            "kind": self.kind,
            "id": self.id,
            "zip_areas": self.zip_areas,
            "weight": self.weight,
            "beyond_reach": self.beyond_reach,
            "beyond_far": self.beyond_far,
            "remote_only": self.remote_only,
            "no_help": self.no_help,
        }


def _share(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        result = np.where(whole > 0, part / np.where(whole > 0, whole, 1), 0.0)
    return np.round(result, SHARE_DECIMALS)


def state_order(coverage: Coverage) -> list[str]:
    present = set(coverage.areas.states.tolist())
    return [code for code in STATES if code in present]


#: The last results of :func:`state_rows` and :func:`regions` (the page in each language
#: and the files ask for the same ones): ``(function, coverage, kind) -> result``.
_KEPT: dict[tuple[str, int, str], tuple[Coverage, list]] = {}


def _kept(name: str, coverage: Coverage, kind: str, make) -> list:
    key = (name, id(coverage), kind)
    found = _KEPT.get(key)
    if found is not None and found[0] is coverage:
        return found[1]
    result = make()
    if len(_KEPT) >= 8:
        _KEPT.clear()
    _KEPT[key] = (coverage, result)
    return result


def state_rows(coverage: Coverage) -> list[Row]:
    """One :class:`Row` per state (in :data:`STATES` order, then ``"US"``) and key."""
    return list(_kept("rows", coverage, "", lambda: _state_rows(coverage)))


def _state_rows(coverage: Coverage) -> list[Row]:
    states = state_order(coverage)
    index = {code: i for i, code in enumerate(states)}
    area_state = np.array([index[s] for s in coverage.areas.states.tolist()], dtype=np.intp)
    n = len(states)
    weights = coverage.weights
    counts = np.bincount(area_state, minlength=n)
    totals = np.bincount(area_state, weights=weights, minlength=n)
    reach_km = coverage.reach_miles * KM_PER_MILE
    far_km = coverage.far_miles * KM_PER_MILE
    rows: list[Row] = []
    per_key = []
    for k, (kind, key_id) in enumerate(coverage.keys):
        beyond = coverage.distance_km[k] > reach_km
        far = coverage.distance_km[k] > far_km
        afar = coverage.from_afar[k]
        parts = [
            np.bincount(area_state, weights=weights * mask, minlength=n)
            for mask in (beyond, far, beyond & afar, beyond & ~afar)
        ]
        per_key.append((kind, key_id, parts))
    for i, state in [*enumerate(states), (None, NATION)]:
        for kind, key_id, parts in per_key:
            if i is None:
                whole = float(totals.sum())
                values = [float(_share(np.array(p.sum()), np.array(whole))) for p in parts]
                count = int(counts.sum())
            else:
                whole = float(totals[i])
                values = [float(_share(np.array(p[i]), np.array(whole))) for p in parts]
                count = int(counts[i])
            rows.append(Row(state, kind, key_id, count, round(whole), *values))
    return rows


@dataclass(frozen=True)
class Region:
    state: str
    zip3: str
    lat: float
    lon: float
    zip_areas: int
    weight: int
    counties: tuple[str, ...]  # the most common county names of its ZIP areas
    gaps: dict[str, int]  # group id -> weight of its areas beyond reach (0 left out)
    no_help: dict[str, int]  # group id -> weight beyond reach and reached by nothing

    def as_dict(self) -> dict:
        return {
            "state": self.state,
            "zip3": self.zip3,
            "lat": self.lat,
            "lon": self.lon,
            "zip_areas": self.zip_areas,
            "weight": self.weight,
            "counties": list(self.counties),
            "gaps": dict(sorted(self.gaps.items())),
            "no_help": dict(sorted(self.no_help.items())),
        }


def region_ids(coverage: Coverage) -> tuple[list[tuple[str, str]], np.ndarray]:
    """The ``(state, zip3)`` regions, sorted, and each area's region index."""
    labels = np.char.add(np.char.add(coverage.areas.states, "/"), coverage.areas.zip3)
    names, inverse = np.unique(labels, return_inverse=True)
    return [tuple(name.split("/", 1)) for name in names.tolist()], inverse


def regions(coverage: Coverage, kind: str = "group") -> list[Region]:
    """Every ZIP3 region with its gaps for each key of ``kind``."""
    return list(_kept("regions", coverage, kind, lambda: _regions(coverage, kind)))


def _regions(coverage: Coverage, kind: str) -> list[Region]:
    names, inverse = region_ids(coverage)
    n = len(names)
    areas, weights = coverage.areas, coverage.weights
    counts = np.bincount(inverse, minlength=n)
    totals = np.bincount(inverse, weights=weights, minlength=n)
    lat = np.bincount(inverse, weights=areas.lat, minlength=n) / np.maximum(counts, 1)
    lon = np.bincount(inverse, weights=areas.lon, minlength=n) / np.maximum(counts, 1)
    county_counts: list[Counter] = [Counter() for _ in range(n)]
    for i, county in zip(inverse.tolist(), areas.counties.tolist(), strict=True):
        if county:
            county_counts[i][county] += 1
    reach_km = coverage.reach_miles * KM_PER_MILE
    gaps: dict[str, np.ndarray] = {}
    no_help: dict[str, np.ndarray] = {}
    for k, (key_kind, key_id) in enumerate(coverage.keys):
        if key_kind != kind:
            continue
        beyond = coverage.distance_km[k] > reach_km
        gaps[key_id] = np.bincount(inverse, weights=weights * beyond, minlength=n)
        alone = beyond & ~coverage.from_afar[k]
        no_help[key_id] = np.bincount(inverse, weights=weights * alone, minlength=n)
    result = []
    for i, (state, zip3) in enumerate(names):
        named = sorted(county_counts[i].items(), key=lambda kv: (-kv[1], kv[0]))
        result.append(
            Region(
                state=state,
                zip3=zip3,
                lat=round(float(lat[i]), CENTRE_DECIMALS),
                lon=round(float(lon[i]), CENTRE_DECIMALS),
                zip_areas=int(counts[i]),
                weight=round(float(totals[i])),
                counties=tuple(name for name, _ in named[:REGION_COUNTIES]),
                gaps={g: round(float(v[i])) for g, v in gaps.items() if round(float(v[i]))},
                no_help={g: round(float(v[i])) for g, v in no_help.items() if round(float(v[i]))},
            )
        )
    return result


def largest_gaps(rows: list[Row], kind: str, key_id: str) -> list[Row]:
    """The states' rows of one key with a gap, largest share first (then by state)."""
    found = [r for r in rows if r.kind == kind and r.id == key_id and r.state != NATION]
    found = [r for r in found if r.beyond_reach > 0]
    return sorted(found, key=lambda r: (-r.beyond_reach, -r.beyond_far, r.state))


def national(rows: list[Row], kind: str) -> list[Row]:
    """The nation's rows of one kind of key, largest gap first (then in display order)."""
    found = [r for r in rows if r.state == NATION and r.kind == kind]
    order = {r.id: i for i, r in enumerate(found)}
    return sorted(found, key=lambda r: (-r.beyond_reach, order[r.id]))
