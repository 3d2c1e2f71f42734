"""Pagefind's index files, read and written: the one module that knows their format.

Pagefind (1.5) has no option to merge indexes nor to bound its memory: it holds a
language's whole index in memory until it writes it (about 110 KB per page: 5.5 GB for
the 50,000 English listing pages of a national directory, upstream Pagefind issue #842).
So a large language is indexed in parts, one Pagefind run over each part of its pages
after the other, and :func:`merge_runs` merges the parts' indexes into the index one
run over all the pages writes (tested file by file against such a run,
``tests/test_search_pagefind_parts.py``): the search page and Pagefind's own search
script cannot tell the difference.

The files (each ``gzip("pagefind_dcd" + CBOR)`` but the fragments, ``gzip("pagefind_dcd"
+ JSON)``), as Pagefind 1.5's ``index/mod.rs`` writes them:

- ``pagefind.<lang>_<hash>.pf_meta``: ``[version, pages, index_chunks, filters, sorts,
  meta_fields]``; a page is ``[fragment hash, word count]`` and pages are numbered by
  their place in that list; an index chunk is ``[from, to, hash]``; a filter
  ``[name, hash]``.
- ``index/<hash>.pf_index``: ``[words]``, the words in sorted order; a word is ``[word,
  pages, variants]``, a page ``[page number minus the one before, locations,
  meta locations]``, a variant (the word with its diacritics) ``[form, pages]``.  A chunk
  ends after the word that brings its size (:func:`_word_size`) to :data:`CHUNK_SIZE`.
- ``filter/<hash>.pf_filter``: ``[name, [[value, [page numbers]], ...]]``.
- ``fragment/<hash>.pf_fragment``: one page's JSON; its hash is the first 7 hex digits
  of the SHA-1 of that JSON (:func:`full_hash`), longer when two pages' collide.

Any other shape (another Pagefind version) fails with an error naming the file; the
tests run Pagefind itself, so an upgrade that changes the format fails them.
"""

from __future__ import annotations

import gzip
import hashlib
import heapq
import io
import json
import os
import shutil
import sys
from collections.abc import Iterator
from operator import itemgetter
from pathlib import Path
from typing import Any

import cbor2

from waystation.exc import WaystationError

SIGNATURE = b"pagefind_dcd"

#: Pagefind's ``index_chunk_size``: a word index chunk ends once its size reaches this.
CHUNK_SIZE = 20_000

#: The gzip level of the files a merge writes: zlib's default, as Pagefind's (level 9
#: takes three times as long for files 2% smaller).
GZIP_LEVEL = 6

#: Files the same in every run's output (Pagefind's scripts, a language's WebAssembly).
_SHARED_SUFFIXES = (".js", ".css", ".pagefind")


def _payload(path: Path) -> bytes:
    """What a Pagefind file holds after its signature (CBOR, or a fragment's JSON)."""
    raw = gzip.decompress(Path(path).read_bytes())
    if not raw.startswith(SIGNATURE):
        raise WaystationError(f"{path}: not a Pagefind index file (unknown Pagefind version?)")
    return raw[len(SIGNATURE) :]


def read_pf(path: Path) -> Any:
    """The CBOR data of a Pagefind index file."""
    return cbor2.loads(_payload(path))


def encode_pf(data: Any) -> bytes:
    """``data`` as a Pagefind index file (no timestamp in the gzip header)."""
    return gzip.compress(SIGNATURE + cbor2.dumps(data), compresslevel=9, mtime=0)


def _write_pf(path: Path, data: bytes) -> None:
    """Write a merged index file: ``data`` (CBOR) after the signature, gzipped."""
    path.write_bytes(gzip.compress(SIGNATURE + data, compresslevel=GZIP_LEVEL, mtime=0))


def read_entry(folder: Path) -> dict[str, Any]:
    """An index's ``pagefind-entry.json``."""
    return json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))


def write_entry(folder: Path, entry: dict[str, Any]) -> None:
    """Write an index's ``pagefind-entry.json`` (sorted: the same bytes every build)."""
    (folder / "pagefind-entry.json").write_text(
        json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":")),
        encoding="utf-8",
    )


def full_hash(data: bytes) -> str:
    """Pagefind's hash: SHA-1, each byte in hex without its leading zero (Rust's
    ``{:x?}``), as Pagefind names its files."""
    return "".join(format(byte, "x") for byte in hashlib.sha1(data).digest())  # noqa: S324


