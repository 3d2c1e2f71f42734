"""The post-build step of the maps: the map data, the map pages and the embeddable map.

Registered in :mod:`waystation.build.postbuild` as ``"waystation.maps.steps:write_maps"``:
``step(directory, output, settings)``, deterministic and offline.  It starts early
(:data:`waystation.build.postbuild.EARLY`): :func:`start_maps_early` gives the job the
build runs while Pagefind indexes the pages, and the step takes its handle over.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from waystation.maps import pages as maps_pages
from waystation.runtime import collector
from waystation.runtime.forked import Job


def write_maps(directory, output: Path, settings: dict[str, Any]) -> None:
    """Write the map data, map pages and embeddable map (:mod:`waystation.maps.pages`)."""
    with collector.paused():
        maps_pages.write_maps(directory, Path(output), settings)


def start_maps_early(directory, output: Path, settings: dict[str, Any]) -> Job:
    """Early start of :func:`write_maps` (:data:`waystation.build.postbuild.EARLY`): the
    job the build runs in its own process after the open data's, while Pagefind indexes
    the search copies, before it writes the pages.  The maps read no page; their own
    pages are checked and secured as they are written, like every page the renderer
    writes."""
    return Job(write_maps, (directory, Path(output), settings), "maps")
