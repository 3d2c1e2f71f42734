"""The whole build without Pelican's classes: read and plan, then write, then post-build.

:class:`WaystationGenerator` has the interface of a Pelican generator
(``generate_context()`` then ``generate_output(writer)``) and is what the plugin's
``get_generators`` receiver returns; :func:`check_settings` and :func:`run_postbuild`
are what its ``initialized`` and ``finalized`` receivers call.  Every failure is
reported first, one line each with file and line, then raised once as
:class:`BuildFailed`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from waystation import settings as settings_mod
from waystation.build import incremental, postbuild
from waystation.exc import ListingsInvalid, WaystationError, WriteFailed
from waystation.runtime import collector

logger = logging.getLogger(__name__)

TODAY_ENV = "WAYSTATION_TODAY"


class BuildFailed(WaystationError):
    """The build must stop; the reasons were printed already, one per line."""

    exitcode = 1


def today_from_env() -> dt.date:
    value = os.environ.get(TODAY_ENV, "").strip()
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BuildFailed(f"{TODAY_ENV}={value!r}: write the date as YYYY-MM-DD") from None


def project_root(settings: dict[str, Any]) -> Path:
    """The project folder: the parent of the content folder (PATH)."""
    return Path(settings["PATH"]).resolve().parent


def report_lines(lines: list[str]) -> None:
    for line in lines:
        print(line, file=sys.stderr)
    sys.stderr.flush()


@contextlib.contextmanager
def failures_reported(
    output: str | Path, cleanup: Callable[[], None] | None = None
) -> Iterator[None]:
    """A Waystation error in the block, or a file it could not write into ``output`` or
    the scratch folders (disk full, read-only: :class:`~waystation.exc.WriteFailed`),
    printed and raised as :class:`BuildFailed`: one line, no traceback.  ``cleanup()``
    runs first on any failure (what the block wrote that nothing will read now: on a
    full disk, at once)."""
    try:
        yield
    except BaseException as error:
        if cleanup is not None:
            cleanup()
        if isinstance(error, BuildFailed) or not isinstance(error, WaystationError | OSError):
            raise
        if isinstance(error, WaystationError):
            report_lines(str(error).splitlines())
            raise BuildFailed(str(error).splitlines()[0]) from None
        from waystation.search.pagefind import scratch_dir

        folders = [str(Path(output).resolve()), scratch_dir() or "", tempfile.gettempdir()]
        failure = WriteFailed.from_os_error(error, [f for f in folders if f])
        if failure is None:
            raise
        report_lines([str(failure)])
        raise BuildFailed(str(failure)) from None


def _failed_content(context: dict[str, Any]) -> list[str]:
    """Content files Pelican could not read (it logs and skips them, then exits 0)."""
    generated = context.get("generated_content") or {}
    return sorted(path for path, item in generated.items() if item is None)


# The last build's directory per output folder, for the post-build steps (None: nothing
# changed since the build before, see WaystationGenerator._keep_last_build).
_BUILDS: dict[str, Any] = {}
# Incremental builds, per output folder: (generator, planned pages' fingerprints, whether
# the build wrote its outputs), for the manifest written after the post-build steps.
_INCREMENTAL: dict[str, tuple[Any, dict[str, str], bool]] = {}

#: The one post-build step that runs when nothing changed: Pelican wrote its pages again.
CSP_STEP = "waystation.site.csp:apply_csp"


class WaystationGenerator:
    """A Pelican generator (Pelican calls it by its interface alone: no Pelican class is
    needed): ``generate_context()`` reads and plans, ``generate_output()`` writes."""

    def __init__(self, context, settings, path, theme, output_path, **kwargs):
        self.context = context
        self.settings = settings
        self.path = path
        self.theme = theme
        self.output_path = output_path
        self.data = None
        self.pages = []
        #: Incremental builds (Pelican's caches on): the last build's manifest, this
        #: build's inputs' fingerprint, and the file system's clock when it began.
        self.previous: incremental.Manifest | None = None
        self.inputs = ""
        self.started_ns = 0
        self.nothing_changed = False
        self.pelican_files: list[str] = []

    def generate_context(self) -> None:
        failed = _failed_content(self.context)
        if failed:
            content = Path(self.path)
            report_lines(
                [
                    f"{content.name}/{path}:1:1: error: Pelican could not read this page "
                    "(see the message above): fix its metadata lines"
                    for path in failed
                ]
            )
            raise BuildFailed(f"{len(failed)} content page(s) could not be read")
        values = settings_mod.resolve(self.settings)
        started = time.perf_counter()
        if incremental.enabled(self.settings):
            output = Path(self.output_path)
            self.started_ns = incremental.clock_now(Path(self.settings["CACHE_PATH"]))
            self.previous = incremental.Manifest.load(
                incremental.manifest_path(self.settings, output)
            )
            self.inputs = incremental.inputs_fingerprint(
                {**values, **self.settings}, project_root(self.settings), today_from_env()
            )
            if self.previous.inputs == self.inputs and self.previous.unchanged_on_disk(output):
                self.nothing_changed = True
                logger.info(
                    "Waystation: nothing changed since the last build (%.2f s to tell)",
                    time.perf_counter() - started,
                )
                return
        # Reading and planning make no reference cycles, but allocate enough for the
        # cyclic collector to walk the growing heap again and again: pause it, and keep
        # what they made (the build uses it to the end) out of its later passes.
        with collector.paused(keep=True):
            self._read_and_plan(values)
        logger.info(
            "Waystation: %d listings read and %d listing pages planned in %.2f s",
            len(self.data.directory.listings),
            len(self.pages),
            time.perf_counter() - started,
        )

    def _read_and_plan(self, values: dict[str, Any]) -> None:
        from waystation.build import plan as build_plan
        from waystation.directory import build_directory

        # Any other Waystation error (the reading process killed, say) in one line too.
        with failures_reported(self.output_path):
            try:
                cache_file = None
                if self.settings.get("CACHE_CONTENT") and self.settings.get("LOAD_CONTENT_CACHE"):
                    cache_file = (
                        Path(self.settings["CACHE_PATH"]).resolve() / "waystation-listings.pickle"
                    )
                directory = build_directory(
                    values,
                    project_root(self.settings),
                    today_from_env(),
                    with_history=True,
                    cache_file=cache_file,
                    separate=True,
                )
            except ListingsInvalid as error:
                report_lines([p.format_text() for p in error.problems])
                raise BuildFailed(str(error)) from None
        report_lines([p.format_text() for p in directory.problems])
        # Reported: nothing later reads them, and the directory lives to the build's end.
        # A directory imported from 211 data warns about every shared phone number: the
        # 50,000 listings of `make bench` carry 98,000 such warnings, 60 MB kept for
        # nothing.
        directory.problems = []
        for key in ("RELATIVE_URLS", "SITEURL", "THEME_STATIC_DIR"):
            directory.settings[key] = self.settings.get(key)
        # The other pages are planned while the listing pages' search copies are written
        # (generate_output).
        self.data, self.pages = build_plan.plan_listings(directory)

    def _plan_others(self) -> list:
        from waystation.build import plan as build_plan

        with collector.paused():
            others = build_plan.plan_others(self.data)
        self.pages += others
        return others

    def _pelican_page_entries(self) -> list[tuple[str, str | None]]:
        entries = []
        for page in self.context.get("pages", []):
            entries.append((page.url, None))
            entries.extend((t.url, None) for t in page.translations)
        return entries

    def generate_output(self, writer) -> None:
        from waystation.site import search_packs
        from waystation.site import sitemap as site_sitemap
        from waystation.site import write as site_build

        started = time.perf_counter()
        output = Path(self.output_path)
        if self.nothing_changed:
            self._keep_last_build(output)
            return
        settings = {**settings_mod.resolve(self.settings), **self.settings}
        template_dirs = [Path(self.theme) / "templates"]
        check = None
        if self.previous is not None:
            base = incremental.code_fingerprint() + incremental.settings_fingerprint(settings)
            check = incremental.PageCheck(
                self.previous,
                output,
                incremental.TemplateFingerprints(template_dirs, base),
                self.data.public,
            )
        report = site_build.Rendered()
        search_source = postbuild.search_copies(output)

        def abandoned() -> None:  # the work started early, the search copies
            postbuild.cancel_early(output)
            if search_source is not None:
                search_packs.remove(search_source)

        with failures_reported(output, abandoned):
            site_build.render_pages(
                self.pages,
                self.data,
                output,
                template_dirs,
                settings,
                after_listings=postbuild.early_start(
                    self.data.directory, output, settings, jobs_here=not self._rebuild()
                ),
                search_source=search_source,
                meanwhile=postbuild.prepare_meanwhile(self.data.directory, output, settings),
                more_pages=self._plan_others,
                check=check,
                report=report,
            )
            entries = [(p.path, p.lastmod) for p in self.pages if p.in_sitemap]
            entries += self._pelican_page_entries()
            site_sitemap.write(output, entries, self.settings.get("SITEURL", ""))
        _BUILDS[str(output.resolve())] = self.data.directory
        if self.previous is not None:
            _INCREMENTAL[str(output.resolve())] = (self, report.fingerprints, True)
        logger.info(
            "Waystation: %d pages in %.2f s (%d unchanged, not written)",
            len(self.pages),
            time.perf_counter() - started,
            report.unchanged,
        )

    def _rebuild(self) -> bool:
        """Whether this build has an earlier one's pages to keep where they did not change
        (else it writes every page)."""
        return self.previous is not None and bool(self.previous.pages)

    def _keep_last_build(self, output: Path) -> None:
        """Nothing changed: the last build's pages stay as they are (already secured:
        the CSP step reads only Pelican's pages, written again by Pelican)."""
        from waystation.site import csp

        assert self.previous is not None
        csp.remember_secured(
            output,
            [
                (relative, size, mtime_ns)
                for relative, (_sha, size, mtime_ns) in self.previous.files.items()
                if relative.endswith((".html", ".htm"))
            ],
        )
        _BUILDS[str(output.resolve())] = None
        _INCREMENTAL[str(output.resolve())] = (self, dict(self.previous.pages), False)
        # What Pelican writes again (its own pages): all the manifest must look at.
        self.pelican_files = [
            item.save_as
            for page in self.context.get("pages", [])
            for item in (page, *page.translations)
            if item.save_as
        ]