def _short_name(lang: str, digest: str, taken: set[str] | dict, length: int = 7) -> str:
    """``<lang>_`` and the first ``length`` characters of ``digest``, one more each time
    the name is taken (Pagefind's rule for two files whose names collide)."""
    size = len(lang) + 1 + length
    name = f"{lang}_{digest}"[:size]
    while name in taken and size < len(lang) + 1 + len(digest):
        size += 1
        name = f"{lang}_{digest}"[:size]
    return name


def _shape_error(path: Path, what: str) -> WaystationError:
    return WaystationError(
        f"{path}: {what}: not the index format of Pagefind 1.5 (waystation/search/"
        "pagefind_format.py reads it); pin the Pagefind version in pyproject.toml"
    )


# -- merging the indexes of consecutive parts of one language's pages -------------------


_NUMBER, _LOCS, _META_LOCS = itemgetter(0), itemgetter(1), itemgetter(2)


def _word_size(word: list) -> int:
    """A word's share of a chunk, as Pagefind 1.5 counts it: a place for each location of
    the word on a page and one for the page; its variants' pages do not count."""
    pages = word[1]
    return sum(map(len, map(_LOCS, pages))) + sum(map(len, map(_META_LOCS, pages))) + len(pages)


class _Part:
    """One Pagefind run's index of one language: its meta data and where its files are."""

    def __init__(self, folder: Path, lang: str):
        self.folder = folder
        self.info = read_entry(folder)["languages"][lang]
        self.meta_path = folder / f"pagefind.{self.info['hash']}.pf_meta"
        meta = read_pf(self.meta_path)
        if not (isinstance(meta, list) and len(meta) == 6):
            raise _shape_error(self.meta_path, "meta data of another shape")
        self.version, self.pages, self.chunks, self.filters, sorts, self.fields = meta
        if sorts:
            raise WaystationError(
                f"{self.meta_path}: the pages have data-pagefind-sort values, which an index "
                "made in parts cannot order: remove them, or set PAGEFIND_PART_PAGES to 0"
            )
        if any(len(page) != 2 for page in self.pages):
            raise _shape_error(self.meta_path, "pages grouped in fragment files")
        #: The merged index's number of the part's first page, and of each of its meta
        #: fields (set by :func:`merge_language` once every part is read).
        self.offset = 0
        self.field_ids: list[int] = []

    def words(self) -> Iterator[_Word]:
        """The part's words in sorted order, numbered from the merged index's first page.

        A word's pages are numbered by the difference to the page before, the first from
        0: only the first number changes in the merged index (by the part's first page's
        number), so a word's pages are kept as the part's bytes with that one number
        written anew (:class:`_Word`); only where the parts number their meta fields
        differently are they encoded again.
        """
        offset = self.offset
        field_ids = self.field_ids if self.field_ids != list(range(len(self.fields))) else None
        for _start, _end, name in self.chunks:
            path = self.folder / "index" / f"{name}.pf_index"
            payload = _payload(path)
            file = io.BytesIO(payload)
            decoder = cbor2.CBORDecoder(file)
            try:
                outer, one, position = _head(payload, 0)
                kind, count, position = _head(payload, position)
                if (outer, one, kind) != (4, 1, 4):
                    raise ValueError("not a list of words")
                file.seek(position)
                for _ in range(count):
                    start = file.tell()
                    word = decoder.decode()
                    yield _Word.read(word, payload[start : file.tell()], offset, field_ids)
            except (ValueError, TypeError, IndexError, cbor2.CBORDecodeError) as error:
                raise _shape_error(path, f"a word chunk of another shape ({error})") from None
            if file.tell() != len(payload):
                raise _shape_error(path, "a word chunk of another shape (bytes after the words)")


def _head(data: bytes, position: int) -> tuple[int, int, int]:
    """The CBOR item head at ``position``: (major type, number, where the head ends)."""
    first = data[position]
    major, info = first >> 5, first & 31
    if info < 24:
        return major, info, position + 1
    if info > 27:
        raise ValueError(f"CBOR head {first:#x} (indefinite length)")
    size = 1 << (info - 24)
    end = position + 1 + size
    return major, int.from_bytes(data[position + 1 : end], "big"), end


def _encode_head(major: int, number: int) -> bytes:
    """A CBOR item head, in its shortest form (as Pagefind and cbor2 write it)."""
    if number < 24:
        return bytes([major << 5 | number])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if number < 1 << (8 * size):
            return bytes([major << 5 | info]) + number.to_bytes(size, "big")
    raise ValueError(f"{number} does not fit a CBOR head")


