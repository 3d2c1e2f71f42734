"""Live rebuilds for ``make devserver``: the last build kept in memory, and an edit of
listing files written in proportion to what it changed.

A fresh ``pelican`` process pays about a second to start and several more to read and
plan 10,000 listings before it can tell what an edit changed.  :class:`LiveSite` does
that once, in the devserver's own process, right after a full build, and keeps it: the
listing files' checked records (an in-memory
:class:`~waystation.records.validation.ListingCache`), the directory with every
listing's place and published views, the plan of every page, the manifest of the
output (:mod:`waystation.build.incremental`), and every listing page's search copy
(the small page Pagefind reads).

:meth:`LiveSite.update` then handles a change of listing files only (edited, added,
removed, renamed, made hidden …); anything else (a template, a content page, a setting,
a catalog, the geocoding cache) is a full build, which the devserver runs as before.
What depends on what:

==============================  ===============================================  ===========
output                          depends on                                       when
==============================  ===============================================  ===========
a listing's pages (each lang)   its file, its place (and templates, settings …)  first
other pages (browse, home,      the entries they list, their counts: the page    next
coverage …)                     is rendered when its planned context differs
                                from the last plan's, or it lists a changed
                                listing (its card); planned but gone: deleted
the listing's search copies     its file and place                               next
``pagefind/``                   every search copy: re-run only when one          background
                                changed (or a listing came or went)
``search-data/``, maps, open    every listing (ranks, shards, totals): the       after the
data, coverage files, sitemap   post-build steps, run whole; a file written      pages
                                with its old bytes gets its old mtime back
==============================  ===============================================  ===========

Listings are known by identity: a file whose size and mtime did not change gives the
same record object (the cache), so "changed" is the set of ids whose record object is
not the last one's.  Every page written goes through the same renderer as a build
(:class:`waystation.site.write.PageWriter`): checked and given its CSP in memory, and
written only when its bytes differ; the post-build steps run as in a build (the CSP
step scans every page it was not told is secured, the header files come last);
failures are reported once, with file and line, and the output is the one a clean
build of the same files writes (tests/test_build_live.py).
"""

from __future__ import annotations

import functools
import html
import os
import re
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from waystation import settings as settings_mod
from waystation.build import incremental, postbuild
from waystation.build.generator import BuildFailed, project_root, report_lines, today_from_env
from waystation.directory import Directory
from waystation.exc import WaystationError
from waystation.places import coordinates
from waystation.places.geocache import GeocodeCache
from waystation.records import history, rules
from waystation.records.problems import Problem, sort_problems
from waystation.records.validation import ListingCache, load_listings
from waystation.runtime import collector
from waystation.runtime.workers import worker_count
from waystation.site import csp
from waystation.site import render as site_render
from waystation.site import sitemap as site_sitemap
from waystation.site import write as site_write
from waystation.site.pages import PageSpec, SiteData, listing_pages
from waystation.text import plain as export_text

#: The post-build step the live update replaces with its own run of Pagefind (over the
#: kept search copies, only when one changed).
PAGEFIND_STEP = "waystation.search.pagefind:start_pagefind_index"


@dataclass
class Update:
    """What one live update did, with its times (seconds since it began)."""

    changed: list[str] = field(default_factory=list)  # listing ids added, edited or removed
    pages_written: list[str] = field(default_factory=list)  # files written (listing pages)
    others_written: list[str] = field(default_factory=list)  # other pages written
    deleted: list[str] = field(default_factory=list)
    reindexed: bool = False  # Pagefind ran
    parts_indexed: int = 0  # of the index's parts, those Pagefind indexed again …
    parts: int = 0  # … of all (the others' kept from the last update)
    pages_seconds: float = 0.0  # the changed listings' pages written
    done_seconds: float = 0.0  # everything written, the manifest kept


def _listed(context: dict[str, Any]) -> frozenset[str]:
    found: list[str] = []
    incremental.listed_ids(context, found)
    return frozenset(found)


_LOC = re.compile(r"<loc>(.*?)</loc>(?:\s*<lastmod>(.*?)</lastmod>)?", re.DOTALL)


