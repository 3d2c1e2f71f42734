"""Incremental builds: what the last build wrote, and whether a page must be written again.

A build with Pelican's caches on (``CACHE_CONTENT`` and ``LOAD_CONTENT_CACHE``, as in
``pelicanconf.py``) keeps a manifest in the cache folder (``CACHE_PATH``), one per output
folder: every output file's SHA-256, size and mtime, each planned page's fingerprint,
and the fingerprint of all the build's inputs.  The next build uses it three ways:

1. **Nothing changed** (:func:`inputs_fingerprint` equal to the manifest's, and every
   file of the manifest still on disk with its size and mtime): the Waystation build
   writes nothing; only Pelican's own pages are written (by Pelican) and checked by the
   CSP step.
2. **A page whose fingerprint is unchanged** and whose file is as the last build left
   it is not rendered (:class:`PageCheck`).  A page's fingerprint hashes its template
   and everything that template includes, extends, imports or names as a partial
   (:class:`TemplateFingerprints`), the translation catalogs and the Waystation code
   (:func:`code_fingerprint`), the settings every template reads, the page's context,
   and, for a page that lists listings (browse pages), each listed listing's published
   view (its card).  A page rendered again whose bytes equal the file on disk is not
   written either: its mtime and inode stay.
3. **At the end** (:func:`finish`): files of the last build that this build did not
   produce (a listing removed, renamed, or a page no longer planned) are deleted; files
   the post-build steps wrote again with the same bytes as before (exports, search data,
   the Pagefind index, Pelican's pages) get their previous mtime back, so a static host
   or ``rsync`` sees only what changed; the new manifest is written.

A fingerprint that cannot be computed the same way twice (a setting whose value prints
with a memory address) makes the page render again: never a stale page.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from waystation.site.pages import BrowseEntries

#: Bump when the manifest's shape or the fingerprints' recipe changes.
MANIFEST_VERSION = 1

PACKAGE = Path(__file__).resolve().parent.parent


def enabled(settings: dict[str, Any]) -> bool:
    """Whether the build keeps a manifest: with Pelican's content cache on (the same
    switch as Waystation's listing cache)."""
    return bool(settings.get("CACHE_CONTENT") and settings.get("LOAD_CONTENT_CACHE"))


def manifest_path(settings: dict[str, Any], output: Path) -> Path:
    """The manifest of ``output`` in the cache folder: one per output folder, named after
    the output's path relative to the cache folder (so a project moved or copied whole,
    cache and output together, keeps its manifest)."""
    cache = Path(settings["CACHE_PATH"]).resolve()
    relative = os.path.relpath(Path(output).resolve(), cache)
    key = hashlib.sha256(relative.encode()).hexdigest()[:16]
    return cache / f"waystation-manifest-{key}.json"


@dataclass
class Manifest:
    """What a build wrote: ``files`` {relative path: [sha256, size, mtime_ns]},
    ``pages`` {page file: fingerprint}, and ``inputs`` (the whole build's fingerprint)."""

    files: dict[str, list] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)
    inputs: str = ""

    @classmethod
    def load(cls, path: Path) -> Manifest:
        """The manifest at ``path``; an empty one when it is missing, unreadable or of
        another version (the build is then a full one)."""
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(raw, dict) or raw.get("version") != MANIFEST_VERSION:
            return cls()
        return cls(raw.get("files", {}), raw.get("pages", {}), raw.get("inputs", ""))

    def save(self, path: Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "version": MANIFEST_VERSION,
            "inputs": self.inputs,
            "pages": self.pages,
            "files": self.files,
        }
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, sort_keys=True, separators=(",", ":")), "utf-8")
        os.replace(temporary, path)

    def unchanged_on_disk(self, output: Path) -> bool:
        """Whether every file of the manifest is on disk with its size and mtime."""
        if not self.files:
            return False
        for relative, (_sha, size, mtime_ns) in self.files.items():
            try:
                stat = os.stat(os.path.join(output, relative))
            except OSError:
                return False
            if (stat.st_size, stat.st_mtime_ns) != (size, mtime_ns):
                return False
        return True


