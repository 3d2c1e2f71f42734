"""YAML mistakes in a listing, reported at their own line, in plain words, with the fix,
and without hiding the file's other problems."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from waystation.records.validation import load_listings

FIXTURES = Path(__file__).parent / "fixtures"
VALID = (FIXTURES / "valid" / "lakeside-survivor-services.md").read_text(encoding="utf-8")
TODAY = dt.date(2026, 11, 30)

#: fixture (named after the rule it breaks) -> [(line, column, exact message)]
EXPECTED = {
    "field-indented-3-spaces": [
        (28, 4, "line 28 is indented 3 spaces; the lines around it use 2"),
    ],
    "field-out-of-its-group": [
        (
            28,
            1,
            "line 28 is indented 0 spaces; the lines around it use 2: indent it by 2 "
            "to keep it in its group",
        ),
    ],  # fmt: skip
    "no-space-after-colon": [
        (
            11,
            6,
            "put a space after the colon: 'cost: free' (without it, 'cost:free' is read "
            "as one word, not a field)",
        ),
    ],  # fmt: skip
    "tab-indentation": [
        (28, 1, "line 28 is indented with a tab: indent with spaces only (2 per level)"),
    ],
    "unclosed-quote": [
        (
            16,
            12,
            'the quote (") opened on line 16 is not closed on that line: add the '
            'closing " at the end of the value',
        ),
    ],  # fmt: skip
    "colon-inside-value": [
        (
            12,
            19,
            "line 12 has a second ': ' inside its value: put the value in double "
            'quotes (summary: "Help: 24 hours")',
        ),
    ],  # fmt: skip
    "several-problems": [
        (
            6,
            29,
            "'legal help' is not a term of the 'services' vocabulary; did you mean one or "
            "more of 'legal-immigration', 'legal-criminal' or 'legal-civil'?",
        ),
        (
            11,
            6,
            "put a space after the colon: 'cost: free' (without it, 'cost:free' is read "
            "as one word, not a field)",
        ),
        (28, 4, "line 28 is indented 3 spaces; the lines around it use 2"),
    ],  # fmt: skip
}


def _errors(path: Path):
    result = load_listings([path], today=TODAY)
    assert result.listings == []  # a YAML mistake is an error until the line is fixed
    return [(p.line, p.column, p.message) for p in result.errors]


def test_every_fixture_has_an_expectation():
    assert {p.stem for p in (FIXTURES / "yaml_errors").glob("*.md")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_yaml_mistakes_are_reported_where_they_are_in_plain_words(name):
    assert _errors(FIXTURES / "yaml_errors" / f"{name}.md") == EXPECTED[name]


def test_no_parser_jargon_reaches_a_volunteer():
    for path in sorted((FIXTURES / "yaml_errors").glob("*.md")):
        for _line, _col, message in _errors(path):
            for jargon in ("did not find expected key", "mapping values", "scalar", "block"):
                assert jargon not in message, (path.name, message)


# -- property: one mistake on any field line is reported on that line ------------------------

_FIELD_LINES = [
    number
    for number, line in enumerate(VALID.split("\n")[:34], start=1)
    if number > 2 and ":" in line and not line.lstrip().startswith(("#", "-")) and line[0] == " "
]


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(_FIELD_LINES), st.sampled_from(["deeper", "shallower", "no-space"]))
def test_one_mistake_on_a_nested_field_is_reported_at_its_line(tmp_path_factory, line, mistake):
    lines = VALID.split("\n")
    text = lines[line - 1]
    indent = len(text) - len(text.lstrip())
    if mistake == "deeper":
        lines[line - 1] = " " + text
    elif mistake == "shallower":
        lines[line - 1] = text[1:]
    else:
        key, _, value = text.strip().partition(": ")
        lines[line - 1] = " " * indent + f"{key}:{value}"
    path = tmp_path_factory.mktemp("yaml") / "lakeside-survivor-services.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    front = "\n".join(lines[1:33])
    try:
        harmless = yaml.safe_load(front) == yaml.safe_load("\n".join(VALID.split("\n")[1:33]))
    except yaml.YAMLError:
        harmless = False
    if harmless:  # e.g. the only field of a group, one space deeper: still valid YAML
        assert load_listings([path], today=TODAY).errors == []
        return
    errors = _errors(path)
    assert errors, lines[line - 1]
    assert any(found == line for found, _col, _msg in errors), (lines[line - 1], errors)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.sampled_from(
            ["name: x", "cost:free", "- a", "- number: \"1\"", "location:", "city: y", "k: |",
             "  text", "\tstate: IL", "x: \"open", "a: [b,", "c]", "# c", "", "d: 'e''f'"]
        )).map(lambda t: " " * t[0] + t[1]),
        max_size=12,
    ).map("\n".join)
)  # fmt: skip
def test_any_broken_front_matter_gets_messages_never_a_crash(text):
    from waystation.records.source import SourceFile, parse_front_matter

    src = SourceFile(path="providers/x.md", id="x")
    problems = parse_front_matter(text + "\n", src, line_offset=1)
    lines = text.count("\n") + 3
    for problem in problems:
        assert 1 <= problem.line <= lines + 1, problem
        assert "Traceback" not in problem.message
