"""Post-build steps: what runs over the written site, in order.

After every page is written (Pelican's ``finalized`` signal) the plugin runs
each step named in :data:`STEPS`, in order.  A step is a function::

    def step(directory: Directory, output: Path, settings: dict) -> None

named ``"package.module:function"`` and imported only when it runs.  A step
must be deterministic (same input, same bytes) and must not touch the
network.  Steps that rewrite every HTML file (the CSP hashes) come last, but for the
hosts' header files, which list the finished output's folders.

A step may instead *start* work in another process and return a handle with
``wait()`` and ``cancel()``: the following steps run meanwhile (Pagefind
indexes the pages on one core while the exports run in Python on the other).
Whoever needs the result joins it itself (``write_search_data`` joins
Pagefind); :func:`run` joins every handle still pending before a step in
:data:`JOIN_BEFORE` and at the end, so a background failure is reported as
the build's failure, and cancels them all if a step fails.

Steps in :data:`EARLY` may start sooner still, while the pages are being written
(Pagefind from the pages' search copies, in its own process; the open data and the
maps, which read no page, in the build's own process while Pagefind indexes, or in one
forked process: :func:`early_start`): the page renderer starts them, and in their turn
:func:`run` takes their handles over.  Steps in :data:`PREPARE` make part of their
output in the build's own process while the renderer's workers write the pages, and
steps in :data:`RUN_MEANWHILE` run there whole, once the early steps they read have
ended, if the pages are still being written then.
"""

from __future__ import annotations

import atexit
import importlib
import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from waystation.directory import Directory
from waystation.exc import ConfigurationError
from waystation.runtime import collector, forked, heap

logger = logging.getLogger(__name__)

#: The ordered post-build steps.  Exports and search data first; CSP last.
STEPS: tuple[str, ...] = (
    # Pagefind reads the listing pages in its own process while the exports run; the
    # search data, which carries its page ids, waits for it.
    "waystation.search.pagefind:start_pagefind_index",
    "waystation.opendata.steps:start_open_data",
    "waystation.maps.steps:write_maps",
    "waystation.coverage.steps:write_coverage",
    "waystation.search.data:write_search_data",
    "waystation.site.csp:apply_csp",
    "waystation.build.headers:write_header_files",
)

#: Steps that change pages a background step may still be reading: every pending
#: background step is joined before them.
JOIN_BEFORE = frozenset({"waystation.site.csp:apply_csp"})


#: Steps that may begin while the pages are still being written: ``{step: starter}``.
#: The page renderer calls the starters once the listing pages' search copies are
#: written (or else the listing pages), before it writes the pages
#: (:func:`early_start`).  A starter is ``starter(directory, output, settings)``, like a
#: step; it returns the handle of the work it started in the background, or None when it
#: started nothing (the step then runs in its turn), or a
#: :class:`waystation.runtime.forked.Job`: the jobs of all starters run one after the
#: other, in this order, either in the build's own process or in one forked process
#: (see :func:`early_start`).  In the step's turn, :func:`run` takes the handle over
#: instead of running the step.  Only work that reads no page
#: but the search copies may start early: Pagefind reads those, the open data and the
#: maps only the listings.
EARLY: dict[str, str] = {
    "waystation.search.pagefind:start_pagefind_index": "waystation.search.pagefind:start_early",
    "waystation.opendata.steps:start_open_data": "waystation.opendata.steps:start_open_data_early",
    "waystation.maps.steps:write_maps": "waystation.maps.steps:start_maps_early",
}

#: Handles of the steps started early, by output folder and step, until their turn.
_STARTED: dict[Path, dict[str, Any]] = {}


