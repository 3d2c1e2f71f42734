"""Suggestions wherever a choice is made, written as the fix (forms and the validator)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from waystation.cli import main
from waystation.records import suggest, vocabulary
from waystation.records.validation import load_listings

FIXTURES = Path(__file__).parent / "fixtures" / "issue_forms"
TODAY = dt.date(2026, 11, 30)
LEGAL = "'legal-immigration', 'legal-criminal' or 'legal-civil'"

LISTING = """---
name: Lakeside Survivor Services
services: [{services}]
trafficking_types: [sex, labor]
location:
  visibility: approximate
  city: Chicago
  state: {state}
  postal_code: "60601"
phones:
  - number: "{phone}"
    type: voice
last_verified: 2026-11-01
---

A description.
"""


def _messages(tmp_path, services="case-management", state="IL", phone="312-555-0142"):
    path = tmp_path / "lakeside-survivor-services.md"
    path.write_text(LISTING.format(services=services, state=state, phone=phone), "utf-8")
    return [p.message for p in load_listings([path], today=TODAY).errors]


def test_the_validator_suggests_every_term_a_word_stands_for(tmp_path):
    for typed, fix in [
        ("legal help", f"did you mean one or more of {LEGAL}?"),
        ("legal", f"did you mean one or more of {LEGAL}?"),
        ("abogado", f"did you mean one or more of {LEGAL}?"),
        ("counseling", "did you mean 'mental-health'?"),
        ("terapia", "did you mean 'mental-health'?"),
        ("case managment", "did you mean 'case-management'?"),
    ]:
        (message,) = _messages(tmp_path, services=typed)
        assert message == f"'{typed}' is not a term of the 'services' vocabulary; {fix}", typed
    (message,) = _messages(tmp_path, services="zzzz")
    assert message.endswith("(see docs/vocabularies.md#services)")  # no dump of 27 terms


def test_the_validator_turns_state_names_into_codes(tmp_path):
    assert _messages(tmp_path, state="Illinois") == [
        "'Illinois' is not a USPS state code: use one of the 50 states, DC, PR, GU, VI, AS or "
        "MP; did you mean 'IL'?"
    ]


def test_a_fake_area_code_is_called_that_not_a_missing_one(tmp_path):
    (message,) = _messages(tmp_path, phone="(555) 123-4567 ext 2")
    assert "555 is not an area code in use" in message
    assert "with its area code" not in message
    (message,) = _messages(tmp_path, phone="555-0142")
    assert "the area code is missing" in message


def _edited_form(tmp_path: Path, **replacements: str) -> Path:
    """The complete new-listing form, edited the way people edit an issue by hand."""
    body = (FIXTURES / "new_listing_complete.md").read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in body
        body = body.replace(old, new)
    path = tmp_path / "issue.md"
    path.write_text(body, encoding="utf-8")
    return path


def _from_issue(capsys, issue: Path, providers: Path) -> tuple[int, str]:
    code = main(["from-issue", str(issue), "--out", str(providers), "--today", "2026-11-30",
                 "--config", "/nonexistent.py", "--dry-run"])  # fmt: skip
    return code, capsys.readouterr().out


def test_form_answers_that_are_not_options_get_the_options_they_meant(tmp_path, capsys):
    providers = tmp_path / "providers"
    providers.mkdir()
    issue = _edited_form(
        tmp_path,
        **{
            "- [X] Case management (`case-management`)": "- [X] Case managment",
            "- [ ] Mental health (`mental-health`)": "- [X] Counseling",
            "24-hour intake line": "24-hour intake line",
            "| hotline |": "| hot line |",
        },
    )
    code, out = _from_issue(capsys, issue, providers)
    assert code == 1
    assert (
        "'Case managment' is not one of the form's options; did you mean "
        "'Case management (`case-management`)'?" in out
    )
    assert "'Counseling' is not one of the form's options; did you mean " \
        "'Mental health (`mental-health`)'?" in out  # fmt: skip
    assert "'hot line' is not a phone type: did you mean 'hotline'?" in out


def test_a_state_name_is_understood_and_a_misspelt_one_gets_its_code(tmp_path, capsys):
    providers = tmp_path / "providers"
    providers.mkdir()
    body = (FIXTURES / "new_listing_complete.md").read_text(encoding="utf-8")
    state_answer = next(line for line in body.splitlines() if line.startswith("IL — "))
    code, out = _from_issue(capsys, _edited_form(tmp_path, **{state_answer: "Illinois"}),
                            providers)  # fmt: skip
    assert code == 0, out
    assert "  state: IL" in out or 'state: "IL"' in out
    code, out = _from_issue(capsys, _edited_form(tmp_path, **{state_answer: "Ilinois"}),
                            providers)  # fmt: skip
    assert "'Ilinois' is not a US state or territory; did you mean 'IL'?" in out


# -- property: every word the data gives for a term finds it ---------------------------------

_SERVICES = vocabulary.get("services").terms
_NAMED = [
    (term.id, name)
    for term in _SERVICES
    for name in (*term.label.values(), *(w for ws in term.words.values() for w in ws))
]


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(_NAMED), st.sampled_from(["lower", "upper", "title", "spaced"]))
def test_every_label_and_everyday_word_finds_its_term(named, case):
    term_id, name = named
    typed = {"lower": name.lower(), "upper": name.upper(), "title": name.title(),
             "spaced": f"  {name}  "}[case]  # fmt: skip
    assert term_id in suggest.terms("services", typed)


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(vocabulary.service_groups()), st.data())
def test_a_group_word_suggests_all_of_the_groups_terms(group, data):
    words = [w for ws in group.words.values() for w in ws] + list(group.label.values())
    word = data.draw(st.sampled_from(words))
    assert set(group.terms) <= set(suggest.terms("services", word))


def test_a_misspelt_language_gets_its_name_and_code(tmp_path, capsys):
    providers = tmp_path / "providers"
    providers.mkdir()
    answer = "English, Spanish, ht"
    code, out = _from_issue(capsys, _edited_form(tmp_path, **{answer: "English, Spansh"}),
                            providers)  # fmt: skip
    assert code == 1
    assert "'Spansh' is not a language name or ISO 639 code: did you mean 'Spanish (es)'?" in out