def _hash_file(path: str | Path) -> str:
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def _hash_tree(digest: Any, folder: Path, skip: Iterable[Path] = ()) -> None:
    """Add every file under ``folder`` (path and bytes, in sorted order) to ``digest``."""
    skipped = {str(Path(s).resolve()) for s in skip}
    folder = Path(folder)
    if folder.is_file():
        digest.update(b"F" + str(folder).encode() + b"\0")
        digest.update(_hash_file(folder).encode())
        return
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if str(Path(dirpath, d).resolve()) not in skipped and d != "__pycache__"
        )
        for name in sorted(filenames):
            if name.endswith((".pyc", ".tmp")):
                continue
            path = os.path.join(dirpath, name)
            digest.update(os.path.relpath(path, folder).encode() + b"\0")
            with open(path, "rb") as file:
                digest.update(hashlib.sha256(file.read()).digest())


@functools.cache
def code_fingerprint() -> str:
    """The Waystation package: its code, data (vocabularies) and translation catalogs."""
    digest = hashlib.sha256()
    _hash_tree(digest, PACKAGE)
    return digest.hexdigest()


_ADDRESS = re.compile(r" at 0x[0-9a-f]+")


def _default(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, BrowseEntries):
        return list(value)  # the entries it reads as: as they were when planned as lists
    return repr(value)


