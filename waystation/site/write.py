"""Render the planned pages and write them: the site build without Pelican.

:func:`render_pages` renders every :class:`~waystation.site.pages.PageSpec`
with one Jinja environment and writes it straight to the output folder (one
``open().write()`` per page: Pelican's writer adds nothing these pages need).
Browse-page cards are rendered once per listing, language and link root, then
reused on every page that lists the listing.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import logging
import multiprocessing as mp
import os
import pickle
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import jinja2
from markupsafe import Markup, escape

from waystation.runtime import heap
from waystation.runtime.workers import lower_priority, take_turns, worker_count
from waystation.site import csp, qr, search_packs
from waystation.site import render as site_render
from waystation.site import urls as site_urls
from waystation.site.pages import BrowseEntries, PageSpec, SiteData
from waystation.text import markup
from waystation.text import plain as export_text

logger = logging.getLogger(__name__)

CARD_TEMPLATE = "partials/listing_card.html"
ENTRY_TEMPLATE = "partials/listing_entry.html"


def template_globals(settings: dict[str, Any]) -> dict[str, Any]:
    """Settings every template may read (Pelican passes the same to its pages)."""
    values = {k: v for k, v in settings.items() if k.isupper()}
    values.setdefault("DEFAULT_LANG", list(settings["LANGUAGES"])[0])
    values.setdefault("THEME_STATIC_DIR", "theme")
    return values


class Environments:
    """One Jinja environment per language (:func:`waystation.site.render.make_environment`
    with ``lang``: its templates' messages are translated when compiled), made when a
    page in that language is first rendered."""

    def __init__(
        self,
        template_dirs: list[Path],
        settings: dict[str, Any],
        extra: dict[str, Any] | None = None,
    ):
        self._dirs, self._globals = template_dirs, {**template_globals(settings), **(extra or {})}
        self._made: dict[str, jinja2.Environment] = {}

    def get(self, lang: str) -> jinja2.Environment:
        env = self._made.get(lang)
        if env is None:
            env = self._made[lang] = site_render.make_environment(self._dirs, lang)
            env.globals.update(self._globals)
        return env


class CardCache:
    """Each listing's card HTML, per language, for any link root.

    A card is rendered once per listing and language, with a stand-in for the link
    root (``SITEURL``), which is then replaced by each page's root: a browse page at
    another depth costs a string replacement, not a rendering.  Only the rendering with
    the stand-in is kept (a replacement costs a microsecond): keeping each root's copy
    too held three times the cards' text in every renderer process, 31 MB at 10,000
    listings.  The stand-in is random per cache, so no listing text can hold it.  Links
    in the card must be made with ``url()`` or ``static()`` (which put the root in front
    of the path), as they are.
    """

    def __init__(self, envs: Environments, data: SiteData):
        self._envs = envs  # the template is loaded when a page first shows a card
        self._data = data
        self._root = Markup(f"\x00root-{secrets.token_hex(16)}\x00")  # noqa: S704
        self._rendered: dict[tuple[str, str], str] = {}

    def get(self, listing_id: str, lang: str, root: str) -> Markup:
        rendered = self._rendered.get((listing_id, lang))
        if rendered is None:
            data = self._data
            template = self._envs.get(lang).get_template(CARD_TEMPLATE)
            rendered = self._rendered[(listing_id, lang)] = template.render(
                listing=data.public(listing_id, lang),
                listing_path=site_urls.listing(listing_id, lang, data.default_lang),
                lang=lang,
                SITEURL=self._root,
            )
        # Rendered by an autoescaping template; the root, escaped like the rest.
        return Markup(rendered.replace(self._root, str(escape(root))))  # noqa: S704


class ListItems:
    """Browse pages' list items: ``listing_entry.html`` rendered once per language, link
    root and marks, around a placeholder where each listing's card goes.

    A state page lists hundreds of listings, and a listing is on several browse pages:
    one template loop per listing on every page cost more than all the cards.  Here a
    list item is two string joins.
    """

    #: Stands for the card while the item is rendered.  The item holds no listing text
    #: (marks and a state name only), so nothing else in it can look like this; the card
    #: is put in after the split, never split itself.
    PLACEHOLDER = Markup("\x00card\x00")

    def __init__(self, envs: Environments, cards: CardCache):
        self._envs = envs  # the template is loaded when a page first lists listings
        self._cards = cards
        self._around: dict[tuple[str, str, tuple[str, ...], str | None], list[str]] = {}

    def html(self, entries: BrowseEntries | list[dict[str, Any]], lang: str, root: str) -> Markup:
        """The ``<li>`` of each entry (``{id, marks, based_in}``), in order."""
        around = self._around
        cards = self._cards
        items = []
        if isinstance(entries, BrowseEntries):
            listed = entries.items()
        else:
            listed = ((e["id"], tuple(e["marks"]), e["based_in"]) for e in entries)
        for listing_id, marks, based_in in listed:
            key = (lang, root, marks, based_in)
            parts = around.get(key)
            if parts is None:
                shown = {"marks": list(marks), "based_in": based_in}
                html = (
                    self._envs.get(lang)
                    .get_template(ENTRY_TEMPLATE)
                    .render(entry=shown, card_html=self.PLACEHOLDER, lang=lang, SITEURL=root)
                )
                parts = around[key] = html.split(self.PLACEHOLDER)
            items.append(str(cards.get(listing_id, lang, root)).join(parts))
        return Markup("".join(items))  # noqa: S704 - autoescaping templates' output


def page_root(page: PageSpec, settings: dict[str, Any]) -> str:
    if page.path.endswith("404.html"):
        # Served at any depth: link from the site's address (or its root).
        return settings.get("SITEURL", "")
    return site_urls.site_root(page.path, settings)


#: Below this many pages, one process renders them all.
PARALLEL_MIN_PAGES = 2000

#: How much the page renderers forked after work was started in the background lower
#: their priority (``nice``).  Pagefind, then the copy of its files, is the longest chain
#: of work that only one or two cores can do; the pages can be rendered by any number of
#: processes.  Given the processor first, Pagefind ends while the pages are still being
#: written, instead of alone on one core after them.  No output depends on it.
BESIDE_BACKGROUND_NICENESS = 5


#: Pages a worker takes at a time: the workers take chunk after chunk until none is
#: left, so they end together however unequal the pages' costs and the workers' shares
#: of the processor.  A chunk of listing pages takes a few tenths of a second.
CHUNK_PAGES = 200

#: Pages of the other kinds (browse, search, 404) in a chunk: a state page may cost as
#: much as a hundred listing pages.
CHUNK_OTHER_PAGES = 10


def chunked(
    pages: list[PageSpec], size: int | None = None, other_size: int | None = None
) -> list[list[PageSpec]]:
    """The pages in chunks, in the order the workers take them: the other pages first
    (the costly and uneven ones, so that listing pages are left to even out the end),
    then the listing pages, each listing's pages (all languages) in one chunk, one after
    the other, so that its description is rendered once (the Markdown cache)."""
    size = size or CHUNK_PAGES
    other_size = other_size or CHUNK_OTHER_PAGES
    others: list[PageSpec] = []
    by_listing: dict[str, list[PageSpec]] = {}
    for page in pages:
        listing = page.context.get("listing")
        if listing is None:
            others.append(page)
        else:
            by_listing.setdefault(listing["id"], []).append(page)
    chunks = [others[i : i + other_size] for i in range(0, len(others), other_size)]
    chunk: list[PageSpec] = []
    for group in by_listing.values():
        chunk.extend(group)
        if len(chunk) >= size:
            chunks.append(chunk)
            chunk = []
    if chunk:
        chunks.append(chunk)
    return chunks


_WORK: dict[str, Any] = {}


@dataclass
class Rendered:
    """What one renderer wrote: ``(relative path, size, mtime_ns)`` of each page, and the
    unsafe markup it refused to write, as ``file:line: message``."""

    written: list[tuple[str, int, int]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    #: Default-language descriptions as text, for the exports (export_text).
    texts: dict[str, str] = field(default_factory=dict)
    #: Descriptions rendered (site_render.markdown), for the renderers forked next.
    markdown: dict[str, Markup] = field(default_factory=dict)
    #: Where the listing pages' search blocks were written, by page path: (file, offset,
    #: size) (site_render.use_search_blocks).
    search_blocks: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    #: Each page's fingerprint, by file (incremental builds: ``check``).
    fingerprints: dict[str, str] = field(default_factory=dict)
    #: Pages not written: unchanged since the last build (not rendered, or rendered to
    #: the bytes already on disk).
    unchanged: int = 0


def _renderer() -> Renderer:
    """The renderer of this process, for the work :func:`render_parallel` set out."""
    work = _WORK
    return work["task"](work["data"], work["output"], work["dirs"], work["settings"])


def _render_chunks(_worker: int) -> Rendered:
    """A worker: make the renderer, then render chunk after chunk, taking the next one
    from the shared counter, until none is left."""
    chunks = _WORK["chunks"]
    result = Rendered()
    render = _renderer()
    for index in take_turns(_WORK["counter"], len(chunks)):
        render(_chunk(index), result)
    return result


def _chunk(index: int) -> list[PageSpec]:
    """Chunk ``index``: read back from the file it was handed over in (:func:`_hand_over`),
    if it was."""
    handed = _WORK.get("handed")
    if handed is not None:
        file, places = handed
        place = places.get(index)
        if place is not None:
            # Written by this build's process, in a file only it and its forks can open.
            return pickle.loads(os.pread(file.fileno(), place[1], place[0]))  # noqa: S301
    return _WORK["chunks"][index]


def _hand_over(first: int) -> None:
    """Write the chunks of listing pages from ``first`` on (pickled) into an unnamed
    temporary file, from which every renderer reads each one it takes (:func:`_chunk`),
    before the renderers forked late are forked.  A listing page's context is plain data;
    browse pages (read from the planned objects as before, if any are left) read the
    build's shared data, which would be pickled with each of them.

    A forked renderer and this process share every memory page until either writes it,
    and reading an object writes it (its reference count), as does making an object in
    a free place of a shared page: rendering the pages left from the objects planned for
    them, the renderer forked when Pagefind ended and this process copied 0.44–0.51 GiB
    between them at 50,000 listings (a listing's objects lie on some fifteen pages), the
    build's peak.  Rendered from their own copies, read back chunk by chunk and let go
    of, they copy only what rendering itself touches (0.18 GiB)."""
    started = time.perf_counter()
    chunks = _WORK["chunks"]
    file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by render_parallel()
    places = {}
    offset = 0
    for index in range(first, len(chunks)):
        if not all("listing" in page.context for page in chunks[index]):
            continue  # a browse page's entries read the build's shared data (SiteData)
        data = pickle.dumps(chunks[index], protocol=pickle.HIGHEST_PROTOCOL)
        file.write(data)
        places[index] = (offset, len(data))
        offset += len(data)
    file.flush()
    _WORK["handed"] = (file, places)
    logger.info(
        "Waystation: %d chunks of pages (%.0f MB) handed over in %.2f s",
        len(places),
        offset / 1e6,
        time.perf_counter() - started,
    )


def make_source_folders(folder: Path, paths: Iterable[str]) -> None:
    """Make the folders of the small pages at ``paths`` (relative to ``folder``), in sorted
    order, before any page is written.

    Pagefind numbers pages in the order it finds them, which is the order the file system
    lists a folder's entries: on tmpfs, the order they were made.  Made here, by one
    process and sorted, that order does not depend on which renderer process writes which
    page first, so rebuilds give the same index bytes.
    """
    made: set[str] = set()
    for path in sorted(paths):
        parent = os.path.dirname(path)
        if parent not in made:
            os.makedirs(os.path.join(folder, parent), exist_ok=True)
            made.add(parent)


def render_pages(
    pages: Iterable[PageSpec],
    data: SiteData,
    output_path: Path,
    template_dirs: list[Path],
    settings: dict[str, Any],
    after_listings: Callable[[], Callable[[], bool] | None] | None = None,
    search_source: Path | None = None,
    meanwhile: Callable[[Callable[[], bool]], None] | None = None,
    more_pages: Callable[[], list[PageSpec]] | None = None,
    check: PageCheck | None = None,
    report: Rendered | None = None,
) -> int:
    """Render and write every page, in worker processes when there are many; return the count.

    Each page is checked and given its Content-Security-Policy in memory
    (:func:`waystation.site.csp.secure_page`) before it is written, so the post-build CSP
    step need not read it again; a page with unsafe markup is not written, and the
    build fails naming every such page and line.  Workers are forked (they share the
    planned pages without pickling them); each writes its own files, so the output
    does not depend on the number of workers.

    With ``search_source``, each listing page's search copy is written there first, at
    the page's path (``search_page.html``: its ``<html lang>``, title and search block,
    what Pagefind reads), then ``after_listings()`` is called (the build starts the
    post-build steps that may start early there, :data:`waystation.build.postbuild.EARLY`: the
    full-text indexing, the open data, the maps), then every page is written.  Without
    it, the listing pages are written first, then ``after_listings()`` is called, then
    the other pages.  The workers forked after ``after_listings()`` started work in the
    background run at a lower priority (:data:`BESIDE_BACKGROUND_NICENESS`); when it
    returns ``busy()``, saying whether that work still takes a processor of its own,
    this process renders alone while it does, and forks the other workers once it ends
    (:func:`render_parallel`'s ``hold_back``).

    ``meanwhile(still_rendering)`` is called in this process while the last pages are
    rendered (the build prepares post-build work there, and may run some,
    :data:`waystation.build.postbuild.PREPARE` and ``RUN_MEANWHILE``); ``still_rendering()``
    says whether the workers are still at it (never, when this process renders).
    ``more_pages()`` is called while the first pages are rendered and returns pages to
    write too, after them (the build plans the browse pages there while the listing
    pages' search copies are written).
    """
    pages = list(pages)
    listing_pages = [page for page in pages if page.context.get("listing") is not None]
    writer = functools.partial(PageWriter, check=check, note_texts=search_source is None)
    batches: list[tuple[list[PageSpec], Callable[..., Renderer]]] = [(pages, writer)]
    blocks: str | None = None
    if search_source is not None:
        make_source_folders(search_source, (p.save_as for p in listing_pages))
        # The search blocks wait on disk, not in memory (site_render.use_search_blocks).
        blocks = tempfile.mkdtemp(prefix="waystation-search-blocks-")
        # The copies wait on disk too, packed, until Pagefind reads them (search_packs).
        packs = search_packs.make(search_source)
        copies = functools.partial(
            SearchCopyWriter, folder=search_source, blocks=blocks, packs=packs
        )
        batches = [(listing_pages, copies), (pages, writer)]
    elif after_listings is not None:
        others = [page for page in pages if page.context.get("listing") is None]
        batches = [(listing_pages, writer), (others, writer)]
    planned: list[PageSpec] = []

    def plan_more(_still_rendering: Callable[[], bool] | None = None) -> None:
        if more_pages is not None:
            planned.extend(more_pages())
            gc.freeze()  # like the pages planned before (see below)

    if len(batches) == 1:  # nothing to render meanwhile
        plan_more()
    site_render.use_search_blocks({})
    parts: list[Rendered] = []
    # What exists now (listings, planned pages) lives until the pages are written:
    # keep it out of the cyclic collector's passes (and, in forked workers, out of
    # the pages it would touch and so copy).
    gc.freeze()
    background = False
    busy: Callable[[], bool] | None = None
    try:
        for number, (batch, task) in enumerate(batches):
            last = number == len(batches) - 1
            if number == 1 and not any(part.problems for part in parts):
                # What the search copies rendered: the renderers forked next need not again,
                # nor the exports (which may start now, in after_listings()).
                markup.remember_rendered(descriptions_rendered(parts, listing_pages))
                site_render.use_search_blocks(
                    {k: v for p in parts for k, v in p.search_blocks.items()}
                )
                export_text.remember_texts(
                    {k: v for p in parts for k, v in p.texts.items()}, forget_others=True
                )
                # Kept to the end too, like the pages (see below): the processes forked
                # next would each walk it in their first full collection.
                gc.freeze()
                if after_listings is not None:
                    busy = after_listings()
                    background = True
            if last:
                batch = batch + planned
            # While the first of two batches renders, this process plans the pages to come.
            during = meanwhile if last else plan_more
            workers = worker_count(settings, len(batch), PARALLEL_MIN_PAGES)
            if workers == 1:
                if during is not None:
                    during(lambda: False)  # nothing is being rendered yet
                render = task(data, output_path, template_dirs, settings)
                parts.append(render([p for chunk in chunked(batch) for p in chunk], Rendered()))
            else:
                logger.info("Waystation: %d pages shared by %d renderers", len(batch), workers)
                parts += render_parallel(
                    batch,
                    data,
                    output_path,
                    template_dirs,
                    settings,
                    workers,
                    task,
                    niceness=BESIDE_BACKGROUND_NICENESS if background else 0,
                    meanwhile=during,
                    hold_back=busy,
                )
    finally:
        gc.unfreeze()
        if blocks is not None:
            site_render.use_search_blocks({})
            shutil.rmtree(blocks, ignore_errors=True)
    problems = [problem for part in parts for problem in part.problems]
    if problems:
        raise csp.unsafe_markup_error(problems)
    for part in parts:
        csp.remember_secured(output_path, part.written)
    texts = {text: plain for part in parts for text, plain in part.texts.items()}
    if texts:
        export_text.remember_texts(texts, forget_others=True)
    if report is not None:
        for part in parts:  # the search copies' parts list no page
            report.written += part.written
            report.fingerprints.update(part.fingerprints)
            report.unchanged += part.unchanged
    return sum(len(part.written) for part in parts)


def descriptions_rendered(
    parts: list[Rendered], listing_pages: list[PageSpec]
) -> dict[str, Markup]:
    """The descriptions' HTML the search copies' writers handed back, each keyed by the
    description of this process's listing pages it was made from (the same text): a
    forked writer's keys arrive as copies of those texts, 1.2 KB a listing, 30 MB at
    50,000 listings, kept to the end of the build for nothing."""
    own = {}
    for page in listing_pages:
        text = page.context["listing"].get("description")
        if text:
            own[text] = text
    return {own.get(k, k): v for part in parts for k, v in part.markdown.items()}


def render_parallel(
    pages: list[PageSpec],
    data: SiteData,
    output_path: Path,
    template_dirs: list[Path],
    settings: dict[str, Any],
    workers: int,
    task: Callable[..., Renderer],
    niceness: int = 0,
    meanwhile: Callable[[Callable[[], bool]], None] | None = None,
    hold_back: Callable[[], bool] | None = None,
) -> list[Rendered]:
    """Render ``pages`` in ``workers`` processes, taking chunks in turn: this one and
    ``workers - 1`` forked helpers (:func:`_render_here`).

    This process forks the helpers, does its ``meanwhile`` work while they render (the
    search copies: planning the browse pages), then takes chunks too.  A forked process
    holds its own copy of every memory page of the build's that it or this process
    writes after the fork (reference counts change as objects are read), so each forked
    renderer costs memory: this process rendering too spares one (at 50,000 listings,
    the two forked writers of the search copies held 0.6–0.7 GB of their own each).

    With ``hold_back``, this process renders alone while ``hold_back()`` says the work
    started in the background still takes a processor (Pagefind), and forks the helpers
    once it no longer does.  With Pagefind on a processor of its own, a second renderer
    only takes turns with the first on the other: at 50,000 listings the build took the
    same time with one renderer as with two (203 and 201 s on 2 cores).  A helper forked
    at the start and kept waiting held 0.7 GB more at the peak at 50,000 listings, as
    this process rendered; forked late, none is forked when Pagefind outlasts the pages.
    At 10,000 listings Pagefind ends first, and all render the last pages.
    """
    context = mp.get_context("fork")
    _WORK.update(
        task=task,
        chunks=chunked(pages),
        counter=context.Value("l", 0),
        data=data,
        output=output_path,
        dirs=template_dirs,
        settings=settings,
    )
    try:
        with contextlib.ExitStack() as pools:

            def fork(count: int) -> Any:
                # Free memory this process keeps would be mapped in every helper too,
                # and copied when this process reuses it (runtime/heap.py).
                heap.give_back()
                pool = context.Pool(count, initializer=lower_priority, initargs=(niceness,))
                pools.enter_context(pool)
                return pool.map_async(_render_chunks, range(count))

            return _render_here(hold_back or _never, meanwhile, lambda: fork(workers - 1))
    finally:
        handed = _WORK.get("handed")
        if handed is not None:
            handed[0].close()
        _WORK.clear()


def _render_here(
    hold_back: Callable[[], bool],
    meanwhile: Callable[[Callable[[], bool]], None] | None,
    fork_helpers: Callable[[], Any],
) -> list[Rendered]:
    """This process renders chunk after chunk; as soon as ``hold_back()`` is false (at
    once, or between two chunks), it forks the helpers (``fork_helpers()``, an
    ``AsyncResult`` of their results) and does its ``meanwhile`` work while they render,
    then takes chunks again until none is left (``meanwhile`` then, if it is still to be
    done).  Released late, this process first lets go of what its renderer keeps for pages
    done (its ``let_go()``, if it has one) and hands the chunks left over in a file
    (:func:`_hand_over`), from which each process then reads the ones it takes.  This
    process's result first."""
    chunks = _WORK["chunks"]
    render = _renderer()
    result = Rendered()
    helpers = None

    def release(held: bool = False) -> None:
        nonlocal helpers, meanwhile
        if held:  # the background work has ended, and this process rendered alone
            # Its meanwhile work first, then the fork (forked first, the helpers copied
            # each memory page that work read or wrote, the search data: 0.15 GiB at
            # 50,000 listings); and what the pages left need not goes before it is copied.
            if meanwhile is not None:
                meanwhile(_always)
                meanwhile = None
            let_go = getattr(render, "let_go", None)
            if let_go is not None:
                let_go()
            _hand_over(_WORK["counter"].value)  # taken from here on: none yet
        helpers = fork_helpers()
        if meanwhile is not None:
            meanwhile(_helpers_rendering(helpers))
            meanwhile = None

    if not hold_back():
        release()
    for index in take_turns(_WORK["counter"], len(chunks)):
        render(_chunk(index), result)
        if helpers is None and not hold_back():
            release(held=True)
    if meanwhile is not None:
        meanwhile(_helpers_rendering(helpers))
    return [result, *(helpers.get() if helpers is not None else [])]


def _never() -> bool:
    """Nothing holds the helpers back."""
    return False


def _always() -> bool:
    """The pages are still being written (by this process, once its meanwhile work is
    done)."""
    return True


def _helpers_rendering(helpers: Any) -> Callable[[], bool]:
    """Whether the helpers forked (their ``AsyncResult``, or None: none was) still render."""
    return lambda: helpers is not None and not helpers.ready()


#: Renders pages into a result: ``render(pages, result) -> result``.  A task makes one
#: per process: ``task(data, output_path, template_dirs, settings)``.
Renderer = Callable[[list[PageSpec], Rendered], Rendered]


class PageWriter:
    """Renders pages and writes them: one Jinja environment and one card cache per
    process, for every chunk it takes."""

    def __init__(
        self,
        data: SiteData,
        output_path: Path,
        template_dirs: list[Path],
        settings: dict[str, Any],
        check: PageCheck | None = None,
        note_texts: bool = True,
    ):
        self.check = check
        #: Whether to hand the default-language descriptions' texts back for the exports
        #: (not when the search copies handed their HTML back: the texts come from that).
        self.note_texts = note_texts
        # The printed handout's QR code (only when SITEURL is an absolute address).
        extra = {"listing_qr": qr.make_listing_qr(settings)}
        self.envs = envs = Environments(template_dirs, settings, extra)
        self.data, self.output_path, self.settings = data, output_path, settings
        self.items = ListItems(envs, CardCache(envs, data))
        self.site = csp.site_origin(str(settings.get("SITEURL", "")))
        self.tiles = csp.tile_source(str(settings.get("TILE_URL", "")))
        self.made_dirs: set[Path] = set()

    def let_go(self) -> None:
        """Let go of the browse pages' cards: the pages left when the other renderers are
        forked late are listing pages, which show none (a card asked for later is
        rendered again, the same).  About 50 MB at 50,000 listings, which the build's
        process and each renderer forked then would otherwise keep to the end."""
        self.items = ListItems(self.envs, CardCache(self.envs, self.data))

    def __call__(self, pages: list[PageSpec], result: Rendered) -> Rendered:
        envs, data, settings, items = self.envs, self.data, self.settings, self.items
        made_dirs = self.made_dirs
        check = self.check
        for page in pages:
            root = page_root(page, settings)
            lang = page.context["lang"]
            listing = page.context.get("listing")
            if check is not None:
                fingerprint = check.fingerprint(page.template, page.context, root)
                result.fingerprints[page.save_as] = fingerprint
                stat = check.unchanged(page.save_as, fingerprint)
                if stat is not None:
                    result.written.append((page.save_as, stat.st_size, stat.st_mtime_ns))
                    result.unchanged += 1
                    if self.note_texts and listing is not None and lang == data.default_lang:
                        _note_text(listing.get("description"), result)
                    continue

            def listing_items(
                entries: list[dict[str, Any]], _l: str = lang, _r: str = root
            ) -> Markup:
                return items.html(entries, _l, _r)

            html = (
                envs.get(lang)
                .get_template(page.template)
                .render(
                    page.context,
                    SITEURL=root,
                    listing_items=listing_items,
                    public=lambda i, _l=lang: data.public(i, _l),
                )
            )
            html, problems = csp.secure_page(html, self.site, self.tiles)
            if problems:
                result.problems.extend(f"{page.save_as}:{n}: {message}" for n, message in problems)
                continue
            target = self.output_path / page.save_as
            data_bytes = html.encode("utf-8")
            stat = _same_bytes(target, data_bytes) if check is not None else None
            if stat is not None:
                result.unchanged += 1
            else:
                if target.parent not in made_dirs:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    made_dirs.add(target.parent)
                with open(target, "wb") as file:
                    file.write(data_bytes)
                    file.flush()
                    stat = os.fstat(file.fileno())
            result.written.append((page.save_as, stat.st_size, stat.st_mtime_ns))
            if self.note_texts and listing is not None and lang == data.default_lang:
                _note_text(listing.get("description"), result)
        return result


def _same_bytes(path: Path, data: bytes) -> os.stat_result | None:
    """The stat of ``path`` when it already holds exactly ``data`` (else None)."""
    try:
        stat = os.stat(path)
        if stat.st_size != len(data):
            return None
        with open(path, "rb") as file:
            return stat if file.read() == data else None
    except OSError:
        return None


class PageCheck(Protocol):
    """What an incremental build tells the page writers
    (:class:`waystation.build.incremental.PageCheck`)."""

    def fingerprint(self, template: str, context: dict[str, Any], extra: str = "") -> str:
        """The page's fingerprint: its template, context and what it lists."""

    def unchanged(self, save_as: str, fingerprint: str) -> os.stat_result | None:
        """The file's stat when the page need not be rendered again, else None."""


def _note_text(description: str | None, result: Rendered) -> None:
    """Note a default-language description's text for the exports (once per build)."""
    if (
        description
        and description.strip()
        and description not in result.texts
        and not export_text.knows(description)
    ):
        # Rendered for this page already (cached): its text is cheap now.
        html_of = site_render.markdown(description)
        result.texts[description] = export_text.rendered_to_text(str(html_of))


#: What full-text search reads of a listing page, as a small page of its own.
SEARCH_TEMPLATE = "search_page.html"


class SearchCopyWriter:
    """Writes each listing page's search copy under ``folder`` (its folders exist:
    :func:`make_source_folders`), or with ``packs`` (a folder), into this process's pack
    there (:mod:`waystation.site.search_packs`), and keeps the descriptions rendered
    meanwhile, for the page renderers and the exports.  With ``blocks`` (a folder), each
    page's search block is appended to this process's file there, for the page
    renderers (:func:`waystation.site.render.use_search_blocks`)."""

    def __init__(
        self,
        data: SiteData,
        output_path: Path,
        template_dirs: list[Path],
        settings: dict[str, Any],
        folder: Path,
        blocks: str | None = None,
        packs: Path | None = None,
    ):
        self.envs = Environments(template_dirs, settings)
        self.data, self.settings, self.folder, self.packs = data, settings, folder, packs
        #: Where this process appends the search blocks (None: they are not kept).
        self.blocks = None if blocks is None else os.path.join(blocks, f"{os.getpid()}.html")

    def __call__(self, pages: list[PageSpec], result: Rendered) -> Rendered:
        kept = None if self.blocks is None else open(self.blocks, "ab")  # noqa: SIM115
        packer = None if self.packs is None else search_packs.Packer(self.packs)
        try:
            self._write(pages, result, kept, packer)
        finally:
            if kept is not None:
                kept.close()
            if packer is not None:
                packer.close()
        return result

    def _write(
        self,
        pages: list[PageSpec],
        result: Rendered,
        kept: BinaryIO | None,
        packer: search_packs.Packer | None,
    ) -> None:
        envs = self.envs
        for page in pages:
            root = page_root(page, self.settings)
            env = envs.get(page.context["lang"])
            template = env.get_template(SEARCH_TEMPLATE)
            block_template = env.get_template(site_render.SEARCH_BLOCK)
            block = Markup(block_template.render(page.context, SITEURL=root))  # noqa: S704
            html = template.render(page.context, SITEURL=root, search_html=block)
            if packer is not None:
                packer.add(page.save_as, html.encode("utf-8"))
            else:
                target = os.path.join(self.folder, page.save_as)
                with open(target, "w", encoding="utf-8", newline="\n") as file:
                    file.write(html)
            if kept is not None:
                data = str(block).encode("utf-8")
                result.search_blocks[page.path] = (kept.name, kept.tell(), len(data))
                kept.write(data)
            description = page.context["listing"].get("description")
            if description and description not in result.markdown:
                # Its text, for the exports, comes from this HTML (export_text).
                result.markdown[description] = site_render.markdown(description)