def _with_first(pages: bytes, number: int) -> bytes:
    """A word's encoded pages (their items, no list head) with the first page's number
    (its first item, after the page's own list head) set to ``number``."""
    if not pages:
        return pages
    major, _old, end = _head(pages, 1)
    if pages[0] != 0x83 or major != 0:
        raise ValueError("a page of another shape")
    return pages[:1] + _encode_head(0, number) + pages[end:]


class _Word:
    """One part's (or, merged, several parts') entry for a word: ``pages``, the encoded
    items of its pages list (in pieces: one per part), numbered from the merged index's
    first page; ``count`` of them; the ``last`` page's number; its ``size`` in a chunk
    (:func:`_word_size`); its ``variants`` (decoded: few), and each variant's last page's
    number."""

    __slots__ = ("text", "pages", "count", "last", "size", "variants", "ends")

    def __init__(self, text, pages, count, last, size, variants, ends):
        self.text, self.pages, self.count, self.last = text, pages, count, last
        self.size, self.variants, self.ends = size, variants, ends

    @classmethod
    def read(cls, word: list, raw: bytes, offset: int, field_ids: list[int] | None) -> _Word:
        """The entry of ``word`` (decoded) from its bytes ``raw``, numbered from
        ``offset``; its meta fields renumbered by ``field_ids`` (None: as they are)."""
        if len(word) != 3 or raw[0] != 0x83 or (word[1] and len(word[1][0]) != 3):
            raise ValueError("a word of another shape")
        text, pages, variants = word
        _kind, length, position = _head(raw, 1)
        _kind, count, body = _head(raw, position + length)
        if count != len(pages):
            raise ValueError("a word of another shape")
        size = _word_size(word)
        end = len(raw) - len(cbor2.dumps(variants))
        last = _shift(pages, offset, field_ids)
        if field_ids is not None:
            encoded = cbor2.dumps(pages)[len(_encode_head(4, count)) :]
        elif pages and offset:
            encoded = _with_first(raw[body:end], pages[0][0])
        else:
            encoded = raw[body:end]
        ends = {variant[0]: _shift(variant[1], offset, field_ids) for variant in variants}
        return cls(text, [encoded], count, last, size, variants, ends)

    def follow_on(self, more: _Word) -> None:
        """Add ``more``, the same word's entry in the next part (its pages after these)."""
        if more.count:
            if self.count:  # the first of them numbered by its difference to the last here
                first = more.pages[0]
                more.pages[0] = _with_first(first, _head(first, 1)[1] - self.last)
            self.pages += more.pages
            self.count += more.count
            self.last = more.last
        self.size += more.size
        forms = {variant[0]: variant for variant in self.variants}
        for variant in more.variants:
            form = variant[0]
            if form in forms:
                _follow_on(forms[form][1], variant[1], self.ends[form])
                if variant[1]:
                    self.ends[form] = more.ends[form]
            else:
                self.variants.append(variant)
                self.ends[form] = more.ends[form]

    def encoded(self) -> bytes:
        """The word as its chunk holds it: ``[word, pages, variants]``."""
        head = b"\x83" + cbor2.dumps(self.text) + _encode_head(4, self.count)
        return b"".join([head, *self.pages, cbor2.dumps(self.variants)])


def _shift(pages: list, offset: int, field_ids: list[int] | None) -> int:
    """Number ``pages`` (a word's, numbered by differences) from the merged index's first
    page, not the part's; renumber their meta fields by ``field_ids``; return the last
    page's number."""
    if not pages:
        return 0
    pages[0][0] += offset
    if field_ids is not None:
        for page in pages:
            page[2] = [-field_ids[-value - 1] - 1 if value < 0 else value for value in page[2]]
    return sum(map(_NUMBER, pages))


def _follow_on(pages: list, more: list, last: int) -> None:
    """Append ``more`` (numbered from the first page) to ``pages``, whose last page is
    ``last``: the first of them is then numbered by its difference to it."""
    if pages and more:
        more[0][0] -= last
    pages.extend(more)


def _merged_words(parts: list[_Part]) -> Iterator[_Word]:
    """Every part's words in sorted order, each word once, its pages in page order (the
    parts hold consecutive pages), its variants in the order they first appear."""
    current: _Word | None = None
    for word in heapq.merge(*(part.words() for part in parts), key=lambda item: item.text):
        if current is not None and current.text == word.text:
            current.follow_on(word)
            continue
        if current is not None:
            yield current
        current = word
    if current is not None:
        yield current


def _prefixes(before: str, after: str) -> tuple[str, str]:
    common = 0
    for a, b in zip(after, before, strict=False):
        if a != b:
            break
        common += 1
    return before[: common + 1], after[: common + 1]


