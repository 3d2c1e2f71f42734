"""The post-build steps of maps and open data.

Registered in :mod:`waystation.site.postbuild` as::

    "waystation.opendata.steps:start_open_data"
    "waystation.opendata.steps:write_maps"

Each is ``step(directory, output, settings)``, deterministic and offline.
When there are many listings, both start early (:data:`waystation.site.postbuild.EARLY`):
:func:`start_open_data_early` and :func:`start_maps_early` fork a process each while
the pages are written, and the steps take the handles that join them over.
``waystation export --output DIR`` runs :func:`write_open_data` without Pelican.
"""

from __future__ import annotations

import dataclasses
import json
import multiprocessing as mp
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from waystation.exc import WaystationError
from waystation.opendata import hsds as hsds_export
from waystation.opendata import hsds_tables
from waystation.opendata import records as export_records
from waystation.opendata.csv_file import write_csv
from waystation.opendata.geojson import write_geojson
from waystation.opendata.records import export_views, view_record
from waystation.runtime import collector
from waystation.runtime.workers import lower_priority, worker_count
from waystation.site import csp

#: The files :func:`write_open_data` writes, relative to the output folder.
GEOJSON = "providers.geojson"
CSV = "providers.csv"
HSDS_JSON = "hsds/organizations.json"
HSDS_TERMS_JSON = "hsds/taxonomy_terms.json"
HSDS_PACKAGE = "hsds"


def _in_background(directory, settings: dict[str, Any]) -> bool:
    """Whether a step's work goes to a forked process: many listings (worker_count says
    1 where there is no fork)."""
    merged = {**directory.settings, **settings}
    return worker_count(merged, len(directory.listings), export_records.PARALLEL_MIN_LISTINGS) > 1


def start_open_data(directory, output: Path, settings: dict[str, Any]) -> Forked | None:
    """Post-build step: :func:`write_open_data`, in a forked process when there are many
    listings (then returns the process's handle, which the post-build steps join)."""
    started = start_open_data_early(directory, output, settings)
    if started is None:
        write_open_data(directory, output, settings)
    return started


def start_open_data_early(directory, output: Path, settings: dict[str, Any]) -> Forked | None:
    """Early start of :func:`start_open_data` (:data:`waystation.site.postbuild.EARLY`): the
    forked process, started while the pages are written (None: few listings, the step
    writes the open data in its turn).  The open data read no page; the descriptions'
    texts come from the page renderer's search copies (``export_text.remember_texts``)."""
    if not _in_background(directory, settings):
        return None
    return Forked(write_open_data, (directory, output, settings), "open data", EARLY_NICENESS)


#: How much the open data and maps started early lower their priority (``nice``): they
#: are joined last, and meanwhile yield the processor to Pagefind and the page renderers
#: (see ``site_build.BESIDE_BACKGROUND_NICENESS``).
EARLY_NICENESS = 10


class Forked:
    """``function(*args)`` running in a forked process (it may fork workers itself):
    :meth:`wait` joins it, raises its error or returns what it returned, :meth:`cancel`
    stops it."""

    def __init__(
        self, function: Callable[..., Any], args: tuple[Any, ...], name: str, niceness: int = 0
    ):
        context = mp.get_context("fork")
        self.name = name
        self._reader, writer = context.Pipe(duplex=False)
        # Forked: the arguments are inherited, not pickled.
        self._process = context.Process(target=_report_to, args=(writer, function, args, niceness))
        self._process.start()
        writer.close()

    def wait(self) -> Any:
        error, result = self._reader.recv() if self._reader.poll(None) else (None, None)
        self._process.join()
        self._reader.close()
        if error is None and self._process.exitcode != 0:
            error = f"stopped with exit code {self._process.exitcode}"
        if error is not None:
            raise WaystationError(f"{self.name}: {error}")
        return result

    def cancel(self) -> None:
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._reader.close()


def _report_to(
    writer, function: Callable[..., Any], args: tuple[Any, ...], niceness: int = 0
) -> None:
    lower_priority(niceness)
    try:
        result = function(*args)
    except BaseException as error:  # reported to the parent, which raises it
        writer.send((str(error) if isinstance(error, WaystationError) else repr(error), None))
        raise
    else:
        writer.send((None, result))
    finally:
        writer.close()


def write_open_data(directory, output: Path, settings: dict[str, Any]) -> None:
    """Write providers.geojson, providers.csv and the HSDS 3.0 export into ``output``."""
    with collector.paused():
        _write_open_data(directory, output, settings)


def _write_open_data(directory, output: Path, settings: dict[str, Any]) -> None:
    output = Path(output)
    merged = {**directory.settings, **{k: v for k, v in settings.items() if k.isupper()}}
    directory = dataclasses.replace(directory, settings=merged)
    # Each listing's public data and plain-text description, made once for every file.
    views = export_views(directory)
    records = [view_record(view, merged) for view in views]
    organizations = hsds_export.organizations(directory, views)
    title = f"{merged.get('SITENAME') or 'Waystation'}: HSDS 3.0 export"
    package_args = (organizations, output / HSDS_PACKAGE, title, merged.get("OPEN_DATA_LICENSE"))
    # The tabular package is written by a forked process meanwhile, when there are many.
    background = worker_count(merged, len(views), export_records.PARALLEL_MIN_LISTINGS) > 1
    with _meanwhile(hsds_tables.write_package, package_args, background):
        write_geojson(directory, output / GEOJSON, records)
        write_csv(directory, output / CSV, records)
        target = output / HSDS_JSON
        target.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(organizations, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        target.write_text(text + "\n", encoding="utf-8")
        terms = json.dumps(
            hsds_export.taxonomy_terms(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        (output / HSDS_TERMS_JSON).write_text(terms + "\n", encoding="utf-8")


@contextmanager
def _meanwhile(function: Callable[..., None], args: tuple[Any, ...], background: bool):
    """Run ``function(*args)`` in a forked process during the block (after it, in this
    process, when ``background`` is false); its error is raised at the block's end."""
    if not background or "fork" not in mp.get_all_start_methods():
        yield
        function(*args)
        return
    job = Forked(function, args, "HSDS package")
    try:
        yield
    except BaseException:
        job.cancel()
        raise
    job.wait()


def write_maps(directory, output: Path, settings: dict[str, Any]) -> None:
    """Write the map data, map pages and embeddable map (:mod:`waystation.maps.pages`)."""
    from waystation.maps import pages as maps_pages

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
    """Early start of :func:`write_maps` (:data:`waystation.site.postbuild.EARLY`): in a forked
    process while the pages are written, when there are many listings (None: the step
    writes the maps in its turn).  The maps read no page; their own pages are checked and
    secured as they are written, like every page the renderer writes."""
    if not _in_background(directory, settings):
        return None
    return _MapsInBackground(directory, output, settings)
