"""The ZIP code areas the coverage report measures, and their weights.

The areas are the ``STANDARD`` ZIP codes of the ``zipcodes`` package (the same data as
:mod:`waystation.gazetteer.centres`) in the states and territories the directory
knows, each with the centroid of its area, its county and its 3-digit prefix (the
ZIP3 region).  PO Box, unique (one organization's) and military ZIP codes are not
places people live and are left out.  Read once per process, as numpy arrays.

The weights are 1 per area, or the people of each area from a CSV file
(``COVERAGE_POPULATION_CSV``: columns ``zip`` and ``population``).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from waystation.exc import ConfigurationError
from waystation.gazetteer import centres
from waystation.gazetteer.centres import normalize_city
from waystation.gazetteer.states import STATES

#: The ``zip_code_type`` of the ZIP codes that are areas people live in.
AREA_TYPE = "STANDARD"

WEIGHT_AREAS = "zip-areas"
WEIGHT_PEOPLE = "population"

#: Words ending a county's name in the ZIP data and often left out in listings.
COUNTY_WORDS = (
    "county",
    "parish",
    "borough",
    "censusarea",
    "municipality",
    "municipio",
    "cityand",
)


def county_key(state: str, county: str) -> str:
    """``("IL", "Cook County")`` and ``("il", "cook")`` → ``"IL/cook"``."""
    name = normalize_city(county)
    stripped = True
    while stripped:  # "Juneau City and Borough" -> "juneau"
        stripped = False
        for word in COUNTY_WORDS:
            if name.endswith(word) and len(name) > len(word):
                name, stripped = name[: -len(word)], True
    return f"{state.upper()}/{name}"


@dataclass(frozen=True)
class ZipAreas:
    """Parallel arrays, one entry per ZIP area, sorted by ZIP code."""

    codes: np.ndarray  # "60601" (str, sorted)
    states: np.ndarray  # "IL"
    counties: np.ndarray  # "Cook County" ("" when unknown)
    county_keys: np.ndarray  # "IL/cook" (:func:`county_key`; "" when unknown)
    lat: np.ndarray  # float64 degrees
    lon: np.ndarray

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def zip3(self) -> np.ndarray:
        return np.array([code[:3] for code in self.codes])


def from_rows(rows: list[dict]) -> ZipAreas:
    """ZIP areas from ``zipcodes``-style rows (``zip_code``, ``state``, ``county``, ``lat``,
    ``long``, ``zip_code_type``); rows that are not areas, or have no usable place, are
    left out."""
    kept = []
    for row in rows:
        code, state = str(row.get("zip_code") or ""), str(row.get("state") or "")
        if len(code) != 5 or not code.isdigit() or state not in STATES:
            continue
        if row.get("zip_code_type", AREA_TYPE) != AREA_TYPE or row.get("active") is False:
            continue
        point = centres.row_point(row)
        if point is None:
            continue
        kept.append((code, state, str(row.get("county") or ""), *point))
    kept.sort()
    return ZipAreas(
        codes=np.array([k[0] for k in kept], dtype=str),
        states=np.array([k[1] for k in kept], dtype=str),
        counties=np.array([k[2] for k in kept], dtype=str),
        county_keys=np.array([county_key(k[1], k[2]) if k[2] else "" for k in kept], dtype=str),
        lat=np.array([k[3] for k in kept], dtype=np.float64),
        lon=np.array([k[4] for k in kept], dtype=np.float64),
    )


def _cache_file() -> Path | None:
    """Where the areas are kept between runs (the user's cache, not the repository)."""
    return centres.cache_path("coverage-areas", "v2.pickle")


@lru_cache(maxsize=1)
def gazetteer_areas() -> ZipAreas:
    """Every ZIP area of the offline gazetteer (``zipcodes``), read once per process (from
    a cache file after the first run: reading ``zipcodes`` takes seconds)."""
    path = _cache_file()
    cached = centres.read_cache(path, ZipAreas)
    if cached is not None:
        return cached
    import zipcodes  # imported here: nothing is read until the report is made

    areas = from_rows(zipcodes.list_all())
    centres.write_cache(path, areas)
    return areas


def weights(areas: ZipAreas, settings: dict, root: Path | None = None) -> tuple[np.ndarray, str]:
    """``(weight per area, which weighting)``: people from ``COVERAGE_POPULATION_CSV``
    when it is set, else 1 per area."""
    name = str(settings.get("COVERAGE_POPULATION_CSV") or "").strip()
    if not name:
        return np.ones(len(areas), dtype=np.float64), WEIGHT_AREAS
    path = Path(name)
    if not path.is_absolute():
        path = Path(root or Path.cwd()) / path
    people = read_population_csv(path)
    index = {code: i for i, code in enumerate(areas.codes.tolist())}
    result = np.zeros(len(areas), dtype=np.float64)
    for code, count in people.items():
        i = index.get(code)
        if i is not None:
            result[i] = count
    return result, WEIGHT_PEOPLE


def read_population_csv(path: Path) -> dict[str, float]:
    """``{zip: people}`` from a CSV with the columns ``zip`` and ``population``; every
    problem reported at once, with its line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise ConfigurationError(
            f"COVERAGE_POPULATION_CSV: cannot read {path} ({error.strerror}): set it to a CSV "
            "file of ZIP populations (columns zip, population), or to '' to count ZIP areas"
        ) from None
    reader = csv.DictReader(text.splitlines())
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if "zip" not in fields or "population" not in fields:
        raise ConfigurationError(
            f"{path}:1: the header must name the columns 'zip' and 'population' "
            f"(found: {', '.join(reader.fieldnames or []) or 'nothing'})"
        )
    problems: list[str] = []
    result: dict[str, float] = {}
    for line, row in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        code, value = row.get("zip", ""), row.get("population", "").replace(",", "")
        if code.isdigit() and len(code) < 5:
            code = code.zfill(5)  # spreadsheets drop leading zeros: 501 -> 00501
        if len(code) != 5 or not code.isdigit():
            problems.append(f"{path}:{line}: zip {code!r} is not a 5-digit ZIP code")
            continue
        try:
            people = float(value)
        except ValueError:
            problems.append(f"{path}:{line}: population {value!r} is not a number")
            continue
        if people < 0 or people != people:
            problems.append(f"{path}:{line}: population {value!r} must be 0 or more")
            continue
        if code in result:
            problems.append(f"{path}:{line}: ZIP {code} is listed twice: keep one row")
            continue
        result[code] = people
    if problems:
        raise ConfigurationError(
            "COVERAGE_POPULATION_CSV has problems; fix these rows:\n" + "\n".join(problems)
        )
    return result
