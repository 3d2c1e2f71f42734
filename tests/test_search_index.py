"""The built sample's search: Pagefind index, search data and pages (no browser).

Uses the session's real Pelican build (``built_site``): the post-build steps
``build_pagefind_index`` then ``write_search_data`` must have run, and every listing
page must carry the ``partials/search_meta.html`` block.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
from pathlib import Path

from waystation.search import pagefind as pagefind_index
from waystation.search import pagefind_format
from waystation.site import search_packs

LISTING_PAGE = re.compile(r"^(?:(es)/)?providers/([a-z0-9-]+)/index\.html$")


def _listing_pages(site: Path) -> dict[tuple[str, str], Path]:
    pages = {}
    for path in site.rglob("index.html"):
        match = LISTING_PAGE.match(str(path.relative_to(site)))
        if match:
            pages[(match.group(1) or "en", match.group(2))] = path
    return pages


def _copy_listing_pages(site: Path, folder: Path) -> Path:
    """``folder`` holding a copy of every listing page of ``site``, at the same paths."""
    import shutil

    for page in _listing_pages(site).values():
        target = folder / page.relative_to(site)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(page, target)
    return folder


def _fragments(site: Path) -> dict[str, dict]:
    found = {}
    for path in (site / "pagefind" / "fragment").glob("*.pf_fragment"):
        raw = gzip.decompress(path.read_bytes())
        found[path.name.removesuffix(".pf_fragment")] = json.loads(raw[raw.index(b"{") :])
    return found


def test_every_listing_page_has_one_hidden_search_block(built_site):
    pages = _listing_pages(built_site)
    assert pages
    for (lang, listing_id), path in pages.items():
        html = path.read_text(encoding="utf-8")
        assert html.count("data-pagefind-body") == 1, path
        assert re.search(r'<div hidden data-pagefind-body data-pagefind-filter="shard:', html), path


def test_pagefind_indexes_each_listing_page_once_per_language(built_site):
    pages = _listing_pages(built_site)
    fragments = _fragments(built_site)
    urls = sorted(f["url"] for f in fragments.values())
    expected = sorted(
        f"/{'es/' if lang == 'es' else ''}providers/{listing_id}/" for lang, listing_id in pages
    )
    assert urls == expected
    entry = json.loads((built_site / "pagefind" / "pagefind-entry.json").read_text())
    assert set(entry["languages"]) == {"en", "es"}
    for name in pagefind_index.UNUSED_FILES:
        assert not (built_site / "pagefind" / name).exists(), name


def test_search_index_holds_only_the_listings_searchable_text(built_site):
    for fragment in _fragments(built_site).values():
        assert fragment["filters"]["shard"], fragment["url"]
        content = fragment["content"]
        # Page furniture (navigation, quick exit, footer) is not indexed.
        for furniture in ("Skip to main content", "Suggest an edit", "Report a problem"):
            assert furniture not in content, fragment["url"]


def test_search_data_rows_point_at_the_pagefind_pages(built_site):
    fragments = _fragments(built_site)
    for lang in ("en", "es"):
        for rows_file in (built_site / "search-data" / lang / "rows").glob("*.json"):
            for row in json.loads(rows_file.read_text())["rows"]:
                assert f"{lang}_{row[1]}" in fragments, (rows_file.name, row[0])


def test_search_pages_exist_in_both_languages(built_site):
    for path, lang in (("search/index.html", "en"), ("es/search/index.html", "es")):
        html = (built_site / path).read_text(encoding="utf-8")
        assert f'<html lang="{lang}"' in html
        assert 'id="search-messages"' in html and 'type="application/json"' in html
        assert "js/search.js" in html
        # The messages are a JSON data block.  The one inline executable script is the
        # head's preloader: no listing data, and allowed by its hash in the page's CSP.
        inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", html, re.S)
        code = [body for attrs, body in inline if 'type="application/json"' not in attrs]
        assert len(code) == 1 and 'preload("manifest.json")' in code[0], code
        policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
        digest = base64.b64encode(hashlib.sha256(code[0].encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy.group(1)


def _index_by_fragment(folder: Path) -> dict:
    """A Pagefind index with each page named by its fragment instead of by its number.

    Pagefind numbers pages in the order it finds them, which is the order the file system
    lists them; this is the same index whatever that order was.
    """
    entry = json.loads((folder / "pagefind-entry.json").read_text())
    result = {}
    for lang, info in sorted(entry["languages"].items()):
        _, pages, index_chunks, filter_chunks, *_ = pagefind_format.read_pf(
            folder / f"pagefind.{info['hash']}.pf_meta"
        )
        names = [name for name, _ in pages]
        words: dict = {}
        for *_, chunk in index_chunks:
            (entries, *_) = pagefind_format.read_pf(folder / "index" / f"{chunk}.pf_index")
            for word, hits, *_ in entries:
                page, found = 0, []
                for step, positions, *_ in hits:  # page numbers are stored as differences
                    page += step
                    found.append((names[page], positions))
                words[word] = sorted(found)
        filters = {}
        for _, chunk in filter_chunks:
            name, values = pagefind_format.read_pf(folder / "filter" / f"{chunk}.pf_filter")
            filters[name] = {value: sorted(names[page] for page in hits) for value, hits in values}
        result[lang] = {"pages": sorted(pages), "words": words, "filters": filters}
    return result


def test_the_index_read_from_small_pages_equals_the_index_of_the_whole_pages(built_site, tmp_path):
    """The build lets Pagefind read small copies of the listing pages (lang, title and
    the search block); indexing the whole published pages must give the same index."""
    settings = {"LANGUAGES": ["en", "es"]}
    copy = _copy_listing_pages(built_site, tmp_path / "site")
    pagefind_index.index_site(copy, pagefind_index.listing_glob(settings))

    def fragments(folder: Path) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in (folder / "fragment").iterdir()}

    built, whole = built_site / "pagefind", copy / "pagefind"
    assert len(fragments(built)) == len(_listing_pages(built_site))
    assert fragments(built) == fragments(whole)
    built_index = _index_by_fragment(built)
    assert len(built_index["en"]["words"]) > 200 and built_index["es"]["filters"]["shard"]
    assert built_index == _index_by_fragment(whole)


def test_a_search_copy_holds_the_pages_language_title_and_search_block_only(built_site):
    """What Pagefind reads of a listing page (theme/templates/search_page.html)."""
    import datetime as dt

    from waystation import settings as declared
    from waystation.build import plan as build_plan
    from waystation.directory import build_directory
    from waystation.site import render as site_render
    from waystation.site import write as site_build

    root = Path(__file__).resolve().parent.parent
    settings = declared.load(root / "pelicanconf.py")
    directory = build_directory(settings, root, dt.date(2026, 12, 1))
    _, pages = build_plan.plan(directory)
    page = next(p for p in pages if p.context.get("listing") and p.context["lang"] == "es")
    env = site_render.make_environment([root / "theme" / "templates"])
    env.globals.update(site_build.template_globals(settings))
    from markupsafe import Markup

    block = env.get_template(site_render.SEARCH_BLOCK).render(page.context, SITEURL="../../..")
    small = env.get_template(site_build.SEARCH_TEMPLATE).render(
        page.context, SITEURL="../../..", search_html=Markup(block)
    )
    published = (built_site / page.save_as).read_text(encoding="utf-8")
    block = small[small.index("<div hidden data-pagefind-body") : small.index("\n</body>")]
    assert small.count("data-pagefind-body") == 1 and block in published  # the same block
    assert '<html lang="es">' in small
    for furniture in ("Exit this page", "site-nav", "<footer", "<article", "<script"):
        assert furniture not in small


def test_pagefind_finds_the_small_pages_in_the_same_order_however_many_renderers(
    tmp_path, monkeypatch, request
):
    """Pagefind numbers pages in the order the folder lists them; that order, and so the
    index bytes, must not depend on which renderer process wrote which page first."""
    import datetime as dt
    import os
    import tempfile

    from waystation import settings as declared
    from waystation.build import plan as build_plan
    from waystation.directory import build_directory
    from waystation.site import write as site_build

    root = Path(__file__).resolve().parent.parent
    settings = declared.load(root / "pelicanconf.py")
    directory = build_directory(settings, root, dt.date(2026, 12, 1))
    data, pages = build_plan.plan(directory)
    listing_pages = [page for page in pages if page.context.get("listing") is not None]
    found = []
    scratch = tmp_path / "scratch"  # where the search blocks wait for the page renderers
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    for run, minimum in (("one", 10**9), ("two", 1)):
        monkeypatch.setattr(site_build, "PARALLEL_MIN_PAGES", minimum)
        # Where the build puts them (/dev/shm: tmpfs lists a folder in the order its
        # entries were made; ext4, by a hash of their names).
        source = pagefind_index.new_source_folder()
        request.addfinalizer(lambda folder=source: search_packs.remove(folder))
        site_build.render_pages(
            listing_pages,
            data,
            tmp_path / run,
            [root / "theme" / "templates"],
            {**settings, "BUILD_WORKERS": 2},
            search_source=source,
        )
        # The copies wait on disk in packs, each in its folder's place once unpacked.
        packed = search_packs.entries(search_packs.folder_of(source))
        found.append(
            [
                (folder, name, _unpacked(packed[f"{folder}/{name}/index.html"]))
                for folder in ("providers", "es/providers")
                for name in os.listdir(source / folder)
            ]
        )
        # Each page holds the block of its own search copy (kept on disk between the
        # two), and nothing is left behind.
        for folder, name, copy in found[-1]:
            block = copy[copy.index("<div hidden data-pagefind-body") : copy.index("\n</body>")]
            page = (tmp_path / run / folder / name / "index.html").read_text()
            assert page.count("data-pagefind-body") == 1 and block in page, (folder, name)
        # Nothing is left behind but the packs, which go with the source folder.
        assert os.listdir(scratch) == [search_packs.folder_of(source).name]
        search_packs.remove(source)
        assert os.listdir(scratch) == [] and not source.exists()
    assert len(found[0]) == len(listing_pages)
    assert found[0] == found[1]


def _unpacked(entry: tuple[str, int, int]) -> str:
    pack, offset, size = entry
    with open(pack, "rb") as file:
        file.seek(offset)
        return file.read(size).decode("utf-8")


def test_one_pagefind_run_per_language_writes_the_index_of_one_run_over_all(built_site, tmp_path):
    """The build indexes each language by its own Pagefind run, one after the other (half
    the peak memory for two languages): the index files must be those of one run over
    every language's pages, byte for byte (the same pages, listed in the same order)."""
    settings = {"LANGUAGES": ["en", "es"]}
    site = _copy_listing_pages(built_site, tmp_path / "site")
    globs = pagefind_index.listing_globs(settings)
    assert globs == ["providers/*/index.html", "es/providers/*/index.html"]
    folders = {}
    for name, glob in (("one run", pagefind_index.listing_glob(settings)), ("per language", globs)):
        assert pagefind_index.index_site(site, glob) == len(_listing_pages(built_site))
        folders[name] = {
            str(p.relative_to(site / "pagefind")): p.read_bytes()
            for p in sorted((site / "pagefind").rglob("*"))
            if p.is_file()
        }
    entry = json.loads(folders["per language"]["pagefind-entry.json"])
    assert {lang: info["page_count"] for lang, info in entry["languages"].items()} == {
        lang: sum(1 for key in _listing_pages(built_site) if key[0] == lang)
        for lang in ("en", "es")
    }
    assert folders["per language"] == folders["one run"]
    # And the build's own index (read from the small copies) is that index too, page
    # numbers aside (they follow the order the folder lists its pages in).
    assert _index_by_fragment(built_site / "pagefind") == _index_by_fragment(site / "pagefind")
