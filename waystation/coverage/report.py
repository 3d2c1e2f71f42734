"""The coverage of a directory, worked out once per build.

:func:`coverage_of` reads the settings (thresholds, weighting), the gazetteer's ZIP
areas and the directory's listings (:mod:`~waystation.coverage.sources`) and computes
the :class:`~waystation.coverage.compute.Coverage`; the page, the files and the
command all start from it.  The last one is kept: the page is planned and the files
written from the same directory in one build.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from waystation.coverage import zip_areas
from waystation.coverage.compute import Coverage, compute
from waystation.coverage.sources import sources
from waystation.directory import Directory
from waystation.exc import ConfigurationError

_LAST: list[tuple[Directory, tuple, Coverage]] = []
#: The last coverage by what it was computed from (the settings' key and every listing's
#: :class:`~waystation.coverage.sources.Source`): a directory made again with the same
#: sources (``make devserver`` after an edit that moves no listing) reuses it.
_BY_SOURCES: list[tuple[tuple, list, Coverage]] = []


def thresholds(settings: dict[str, Any]) -> tuple[float, float]:
    """``(reach, far)`` in miles; both must be positive, the second the larger."""
    reach = settings.get("COVERAGE_REACH_MILES", 50)
    far = settings.get("COVERAGE_FAR_MILES", 100)
    for name, value in (("COVERAGE_REACH_MILES", reach), ("COVERAGE_FAR_MILES", far)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
            raise ConfigurationError(f"{name}: set a number of miles above 0 (got {value!r})")
    if far < reach:
        raise ConfigurationError(
            f"COVERAGE_FAR_MILES ({far}) is smaller than COVERAGE_REACH_MILES ({reach}): "
            "make the second threshold the wider one"
        )
    return float(reach), float(far)


def coverage_of(
    directory: Directory, settings: dict[str, Any] | None = None, root: Path | None = None
) -> Coverage:
    """The :class:`Coverage` of ``directory`` with ``settings`` (default: its own)."""
    settings = {**directory.settings, **(settings or {})}
    reach, far = thresholds(settings)
    key = (reach, far, str(settings.get("COVERAGE_POPULATION_CSV") or ""))
    for known, known_key, found in _LAST:
        if known is directory and known_key == key:
            return found
    listed = sources(directory)
    for known_key, known_sources, found in _BY_SOURCES:
        if known_key == key and known_sources == listed:
            _LAST[:] = [(directory, key, found)]
            return found
    areas = zip_areas.gazetteer_areas()
    weights, weighting = zip_areas.weights(areas, settings, root or directory.root)
    found = compute(listed, areas, weights, weighting, reach, far)
    _LAST[:] = [(directory, key, found)]
    _BY_SOURCES[:] = [(key, listed, found)]
    return found