def _write_chunks(words: Iterator[_Word], lang: str, target: Path) -> list[list[str]]:
    """Write the words in chunks as Pagefind does; return the meta data's chunk list."""
    chunks: list[list[str]] = []
    taken: set[str] = set()
    (target / "index").mkdir(parents=True, exist_ok=True)

    def flush(chunk: list[_Word]) -> None:
        data = b"".join([b"\x81", _encode_head(4, len(chunk)), *(word.encoded() for word in chunk)])
        name = _short_name(lang, full_hash(data), taken)
        taken.add(name)
        _write_pf(target / "index" / f"{name}.pf_index", data)
        chunks.append([chunk[0].text, chunk[-1].text, name])

    chunk: list[_Word] = []
    size = 0
    for word in words:
        size += word.size
        chunk.append(word)
        if size >= CHUNK_SIZE:
            flush(chunk)
            chunk, size = [], 0
    if chunk:
        flush(chunk)
    # Each chunk's bounds, cut to the shortest prefixes that still tell it from the next.
    for first, second in zip(chunks, chunks[1:], strict=False):
        end, start = _prefixes(first[1], second[0])
        if end >= first[0]:
            first[1] = end
        second[0] = start
    return chunks


def merge_language(
    runs: list[Path], lang: str, target: Path, move: bool = False, fragments: Path | None = None
) -> dict[str, Any]:
    """Merge the indexes of ``lang`` that Pagefind wrote into ``runs`` (one run over each
    part of the language's pages, in page order) into ``target``; return the language's
    entry in ``pagefind-entry.json``.  With ``move``, the pages' fragment files are moved
    out of the runs, not copied (the runs are deleted next).  The pages' fragment files
    go into ``fragments`` (default: ``target/fragment``)."""
    parts = [_Part(run, lang) for run in runs]
    # Meta fields are numbered by their place in the sorted list of all of them.
    all_fields = sorted({name for part in parts for name in part.fields})
    offset = 0
    for part in parts:
        part.offset = offset
        part.field_ids = [all_fields.index(name) for name in part.fields]
        offset += len(part.pages)
    if len({part.version for part in parts}) != 1:
        raise WaystationError(f"{', '.join(map(str, runs))}: made by different Pagefind versions")

    # Pages: each part's fragments, renamed where two parts' names collide.
    pages: list[list] = []
    names: set[str] = set()
    into = target / "fragment" if fragments is None else fragments
    into.mkdir(parents=True, exist_ok=True)
    for part in parts:
        for name, word_count in part.pages:
            source = part.folder / "fragment" / f"{name}.pf_fragment"
            if name in names:
                name = _short_name(lang, full_hash(_payload(source)), names, len(name) - len(lang))
            names.add(name)
            _copy(source, into / f"{name}.pf_fragment", move)
            pages.append([name, word_count])

    # Filters: each value's pages, from every part.
    filters: dict[str, dict[str, list[int]]] = {}
    for part in parts:
        for filter_name, name in part.filters:
            path = part.folder / "filter" / f"{name}.pf_filter"
            found = read_pf(path)
            if not (isinstance(found, list) and len(found) == 2 and found[0] == filter_name):
                raise _shape_error(path, "a filter of another shape")
            values = filters.setdefault(filter_name, {})
            for value, numbers in found[1]:
                values.setdefault(value, []).extend(n + part.offset for n in numbers)
    meta_filters: list[list[str]] = []
    taken: set[str] = set()
    (target / "filter").mkdir(parents=True, exist_ok=True)
    for filter_name in sorted(filters):
        values = sorted(filters[filter_name].items())
        data = cbor2.dumps([filter_name, [[value, numbers] for value, numbers in values]])
        name = _short_name(lang, full_hash(data), taken)
        taken.add(name)
        _write_pf(target / "filter" / f"{name}.pf_filter", data)
        meta_filters.append([filter_name, name])

    chunks = _write_chunks(_merged_words(parts), lang, target)
    meta = cbor2.dumps([parts[0].version, pages, chunks, meta_filters, [], all_fields])
    meta_name = f"{lang}_{full_hash(meta)[: len(lang) + 8]}"
    _write_pf(target / f"pagefind.{meta_name}.pf_meta", meta)
    return {**parts[0].info, "hash": meta_name, "page_count": len(pages)}


def _copy(source: Path, target: Path, move: bool) -> None:
    """Copy ``source`` to ``target``, or with ``move`` rename it there (copied when it is
    on another file system)."""
    if move:
        try:
            os.replace(source, target)
            return
        except OSError:
            pass
    shutil.copyfile(source, target)


