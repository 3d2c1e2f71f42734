"""The full-text index: Pagefind over the listing pages (or their small copies).

Each listing page carries a hidden ``data-pagefind-body`` block
(``theme/templates/partials/search_meta.html``) with exactly what full-text
search covers: name, other names, summary, services, tags, city and state,
and the description.  Pagefind reads only pages with such a block, makes one
index per ``<html lang>`` (English and Spanish), and writes its files to
``output/pagefind/``; the search page loads them from there, never from
elsewhere.

Pagefind runs as its own process: the ``pagefind`` command of the ``pagefind``
Python package's binary (the same crawl as ``pagefind --site``), limited by a
glob to the listing pages.  In a build it reads small copies of the listing pages
(see "what Pagefind reads" below), which the page renderer writes before the pages
and then starts it (:func:`start_early`), so that it indexes while the pages are
rendered; the post-build step :func:`start_pagefind_index` takes that run over (or
starts one over the written listing pages, which no other post-build step changes
before the CSP step).  :func:`wait` joins it (``write_search_data`` does, before it
reads the page ids).
Joining checks the exit status, deletes Pagefind's bundled UI files (the site uses
its own script, ``theme/static/js/search.js``, and the Pagefind JS API) and
canonicalizes the index (:func:`waystation.search.pagefind_format.canonicalize`).
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from waystation.exc import WaystationError
from waystation.search import pagefind_format
from waystation.site import search_packs

#: Pagefind's ready-made UIs: not used (the search page has its own script).
UNUSED_FILES = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
    "wasm.unknown.pagefind",
)


def listing_glob(settings: dict[str, Any]) -> str:
    """The listing pages of every language: ``{providers,es/providers}/*/index.html``."""
    langs = list(settings["LANGUAGES"])
    folders = ["providers"] + [f"{lang}/providers" for lang in langs[1:]]
    if len(folders) == 1:
        return f"{folders[0]}/*/index.html"
    return "{" + ",".join(folders) + "}/*/index.html"


def listing_globs(settings: dict[str, Any]) -> list[str]:
    """The listing pages of each language, one glob per language
    (``providers/*/index.html``, ``es/providers/*/index.html``): what one Pagefind run
    indexes when the languages are indexed one after the other (:class:`Indexing`)."""
    langs = list(settings["LANGUAGES"])
    return ["providers/*/index.html"] + [f"{lang}/providers/*/index.html" for lang in langs[1:]]


SHELL = "/bin/sh"