def early_start(
    directory: Directory,
    output: Path,
    settings: dict[str, Any],
    steps: Sequence[str] | None = None,
    jobs_here: bool = True,
):
    """What the page renderer calls once the search copies (or else the listing pages)
    are written (None when there is no :data:`EARLY` step that will run): ``start()``
    starts each, and returns ``busy()``, which says whether the work started at full
    priority (Pagefind) still runs, or None when there is none or it cannot tell (see
    :func:`waystation.site.write.render_parallel`'s ``hold_back``).

    The starters' jobs (the open data, the maps) run in the build's own process, there
    and then, while Pagefind indexes on a core of its own, when ``jobs_here`` (a build
    that writes every page: the jobs take no longer than they would beside the page
    renderers, and copy nothing; forked, their process held its own copy of every memory
    page of the build's it read, 1.15 GB at 50,000 listings).  Otherwise (a rebuild,
    whose changed pages should not wait for them, or no Pagefind run beside them) they
    run in one forked process beside the page renderers, and with few listings
    (:func:`waystation.runtime.forked.worth_forking`) not early at all: each step in its
    turn."""
    names = _listed(EARLY, steps)
    if not names:
        return None

    def start() -> Callable[[], bool] | None:
        key = Path(output).resolve()
        cancel_early(key)  # anything a failed build before this one left running
        started = _STARTED.setdefault(key, {})
        jobs: dict[str, forked.Job] = {}
        for name in names:
            handle = load_step(EARLY[name])(directory, Path(output), settings)
            if isinstance(handle, forked.Job):
                jobs[name] = handle
            elif handle is not None:
                started[name] = handle
                logger.info("Waystation: %s started early", name)
        own = list(started.values())  # started by the steps themselves: Pagefind
        runner = None
        if jobs and jobs_here and own:  # run here, now, while Pagefind indexes
            runner, said = forked.run_here, "done"
        elif jobs and forked.worth_forking(directory, settings):  # one process beside
            runner, said = forked.start, "started"
        if runner is not None:
            for name, handle in zip(jobs, runner(list(jobs.values())), strict=True):
                started[name] = handle
                logger.info("Waystation: %s %s early", name, said)
            if runner is forked.run_here:
                heap.give_back()  # what the jobs made and let go of (runtime/heap.py)
        if not own or not all(callable(getattr(h, "done", None)) for h in own):
            return None
        return lambda: not all(handle.done() for handle in own)

    return start


@atexit.register
def cancel_early(output: Path | None = None) -> None:
    """Stop the work started early for ``output`` (for every output: at exit, when a
    failed build left it unjoined) and forget it."""
    keys = list(_STARTED) if output is None else [Path(output).resolve()]
    for key in keys:
        for handle in _STARTED.pop(key, {}).values():
            handle.cancel()


#: Work a step can do in the build's own process while the page renderers' workers
#: write the pages (it would wait for them otherwise): ``{step: preparer}``.  A preparer
#: is ``preparer(directory, output, settings)``; it keeps what it made for its step
#: (which must also work without it).  The search data's rows and summaries are made so,
#: and in its turn the step only adds Pagefind's page ids and writes them.
PREPARE: dict[str, str] = {
    "waystation.search.data:write_search_data": "waystation.search.data:prepare_search_data",
}


#: Steps that may run whole in the build's own process while the page renderers'
#: workers write the pages, once the steps started early that they read have ended:
#: ``{step: (early steps)}``.  The search data carries Pagefind's page ids, and Pagefind
#: ends while the pages are still being written: the search data is then written by the
#: build's process, which would only wait for the workers, not after the pages by one
#: process alone on one core.  If the pages are written first, the step runs in its turn.
RUN_MEANWHILE: dict[str, tuple[str, ...]] = {
    "waystation.search.data:write_search_data": (
        "waystation.search.pagefind:start_pagefind_index",
    ),
}

#: How often the build's process looks whether the early steps have ended (seconds).
POLL_SECONDS = 0.05

#: Steps run while the pages were written, by output folder, until :func:`run`.
_DONE: dict[Path, set[str]] = {}


