"""The post-build step of the maps: the map data, the map pages and the embeddable map.

Registered in :mod:`waystation.build.postbuild` as ``"waystation.maps.steps:write_maps"``:
``step(directory, output, settings)``, deterministic and offline.  It starts early
(:data:`waystation.build.postbuild.EARLY`): :func:`start_maps_early` gives a job that the
build runs while the pages are written, and the step takes its handle over.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from waystation.maps import pages as maps_pages
from waystation.runtime import collector
from waystation.runtime.forked import BACKGROUND_NICENESS, Job
from waystation.site import csp


def write_maps(directory, output: Path, settings: dict[str, Any]) -> None:
    """Write the map data, map pages and embeddable map (:mod:`waystation.maps.pages`)."""
    with collector.paused():
        maps_pages.write_maps(directory, Path(output), settings)


def _write_maps_secured(directory, output: Path, settings: dict[str, Any]) -> list:
    """:func:`write_maps`; return the pages it secured (which a forked process reports to
    the build), leaving those noted before as they were."""
    before = csp.forget_secured(output)
    try:
        write_maps(directory, output, settings)
        return csp.forget_secured(output)
    finally:
        csp.remember_secured(output, before)


def start_maps_early(directory, output: Path, settings: dict[str, Any]) -> Job:
    """Early start of :func:`write_maps` (:data:`waystation.build.postbuild.EARLY`): the
    job of the maps, after the open data's (in the build's own process while Pagefind
    indexes, or in a forked process beside the page renderers:
    :func:`waystation.build.postbuild.early_start`).  The maps read no page; their own
    pages are checked and secured as they are written, like every page the renderer
    writes, and joining the job notes them as secured in the build's process
    (:func:`waystation.site.csp.remember_secured`), as writing them there would have."""
    output = Path(output)
    return Job(
        _write_maps_secured,
        (directory, output, settings),
        "maps",
        BACKGROUND_NICENESS,
        on_result=functools.partial(csp.remember_secured, output),
    )
