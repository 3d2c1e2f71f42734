"""A listing's history: when its file changed and which fields changed, read from git.

Used on each listing page ("changes to this listing").  The history is built from
what changed, never from what someone typed: an entry is a date, whether the listing
was added or changed, and the paths of the fields that differ between the two
versions of the file (``location.city``, ``phones[0].number``, ``description``).
Commit messages, authors and field values are not kept: they are free text, and may
name a confidential place.  What of an entry may be shown is decided by
:func:`waystation.publish.public_history`.

All files' histories come from one ``git log`` call, not one per listing, and the
old versions from one ``git cat-file --batch`` call.  A build outside a git checkout
(a downloaded archive) still works: the history is then empty.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from waystation.records.field_changes import compare
from waystation.records.git_objects import GitUnavailable, read_blobs, run_git
from waystation.records.listing_versions import read_versions

#: How many of a listing's most recent changes are read (its page shows them all).
ENTRIES = 10

_SEP = "\x1f"
_START = "\x1e"
_NO_BLOB = "0" * 40
_FILE_MODES = ("100644", "100755")


@dataclass(frozen=True)
class HistoryEntry:
    commit: str
    date: dt.date
    kind: str  # "added" or "changed"
    fields: tuple[str, ...] = ()  # the flattened paths that changed ("description": the text)


@dataclass(frozen=True)
class _Change:
    commit: str
    date: dt.date
    old_blob: str  # _NO_BLOB when the file was added
    new_blob: str


def _log(root: Path, folder: str) -> dict[str, list[_Change]]:
    """Every change to a regular file under ``folder``, by path, newest first."""
    out = run_git(
        root,
        "log",
        "--no-merges",
        "--date=short",
        f"--format={_START}%H{_SEP}%ad",
        "-z",
        "--raw",
        "--no-abbrev",
        "--no-renames",
        "--",
        folder,
        timeout=60,
    ).decode("utf-8", "surrogateescape")
    changes: dict[str, list[_Change]] = defaultdict(list)
    for chunk in out.split(_START):
        header, _, raw = chunk.partition("\0")
        commit, _, date = header.partition(_SEP)
        try:
            day = dt.date.fromisoformat(date.strip())
        except ValueError:
            continue
        tokens = raw.lstrip("\n").split("\0")
        for meta, path in zip(tokens[::2], tokens[1::2], strict=False):
            parts = meta.lstrip(":").split(" ")
            if len(parts) != 5 or parts[4] not in ("A", "M", "T"):
                continue  # deletions leave no page to show them on
            old_mode, new_mode, old_blob, new_blob = parts[:4]
            if new_mode not in _FILE_MODES:
                continue  # a symbolic link or a submodule is not a listing file
            if old_mode not in _FILE_MODES:
                old_blob = _NO_BLOB
            changes[path].append(_Change(commit, day, old_blob, new_blob))
    return changes


def repository_histories(
    root: Path, folder: str, entries: int = ENTRIES, cache_file: Path | None = None
) -> dict[str, list[HistoryEntry]]:
    """Every file's most recent ``entries`` changes under ``folder`` (a path relative to
    ``root``).

    Keys are paths relative to ``root`` (``providers/foo.md``); entries are newest
    first.  A change that only reformats the file is left out.  Returns ``{}`` when
    ``root`` is not in a git checkout or git is not installed.  ``cache_file`` keeps
    what each pair of versions changed between builds (git objects never change), so
    a rebuild reads only the versions committed since.
    """
    cache = _PairCache.load(cache_file)
    try:
        changes = _log(root, folder)
        recent = {path: found[:entries] for path, found in changes.items()}
        pairs = {(c.old_blob, c.new_blob) for found in recent.values() for c in found}
        missing = sorted(pair for pair in pairs if not cache.has(pair))
        blobs = read_blobs(root, sorted({b for pair in missing for b in pair} - {_NO_BLOB}))
    except GitUnavailable:
        return {}
    # A blob's name for the reader: the first path it was seen at (its id comes from it).
    names: dict[str, str] = {}
    for path in sorted(recent):
        for change in recent[path]:
            for blob in (change.old_blob, change.new_blob):
                names.setdefault(blob, path)
    versions = read_versions(blobs, names)
    for old_blob, new_blob in missing:
        cache.put((old_blob, new_blob), _changed(versions, old_blob, new_blob))
    histories: dict[str, list[HistoryEntry]] = {}
    for path in sorted(recent):
        found: list[HistoryEntry] = []
        for change in recent[path]:
            paths = cache.get((change.old_blob, change.new_blob))
            if paths is None:
                continue  # a version that could not be read was never published
            if change.old_blob == _NO_BLOB:
                found.append(HistoryEntry(change.commit, change.date, "added"))
            elif paths:
                found.append(HistoryEntry(change.commit, change.date, "changed", paths))
        if found:
            histories[path] = found
    cache.save()
    return histories


def _changed(versions: dict, old_blob: str, new_blob: str) -> tuple[str, ...] | None:
    """The paths that changed from one version to the next; None if the new version
    cannot be read (``()`` for an added file)."""
    new = versions.get(new_blob)
    if new is None or new.data is None:
        return None
    if old_blob == _NO_BLOB:
        return ()
    old = versions.get(old_blob)
    paths = [fc.path for fc in compare(old.data if old else None, new.data)]
    if old is None or old.body.strip() != new.body.strip():
        paths.append("description")
    return tuple(paths)


class _PairCache:
    """``{"old blob:new blob": changed paths or None}`` kept in a JSON file, dropped
    whole when the code that reads and compares versions changes.  Saved with only the
    pairs used in this build; never required (an unreadable file is an empty cache)."""

    VERSION = 1

    def __init__(self, path: Path | None, key: str, pairs: dict | None = None) -> None:
        self.path, self.key = path, key
        self.pairs: dict[str, list[str] | None] = pairs or {}
        self.used: dict[str, list[str] | None] = {}

    @staticmethod
    def fingerprint() -> str:
        from waystation.records import field_changes, file_safety, listing_versions, source

        digest = hashlib.sha256(str(_PairCache.VERSION).encode())
        this = sys.modules[__name__]
        for module in (this, field_changes, file_safety, listing_versions, source):
            digest.update(Path(module.__file__).read_bytes())  # type: ignore[arg-type]
        return digest.hexdigest()

    @classmethod
    def load(cls, path: Path | None) -> _PairCache:
        if path is None:
            return cls(None, "")
        key = cls.fingerprint()
        try:
            stored = json.loads(Path(path).read_text(encoding="utf-8"))
            pairs = stored["pairs"] if stored.get("key") == key else None
            if not isinstance(pairs, dict):
                pairs = None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pairs = None
        return cls(Path(path), key, pairs)

    def has(self, pair: tuple[str, str]) -> bool:
        return ":".join(pair) in self.pairs

    def get(self, pair: tuple[str, str]) -> tuple[str, ...] | None:
        name = ":".join(pair)
        found = self.pairs.get(name)
        self.used[name] = found
        return None if found is None else tuple(found)

    def put(self, pair: tuple[str, str], paths: tuple[str, ...] | None) -> None:
        self.pairs[":".join(pair)] = None if paths is None else list(paths)

    def save(self) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=self.path.parent, prefix=".history-", delete=False
            ) as handle:
                json.dump({"key": self.key, "pairs": self.used}, handle, sort_keys=True)
            os.replace(handle.name, self.path)
        except OSError:
            pass