def sitemap_entries(output: Path, site_url: str) -> set[tuple[str, str | None]]:
    """The (path, lastmod) entries of ``output/sitemap.xml`` (empty when missing)."""
    try:
        text = (Path(output) / "sitemap.xml").read_text(encoding="utf-8")
    except OSError:
        return set()
    prefix = f"{site_url.rstrip('/')}/"
    found = set()
    for loc, lastmod in _LOC.findall(text):
        loc = html.unescape(loc)
        path = loc[len(prefix) :] if loc.startswith(prefix) else loc
        found.add((path, html.unescape(lastmod) if lastmod else None))
    return found


def pelican_settings(argv: list[str]) -> dict[str, Any]:
    """The settings a ``pelican ARGV`` run gives the Waystation generator, read the same
    way (Pelican's ``get_instance``, whose plugins' ``initialized`` receiver fills in and
    checks Waystation's settings), with what Pelican's readers add while a build reads
    its pages (its Markdown reader fills in ``MARKDOWN["extensions"]``): the settings'
    fingerprint must be the build's, or every page the devserver writes would look
    changed to the next ``make html``.  tests/test_build_live.py checks they agree."""
    from pelican import get_instance, parse_arguments
    from pelican.readers import Readers

    _, settings = get_instance(parse_arguments(argv))
    Readers(settings)
    return settings


