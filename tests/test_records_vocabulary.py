"""Service groups and everyday words in the vocabulary data (vocabularies.yaml)."""

from __future__ import annotations

import shutil

import pytest

from waystation.records import vocabulary


def test_every_service_is_in_exactly_one_group():
    placed = [term for group in vocabulary.service_groups() for term in group.terms]
    assert sorted(placed) == sorted(vocabulary.get("services").ids)


def test_legal_help_gathers_the_three_legal_services():
    group = vocabulary.service_group("legal-help")
    assert group.terms == ("legal-immigration", "legal-criminal", "legal-civil")
    assert group.label_in("es") == "Ayuda legal"
    assert vocabulary.group_of("legal-civil") is group


def test_groups_and_words_have_both_languages():
    for group in vocabulary.service_groups():
        assert group.label.keys() >= {"en", "es"} and group.description.keys() >= {"en", "es"}
        assert group.words.get("en") and group.words.get("es"), group.id
    for term in vocabulary.get("services").terms:
        assert term.words.get("en") and term.words.get("es"), term.id


def test_words_people_type_are_there():
    words = {w.casefold() for t in vocabulary.get("services").terms for w in t.words["es"]}
    words |= {w.casefold() for g in vocabulary.service_groups() for w in g.words["es"]}
    assert {"abogado", "asilo", "refugio", "visa t", "vivienda"} <= words


def test_expanding_groups_gives_their_terms_in_vocabulary_order_once():
    assert vocabulary.expand_services(["food", "legal-help", "legal-civil"]) == [
        "legal-immigration",
        "legal-criminal",
        "legal-civil",
        "food",
    ]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.replace('terms: ["food", ', "terms: ["), "in none: ['food']"),
        (
            lambda s: s.replace('terms: ["education", ', 'terms: ["food", "education", '),
            "in two groups: ['food']",
        ),
        (lambda s: s.replace('"family-reunification", "repatriation"', '"repatriaton"'), "unknown"),
    ],
)
def test_a_group_list_that_misses_or_repeats_a_service_is_refused(tmp_path, edit, message):
    path = tmp_path / "vocabularies.yaml"
    shutil.copy(vocabulary.VOCABULARY_FILE, path)
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        vocabulary.service_groups(path)