def canonical(value: Any) -> bytes:
    """``value`` as sorted JSON (unknown objects by ``repr``): the same bytes for equal
    values, in any process."""
    return json.dumps(
        value, sort_keys=True, default=_default, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")


#: Settings that say where the build reads and writes.  As absolute paths they print in
#: no output (a page names a listing file by its name under "providers/"); the folders'
#: contents are hashed instead (:func:`inputs_fingerprint`), so a project moved or copied
#: whole keeps its manifest.
LOCATIONS = frozenset({"PATH", "OUTPUT_PATH", "CACHE_PATH", "THEME", "PROVIDERS_PATH"})


def settings_fingerprint(settings: dict[str, Any]) -> str:
    """The settings (every upper-case one: templates may read them all), but
    :data:`LOCATIONS` given as absolute paths.  A value that prints with a memory address
    (a function) is hashed by its name alone."""
    values = {
        k: v
        for k, v in settings.items()
        if k.isupper() and not (k in LOCATIONS and isinstance(v, str) and os.path.isabs(v))
    }
    text = _ADDRESS.sub("", canonical(values).decode("utf-8"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def git_head(folder: Path) -> str:
    """The commit checked out where ``folder`` is (listing pages show git history)."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return proc.stdout.strip() if proc.returncode == 0 else ""


def inputs_fingerprint(settings: dict[str, Any], project_root: Path, today: dt.date) -> str:
    """Everything a build reads: the listing files, the content pages, the theme, every
    file a setting names, the Waystation code and catalogs, the settings, the date the
    build treats as today and the git commit (listing history)."""
    digest = hashlib.sha256()
    digest.update(f"{MANIFEST_VERSION}\0{today.isoformat()}\0".encode())
    digest.update(settings_fingerprint(settings).encode())
    digest.update(code_fingerprint().encode())
    providers = Path(project_root, settings.get("PROVIDERS_PATH") or "providers")
    skip = [
        Path(settings.get(name) or "")
        for name in ("CACHE_PATH", "OUTPUT_PATH")
        if settings.get(name)
    ]
    for name in ("PROVIDERS_PATH", "PATH", "THEME"):
        value = settings.get(name)
        if not value:
            continue
        folder = Path(project_root, value) if name == "PROVIDERS_PATH" else Path(value)
        digest.update(f"\0{name}\0".encode())
        if folder.exists():
            _hash_tree(digest, folder, skip)
    for name, value in sorted(settings.items()):
        if name.isupper() and isinstance(value, str) and name not in ("PATH", "THEME"):
            path = Path(project_root, value)
            if value and path.is_file():
                digest.update(f"\0{name}\0".encode())
                digest.update(_hash_file(path).encode())
    digest.update(git_head(providers if providers.exists() else project_root).encode())
    return digest.hexdigest()


#: A quoted template name in a template's source: what it includes, extends, imports,
#: or renders through a helper (``partial("partials/csp.html")``, ``cached(…)``).
_TEMPLATE_NAME = re.compile(r"""["']([\w./-]+\.(?:html|xml|txt|js))["']""")

_COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)

#: A template named by an expression, not a literal (``{% include "x/" ~ name %}``,
#: ``partial(name)``): which one cannot be read from the source, so a template holding
#: one depends on every template.
_DYNAMIC_NAME = re.compile(
    r"""\{%-?\s*(?:include|extends|import|from)\s+(?!["'][^"'~+]*["']\s*(?:-?%\}|ignore|with|without|import|as))"""
    r"""|\b(?:partial|cached)\(\s*(?![)]|["'][^"']*["']\s*[,)])"""
)


class TemplateFingerprints:
    """Each template's fingerprint: its source and that of every template it names,
    over and over (the closure), plus ``base`` (code, catalogs, settings)."""

    def __init__(self, template_dirs: list[Path], base: str):
        self._dirs = [Path(d) for d in template_dirs]
        self._base = base
        self._sources: dict[str, bytes | None] = {}
        self._made: dict[str, str] = {}

    def _source(self, name: str) -> bytes | None:
        if name not in self._sources:
            for folder in self._dirs:
                path = folder / name
                if path.is_file():
                    self._sources[name] = path.read_bytes()
                    break
            else:
                self._sources[name] = None
        return self._sources[name]

    def _all(self) -> set[str]:
        names = set()
        for folder in self._dirs:
            for path in folder.rglob("*"):
                if path.is_file():
                    names.add(path.relative_to(folder).as_posix())
        return names

    def get(self, name: str) -> str:
        found = self._made.get(name)
        if found is None:
            seen, todo = set(), [name]
            while todo:
                current = todo.pop()
                if current in seen:
                    continue
                seen.add(current)
                source = self._source(current)
                if source is not None:
                    text = _COMMENT.sub("", source.decode("utf-8", "replace"))
                    if _DYNAMIC_NAME.search(text):
                        todo.extend(self._all())
                    todo.extend(_TEMPLATE_NAME.findall(text))
            digest = hashlib.sha256(self._base.encode())
            for current in sorted(seen):
                source = self._source(current)
                digest.update(current.encode() + b"\0")
                digest.update(hashlib.sha256(source or b"").digest())
            found = self._made[name] = digest.hexdigest()
        return found


def listed_ids(value: Any, found: list[str]) -> None:
    """The ids of the listing entries (``{id, marks, based_in}``, or
    :class:`~waystation.site.pages.BrowseEntries`) anywhere in ``value``."""
    if isinstance(value, BrowseEntries):
        found.extend(value.ids)
    elif isinstance(value, dict):
        if "id" in value and "marks" in value:
            found.append(str(value["id"]))
        for item in value.values():
            if isinstance(item, _NESTED):
                listed_ids(item, found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            if isinstance(item, _NESTED):
                listed_ids(item, found)


#: What :func:`listed_ids` looks into.
_NESTED = (dict, list, tuple, BrowseEntries)


class PageCheck:
    """Decides, in a page renderer's process, whether a planned page must be rendered."""

    def __init__(
        self,
        previous: Manifest,
        output: Path,
        templates: TemplateFingerprints,
        public,
    ):
        self.previous = previous
        self.output = Path(output)
        self.templates = templates
        self._public = public  # public(listing_id, lang) -> the listing's published view
        self._listings: dict[tuple[str, str], bytes] = {}

    def fingerprint(self, template: str, context: dict[str, Any], extra: str = "") -> str:
        digest = hashlib.sha256(self.templates.get(template).encode())
        digest.update(extra.encode() + b"\0")
        digest.update(canonical(context))
        ids: list[str] = []
        listed_ids(context, ids)
        lang = str(context.get("lang", ""))
        for listing_id in ids:
            key = (listing_id, lang)
            card = self._listings.get(key)
            if card is None:
                card = self._listings[key] = hashlib.sha256(
                    canonical(self._public(listing_id, lang))
                ).digest()
            digest.update(card)
        return digest.hexdigest()

    def unchanged(self, save_as: str, fingerprint: str) -> os.stat_result | None:
        """The file's stat when its page need not be rendered again (same fingerprint,
        file as the last build left it); else None."""
        if self.previous.pages.get(save_as) != fingerprint:
            return None
        known = self.previous.files.get(save_as)
        if known is None:
            return None
        try:
            stat = os.stat(self.output / save_as)
        except OSError:
            return None
        if (stat.st_size, stat.st_mtime_ns) != (known[1], known[2]):
            return None
        return stat


def _files(output: Path, only: Iterable[str] | None):
    """(relative path, path) of every file under ``output`` in sorted order, or of
    ``only``."""
    if only is not None:
        for relative in sorted(set(only)):
            yield relative, os.path.join(output, relative)
        return
    for dirpath, dirnames, filenames in os.walk(output):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            yield os.path.relpath(path, output).replace(os.sep, "/"), path


def clock_now(folder: Path) -> int:
    """The file system's clock now, in ns (the mtime of a file made now in ``folder``):
    files written from now on have an mtime at least this."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    probe = folder / f".waystation-clock-{os.getpid()}"
    probe.write_bytes(b"")
    try:
        return probe.stat().st_mtime_ns
    finally:
        probe.unlink()


def finish(
    output: Path,
    previous: Manifest,
    planned: dict[str, str],
    inputs: str,
    started_ns: int,
    keep_under: Iterable[str] = (),
    delete: bool = True,
    only: Iterable[str] | None = None,
) -> tuple[Manifest, list[str]]:
    """The new manifest of ``output``, once every step has written; deletes what the last
    build wrote and this one did not; returns (manifest, deleted files).

    A file this build produced is a planned page (``planned``: {file: fingerprint}), a
    file written, linked or copied since ``started_ns`` (its ctime), or a file under one
    of ``keep_under`` (Pelican copies the theme's files only when they changed).  A file
    the last build wrote that this one did not produce is deleted (with its folders, once
    empty).  A file written again with the bytes it had gets its previous mtime back.
    Files no build wrote (put there by hand) are left alone.  With ``delete`` false (a
    build that wrote nothing of its own: nothing changed), nothing is deleted.  With
    ``only`` (the files the build may have written: Pelican's pages, when nothing
    changed), only those and the files under ``keep_under`` are looked at; the rest of
    the manifest is kept as it was.
    """
    output = Path(output)
    keep = tuple(k.rstrip("/") + "/" for k in keep_under)
    files: dict[str, list] = {}
    if only is not None:
        files = {relative: list(entry) for relative, entry in previous.files.items()}
        # Pelican copies the theme's files again too (same bytes, a new mtime).
        only = set(only)
        for folder in keep:
            only.update(f"{folder}{r}" for r, _ in _files(output / folder, None))
    for relative, path in _files(output, only):
        try:
            stat = os.stat(path)
        except OSError:
            files.pop(relative, None)
            continue
        old = previous.files.get(relative)
        if old is not None and (stat.st_size, stat.st_mtime_ns) == (old[1], old[2]):
            entry = list(old)
        else:
            sha = _hash_file(path)
            mtime = stat.st_mtime_ns
            if old is not None and old[0] == sha and old[1] == stat.st_size:
                os.utime(path, ns=(stat.st_atime_ns, old[2]))
                mtime = old[2]
            entry = [sha, stat.st_size, mtime]
        # ctime, not mtime: a file linked or copied in with its mtime kept (the ZIP
        # shards, from their cache) was still put there now.
        if stat.st_ctime_ns >= started_ns:
            entry.append(True)  # produced now (dropped below)
        files[relative] = entry
    deleted = []
    for relative in sorted(set(previous.files) & set(files)):
        produced = relative in planned or relative.startswith(keep) or len(files[relative]) == 4
        if delete and not produced:
            os.unlink(output / relative)
            del files[relative]
            deleted.append(relative)
    for relative in deleted:
        parent = (output / relative).parent
        while parent != output and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    for entry in files.values():
        del entry[3:]
    return Manifest(files, dict(planned), inputs), deleted