def _link_tree(source: Path, target: Path) -> None:
    """``target`` holding ``source``'s files, hard-linked (copied across file systems)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in os.listdir(source):
        path = source / name
        if path.is_dir():
            _link_tree(path, target / name)
            continue
        try:
            os.link(path, target / name)
        except OSError:
            shutil.copyfile(path, target / name)


def split_runs(
    read: Path,
    globs: list[str],
    part_pages: int,
    scratch: Path,
    move: bool = False,
    packed: dict[str, Any] | None = None,
) -> list[list[tuple[Path, str]]]:
    """The Pagefind runs that index the pages of ``read`` matching each glob, a list of
    ``(site folder, glob)`` for each glob, in order.

    A glob ``<folder>/*/index.html`` matching more than ``part_pages`` pages (a language's
    listing pages) becomes one run per part of at most ``part_pages`` pages, each over a
    folder of ``scratch`` holding that part's pages hard-linked at the same paths:
    Pagefind's memory is then that of one part (see
    :mod:`waystation.search.pagefind_format`, which merges the parts' indexes).  The
    parts follow the order the folder lists its pages in, the order Pagefind numbers them
    in; each part's folder is made to list them in that order too (on tmpfs, where the
    build puts the search copies, a folder lists its entries newest first), so that the
    merged index numbers the pages as one run over them all.

    With ``move``, the pages are moved into the parts' folders instead (nothing else will
    read them: the script then deletes each part's folder as soon as it is indexed, see
    :func:`_script`); a moved entry is listed as a new one, in the same order.

    With ``packed`` (:func:`waystation.site.search_packs.entries` of ``read``'s packs),
    a page is a folder whose copy is packed (it is written into its folder just before
    its run reads it).
    """
    groups: list[list[tuple[Path, str]]] = []
    for number, glob in enumerate(globs):
        split = _split_glob(glob)
        if split is None or not Path(read, split[0]).is_dir():
            groups.append([(read, glob)])
            continue
        folder, rest = split
        base = Path(read, folder)
        pages = _pages(base, folder, rest, packed)
        if part_pages <= 0 or len(pages) <= part_pages:
            groups.append([(read, glob)])
            continue
        group = []
        for part, start in enumerate(range(0, len(pages), part_pages)):
            site = scratch / f"read-{number}-{part}"
            (site / folder).mkdir(parents=True, exist_ok=True)
            for name in reversed(pages[start : start + part_pages]):  # listed newest first
                if move:
                    os.rename(base / name, site / folder / name)
                else:
                    _link_tree(base / name, site / folder / name)
            group.append((site, glob))
        groups.append(group)
    return groups


def _pages(base: Path, folder: str, rest: str, packed: dict[str, Any] | None) -> list[str]:
    """The pages' folders in ``base`` (``read/folder``), in the order it lists them."""
    if packed is not None:
        return [name for name in os.listdir(base) if f"{folder}/{name}/{rest}" in packed]
    return [name for name in os.listdir(base) if (base / name / rest).is_file()]


def unpack_lists(
    groups: list[list[tuple[Path, str]]], packed: dict[str, tuple[str, int, int]], lists: Path
) -> dict[tuple[int, int], Path]:
    """For each run (by glob number and part) that reads packed copies, the list of the
    copies to write for it (:func:`waystation.site.search_packs.unpack`), in ``lists``."""
    found = {}
    for number, group in enumerate(groups):
        for part, (site, glob) in enumerate(group):
            split = _split_glob(glob)
            if split is None or not Path(site, split[0]).is_dir():
                continue
            folder, rest = split
            base = Path(site, folder)
            copies = [
                (f"{folder}/{name}/{rest}", str(base / name / rest))
                for name in _pages(base, folder, rest, packed)
            ]
            if copies:
                found[(number, part)] = target = lists / f"run-{number}-{part}.list"
                search_packs.write_list(target, copies, packed)
    return found


def _script(
    pagefind: str,
    groups: list[list[tuple[Path, str]]],
    written: Path,
    tidy: bool = False,
    unpack: dict[tuple[int, int], Path] | None = None,
    copy_early: Path | None = None,
    kept: dict[tuple[int, int], Path] | None = None,
    merge: bool = True,
) -> str:
    """``sh -c`` script: Pagefind over each glob's runs, one run after the other, each
    glob's index into ``written/<number>``.  A glob run in parts has its parts' indexes
    merged there by a Python process started in the background as soon as they are made
    (while Pagefind indexes the next language), and deleted once merged; the script waits
    for every merge, and stops at the first command that fails, with its exit status.

    With ``tidy`` (the pages are read by nothing else: not ``make devserver``), the pages
    a run has indexed are deleted as soon as it ends (a part's folder, or the folder a
    language's glob names): what a run read is in memory (tmpfs: a 4 KB page a file), so
    it is let go of language by language and part by part.

    With ``unpack`` (the lists of :func:`unpack_lists`), each run's packed copies are
    written into its folders just before it reads them.  With ``copy_early`` (the site's
    index folder), each part's pages' files (its ``fragment`` folder, one file a page:
    4 KB each in memory) are moved out of memory as soon as the part is indexed, into a
    folder of their own in ``copy_early``'s :data:`PARTS_FOLDER` (the merge reads them
    through a link and moves them into ``copy_early/fragment``, on the same disk), not
    held in memory until the language's last part is indexed and merged (0.3 GB at
    50,000 listings); and a language indexed in parts, but the last, has its word index
    and filters (its ``index`` and ``filter`` folders: every name in them starts with the
    language's code) copied there as soon as they are merged, and deleted from memory,
    while the next language is indexed; the rest is copied after the script (see
    :class:`Indexing`).

    With ``kept`` (``{(glob number, part): folder}``, :func:`kept_parts`), a part whose
    folder exists is not indexed: its index, kept there by an earlier run over the same
    pages, is linked in as the part's output; any other part's output is kept there
    (linked) once Pagefind has written it, for the next run.  Without ``merge``, only
    the parts not kept yet are indexed, each only to be kept there: nothing is merged
    nor written anywhere else (:func:`keep_parts`)."""
    lines = ["set -e", "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT"]
    merges = []
    for number, group in enumerate(groups):
        outputs = [
            written / (str(number) if len(group) == 1 else f"{number}-{k}")
            for k in range(len(group))
        ]
        for part, ((site, glob), output) in enumerate(zip(group, outputs, strict=True)):
            keep = (kept or {}).get((number, part))
            if not merge:
                if keep is not None and not keep.is_dir():
                    lines += _run(pagefind, site, glob, output, None)
                    lines += [_keep(output, keep), shlex.join(["rm", "-rf", str(output)])]
                continue
            if keep is not None and keep.is_dir():
                lines.append(_linked_copy(keep, output))  # indexed by an earlier run
            else:
                lines += _run(pagefind, site, glob, output, (unpack or {}).get((number, part)))
                if keep is not None:
                    lines.append(_keep(output, keep))
            if tidy:
                read = site if len(group) > 1 else _globbed_folder(site, glob)
                if read is not None:
                    lines.append(shlex.join(["rm", "-rf", str(read)]))
            if len(group) > 1 and copy_early is not None:
                lines.append(_staged(output / "fragment", copy_early / PARTS_FOLDER / output.name))
        if len(group) > 1 and merge:
            merge_command = [sys.executable, "-m", pagefind_format.__name__]
            if copy_early is not None:
                merge_command += ["--fragments", str(copy_early / "fragment")]
            parts = [str(o) for o in outputs]
            merge_command += [str(written / str(number)), *parts]
            merged = f"{shlex.join(merge_command)} && {shlex.join(['rm', '-rf', *parts])}"
            if copy_early is not None and number < len(groups) - 1:
                merged += "".join(
                    f" && {_moved(written / str(number) / name, copy_early / name)}"
                    for name in LANGUAGE_FOLDERS
                )
            merged = f"{{ {merged}; }}"
            lines += [merged + " &", f"merge{number}=$!"]
            merges.append(number)
    lines += [f'wait "$merge{number}"' for number in merges]
    if copy_early is not None and merges:  # the parts' staged folders, emptied by the merges
        lines.append(shlex.join(["rm", "-rf", str(copy_early / PARTS_FOLDER)]))
    return "\n".join(lines)


def _run(pagefind: str, site: Path, glob: str, output: Path, listed: Path | None) -> list[str]:
    """Shell: one Pagefind run (its packed copies written first, with ``listed``)."""
    lines = []
    if listed is not None:
        lines.append(shlex.join([sys.executable, "-I", "-S", search_packs.__file__, str(listed)]))
    command = [pagefind, "--site", str(site), "--glob", glob, "--output-path", str(output)]
    return [*lines, shlex.join([*command, "--quiet"])]


#: The folder of the site's index folder that holds each part's pages' files until
#: they are merged (:func:`_script`; deleted by then, or by :meth:`Indexing.cancel`).
PARTS_FOLDER = ".parts"


def _staged(folder: Path, stage: Path) -> str:
    """Shell: ``folder`` moved into ``stage`` (made) and linked from where it was
    (nothing, when there is no ``folder``)."""
    source, into = shlex.quote(str(folder)), shlex.quote(str(stage))
    moved = shlex.quote(str(stage / folder.name))
    return (
        f"{{ ! [ -d {source} ] || {{ mkdir -p {into} && mv {source} {into}/ "
        f"&& ln -s {moved} {source}; }}; }}"
    )


#: The folders of a merged Pagefind index whose files belong to one language (named
#: ``<lang>_<hash>``): one language's may be copied into the site while another is
#: indexed.  (Its pages' files, ``fragment``, the merge writes into the site itself.)
LANGUAGE_FOLDERS = ("index", "filter")


def _moved(folder: Path, target: Path) -> str:
    """Shell: ``folder``'s files copied into ``target`` (made if need be), then deleted
    (nothing, when there is no ``folder``)."""
    source, into = shlex.quote(str(folder)), shlex.quote(str(target))
    return (
        f"{{ ! [ -d {source} ] || {{ mkdir -p {into} && cp -R {source}/. {into} "
        f"&& rm -rf {source}; }}; }}"
    )


def _keep(output: Path, keep: Path) -> str:
    """Shell: a run's ``output`` kept as ``keep`` (linked), complete or not at all: made
    under another name first (what a stopped run left of that is deleted later)."""
    new = keep.with_name(keep.name + ".new")
    return (
        f"{{ rm -rf {shlex.quote(str(new))} && {_linked_copy(output, new)} "
        f"&& {shlex.join(['mv', str(new), str(keep)])}; }}"
    )


def _linked_copy(source: Path, target: Path) -> str:
    """Shell: ``target`` (not there yet) made a copy of the folder ``source`` whose files
    are hard links to ``source``'s (copied when on another file system).  Moving or
    deleting one's files leaves the other's as they are."""
    linked = shlex.join(["cp", "-R", "-l", str(source), str(target)])
    copied = shlex.join(["cp", "-R", str(source), str(target)])
    return f"{{ {linked} 2>/dev/null || {{ rm -rf {shlex.quote(str(target))} && {copied}; }}; }}"


def part_key(site: Path, glob: str, pagefind: Path) -> str | None:
    """What one Pagefind run over the pages of ``site`` matching ``glob`` (a language's
    part) depends on, as a name: the Pagefind binary, the glob, and the pages (path and
    bytes) in the order the folder lists them, the order Pagefind numbers them in.  None
    for a glob that names no one folder of pages, or a part with no page written (packed
    copies are written just before their run reads them: nothing to name them by)."""
    split = _split_glob(glob)
    if split is None:
        return None
    folder, rest = split
    base = Path(site, folder)
    names = _pages(base, folder, rest, None)
    if not names:
        return None
    stat = os.stat(pagefind)
    digest = hashlib.sha256(f"{pagefind}\0{stat.st_size}\0{stat.st_mtime_ns}\0{glob}".encode())
    for name in names:
        data = (base / name / rest).read_bytes()
        digest.update(f"\0{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()[:40]


def kept_parts(
    groups: list[list[tuple[Path, str]]], folder: Path, pagefind: Path
) -> dict[tuple[int, int], Path]:
    """Where the index of each part of ``groups`` (:func:`split_runs`) is kept in
    ``folder`` between runs: a folder named by :func:`part_key`, there when an earlier run
    indexed the same pages.  A language indexed in one run has none (nothing to merge it
    with: a change anywhere is a change of its one run)."""
    found = {}
    for number, group in enumerate(groups):
        if len(group) < 2:
            continue
        for part, (site, glob) in enumerate(group):
            key = part_key(site, glob, pagefind)
            if key is not None:
                found[(number, part)] = Path(folder, key)
    return found


def _globbed_folder(site: Path, glob: str) -> Path | None:
    """The folder of ``site`` a glob such as ``es/providers/*/index.html`` reads pages
    from (None when it names no one folder)."""
    split = _split_glob(glob)
    return Path(site, split[0]) if split is not None and split[0] else None


def _split_glob(glob: str) -> tuple[str, str] | None:
    """``(folder, rest)`` of a glob ``<folder>/*/<rest>`` with no other wildcard (a
    language's listing pages: ``es/providers/*/index.html``); None for any other glob."""
    folder, star, rest = glob.partition("/*/")
    if not star or any(c in folder + rest for c in "*?[{"):
        return None
    return folder, rest


def _executable() -> Path:
    from pagefind.service import get_executable

    found = get_executable()
    if found is None:
        raise WaystationError("Pagefind is not installed (pip package 'pagefind[bin]')")
    return found


class Indexing:
    """A running Pagefind process indexing ``site`` into ``site/pagefind``.

    ``glob`` is one glob (one Pagefind run over every page it matches) or a list of
    globs, one per language (:func:`listing_globs`): then Pagefind runs once per glob,
    one run after the other, each making one language's index, and :meth:`wait` joins
    their ``pagefind-entry.json``.  Pagefind holds a whole index in memory until it has
    written it (about 80 KB per page: 8 GB for the 96,000 listing pages of 50,000
    listings, upstream Pagefind issue #842), and its index of a language does not depend
    on the other languages' pages, so the runs one after the other write the same files
    as one run over them all (tested) with half the peak memory for two languages.  A
    glob that matches no page is left out (Pagefind fails on it).

    With ``source`` (a folder of small copies of the site's listing pages, at the same
    paths: ``search_page.html``), Pagefind reads those instead, and the folder is
    deleted once the index is made.  Pagefind writes its index into a folder beside
    that one (in memory, see :func:`scratch_dir`), and one ``cp`` copies it into the
    site when it is done: Pagefind writes its ~20,000 files from dozens of threads at
    once, which on a journaling disk cost three times the system time of one process
    writing them in turn.

    With ``source`` and ``part_pages`` (``PAGEFIND_PART_PAGES``), a language with more
    pages than that is indexed in parts, one Pagefind run per part, and the parts'
    indexes merged into the one index a single run writes (:func:`split_runs`,
    :mod:`waystation.search.pagefind_format`): Pagefind's memory is then one part's.
    """

    def __init__(
        self,
        site: Path,
        glob: str | list[str],
        source: Path | None = None,
        in_place: bool = False,
        part_pages: int = 0,
        kept: Path | None = None,
        keep_only: bool = False,
    ):
        self.site = Path(site).resolve()
        self.target = self.site / "pagefind"
        self.source = source
        #: Only index the parts not kept in ``kept`` yet, to keep them: the site and its
        #: index untouched (:func:`keep_parts`).
        self.keep_only = keep_only and kept is not None and source is not None
        #: Update the index in place (``make devserver``): Pagefind writes elsewhere, and
        #: only the files whose bytes changed are written into the site, the others kept
        #: (mtime and all); files of the old index not in the new one are deleted.  Parts
        #: kept only run in place too: nothing of the site's index is deleted first, and
        #: :meth:`wait` then writes nothing into it.
        self.in_place = (in_place or self.keep_only) and source is not None
        if self.target.exists() and not self.in_place:
            shutil.rmtree(self.target)
        read = str(source) if source is not None else str(self.site)
        globs = [glob] if isinstance(glob, str) else list(glob)
        packs = search_packs.folder_of(source) if source is not None else None
        packed = search_packs.entries(packs) if packs is not None else None
        if len(globs) > 1:
            globs = [g for g in globs if _matches(Path(read), g, packed)] or globs[:1]
        shell = os.path.exists(SHELL)
        self._written: Path | None = None
        #: How many parts were not indexed again, their index kept from an earlier run
        #: (``kept``: see :func:`start`); and which of the kept ones this run uses.
        self.parts_reused = 0
        #: How many Pagefind runs (parts) the index is made of.
        self.runs = 1
        self._kept: tuple[Path | None, set[str]] = (None, set())
        if shell or self.in_place:
            parent = source.parent if source is not None else scratch_dir()
            self._written = Path(tempfile.mkdtemp(prefix="waystation-pagefind-index-", dir=parent))
        if shell:
            assert self._written is not None
            groups = [[(Path(read), g)] for g in globs]
            if source is not None and part_pages > 0:
                groups = split_runs(
                    Path(read), globs, part_pages, self._written, not self.in_place, packed
                )
            self._parts = len(groups)
            self.runs = sum(map(len, groups))
            tidy = source is not None and not self.in_place
            lists = None
            if packs is not None and packed is not None:  # both or neither
                lists = unpack_lists(groups, packed, packs)
            del packed  # 96,000 entries at 50,000 listings: the lists are on disk now
            early = None if self.in_place else self.target
            pagefind = _executable()
            parts_kept = kept_parts(groups, kept, pagefind) if kept is not None else {}
            self.parts_reused = sum(folder.is_dir() for folder in parts_kept.values())
            self._kept = (kept, {folder.name for folder in parts_kept.values()})
            script = _script(
                str(pagefind), groups, self._written, tidy, lists, early, parts_kept,
                merge=not self.keep_only,
            )  # fmt: skip
            if not self.in_place:  # in place: the runs' folders are joined by wait()
                for n in range(len(groups)):
                    run = str(self._written / str(n))
                    script += "\n" + shlex.join(["cp", "-R", f"{run}/.", str(self.target)])
                    # Copied: in memory (tmpfs) only the entry stays, which wait() reads
                    # (about 0.4 GB at 50,000 listings, held until the build's end when
                    # the page renderers outlast Pagefind).
                    script += "\n" + shlex.join(
                        ["find", run, "-mindepth", "1", "-maxdepth", "1", "!", "-name"]
                        + ["pagefind-entry.json", "-exec", "rm", "-rf", "{}", "+"]
                    )
            command = [SHELL, "-c", script]
        else:  # one run over every glob, straight into the site (or its scratch folder)
            if source is not None and packed is not None:
                search_packs.unpack_all(source, packed)  # every copy now: no runs
            self._parts = 1 if self.in_place else 0
            output = self._written / "0" if self._written is not None else self.target
            joined = globs[0] if len(globs) == 1 else "{" + ",".join(globs) + "}"
            command = [str(_executable()), "--site", read, "--glob", joined]
            command += ["--output-path", str(output), "--quiet"]
        # Its own empty working folder and no PAGEFIND_* variables: Pagefind reads a
        # pagefind.{json,toml,yml} config file from its working folder and options from
        # the environment; neither may change the index.
        env = {k: v for k, v in os.environ.items() if not k.upper().startswith("PAGEFIND_")}
        self._workdir = tempfile.TemporaryDirectory(prefix="waystation-pagefind-")
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by wait()
        try:
            # Its own process group: cancel() stops the copy and Pagefind alike.
            self._process: subprocess.Popen | None = subprocess.Popen(
                command,
                cwd=self._workdir.name,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                process_group=0,
            )
        except OSError as error:
            self._cleanup()
            raise WaystationError(f"Pagefind could not start: {error}") from None
        self.pages: int | None = None

    def _cleanup(self) -> None:
        self._log.close()
        self._workdir.cleanup()
        if not self.in_place:  # left by a run stopped before its parts were merged
            shutil.rmtree(self.target / PARTS_FOLDER, ignore_errors=True)
        if self.source is not None:
            search_packs.remove(self.source)
        if self._written is not None:
            shutil.rmtree(self._written, ignore_errors=True)

    def _runs(self) -> list[Path]:
        """The folders the runs wrote (one per language: its parts already merged)."""
        assert self._written is not None
        return [self._written / str(part) for part in range(self._parts)]

    def done(self) -> bool:
        """Whether Pagefind has ended (:meth:`wait` then does not wait for it)."""
        process = self._process
        return self.pages is not None or (process is not None and process.poll() is not None)

    def wait(self) -> int:
        """Join the process; finish the index; return how many pages were indexed."""
        if self.pages is not None:
            return self.pages
        process = self._process
        if process is None:
            raise WaystationError(f"Pagefind was stopped before it indexed {self.site}")
        try:
            code = process.wait()
            self._log.seek(0)
            log = self._log.read().decode("utf-8", "replace").strip()
            if code == 0 and self.keep_only:
                pass  # the parts are kept: nothing merged, nothing to write
            elif code == 0 and self.in_place:
                assert self._written is not None
                merged = self._written / "merged"
                for run in self._runs():
                    shutil.copytree(run, merged, dirs_exist_ok=True)
                if self._parts > 1:
                    pagefind_format.join_entries(self._runs(), merged)
                for name in UNUSED_FILES:
                    (merged / name).unlink(missing_ok=True)
                pagefind_format.canonicalize(merged)
                sync_folder(merged, self.target)
            elif code == 0 and self._written is not None and self._parts > 1:
                pagefind_format.join_entries(self._runs(), self.target)
            if code == 0:
                _forget_other_parts(*self._kept)
        finally:
            self._process = None
            self._cleanup()
        if code != 0:
            raise WaystationError(f"Pagefind could not index {self.site} (exit {code}): {log}")
        if self.keep_only:
            self.pages = 0
            return 0
        for name in UNUSED_FILES:
            (self.target / name).unlink(missing_ok=True)
        if not self.in_place:
            pagefind_format.canonicalize(self.target)
        found = (self.target / "pagefind-entry.json").exists()
        entry = pagefind_format.read_entry(self.target) if found else {}
        self.pages = sum(int(v.get("page_count", 0)) for v in entry.get("languages", {}).values())
        return self.pages

    def cancel(self) -> None:
        """Stop the process (a step failed: its index would not be used)."""
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        self._cleanup()


def _forget_other_parts(folder: Path | None, used: set[str]) -> None:
    """Delete the parts' indexes kept in ``folder`` that the last run did not use (their
    pages changed since), and what a stopped run left half made."""
    if folder is None or not folder.is_dir():
        return
    for path in folder.iterdir():
        if path.name not in used:
            shutil.rmtree(path, ignore_errors=True)


def sync_folder(source: Path, target: Path) -> None:
    """Make ``target`` hold what ``source`` holds, writing only files whose bytes differ
    and deleting what ``source`` lacks (with its empty folders)."""
    source, target = Path(source), Path(target)
    wanted: set[str] = set()
    for dirpath, _dirnames, filenames in os.walk(source):
        for name in filenames:
            path = os.path.join(dirpath, name)
            relative = os.path.relpath(path, source)
            wanted.add(relative)
            with open(path, "rb") as file:
                data = file.read()
            there = target / relative
            try:
                if there.stat().st_size == len(data) and there.read_bytes() == data:
                    continue
            except OSError:
                there.parent.mkdir(parents=True, exist_ok=True)
            there.write_bytes(data)
    if not target.is_dir():
        return
    for dirpath, _dirnames, filenames in os.walk(target, topdown=False):
        for name in filenames:
            path = os.path.join(dirpath, name)
            if os.path.relpath(path, target) not in wanted:
                os.unlink(path)
        if dirpath != str(target) and not os.listdir(dirpath):
            os.rmdir(dirpath)


#: The indexing under way for each output folder (started, not yet joined).
_RUNNING: dict[Path, Indexing] = {}


@atexit.register
def _cancel_unjoined() -> None:
    """Stop any indexing nobody joined (the build failed after starting it), so no
    Pagefind process goes on writing into the output after the build has ended, and
    delete small pages nobody indexed."""
    while _RUNNING:
        _RUNNING.popitem()[1].cancel()
    while _SOURCES:  # small pages written for an indexing that never started
        search_packs.remove(_SOURCES.popitem()[1])


def start(
    site: Path,
    glob: str | list[str],
    source: Path | None = None,
    in_place: bool = False,
    part_pages: int = 0,
    kept: Path | None = None,
) -> Indexing:
    """Start indexing the pages of ``site`` matching ``glob`` (or each glob of a list, one
    after the other: :class:`Indexing`) in the background (read from their small copies
    in ``source`` when given; ``in_place`` and ``part_pages``: see :class:`Indexing`).

    With ``kept`` (a folder of its own, on the file system of :func:`scratch_dir`), the
    index of each part of a language indexed in parts is kept there, and a later run
    whose part holds the same pages (path and bytes, in the same order) links it in
    instead of running Pagefind over them again: ``make devserver`` indexes again only
    the parts that hold an edited listing's copies.  What a run did not use is deleted
    once it ends."""
    key = Path(site).resolve()
    stop(key)
    indexing = _RUNNING[key] = Indexing(key, glob, source, in_place, part_pages, kept)
    return indexing


def keep_parts(
    site: Path, glob: list[str], source: Path, part_pages: int, kept: Path
) -> Indexing | None:
    """Index in the background each part of ``source``'s pages that ``kept`` does not hold
    yet, only to keep it there (:func:`start`'s ``kept``; ``site`` and its index are not
    touched): a later :func:`start` over the same pages then indexes only the parts whose
    pages changed.  ``make devserver`` starts it once its state is loaded, so that its
    first edit too indexes only its own parts.  Registered like :func:`start`: a later
    :func:`start` for ``site`` stops it (what it kept by then stays kept), and
    :func:`join_if_done` joins it.  None where no shell runs the parts."""
    if not os.path.exists(SHELL):
        search_packs.remove(source)
        return None
    key = Path(site).resolve()
    stop(key)
    indexing = Indexing(key, glob, source, part_pages=part_pages, kept=kept, keep_only=True)
    _RUNNING[key] = indexing
    return indexing


def join_if_done(site: Path) -> None:
    """Join the indexing of ``site`` if it has ended (one nobody waits for:
    :func:`keep_parts`'s); raise its failure like :func:`wait`."""
    key = Path(site).resolve()
    indexing = _RUNNING.get(key)
    if indexing is not None and indexing.done():
        del _RUNNING[key]
        indexing.wait()


def stop(site: Path) -> None:
    """Stop the indexing of ``site`` under way, if any (its index will not be used)."""
    indexing = _RUNNING.pop(Path(site).resolve(), None)
    if indexing is not None:
        indexing.cancel()


# -- what Pagefind reads --------------------------------------------------------------
#
# Pagefind reads from a listing page only its <html lang> and the data-pagefind-body
# block (the title comes from data-pagefind-meta inside it), yet parsing the whole pages
# was a third of its time.  So the page renderer first writes, for each listing page, a
# small page holding just those (theme/templates/search_page.html) into a folder of its
# own (new_source_folder(), in memory-backed /dev/shm where there is one: 19,000 small
# files and folders cost the disk's journal far more than Pagefind saves), starts the
# indexing, which reads that folder (remember_source()), and then writes the pages.  The
# index is the same as Pagefind's crawl of the published pages (tests/test_search_index.py).

_SOURCES: dict[Path, Path] = {}
#: Where the small pages go: a RAM-backed file system if the machine has one.
SCRATCH_DIRS = ("/dev/shm",)  # noqa: S108 - only mkdtemp()'s private folders in it


#: Free space a scratch folder must have: the small pages and the index of 10,000
#: listings take about 160 MB there (a container's /dev/shm is often only 64 MB).
SCRATCH_MIN_FREE = 1 << 30


def scratch_dir() -> str | None:
    """The first writable :data:`SCRATCH_DIRS` folder with :data:`SCRATCH_MIN_FREE` bytes
    free (None: the system's temporary folder)."""
    for folder in SCRATCH_DIRS:
        if not (os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK)):
            continue
        stats = os.statvfs(folder)
        if stats.f_bavail * stats.f_frsize >= SCRATCH_MIN_FREE:
            return folder
    return None


