"""Every listing page offers a way to report a problem without an account (issue 16).

An e-mail link to CONTACT_EMAIL whose subject names the listing (its published name and
id, nothing else: never a confidential place), and the GitHub form for those with an
account, each saying which needs what, in the page's language.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from waystation import settings as declared

ROOT = Path(__file__).resolve().parent.parent
SUBJECT = {
    "en": "Problem with a listing: {name} ({id})",
    "es": "Problema con una ficha: {name} ({id})",
}
SAYS = {
    "en": ("no account needed", "GitHub account", "public"),
    "es": ("no necesita ninguna cuenta", "cuenta de GitHub", "público"),
}


def _report_section(html: str) -> str:
    match = re.search(r'<section class="listing__report".*?</section>', html, re.S)
    assert match, "no report-a-problem section"
    return match.group(0)


def _name(html: str) -> str:
    return unescape(re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)).strip()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_each_listing_offers_email_and_github_and_says_which_is_which(built_site, lang):
    contact = declared.load(ROOT / "pelicanconf.py")["CONTACT_EMAIL"]
    assert contact
    pages = sorted(
        (built_site / ("es/" if lang == "es" else "") / "providers").glob("*/index.html")
    )
    assert len(pages) > 10
    for page in pages:
        html = page.read_text(encoding="utf-8")
        listing_id = page.parent.name
        section = _report_section(html)
        mailto = re.search(r'href="(mailto:[^"]+)"', section).group(1)
        parts = urlsplit(unescape(mailto))
        assert parts.path == contact, page
        query = parse_qs(parts.query)
        # The subject names the listing by its published name and id, and holds nothing else.
        assert set(query) == {"subject"}, page
        assert query["subject"] == [SUBJECT[lang].format(name=_name(html), id=listing_id)], page
        assert re.search(r'href="https://github\.com/[^"]+/issues/new[^"]*"', section), page
        text = re.sub(r"<[^>]+>", " ", section)
        for words in SAYS[lang]:
            assert words in text, (page, words)