class LiveSite:
    """The last build of ``output``, kept in memory; :meth:`update` rebuilds after an
    edit of listing files.  Make it with :meth:`load` right after a full build of the
    same settings into the same output."""

    def __init__(self, settings: dict[str, Any], output: Path):
        self.settings = settings  # Pelican's, filled in (generator.check_settings)
        self.output = Path(output).resolve()
        self.root = project_root(settings)
        self.values = settings_mod.resolve(settings)
        self.render_settings = {**self.values, **settings}
        self.template_dirs = [Path(settings["THEME"]) / "templates"]
        self.today = today_from_env()
        self.providers = (self.root / self.values["PROVIDERS_PATH"]).resolve()
        self.cache_path = Path(settings["CACHE_PATH"]).resolve()
        self.ctx = rules.Context(self.today, self.values["STALE_AFTER_DAYS"])
        self.listings_cache: ListingCache | None = None
        self.geocache: GeocodeCache | None = None
        self.directory: Directory | None = None
        self.data: SiteData | None = None
        self.plan: dict[str, PageSpec] = {}
        self.listed: dict[str, frozenset[str]] = {}
        self.manifest = incremental.Manifest()
        self.pelican_entries: set[tuple[str, str | None]] = set()
        self.place_problems: dict[str, list[Problem]] = {}
        self.copies: Path | None = None
        #: The index of each part of the last update's Pagefind runs, kept for the next
        #: (:func:`waystation.search.pagefind.start`'s ``kept``).
        self.kept_parts: Path | None = None
        self.broken = False  # a failed update may have written part: a full build next
        self.stale = False  # the day or the commit changed: a full build now
        self._base = incremental.code_fingerprint() + incremental.settings_fingerprint(
            self.render_settings
        )
        self.templates = incremental.TemplateFingerprints(self.template_dirs, self._base)

    # -- the state -------------------------------------------------------------------

    @classmethod
    def load(cls, settings: dict[str, Any], output: Path) -> LiveSite:
        """Read the listings (the build's cache file makes it quick), plan every page,
        read the manifest and write every search copy: the state of the build just
        made."""
        site = cls(settings, output)
        with collector.paused(keep=True):
            site._load()
        return site

    def _load(self) -> None:
        cache_file = self.cache_path / "waystation-listings.pickle"
        cache = ListingCache.load(cache_file, self.ctx)
        self.listings_cache = ListingCache.in_memory(self.ctx, cache.entries)
        self.geocache = GeocodeCache.load(self.root / self.values["GEOCODE_CACHE"])
        inside = self.providers.is_relative_to(self.root)
        self.histories = (
            history.repository_histories(
                self.root,
                str(self.providers.relative_to(self.root)),
                cache_file=self.cache_path / "waystation-history.json",
            )
            if inside
            else {}
        )
        self.head = self._head()
        directory, problems = self._read(None)
        if any(p.is_error for p in problems):
            report_lines([p.format_text() for p in problems if p.is_error])
            raise BuildFailed("the listings the devserver started from are not valid")
        self._adopt(directory)
        langs = list(self.values["LANGUAGES"])
        pages = [p for lang in langs for p in listing_pages(self.data, lang)]
        from waystation.build import plan as build_plan

        pages += build_plan.plan_others(self.data)
        self.plan = {page.save_as: page for page in pages}
        self.listed = {
            page.save_as: _listed(page.context)
            for page in pages
            if page.context.get("listing") is None
        }
        self.manifest = incremental.Manifest.load(
            incremental.manifest_path(self.settings, self.output)
        )
        ours = {(p.path, p.lastmod) for p in pages if p.in_sitemap}
        site_url = str(self.settings.get("SITEURL", ""))
        self.pelican_entries = sitemap_entries(self.output, site_url) - ours
        self._write_all_copies([p for p in pages if p.context.get("listing") is not None])

    def _head(self) -> str:
        return incremental.git_head(self.providers if self.providers.exists() else self.root)

    def reload_manifest(self) -> None:
        """After a full build that changed no listing (a template, a content page): its
        manifest, the templates and Pelican's pages in the sitemap are the ones to start
        from."""
        self.manifest = incremental.Manifest.load(
            incremental.manifest_path(self.settings, self.output)
        )
        self.templates = incremental.TemplateFingerprints(self.template_dirs, self._base)
        ours = {(p.path, p.lastmod) for p in self.plan.values() if p.in_sitemap}
        site_url = str(self.settings.get("SITEURL", ""))
        self.pelican_entries = sitemap_entries(self.output, site_url) - ours
        self.broken = False

    def close(self) -> None:
        self.stop_index_parts()
        self._drop_copies()
        if self.kept_parts is not None:
            shutil.rmtree(self.kept_parts, ignore_errors=True)
            self.kept_parts = None

    def _drop_copies(self) -> None:
        if self.copies is not None:
            shutil.rmtree(self.copies, ignore_errors=True)
            self.copies = None

    def _read(self, previous: Directory | None) -> tuple[Directory, list[Problem]]:
        """Check the listing files (those whose size or mtime changed only), and make
        the directory, reusing the places of unchanged listings."""
        cwd = Path.cwd()
        try:
            os.chdir(self.root)  # messages name files as the build does (providers/x.md)
            result = load_listings(
                [Path(self.values["PROVIDERS_PATH"])],
                today=self.today,
                stale_after_days=self.values["STALE_AFTER_DAYS"],
                cache_file=self.listings_cache,
                workers=self.values.get("BUILD_WORKERS") or 0,
            )
        finally:
            os.chdir(cwd)
        if result.errors:
            return previous, result.problems  # type: ignore[return-value]
        published = [item for item in result.listings if item.published]
        before = {item.id: item for item in previous.listings} if previous else {}
        places: dict[str, coordinates.ResolvedPlace] = {}
        place_problems: dict[str, list[Problem]] = {}
        for listing in published:
            if before.get(listing.id) is listing:
                places[listing.id] = previous.places[listing.id]  # type: ignore[union-attr]
                place_problems[listing.id] = self.place_problems.get(listing.id, [])
            else:
                found, problems = coordinates.resolve_all([listing], self.geocache)
                places.update(found)
                place_problems[listing.id] = problems
        self._new_place_problems = place_problems
        directory = Directory(
            listings=published,
            places=places,
            settings=dict(self.values),
            root=self.root,
            today=self.today,
            problems=sort_problems(
                result.problems + [p for ps in place_problems.values() for p in ps]
            ),
            histories=self.histories,
        )
        for key in ("RELATIVE_URLS", "SITEURL", "THEME_STATIC_DIR"):
            directory.settings[key] = self.settings.get(key)
        return directory, directory.problems

    def _adopt(self, directory: Directory) -> None:
        langs = list(self.values["LANGUAGES"])
        old = self.data
        self.directory = directory
        self.data = SiteData(directory, langs, langs[0])
        self.place_problems = self._new_place_problems
        if old is not None:
            same = {
                item.id
                for item in directory.listings
                if old.by_id.get(item.id) is item
                and old.directory.places.get(item.id) == directory.places.get(item.id)
            }
            directory.reuse_views(old.directory, same)
            self.data.language_independent.update(
                (k, v) for k, v in old.language_independent.items() if k in same
            )

    # -- search copies ---------------------------------------------------------------

    def _copy_writer(self) -> site_write.SearchCopyWriter:
        return site_write.SearchCopyWriter(
            self.data, self.output, self.template_dirs, self.render_settings, self.copies
        )

    def _write_all_copies(self, pages: list[PageSpec]) -> None:
        from waystation.search import pagefind

        self._drop_copies()
        self.copies = pagefind.new_source_folder(f"waystation-search-source-{os.getpid()}-")
        site_write.make_source_folders(self.copies, (p.save_as for p in pages))
        task = functools.partial(site_write.SearchCopyWriter, folder=self.copies)
        workers = worker_count(self.render_settings, len(pages), site_write.PARALLEL_MIN_PAGES)
        if workers == 1:
            parts = [self._copy_writer()(pages, site_write.Rendered())]
        else:
            parts = site_write.render_parallel(
                pages,
                self.data,
                self.output,
                self.template_dirs,
                self.render_settings,
                workers,
                task,
            )
        # The descriptions' text, known from here on: every update writes the open data
        # whole, in a process forked from this one, which would otherwise render every
        # description's Markdown again (6.8 CPU-s an update at 10,000 listings).  A
        # changed description is rendered here by the update's copy writer.
        rendered = site_write.descriptions_rendered(parts, pages)
        export_text.remember_texts(
            {text: export_text.rendered_to_text(str(html)) for text, html in rendered.items()},
            forget_others=True,
        )

    def _kept_folder(self) -> Path:
        """The folder of the index's parts kept between updates (made the first time)."""
        from waystation.search import pagefind

        if self.kept_parts is None:
            prefix = f"waystation-pagefind-parts-{os.getpid()}-"
            self.kept_parts = pagefind.new_source_folder(prefix)
        return self.kept_parts

    def keep_index_parts(self) -> bool:
        """Index in the background the parts of the search index not kept yet, only to
        keep them (the site untouched), so that the first edit too indexes only its own
        parts (:func:`waystation.search.pagefind.keep_parts`; the next update stops it,
        what it kept by then staying kept).  Whether it started: not when no language
        has more listing pages than one part holds (its one run is indexed whole)."""
        from waystation.search import pagefind

        part_pages = pagefind.part_pages(self.render_settings)
        pages = Counter(
            page.context["lang"]
            for page in self.plan.values()
            if page.context.get("listing") is not None
        )
        if part_pages <= 0 or max(pages.values(), default=0) <= part_pages:
            return False
        globs = pagefind.listing_globs(self.render_settings)
        kept = self._kept_folder()
        return (
            pagefind.keep_parts(self.output, globs, self._index_source(), part_pages, kept)
            is not None
        )

    def stop_index_parts(self) -> None:
        """Stop :meth:`keep_index_parts`'s work (a full build is to run: what was kept by
        then stays kept)."""
        from waystation.search import pagefind

        pagefind.stop(self.output)

    def join_index_parts(self) -> None:
        """Join :meth:`keep_index_parts`'s work if it has ended (raises its failure)."""
        from waystation.search import pagefind

        pagefind.join_if_done(self.output)

    def _index_source(self) -> Path:
        """A new folder for Pagefind holding every search copy (hard links), its folders
        made in sorted order as a build makes them (Pagefind numbers pages in the order
        it finds them: the same order, the same index)."""
        from waystation.search import pagefind

        assert self.copies is not None
        folder = pagefind.new_source_folder()
        paths = sorted(
            save_as for save_as, page in self.plan.items() if page.context.get("listing")
        )
        site_write.make_source_folders(folder, paths)
        for relative in paths:
            try:
                os.link(self.copies / relative, folder / relative)
            except OSError:
                shutil.copyfile(self.copies / relative, folder / relative)
        return folder

    # -- the update ------------------------------------------------------------------

    def update(self, say: Callable[[str], None] = print) -> Update | None:
        """Rebuild after listing files changed; None when nothing did.  Raises
        :class:`~waystation.build.generator.BuildFailed` (the problems printed first,
        one per line) when a listing is invalid or a page unsafe."""
        if self.broken:
            raise BuildFailed("the last update failed: run a full build")
        if today_from_env() != self.today:
            self.broken = self.stale = True  # stale flags and dates
            raise BuildFailed("the day changed since the last build: a full build is needed")
        if self._head() != self.head:
            self.broken = self.stale = True  # the listings' histories are git's
            raise BuildFailed("a commit was made since the last build: a full build is needed")
        began = time.perf_counter()
        with collector.paused(keep=True):
            try:
                return self._update(began, say)
            except BuildFailed:
                raise
            except WaystationError as error:
                self.broken = True
                report_lines(str(error).splitlines())
                raise BuildFailed(str(error).splitlines()[0]) from None
            except BaseException:
                self.broken = True
                raise

    def _update(self, began: float, say: Callable[[str], None]) -> Update | None:
        old_data = self.data
        assert old_data is not None and self.directory is not None
        started_ns = incremental.clock_now(self.cache_path)
        directory, problems = self._read(self.directory)
        if any(p.is_error for p in problems):
            report_lines([p.format_text() for p in problems])
            raise BuildFailed(f"{sum(p.is_error for p in problems)} error(s) in the listings")
        old_ids = set(old_data.by_id)
        new_ids = {item.id for item in directory.listings}
        changed = {
            item.id
            for item in directory.listings
            if old_data.by_id.get(item.id) is not item
            or old_data.directory.places.get(item.id) != directory.places.get(item.id)
        } | (old_ids - new_ids)
        if not changed:
            return None
        # Warnings: those of the changed files (a full build prints them all).
        changed_files = {old_data.by_id[i].source_path for i in changed if i in old_data.by_id}
        changed_files |= {item.source_path for item in directory.listings if item.id in changed}
        report_lines([p.format_text() for p in problems if p.file in changed_files])
        self._adopt(directory)
        data = self.data
        assert data is not None
        result = Update(changed=sorted(changed))
        check = incremental.PageCheck(self.manifest, self.output, self.templates, data.public)
        site_render.use_search_blocks({})
        writer = site_write.PageWriter(
            data, self.output, self.template_dirs, self.render_settings, check=check
        )
        langs = list(self.values["LANGUAGES"])
        fingerprints = dict(self.manifest.pages)

        # 1. The changed listings' own pages, first: what the maintainer looks at.
        mine = [p for lang in langs for p in listing_pages(data, lang, only=changed)]
        written = self._render(writer, mine, fingerprints)
        result.pages_written = [p.save_as for p in mine]
        result.pages_seconds = time.perf_counter() - began
        say(
            f"pages written ({result.pages_seconds:.1f} s): "
            f"{', '.join(sorted(changed)[:3])}{' …' if len(changed) > 3 else ''}"
        )

        # 2. The other pages: planned again (cheap), rendered where their context or a
        #    listed listing changed.
        from waystation.build import plan as build_plan

        others = build_plan.plan_others(data)
        listed = {p.save_as: _listed(p.context) for p in others}
        redo = []
        for page in others:
            before = self.plan.get(page.save_as)
            if (
                before is None
                or before.template != page.template
                or before.context != page.context
                or listed[page.save_as] & changed
            ):
                redo.append(page)
        written += self._render(writer, redo, fingerprints)
        result.others_written = [p.save_as for p in redo]

        # The new plan: the unchanged listings' pages, the changed ones', the others;
        # what the last one had and this one has not is deleted.
        plan = {
            save_as: page
            for save_as, page in self.plan.items()
            if (listing := page.context.get("listing")) is not None and listing["id"] not in changed
        }
        plan.update((p.save_as, p) for p in mine)
        plan.update((p.save_as, p) for p in others)
        gone = sorted(set(self.plan) - set(plan))
        for save_as in gone:
            fingerprints.pop(save_as, None)
            self._delete(save_as)
        result.deleted = gone
        old_plan = self.plan
        self.plan, self.listed = plan, listed

        # 3. The search copies of the changed listings; Pagefind when one changed.
        reindex = self._update_copies(mine, changed, old_plan)
        if reindex:
            from waystation.search import pagefind

            indexing = pagefind.start(
                self.output,
                pagefind.listing_globs(self.render_settings),
                self._index_source(),
                in_place=True,
                part_pages=pagefind.part_pages(self.render_settings),
                kept=self._kept_folder(),
            )
            result.reindexed = True
            result.parts = indexing.runs
            result.parts_indexed = indexing.runs - indexing.parts_reused

        # 4. The sitemap, then the post-build steps (all but Pagefind's), as in a build.
        entries = {(p.path, p.lastmod) for p in plan.values() if p.in_sitemap}
        site_sitemap.write(
            self.output, entries | self.pelican_entries, str(self.settings.get("SITEURL", ""))
        )
        csp.remember_secured(
            self.output,
            [
                (relative, size, mtime_ns)
                for relative, (_sha, size, mtime_ns) in self.manifest.files.items()
                if relative.endswith((".html", ".htm"))
            ],
        )
        csp.remember_secured(self.output, written)
        steps = [name for name in postbuild.STEPS if name != PAGEFIND_STEP]
        postbuild.run(data.directory, self.output, self.render_settings, steps=steps)

        # 5. The manifest: files written again with their old bytes get their old mtime.
        inputs = incremental.inputs_fingerprint(self.render_settings, self.root, self.today)
        manifest, _ = incremental.finish(
            self.output,
            self.manifest,
            {k: v for k, v in fingerprints.items() if k in plan},
            inputs,
            started_ns,
            keep_under=[str(self.settings.get("THEME_STATIC_DIR") or "theme")],
            delete=False,
        )
        manifest.save(incremental.manifest_path(self.settings, self.output))
        self.manifest = manifest
        result.done_seconds = time.perf_counter() - began
        return result

    def _render(
        self, writer: site_write.PageWriter, pages: list[PageSpec], fingerprints: dict[str, str]
    ) -> list[tuple[str, int, int]]:
        if not pages:
            return []
        rendered = writer(pages, site_write.Rendered())
        if rendered.problems:
            self.broken = True
            raise csp.unsafe_markup_error(rendered.problems)
        fingerprints.update(rendered.fingerprints)
        return rendered.written

    def _delete(self, save_as: str) -> None:
        path = self.output / save_as
        path.unlink(missing_ok=True)
        parent = path.parent
        while parent != self.output and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent

    def _update_copies(
        self, pages: list[PageSpec], changed: set[str], old_plan: dict[str, PageSpec]
    ) -> bool:
        """Write the changed listings' search copies; delete those of listings gone;
        whether any copy changed (Pagefind must index again)."""
        assert self.copies is not None
        differ = False
        for save_as, page in old_plan.items():
            listing = page.context.get("listing")
            if listing is not None and listing["id"] in changed and save_as not in self.plan:
                (self.copies / save_as).unlink(missing_ok=True)
                differ = True
        before = {}
        for page in pages:
            try:
                before[page.save_as] = (self.copies / page.save_as).read_bytes()
            except OSError:
                before[page.save_as] = None
        site_write.make_source_folders(self.copies, (p.save_as for p in pages))
        self._copy_writer()(pages, site_write.Rendered())
        for page in pages:
            if (self.copies / page.save_as).read_bytes() != before[page.save_as]:
                differ = True
        return differ


def listing_paths_only(paths: Iterable[str | Path], providers: Path) -> bool:
    """Whether every changed path is a listing file (``*.md`` right in ``providers``):
    what :meth:`LiveSite.update` handles; anything else needs a full build."""
    providers = Path(providers).resolve()
    for path in paths:
        path = Path(path)
        if path.suffix != ".md" or path.parent.resolve() != providers:
            return False
    return True
