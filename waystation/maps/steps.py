"""The post-build step of the maps: the map data, the map pages and the embeddable map.

Registered in :mod:`waystation.build.postbuild` as ``"waystation.maps.steps:write_maps"``:
``step(directory, output, settings)``, deterministic and offline.  When there are many
listings it starts early (:data:`waystation.build.postbuild.EARLY`):
:func:`start_maps_early` forks a process while the pages are written, and the step
takes the handle that joins it over.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from waystation.maps import pages as maps_pages
from waystation.runtime import collector
from waystation.runtime.forked import EARLY_NICENESS, Forked, worth_forking
from waystation.site import csp


def write_maps(directory, output: Path, settings: dict[str, Any]) -> None:
    """Write the map data, map pages and embeddable map (:mod:`waystation.maps.pages`)."""
    with collector.paused():
        maps_pages.write_maps(directory, Path(output), settings)


class _MapsInBackground:
    """The maps written by a forked process: joining it also notes its pages as secured
    (:func:`waystation.site.csp.remember_secured`), as writing them here would have."""

    def __init__(self, directory, output: Path, settings: dict[str, Any]):
        self.output = Path(output)
        self._job = Forked(
            _write_maps_secured, (directory, self.output, settings), "maps", EARLY_NICENESS
        )

    def wait(self) -> None:
        csp.remember_secured(self.output, self._job.wait())

    def cancel(self) -> None:
        self._job.cancel()


def _write_maps_secured(directory, output: Path, settings: dict[str, Any]) -> list:
    csp.forget_secured(output)  # what this process inherited is the parent's to note
    write_maps(directory, output, settings)
    return csp.forget_secured(output)


def start_maps_early(directory, output: Path, settings: dict[str, Any]) -> _MapsInBackground | None:
    """Early start of :func:`write_maps` (:data:`waystation.build.postbuild.EARLY`): in a forked
    process while the pages are written, when there are many listings (None: the step
    writes the maps in its turn).  The maps read no page; their own pages are checked and
    secured as they are written, like every page the renderer writes."""
    if not worth_forking(directory, settings):
        return None
    return _MapsInBackground(directory, output, settings)