def new_source_folder(prefix: str = "waystation-search-source-") -> Path:
    """An empty, private folder for the small pages of one build (deleted after indexing),
    or with another ``prefix``, for other scratch files of the indexing."""
    try:
        return Path(tempfile.mkdtemp(prefix=prefix, dir=scratch_dir()))
    except OSError:
        return Path(tempfile.mkdtemp(prefix=prefix))


def prepare_source(output: Path) -> Path:
    """A new small-page folder for ``output``'s listing pages, remembered for its indexing
    (the page renderer writes into it; the indexing reads it, then deletes it).  What a
    build killed before its parts were merged left in the site (:data:`PARTS_FOLDER`) is
    deleted first: no later step would, and it would be published."""
    shutil.rmtree(Path(output, "pagefind", PARTS_FOLDER), ignore_errors=True)
    folder = new_source_folder()
    remember_source(output, folder)
    return folder


def remember_source(output: Path, folder: Path) -> None:
    """Index ``output``'s listing pages from their small copies in ``folder``."""
    key = Path(output).resolve()
    previous = _SOURCES.pop(key, None)
    if previous is not None and previous != folder:
        search_packs.remove(previous)
    _SOURCES[key] = folder


def forget_source(output: Path) -> Path | None:
    """The small-page folder remembered for ``output`` (now forgotten), if any."""
    return _SOURCES.pop(Path(output).resolve(), None)


