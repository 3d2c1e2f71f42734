"""A language indexed in parts (PAGEFIND_PART_PAGES): the merged index is the index of
one Pagefind run over all the pages.

Pagefind itself makes both indexes here, so these tests also guard
``waystation/search/pagefind_format.py`` (the one module that reads and writes
Pagefind's files) against a Pagefind upgrade that changes them.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

import cbor2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from waystation.search import pagefind as pagefind_index
from waystation.search import pagefind_format
from waystation.site import search_packs

# Words enough for several word-index chunks (Pagefind ends a chunk at 20,000 places),
# some with diacritics (Pagefind keeps those as variants of the plain word).
_VOCABULARY = (
    [f"w{n:04d}" for n in range(2500)]
    + [f"é{n:03d}" for n in range(600)]
    + ["café", "cafe", "juárez", "niño", "año"]
)


def _page(number: int, rng: random.Random, lang: str = "en") -> str:
    words = " ".join(rng.choice(_VOCABULARY) for _ in range(900))
    shard = "ABCD"[number % 4]
    # A meta field only some pages have (later ones): the parts' meta fields differ.
    extra = f'<p data-pagefind-meta="county">Kern {number}</p>' if number > 30 else ""
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><title>p{number}</title></head><body>'
        f'<div data-pagefind-body><h1 data-pagefind-meta="title">Service {number} café</h1>'
        f'<span data-pagefind-filter="shard">{shard}</span>'
        f'<span data-pagefind-filter="service">s{number % 7}</span>{extra}'
        f"<p>{words}</p></div></body></html>"
    )


def _pages_folder(parent: Path | str | None, count: int = 45) -> Path:
    """A folder of ``count`` listing pages, made in sorted order (as the build makes its
    search copies' folders)."""
    folder = Path(tempfile.mkdtemp(prefix="waystation-test-parts-", dir=parent))
    rng = random.Random(7)
    for number in range(count):
        page = folder / "providers" / f"p{number:03d}" / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(_page(number, rng), encoding="utf-8")
    return folder


def _packed_pages_folder(parent: Path | str | None, count: int = 45) -> Path:
    """The folder of :func:`_pages_folder`, made as the build makes it: the pages' folders
    in sorted order, their copies packed on disk (``waystation.site.search_packs``), in
    the order two page renderers might write them."""
    folder = Path(tempfile.mkdtemp(prefix="waystation-test-parts-", dir=parent))
    rng = random.Random(7)
    pages = {}
    for number in range(count):
        (folder / "providers" / f"p{number:03d}").mkdir(parents=True)
        pages[f"providers/p{number:03d}/index.html"] = _page(number, rng).encode("utf-8")
    packer = search_packs.Packer(search_packs.make(folder))
    for path in sorted(pages, key=lambda p: (hash(p) % 3, p)):
        packer.add(path, pages[path])
    packer.close()
    return folder


def _index(site: Path, part_pages: int, parent: Path | str | None, packed: bool = False) -> int:
    source = (_packed_pages_folder if packed else _pages_folder)(parent)
    site.mkdir(parents=True)
    return pagefind_index.start(
        site, ["providers/*/index.html"], source, part_pages=part_pages
    ).wait()


def _files(folder: Path) -> dict[str, bytes]:
    """Every file of an index: its path and its bytes, decompressed (Pagefind's gzip
    level is not Python's)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix.startswith(".pf_"):
                data = gzip.decompress(data)
            found[str(path.relative_to(folder))] = data
    return found


def _by_fragment(folder: Path) -> dict:
    """The index with each page named by its fragment's URL instead of its number (the
    same whatever order Pagefind found the pages in)."""
    entry = json.loads((folder / "pagefind-entry.json").read_text())
    result = {}
    for lang, info in sorted(entry["languages"].items()):
        _, pages, chunks, filters, sorts, fields = pagefind_format.read_pf(
            folder / f"pagefind.{info['hash']}.pf_meta"
        )
        urls = []
        for name, word_count in pages:
            raw = gzip.decompress((folder / "fragment" / f"{name}.pf_fragment").read_bytes())
            urls.append((json.loads(raw[len(pagefind_format.SIGNATURE) :])["url"], word_count))

        def postings(hits):
            number, found = 0, []
            for step, locs, meta_locs in hits:
                number += step
                # Meta locations name their field by number: by name instead.
                meta = [fields[-value - 1] if value < 0 else value for value in meta_locs]
                found.append((urls[number][0], locs, meta))
            return sorted(found)

        words = {}
        for *_, name in chunks:
            (entries,) = pagefind_format.read_pf(folder / "index" / f"{name}.pf_index")
            for word, hits, variants in entries:
                words[word] = (
                    postings(hits),
                    sorted((form, postings(v)) for form, v in variants),
                )
        values = {}
        for filter_name, name in filters:
            found_name, found = pagefind_format.read_pf(folder / "filter" / f"{name}.pf_filter")
            assert found_name == filter_name
            values[filter_name] = {v: sorted(urls[n][0] for n in hits) for v, hits in found}
        result[lang] = {
            "pages": sorted(urls),
            "words": words,
            "filters": values,
            "sorts": sorts,
            "fields": fields,
            "chunks": len(chunks),
        }
    return result


def _lists_newest_first(parent: str | None) -> bool:
    folder = Path(tempfile.mkdtemp(dir=parent))
    try:
        for name in ("b", "a", "c"):
            (folder / name).mkdir()
        return os.listdir(folder) == ["c", "a", "b"]
    finally:
        shutil.rmtree(folder)


def test_an_index_made_in_parts_is_the_index_of_one_run_over_all_pages(tmp_path):
    parent = pagefind_index.scratch_dir()
    assert _index(tmp_path / "one", 0, parent) == 45
    assert _index(tmp_path / "parts", 7, parent) == 45  # seven parts, the last of 3 pages
    one = _by_fragment(tmp_path / "one" / "pagefind")
    parts = _by_fragment(tmp_path / "parts" / "pagefind")
    assert one["en"]["chunks"] >= 3, "too few words to test chunks"
    assert "cafe" in one["en"]["words"] and one["en"]["words"]["cafe"][1], "no variants"
    assert one["en"]["fields"] == ["county", "title"]
    assert parts == one
    entry = json.loads((tmp_path / "parts" / "pagefind" / "pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == 45
    # Pagefind's bundled UIs are gone from both; the scripts the search page loads stay.
    for site in ("one", "parts"):
        assert (tmp_path / site / "pagefind" / "pagefind.js").is_file()
        assert not (tmp_path / site / "pagefind" / "pagefind-ui.js").exists()


def test_merged_parts_are_the_bytes_of_one_run_where_folders_list_newest_first(tmp_path):
    """On tmpfs (where the build writes its search copies) a folder lists its entries
    newest first, and the parts keep that order: the merged index numbers the pages as
    one run does, so every file (decompressed: the gzip levels differ) and every file
    name is the same."""
    parent = pagefind_index.scratch_dir()
    if parent is None or not _lists_newest_first(parent):
        pytest.skip("no tmpfs scratch folder here: page order, not content, would differ")
    _index(tmp_path / "one", 0, parent)
    _index(tmp_path / "parts", 10, parent)
    one, parts = _files(tmp_path / "one" / "pagefind"), _files(tmp_path / "parts" / "pagefind")
    assert sorted(parts) == sorted(one)
    assert parts == one


def test_packed_copies_are_indexed_as_the_same_pages_written_as_files(tmp_path):
    """The build packs the search copies on disk and writes each run's copies just
    before Pagefind reads them: the index is the same, byte for byte, in one run or in
    parts, and neither the copies nor their packs are left behind."""
    parent = pagefind_index.scratch_dir()
    packs_before = set(Path(tempfile.gettempdir()).glob("waystation-search-packs-*"))
    for part_pages in (0, 7):
        _index(tmp_path / f"files-{part_pages}", part_pages, parent)
        _index(tmp_path / f"packed-{part_pages}", part_pages, parent, packed=True)
        files = _files(tmp_path / f"files-{part_pages}" / "pagefind")
        packed = _files(tmp_path / f"packed-{part_pages}" / "pagefind")
        assert len(files) > 45 and packed == files
    assert set(Path(tempfile.gettempdir()).glob("waystation-search-packs-*")) == packs_before
    assert not list(Path(parent or tempfile.gettempdir()).glob("waystation-test-parts-*"))


def test_packed_copies_are_indexed_where_no_shell_runs_the_parts(tmp_path, monkeypatch):
    """Without a shell (one Pagefind run over every page), the packed copies are all
    written into their folders before it starts."""
    parent = pagefind_index.scratch_dir()
    _index(tmp_path / "files", 0, parent)
    monkeypatch.setattr(pagefind_index, "SHELL", str(tmp_path / "no-shell"))
    assert _index(tmp_path / "packed", 7, parent, packed=True) == 45
    assert _by_fragment(tmp_path / "packed" / "pagefind") == _by_fragment(
        tmp_path / "files" / "pagefind"
    )


def test_two_languages_in_parts_are_the_bytes_of_one_run_each(tmp_path):
    """With two languages each indexed in parts, the first language's pages' files are
    copied into the site while the second is indexed: the site's index is the same,
    file for file, as one run per language writes."""
    parent = pagefind_index.scratch_dir()
    if parent is None or not _lists_newest_first(parent):
        pytest.skip("no tmpfs scratch folder here: page order, not content, would differ")
    globs = pagefind_index.listing_globs({"LANGUAGES": ["en", "es"]})
    for part_pages in (0, 7):
        source = Path(tempfile.mkdtemp(prefix="waystation-test-parts-", dir=parent))
        rng = random.Random(11)
        for folder, lang in (("providers", "en"), ("es/providers", "es")):
            for number in range(20):
                page = source / folder / f"p{number:03d}" / "index.html"
                page.parent.mkdir(parents=True)
                page.write_text(_page(number, rng, lang), encoding="utf-8")
        site = tmp_path / f"site-{part_pages}"
        site.mkdir()
        assert pagefind_index.start(site, globs, source, part_pages=part_pages).wait() == 40
    one, parts = _files(tmp_path / "site-0" / "pagefind"), _files(tmp_path / "site-7" / "pagefind")
    assert any(name.startswith("fragment/es_") for name in parts)
    assert sorted(parts) == sorted(one)
    assert parts == one


def test_a_language_at_or_under_the_part_size_is_one_run(tmp_path):
    parent = pagefind_index.scratch_dir()
    source = _pages_folder(parent, count=5)
    groups = pagefind_index.split_runs(source, ["providers/*/index.html"], 5, tmp_path)
    assert groups == [[(source, "providers/*/index.html")]]
    (runs,) = pagefind_index.split_runs(source, ["providers/*/index.html"], 2, tmp_path)
    assert [site.name for site, _ in runs] == ["read-0-0", "read-0-1", "read-0-2"]
    # Every page in exactly one part, the source folder left as it was.
    listed = [name for site, _ in runs for name in os.listdir(site / "providers")]
    assert sorted(listed) == sorted(os.listdir(source / "providers")) and len(listed) == 5
    shutil.rmtree(source)


def test_sorted_pages_cannot_be_merged_and_say_how_to_fix_it(tmp_path):
    parent = pagefind_index.scratch_dir()
    source = _pages_folder(parent, count=6)
    for page in (source / "providers").glob("*/index.html"):
        text = page.read_text().replace("<h1", '<span data-pagefind-sort="rank">3</span><h1')
        page.write_text(text)
    with pytest.raises(Exception, match="PAGEFIND_PART_PAGES"):
        pagefind_index.start(tmp_path, ["providers/*/index.html"], source, part_pages=4).wait()


def test_fragment_names_that_collide_across_parts_get_longer(tmp_path, monkeypatch):
    """Two parts may each name a page by the same 7 hex digits (with 50,000 pages in a
    language, about five such pairs are to be expected): the later page gets a longer
    name, as in one run."""
    parent = pagefind_index.scratch_dir()
    source = _pages_folder(parent, count=4)
    (runs,) = pagefind_index.split_runs(source, ["providers/*/index.html"], 2, tmp_path / "r")
    outputs = []
    for number, (site, glob) in enumerate(runs):
        out = tmp_path / f"out-{number}"
        pagefind_index.start(site, glob)  # into site/pagefind
        pagefind_index.wait(site)
        shutil.copytree(site / "pagefind", out)
        outputs.append(out)
    # Make the second part's first page take the name of the first part's first page.
    first = json.loads((outputs[0] / "pagefind-entry.json").read_text())["languages"]["en"]
    meta0 = pagefind_format.read_pf(outputs[0] / f"pagefind.{first['hash']}.pf_meta")
    second = json.loads((outputs[1] / "pagefind-entry.json").read_text())["languages"]["en"]
    meta_path = outputs[1] / f"pagefind.{second['hash']}.pf_meta"
    meta1 = pagefind_format.read_pf(meta_path)
    taken, mine = meta0[1][0][0], meta1[1][0][0]
    (outputs[1] / "fragment" / f"{mine}.pf_fragment").rename(
        outputs[1] / "fragment" / f"{taken}.pf_fragment"
    )
    meta1[1][0][0] = taken
    meta_path.write_bytes(pagefind_format.encode_pf(meta1))
    pagefind_format.merge_runs(outputs, tmp_path / "merged")
    entry = json.loads((tmp_path / "merged" / "pagefind-entry.json").read_text())
    meta = pagefind_format.read_pf(
        tmp_path / "merged" / f"pagefind.{entry['languages']['en']['hash']}.pf_meta"
    )
    names = [name for name, _ in meta[1]]
    assert len(set(names)) == 4 and names[0] == taken
    longer = names[2]  # the second part's first page: its own hash, one digit longer
    assert len(longer) == len(mine) + 1 and longer.startswith(mine)
    raw = gzip.decompress((tmp_path / "merged" / "fragment" / f"{longer}.pf_fragment").read_bytes())
    assert pagefind_format.full_hash(raw[len(pagefind_format.SIGNATURE) :]).startswith(
        longer.removeprefix("en_")
    )
    shutil.rmtree(source)


def test_pagefind_names_files_by_this_hash():
    """Pagefind's file names are its SHA-1 hash with each byte's leading zero dropped."""
    # SHA-1 of b"": da39a3ee5e6b4b0d3255bfef95601890afd80709 (0d, 07, 09 lose a digit).
    assert pagefind_format.full_hash(b"") == "da39a3ee5e6b4bd3255bfef95601890afd879"
    # SHA-1 of b"hello": aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d (0f loses one).
    assert pagefind_format.full_hash(b"hello") == "aaf4c61ddcc5e8a2dabedef3b482cd9aea9434d"


@given(
    st.lists(
        st.tuples(
            st.integers(0, 2**40),
            st.lists(st.integers(0, 70_000), max_size=30),
            st.lists(st.integers(-40, 3), max_size=3),
        ),
        min_size=1,
        max_size=30,
    ),
    st.integers(0, 2**33),
)
def test_a_words_pages_are_renumbered_in_their_bytes_as_cbor2_encodes_them(pages, first):
    """The merge keeps a word's pages as the part's bytes and writes only the first
    page's number anew (pagefind_format._with_first): the result is the encoding of the
    renumbered pages, for numbers of every width (1 to 9 bytes in CBOR)."""
    pages = [list(page) for page in pages]
    head = len(cbor2.dumps([0] * len(pages))) - len(pages)
    body = cbor2.dumps(pages)[head:]
    renumbered = [[first, *pages[0][1:]], *pages[1:]]
    assert pagefind_format._with_first(body, first) == cbor2.dumps(renumbered)[head:]
    assert pagefind_format._encode_head(4, len(pages)) == cbor2.dumps(pages)[:head]


def test_the_sample_built_in_parts_has_the_index_and_search_data_of_one_run(built_site, run_build):
    """A real build with parts of 10 pages (the sample has 47 listings a language): the
    index holds what the normal build's does, and the search data, which names each
    listing's Pagefind page, is the same file for file."""
    build = run_build(None, {"PAGEFIND_PART_PAGES": 10})
    assert build.returncode == 0, build.log
    site = build.output
    assert _by_fragment(site / "pagefind") == _by_fragment(built_site / "pagefind")
    if _lists_newest_first(pagefind_index.scratch_dir()):
        assert _files(site / "pagefind") == _files(built_site / "pagefind")

    def search_data(root: Path) -> dict[str, bytes]:
        folder = root / "search-data"
        return {
            str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()
        }

    assert search_data(site) == search_data(built_site)


