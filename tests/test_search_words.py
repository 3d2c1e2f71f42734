"""The everyday words people type ("abogado", "shelter") reach the search copies.

Each listing page's hidden search block (what Pagefind indexes) carries the words of
its services and of their groups, in the page's language only
(``waystation/site/render.py:service_words``, ``partials/search_meta.html``).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from waystation.records import vocabulary
from waystation.records.validation import load_listings
from waystation.site.render import _service_words

SERVICES = vocabulary.get("services").ids
LEGAL = ("legal-civil", "legal-immigration", "legal-criminal")


def _words(terms, lang):
    return _service_words(tuple(terms), lang).split(". ")


@given(st.lists(st.sampled_from(SERVICES), max_size=8), st.sampled_from(["en", "es"]))
def test_every_word_of_the_chosen_services_and_their_groups_once(terms, lang):
    words = [w for w in _words(terms, lang) if w]
    assert len(words) == len(set(words))
    for term in terms:
        for word in vocabulary.get("services").get(term).words.get(lang, ()):
            assert word in words, (term, word)
        group = vocabulary.group_of(term)
        assert group.label_in(lang) in words
        for word in group.words.get(lang, ()):
            assert word in words, (group.id, word)
    # Nothing of a group none of the services belongs to.
    chosen = {vocabulary.group_of(t).id for t in terms}
    for group in vocabulary.service_groups():
        if group.id not in chosen:
            assert group.label_in(lang) not in words or any(
                group.label_in(lang) in vocabulary.get("services").get(t).words.get(lang, ())
                for t in terms
            )


@given(st.lists(st.sampled_from(SERVICES), min_size=1, max_size=6))
def test_a_page_carries_the_words_of_its_own_language_only(terms):
    english = set(_words(terms, "en"))
    spanish = set(_words(terms, "es"))
    every_english = {
        w for t in SERVICES for w in vocabulary.get("services").get(t).words.get("en", ())
    } | {w for g in vocabulary.service_groups() for w in g.words.get("en", ())}
    only_spanish = spanish - every_english
    assert not (english & only_spanish)


def _search_block(output: Path, path: str) -> str:
    html = (output / path / "index.html").read_text(encoding="utf-8")
    match = re.search(r"<div hidden data-pagefind-body.*?</div>\s*", html, re.S)
    assert match, path
    return match.group(0)


def test_legal_listings_are_found_by_abogado_and_lawyer(built_site, sample_directory_ids):
    legal, other = sample_directory_ids
    for listing_id in legal:
        assert "abogado" in _search_block(built_site, f"es/providers/{listing_id}")
        english = _search_block(built_site, f"providers/{listing_id}")
        assert "lawyer" in english and "abogado" not in english
    for listing_id in other:
        # Its own description may say "abogados"; the added words must not.
        block = _search_block(built_site, f"es/providers/{listing_id}")
        assert "abogado" not in re.sub(r"<div>.*?</div>", "", block, flags=re.S)


@pytest.fixture(scope="module")
def sample_directory_ids():
    root = Path(__file__).resolve().parent.parent
    result = load_listings([root / "providers"], today=dt.date(2026, 12, 1))
    published = [item for item in result.listings if item.published]
    legal = [i.id for i in published if set(LEGAL) & set(i.record.services)]
    other = [i.id for i in published if not set(LEGAL) & set(i.record.services)]
    assert legal and other
    return legal, other