def prepare_meanwhile(
    directory: Directory, output: Path, settings: dict[str, Any], steps: Sequence[str] | None = None
):
    """What the page renderer calls while its workers write the pages (None when there is
    nothing to do): each :data:`PREPARE` preparer of a step that will run, then each
    :data:`RUN_MEANWHILE` step, when its early steps end while ``still_rendering()``."""
    key = Path(output).resolve()
    _DONE.pop(key, None)  # a failed build's, in this process
    preparers = _listed(PREPARE, steps)
    finishers = _listed(RUN_MEANWHILE, steps)
    if not preparers and not finishers:
        return None

    def prepare(still_rendering: Callable[[], bool] = lambda: False) -> None:
        # What the preparers make is kept for their steps: no collector passes over it.
        with collector.paused(keep=True):
            _prepare(still_rendering)

    def _prepare(still_rendering: Callable[[], bool]) -> None:
        for name in preparers:
            preparer, started = PREPARE[name], time.perf_counter()
            load_step(preparer)(directory, Path(output), settings)
            logger.info("Waystation: %s took %.2f s", preparer, time.perf_counter() - started)
        for name in finishers:
            handles = [_STARTED.get(key, {}).get(early) for early in RUN_MEANWHILE[name]]
            if not _ended(handles, still_rendering):
                continue
            started = time.perf_counter()
            load_step(name)(directory, Path(output), settings)
            _DONE.setdefault(key, set()).add(name)
            logger.info(
                "Waystation: %s took %.2f s, while the pages were written",
                name,
                time.perf_counter() - started,
            )

    return prepare


def _ended(handles: list[Any], still_rendering: Callable[[], bool]) -> bool:
    """Wait while the pages are written for every handle to end; whether they all did (a
    step not started early, or a handle that cannot tell, never has)."""
    if not all(callable(getattr(handle, "done", None)) for handle in handles):
        return False
    while not all(handle.done() for handle in handles):
        if not still_rendering():
            return False
        time.sleep(POLL_SECONDS)
    return True


#: Steps that read small search copies of the listing pages, which the page renderer
#: writes before the pages (``search_page.html``, see
#: :func:`waystation.site.write.render_pages`): ``{step: function(output) that returns
#: the folder for them}``.
SEARCH_COPIES: dict[str, str] = {
    "waystation.search.pagefind:start_pagefind_index": "waystation.search.pagefind:prepare_source",
}


def search_copies(output: Path, steps: Sequence[str] | None = None) -> Path | None:
    """The folder the page renderer writes search copies into (None: no step reads them)."""
    names = _listed(SEARCH_COPIES, steps)
    return load_step(SEARCH_COPIES[names[0]])(Path(output)) if names else None


def _listed(table: dict[str, str], steps: Sequence[str] | None) -> list[str]:
    """The steps that will run (``steps``, or :data:`STEPS`) with an entry in ``table``."""
    return [name for name in (STEPS if steps is None else steps) if name in table]


def load_step(name: str):
    module_name, _, function_name = name.partition(":")
    if not module_name or not function_name:
        raise ConfigurationError(f"post-build step {name!r}: write it as 'package.module:function'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ConfigurationError(f"post-build step {name!r}: cannot import it ({error})") from None
    step = getattr(module, function_name, None)
    if not callable(step):
        raise ConfigurationError(
            f"post-build step {name!r}: {module_name} has no {function_name}()"
        )
    return step


def run(
    directory: Directory,
    output: Path,
    settings: dict[str, Any],
    steps: Sequence[str] | None = None,
) -> list[str]:
    """Run the steps in order; return their names."""
    names = list(STEPS if steps is None else steps)
    pending: list[tuple[str, Any]] = []
    early = _STARTED.pop(Path(output).resolve(), {})
    done = _DONE.pop(Path(output).resolve(), set())
    try:
        for name in names:
            if name in JOIN_BEFORE:
                _join(pending)
            if name in done:
                continue  # run while the pages were written (RUN_MEANWHILE)
            started = time.perf_counter()
            result = early.pop(name, None)
            if result is None:
                result = load_step(name)(directory, Path(output), settings)
            if callable(getattr(result, "wait", None)):
                pending.append((name, result))
                logger.info("Waystation: %s started (%.2f s)", name, time.perf_counter() - started)
            else:
                logger.info("Waystation: %s took %.2f s", name, time.perf_counter() - started)
        _join(pending)
    except BaseException:
        for _, handle in pending:
            handle.cancel()
        raise
    finally:
        for handle in early.values():  # started early for a step not run: not wanted
            handle.cancel()
    return names


def _join(pending: list[tuple[str, Any]]) -> None:
    while pending:
        name, handle = pending[0]
        started = time.perf_counter()
        handle.wait()
        pending.pop(0)
        logger.info("Waystation: %s joined (waited %.2f s)", name, time.perf_counter() - started)