def test_an_index_in_parts_updated_in_place_is_the_index_made_afresh(tmp_path):
    """`make devserver` updates the index in place (only changed files written): with
    parts too, the result is the index a fresh build makes, and indexing the same pages
    again writes no file."""
    parent = pagefind_index.scratch_dir()
    _index(tmp_path / "fresh", 10, parent)
    site = tmp_path / "live"
    site.mkdir()
    written = []
    for _ in range(2):
        source = _pages_folder(parent)
        pagefind_index.start(
            site, ["providers/*/index.html"], source, in_place=True, part_pages=10
        ).wait()
        files = (site / "pagefind").rglob("*")
        written.append({p: p.stat().st_mtime_ns for p in files if p.is_file()})
    assert _files(site / "pagefind") == _files(tmp_path / "fresh" / "pagefind")
    assert written[1] == written[0]


def _logging_pagefind(tmp_path: Path, monkeypatch) -> Path:
    """Pagefind, through a wrapper that appends the folder each run reads (its
    ``--site``) to the file it returns."""
    real = pagefind_index._executable()
    log = tmp_path / "pagefind-runs"
    log.write_text("")
    wrapper = tmp_path / "pagefind"
    wrapper.write_text(f'#!/bin/sh\necho "$2" >> "{log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setattr(pagefind_index, "_executable", lambda: wrapper)
    return log


def _runs_since(log: Path, seen: list[str]) -> list[str]:
    lines = log.read_text().splitlines()
    new = lines[len(seen) :]
    seen[:] = lines
    return new


def test_parts_whose_pages_did_not_change_are_not_indexed_again(tmp_path, monkeypatch):
    """`make devserver` keeps each part's index between updates: after one page changed,
    only the part that holds it is indexed again, and the index is the one a fresh build
    makes of the changed pages; unchanged pages are not indexed at all."""
    parent = pagefind_index.scratch_dir()
    log, seen = _logging_pagefind(tmp_path, monkeypatch), []
    kept = Path(tempfile.mkdtemp(prefix="waystation-test-kept-", dir=parent))
    site = tmp_path / "live"
    site.mkdir()
    glob = ["providers/*/index.html"]

    def edited(parent):
        source = _pages_folder(parent)
        page = source / "providers" / "p017" / "index.html"
        page.write_text(page.read_text().replace("Service 17 café", "Service 17 edited"))
        return source

    try:
        first = pagefind_index.start(
            site, glob, _pages_folder(parent), in_place=True, part_pages=10, kept=kept
        )
        assert first.wait() == 45
        assert (first.runs, first.parts_reused, len(_runs_since(log, seen))) == (5, 0, 5)
        assert len(list(kept.iterdir())) == 5

        second = pagefind_index.start(
            site, glob, edited(parent), in_place=True, part_pages=10, kept=kept
        )
        assert second.wait() == 45
        assert (second.runs, second.parts_reused) == (5, 4)
        assert len(_runs_since(log, seen)) == 1  # the part holding p017
        assert len(list(kept.iterdir())) == 5  # the part's old index is gone
        written = {p: p.stat().st_mtime_ns for p in (site / "pagefind").rglob("*")}

        third = pagefind_index.start(
            site, glob, edited(parent), in_place=True, part_pages=10, kept=kept
        )
        assert third.wait() == 45
        assert (third.parts_reused, _runs_since(log, seen)) == (5, [])
        assert {p: p.stat().st_mtime_ns for p in (site / "pagefind").rglob("*")} == written
    finally:
        shutil.rmtree(kept)

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    pagefind_index.start(fresh, glob, edited(parent), part_pages=0).wait()
    assert _files(site / "pagefind") == _files(fresh / "pagefind")
    postings, _variants = _by_fragment(site / "pagefind")["en"]["words"]["edit"]
    assert [url for url, *_ in postings] == ["/providers/p017/"]  # the edit is searchable


def test_parts_kept_ahead_leave_the_site_alone_and_spare_the_next_run(tmp_path, monkeypatch):
    """`make devserver` indexes the parts ahead, once its state is loaded, only to keep
    them: the site's index is not touched, and the first update over the same pages runs
    no Pagefind at all."""
    parent = pagefind_index.scratch_dir()
    log, seen = _logging_pagefind(tmp_path, monkeypatch), []
    kept = Path(tempfile.mkdtemp(prefix="waystation-test-kept-", dir=parent))
    site = tmp_path / "live"
    (site / "pagefind").mkdir(parents=True)
    (site / "pagefind" / "old.txt").write_text("the index being served")
    glob = ["providers/*/index.html"]
    try:
        ahead = pagefind_index.keep_parts(site, glob, _pages_folder(parent), 10, kept)
        assert ahead is not None
        while not ahead.done():
            time.sleep(0.05)
        pagefind_index.join_if_done(site)
        assert len(_runs_since(log, seen)) == 5
        assert len([p for p in kept.iterdir() if not p.name.endswith(".new")]) == 5
        assert [p.name for p in (site / "pagefind").iterdir()] == ["old.txt"]
        first = pagefind_index.start(
            site, glob, _pages_folder(parent), in_place=True, part_pages=10, kept=kept
        )
        assert first.wait() == 45
        assert (first.parts_reused, _runs_since(log, seen)) == (5, [])
    finally:
        shutil.rmtree(kept)


def test_a_kept_parts_name_follows_its_pages_and_nothing_else(tmp_path):
    """A part's kept index is found again only for the same pages: the same paths and
    bytes give the same name in another folder, one changed byte another name, and a
    part whose copies are not written yet (packed) is not kept at all."""
    pagefind = pagefind_index._executable()
    glob = "providers/*/index.html"

    def part(name: str, pages: dict[str, str | None]) -> Path:
        site = tmp_path / name
        for folder, text in pages.items():
            (site / "providers" / folder).mkdir(parents=True)
            if text is not None:
                (site / "providers" / folder / "index.html").write_text(text)
        return site

    pages = {"a": "<p>Alamo</p>", "b": "<p>Harbor</p>"}
    first = pagefind_index.part_key(part("one", pages), glob, pagefind)
    assert first is not None
    assert pagefind_index.part_key(part("two", pages), glob, pagefind) == first
    edited = {**pages, "b": "<p>Harbor.</p>"}
    assert pagefind_index.part_key(part("three", edited), glob, pagefind) != first
    packed = part("four", {"a": None, "b": None})
    assert pagefind_index.part_key(packed, glob, pagefind) is None
    assert (
        pagefind_index.part_key(part("five", pages), "{providers,x}/*/index.html", pagefind) is None
    )


def test_a_merge_that_cannot_read_its_parts_says_so_in_one_line(tmp_path, capsys):
    assert pagefind_format.main([str(tmp_path / "out"), str(tmp_path / "missing")]) == 1
    message = capsys.readouterr().err.strip()
    assert "pagefind-entry.json" in message and "\n" not in message
    assert "Traceback" not in message


def test_search_copies_are_let_go_of_as_soon_as_they_are_indexed(tmp_path, monkeypatch):
    """The search copies live in memory (tmpfs) while Pagefind reads them: each part's
    pages, and a language read in one run, are deleted once indexed, not at the end (at
    50,000 listings they are about 0.5 GB)."""
    parent = pagefind_index.scratch_dir()
    source = _pages_folder(parent, count=9)
    for page in sorted((source / "providers").glob("*/index.html"))[:3]:  # one run
        spanish = source / "es" / page.relative_to(source)
        spanish.parent.mkdir(parents=True)
        spanish.write_text(page.read_text().replace('lang="en"', 'lang="es"'))
    real = pagefind_index._executable()
    log, sites = tmp_path / "log", tmp_path / "sites"
    wrapper = tmp_path / "pagefind"
    # Before each run: which pages that earlier runs read are still there.
    wrapper.write_text(
        "#!/bin/sh\n"
        f'for s in $(cat "{sites}" 2>/dev/null); do [ -e "$s" ] && echo "$s" >> "{log}"; done\n'
        f'echo "$2/$4" | sed "s|/\\*/index.html||" >> "{sites}"\n'
        f'exec "{real}" "$@"\n'
    )
    wrapper.chmod(0o755)
    monkeypatch.setattr(pagefind_index, "_executable", lambda: wrapper)
    site = tmp_path / "site"
    site.mkdir()
    globs = ["providers/*/index.html", "es/providers/*/index.html"]
    assert pagefind_index.start(site, globs, source, part_pages=4).wait() == 12
    read = sites.read_text().split()
    assert [str(Path(r).relative_to(Path(r).parent.parent)) for r in read] == [
        "read-0-0/providers",
        "read-0-1/providers",
        "read-0-2/providers",
        "es/providers",
    ]
    assert not log.exists(), f"still there when the next run began: {log.read_text()}"
    assert not source.exists()


def test_the_scratch_index_is_let_go_of_once_copied_into_the_site(tmp_path):
    """Pagefind writes into a scratch folder in memory (tmpfs), then the index is copied
    into the site: from then on only each run's entry file stays there (wait() joins
    them), not the index (about 0.4 GB at 50,000 listings) while the build goes on
    writing pages until it calls wait()."""
    parent = pagefind_index.scratch_dir()
    source = _pages_folder(parent, count=9)
    site = tmp_path / "site"
    site.mkdir()
    indexing = pagefind_index.start(site, ["providers/*/index.html"], source, part_pages=4)
    scratch = indexing._written
    assert scratch is not None and scratch.is_dir()
    for _ in range(600):
        if indexing.done():
            break
        time.sleep(0.1)
    assert indexing.done()
    left = sorted(str(path.relative_to(scratch)) for path in scratch.rglob("*"))
    assert left == ["0", "0/pagefind-entry.json"]
    assert (site / "pagefind" / "fragment").is_dir()
    assert indexing.wait() == 9
    assert not scratch.exists()
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == 9


def test_each_parts_page_files_leave_memory_as_soon_as_the_part_is_indexed(tmp_path, monkeypatch):
    """A part's pages' files (one 4 KB page of tmpfs each: 0.3 GB at 50,000 listings, as
    the parts of a language were held until its last part was merged) are moved to the
    site's disk as soon as the part is indexed; merged, they are the site's pages' files,
    and nothing is left beside them."""
    parent = pagefind_index.scratch_dir()
    source = _pages_folder(parent, count=9)
    real = pagefind_index._executable()
    log = tmp_path / "log"
    site = tmp_path / "site"
    site.mkdir()
    staged = site / "pagefind" / pagefind_index.PARTS_FOLDER
    wrapper = tmp_path / "pagefind"
    # Before each run (its arguments: --site S --glob G --output-path O --quiet): the
    # page files in the scratch index (not through a link) and those staged on disk.
    wrapper.write_text(
        "#!/bin/sh\n"
        'memory=$(find "$(dirname "$6")" -type f -path "*/fragment/*" | wc -l)\n'
        f'disk=$(find "{staged}" -type f 2>/dev/null | wc -l)\n'
        f'echo "$memory $disk" >> "{log}"\n'
        f'exec "{real}" "$@"\n'
    )
    wrapper.chmod(0o755)
    monkeypatch.setattr(pagefind_index, "_executable", lambda: wrapper)
    indexing = pagefind_index.start(site, ["providers/*/index.html"], source, part_pages=4)
    assert indexing.wait() == 9
    before_each_run = [line.split() for line in log.read_text().splitlines()]
    assert before_each_run == [["0", "0"], ["0", "4"], ["0", "8"]]  # parts of 4, 4 and 1
    assert not staged.exists()
    assert len(list((site / "pagefind" / "fragment").iterdir())) == 9


def test_what_a_killed_build_left_of_its_parts_is_not_published_by_the_next(tmp_path):
    """A build killed while its parts waited for their merge (out of memory, say) leaves
    their pages' files in the site's index folder; the next build deletes them before it
    writes anything."""
    output = tmp_path / "output"
    left = output / "pagefind" / pagefind_index.PARTS_FOLDER / "0-3" / "fragment"
    left.mkdir(parents=True)
    (left / "en_1234567.pf_fragment").write_bytes(b"left behind")
    source = pagefind_index.prepare_source(output)
    try:
        assert not (output / "pagefind" / pagefind_index.PARTS_FOLDER).exists()
        assert (output / "pagefind").is_dir()  # the index folder itself is the index's
    finally:
        search_packs.remove(pagefind_index.forget_source(output) or source)