def check_settings(settings: dict[str, Any]) -> None:
    """Fill in the declared settings ``settings`` left out; report every wrong one, then
    fail once."""
    for name, value in settings_mod.resolve(settings).items():
        settings.setdefault(name, value)
    errors, warnings = settings_mod.check(settings)
    report_lines([f"settings: warning: {message}" for message in warnings])
    if errors:
        report_lines([f"settings: error: {message}" for message in errors])
        raise BuildFailed(f"{len(errors)} setting(s) are wrong")


def run_postbuild(output_path: str | Path, settings: dict[str, Any]) -> None:
    """The post-build steps over the build just written to ``output_path`` (none when no
    Waystation build wrote there in this process)."""
    key = str(Path(output_path).resolve())
    if key not in _BUILDS:
        return
    directory = _BUILDS.pop(key)
    state = _INCREMENTAL.pop(key, None)
    settings = {**settings_mod.resolve(settings), **settings}
    # Everything the build made lives until it ends: a full collection of the cyclic
    # collector would walk it all (about a second at 10,000 listings) and free nothing,
    # as would the interpreter's last one at exit (kept out of it; the next build in this
    # process, under `make devserver`, unfreezes it when it writes its pages).
    with collector.paused(keep=True), failures_reported(output_path):
        postbuild.run(
            directory, Path(output_path), settings, steps=[CSP_STEP] if directory is None else None
        )
        if state is not None:
            _write_manifest(Path(output_path), settings, *state)


def _write_manifest(
    output: Path, settings: dict[str, Any], generator: Any, planned: dict[str, str], wrote: bool
) -> None:
    """After the post-build steps: delete what the last build wrote and this one did not,
    give files written again with the same bytes their mtime back, keep the manifest."""
    started = time.perf_counter()
    manifest, deleted = incremental.finish(
        output,
        generator.previous,
        planned,
        generator.inputs,
        generator.started_ns,
        keep_under=[str(settings.get("THEME_STATIC_DIR") or "theme")],
        delete=wrote,
        only=None if wrote else generator.pelican_files,
    )
    manifest.save(incremental.manifest_path(settings, output))
    logger.info(
        "Waystation: manifest of %d files kept, %d stale files deleted (%.2f s)",
        len(manifest.files),
        len(deleted),
        time.perf_counter() - started,
    )