def wait(site: Path) -> int | None:
    """Join the indexing of ``site`` started by :func:`start`, if any; its page count."""
    indexing = _RUNNING.pop(Path(site).resolve(), None)
    return None if indexing is None else indexing.wait()


def index_site(site: Path, glob: str | list[str]) -> int:
    """Index the pages of ``site`` matching ``glob``; return how many pages were read."""
    start(site, glob)
    return wait(site) or 0


# -- identical rebuilds -------------------------------------------------------------
#
# The index's format, and making it the same bytes for the same pages (Pagefind writes
# its filters in hash-map order), are :mod:`waystation.search.pagefind_format`'s.


def part_pages(settings: dict[str, Any]) -> int:
    """The most pages one Pagefind run indexes (``PAGEFIND_PART_PAGES``; 0: no limit)."""
    return int(settings.get("PAGEFIND_PART_PAGES") or 0)


def _has_listings(output: Path) -> bool:
    """Whether ``output`` (the site, or the small pages' folder) holds listing pages."""
    if any((Path(output) / "providers").glob("*/index.html")):
        return True
    return search_packs.holds(output, "providers")


def _matches(read: Path, glob: str, packed: dict[str, Any] | None) -> bool:
    """Whether ``glob`` matches a page of ``read`` (or one of its packed copies)."""
    if next(read.glob(glob), None) is not None:
        return True
    split = _split_glob(glob)
    if packed is None or split is None:
        return False
    folder, rest = split
    base = read / folder
    return base.is_dir() and bool(_pages(base, folder, rest, packed))