def _entries(runs: list[Path]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """What the runs' ``pagefind-entry.json`` have in common (the same in every run), and
    each run's languages."""
    common: dict[str, Any] = {}
    languages = []
    for run in runs:
        found = read_entry(run)
        languages.append(found.pop("languages", {}))
        common.update(found)
    return common, languages


def join_entries(runs: list[Path], target: Path) -> None:
    """Write ``target``'s ``pagefind-entry.json`` naming the languages of every run (one
    run per language, their files already copied into ``target``)."""
    entry, found = _entries(runs)
    languages: dict[str, Any] = {}
    for run_languages in found:
        twice = set(languages) & set(run_languages)
        if twice:
            raise WaystationError(
                f"Pagefind found pages in {', '.join(sorted(twice))} in two parts of the site: "
                "each language's listing pages must be in their own folder"
            )
        languages.update(run_languages)
    write_entry(target, {**entry, "languages": languages})


def merge_runs(
    runs: list[Path], target: Path, move: bool = False, fragments: Path | None = None
) -> None:
    """Make ``target`` what one Pagefind run over the pages of ``runs`` writes: each run
    indexed one part of one language's pages (the same language; the parts consecutive,
    in page order).  The language's files are merged (:func:`merge_language`; ``move``
    and ``fragments``: see there); the scripts and the language's WebAssembly, the same
    in every run, are copied."""
    entry, found = _entries(runs)
    languages = {lang for run_languages in found for lang in run_languages}
    if len(languages) != 1:
        raise WaystationError(
            f"{', '.join(map(str, runs))}: parts of one language's index were expected, "
            f"found {', '.join(sorted(languages)) or 'no language'}"
        )
    (lang,) = languages
    target.mkdir(parents=True, exist_ok=True)
    entry["languages"] = {lang: merge_language(runs, lang, target, move, fragments)}
    for path in runs[0].iterdir():
        if path.is_file() and path.name.endswith(_SHARED_SUFFIXES):
            shutil.copyfile(path, target / path.name)
    write_entry(target, entry)


# -- identical rebuilds -------------------------------------------------------------
#
# Pagefind 1.5 writes its filter chunks, and the meta file's list of them, in hash-map
# order, which changes from run to run (upstream: Pagefind issue #638); its languages in
# pagefind-entry.json too.  The page fragments and word index are already stable.
# canonicalize() sorts the filter values and the filters, renames each rewritten file
# after its new content and updates the references, so identical pages give an identical
# index.


def _rename_references(data: Any, names: dict[str, str]) -> Any:
    if isinstance(data, list):
        return [_rename_references(item, names) for item in data]
    if isinstance(data, str):
        return names.get(data, data)
    return data


def canonicalize(target: Path) -> None:
    if not (target / "pagefind-entry.json").exists():
        return
    entry = read_entry(target)
    for lang, info in sorted(entry.get("languages", {}).items()):
        renamed: dict[str, str] = {}
        for path in sorted((target / "filter").glob(f"{lang}_*.pf_filter")):
            name, values = read_pf(path)
            canonical = encode_pf([name, sorted(values, key=lambda pair: str(pair[0]))])
            new = f"{lang}_{hashlib.sha256(canonical).hexdigest()[:7]}"
            path.unlink()
            (target / "filter" / f"{new}.pf_filter").write_bytes(canonical)
            renamed[path.stem] = new
        meta_path = target / f"pagefind.{info['hash']}.pf_meta"
        data = _rename_references(read_pf(meta_path), renamed)
        data[3] = sorted(data[3])  # the filters, in hash-map order too
        meta = encode_pf(data)
        new_meta = f"{lang}_{hashlib.sha256(meta).hexdigest()[:10]}"
        meta_path.unlink()
        (target / f"pagefind.{new_meta}.pf_meta").write_bytes(meta)
        info["hash"] = new_meta
    write_entry(target, entry)


def main(argv: list[str]) -> int:
    """``python -m waystation.search.pagefind_format [--fragments FOLDER] TARGET RUN...``:
    :func:`merge_runs`, moving the pages' fragments out of the runs (into ``FOLDER`` when
    given; run by the indexing's background process once a language's parts are indexed;
    it deletes the runs next)."""
    fragments = None
    if argv[:1] == ["--fragments"] and len(argv) > 1:
        fragments, argv = Path(argv[1]), argv[2:]
    if len(argv) < 2:
        print(
            "usage: python -m waystation.search.pagefind_format [--fragments FOLDER] TARGET RUN...",
            file=sys.stderr,
        )
        return 2
    try:
        merge_runs([Path(run) for run in argv[1:]], Path(argv[0]), True, fragments)
    except (WaystationError, OSError) as error:  # one line in the build's report
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
