"""The post-build step of the maps: the map data, the map pages and the embeddable map.

Registered in :mod:`waystation.build.postbuild` as ``"waystation.maps.steps:write_maps"``:
``step(directory, output, settings)``, deterministic and offline.  When there are many
listings it starts early (:data:`waystation.build.postbuild.EARLY`):
:func:`start_maps_early` gives the job of a forked process started while the pages are
written (with the open data's, in one process), and the step takes the handle that
joins it over.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from waystation.maps import pages as maps_pages
from waystation.runtime import collector
from waystation.runtime.forked import EARLY_NICENESS, Job, worth_forking
from waystation.site import csp


def write_maps(directory, output: Path, settings: dict[str, Any]) -> None:
    """Write the map data, map pages and embeddable map (:mod:`waystation.maps.pages`)."""
    with collector.paused():
        maps_pages.write_maps(directory, Path(output), settings)


def _write_maps_secured(directory, output: Path, settings: dict[str, Any]) -> list:
    csp.forget_secured(output)  # what this process inherited is the parent's to note
    write_maps(directory, output, settings)
    return csp.forget_secured(output)


def start_maps_early(directory, output: Path, settings: dict[str, Any]) -> Job | None:
    """Early start of :func:`write_maps` (:data:`waystation.build.postbuild.EARLY`): the job
    of a forked process, started while the pages are written, in the same process as
    the open data, when there are many listings (None: the step writes the maps in its
    turn).  The maps read no page; their own pages are checked and secured as they are
    written, like every page the renderer writes, and joining the job notes them as
    secured here (:func:`waystation.site.csp.remember_secured`), as writing them here
    would have."""
    if not worth_forking(directory, settings):
        return None
    output = Path(output)
    return Job(
        _write_maps_secured,
        (directory, output, settings),
        "maps",
        EARLY_NICENESS,
        on_result=functools.partial(csp.remember_secured, output),
    )