def start_early(directory: Any, output: Path, settings: dict[str, Any]) -> Indexing | None:
    """Early start of :func:`start_pagefind_index` (:data:`waystation.build.postbuild.EARLY`):
    index as soon as what it reads is written, the small copies of the listing pages (the
    page renderer writes them first, then calls this before it writes the pages), or else
    the listing pages (written first, then this is called before the other pages)."""
    key = Path(output).resolve()
    source = _usable_source(output)
    if source is not None and _has_listings(source):
        return start(key, listing_globs(settings), source, part_pages=part_pages(settings))
    if _has_listings(output):
        return start(key, listing_globs(settings))
    if source is not None:
        remember_source(output, source)  # nothing to index yet: for the step to decide
    return None


def start_pagefind_index(directory: Any, output: Path, settings: dict[str, Any]) -> Indexing | None:
    """Post-build step: start indexing the listing pages in the background.

    Returns the running indexing (:mod:`waystation.build.postbuild` joins it at the latest
    before the CSP step rewrites the pages); ``write_search_data``, which carries
    Pagefind's page ids, joins it first (:func:`wait`).
    """
    source = _usable_source(output)
    if not _has_listings(output):
        if source is not None:
            search_packs.remove(source)
        return None  # no listing pages written (a data-only run): nothing to index
    return start(Path(output), listing_globs(settings), source, part_pages=part_pages(settings))


def _usable_source(output: Path) -> Path | None:
    source = forget_source(output)
    return source if source is not None and source.is_dir() else None


def build_pagefind_index(directory: Any, output: Path, settings: dict[str, Any]) -> None:
    """Post-build step: index the listing pages, and wait for it."""
    if _has_listings(output):
        index_site(Path(output), listing_globs(settings))
