"""The built sample's search: Pagefind index, search data and pages (no browser).

Uses the session's real Pelican build (``built_site``): the post-build steps
``build_pagefind_index`` then ``write_search_data`` must have run, and every listing
page must carry the ``partials/search_meta.html`` block.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

from waystation import pagefind_index

LISTING_PAGE = re.compile(r"^(?:(es)/)?providers/([a-z0-9-]+)/index\.html$")


def _listing_pages(site: Path) -> dict[tuple[str, str], Path]:
    pages = {}
    for path in site.rglob("index.html"):
        match = LISTING_PAGE.match(str(path.relative_to(site)))
        if match:
            pages[(match.group(1) or "en", match.group(2))] = path
    return pages


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
        # No inline executable script: the messages are a JSON data block.
        for script in re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html):
            assert 'type="application/json"' in script, script
