"""Hostile listing files and issue bodies: refused with one clear line each, never a
crash or a hang (issue 19, points 3 and 4)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from ada_url import parse_url
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.git_repo import GitRepo, listing_fields
from waystation.contribute import issue_forms, issue_listing, review_diff
from waystation.records import file_safety
from waystation.records.source import ID_PATTERN, read_listing
from waystation.records.validation import load_listings
from waystation.records.web_address import web_address_problem

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = FIXTURES / "hostile" / "yaml-alias.md"  # a valid listing but for one line
TODAY = __import__("datetime").date(2026, 11, 30)


@contextlib.contextmanager
def finishes_within(seconds: int):
    """Fails the test if the block runs longer than ``seconds`` (a generous bound: the
    code under test takes milliseconds; what it guards against took minutes)."""

    def timeout(signum, frame):
        raise AssertionError(f"did not finish within {seconds} s: not linear")

    previous = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _errors(path: Path):
    with finishes_within(10):
        return [p for p in load_listings([path], today=TODAY).problems if p.is_error]


def _one_line(problems) -> None:
    for problem in problems:
        assert "\n" not in problem.format_text() and "\r" not in problem.format_text()


# -- fixtures named after the rule they break --------------------------------------------

HOSTILE = {
    # name: [(line, column, words)]
    "yaml-alias": [(11, 11, "YAML alias '*a' is not allowed")],
    "yaml-alias-bomb": [(12, 8, "YAML alias '*a' is not allowed")],
    "nul-character": [(12, 24, "U+0000 (NUL)")],
    "control-character": [(12, 28, "U+001B (ESC)"), (16, 16, "U+0008 (backspace)")],
    "website-backslash": [(20, 10, "contains a backslash")],
    "website-credentials": [(20, 10, "user name or password before '@'")],
    "website-host-read-differently": [(20, 10, "browsers read its host as 'evil.example'")],
}


def test_every_hostile_fixture_has_an_expectation():
    assert {p.stem for p in (FIXTURES / "hostile").glob("*.md")} == set(HOSTILE)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_fixture_gives_one_line_errors_at_the_right_place(name):
    path = FIXTURES / "hostile" / f"{name}.md"
    errors = _errors(path)
    assert [(p.line, p.column) for p in errors] == [
        (line, col) for line, col, _ in HOSTILE[name]
    ], [p.format_text() for p in errors]
    for problem, (_, _, words) in zip(errors, HOSTILE[name], strict=True):
        assert words in problem.message
    _one_line(errors)
    assert load_listings([path], today=TODAY).listings == []


def test_a_self_referencing_alias_does_not_crash_the_diff(tmp_path: Path):
    # The finding: a traceback, then no review comment at all.
    repo = GitRepo(tmp_path / "directory")
    repo.listing("alpha", **listing_fields("Alpha"))
    base = repo.commit("Base")
    repo.write("providers/alpha.md", (FIXTURES / "hostile" / "yaml-alias.md").read_text())
    head = repo.commit("Alias")
    with finishes_within(30):
        result = review_diff.review(repo.root, base, head)
    markdown = review_diff.format_markdown(result)
    assert "YAML alias '*a' is not allowed" in markdown
    assert result.errors >= 1


# -- file names, links and special files -------------------------------------------------


@pytest.mark.parametrize("bad", ["abc\n", "abc\r", "abc\x00", "abc\t", " abc", "ab", "Abc"])
def test_ids_are_matched_whole(bad):
    assert ID_PATTERN.fullmatch(bad) is None
    assert ID_PATTERN.fullmatch("abc") is not None


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("harbor-light\n.md", "invisible character U+000A"),
        ("harbor-light\x1b.md", "invisible character U+001B (ESC)"),
        (".harbor-light.md", "starts with '.'"),
        (unicodedata.normalize("NFD", "caf\u00e9-refugio.md"), "not in Unicode NFC"),
    ],
)
def test_file_names_a_reviewer_cannot_see_are_refused(tmp_path: Path, name, words):
    folder = tmp_path / "providers"
    folder.mkdir()
    (folder / name).write_bytes(GOOD.read_bytes().replace(b"loop: &a [*a]\n", b""))
    errors = _errors(folder)
    assert any(words in p.message for p in errors), [p.format_text() for p in errors]
    _one_line(errors)
    assert load_listings([folder], today=TODAY).listings == []


def test_a_file_name_ending_in_a_line_break_is_reviewed_not_hidden(tmp_path: Path):
    # The finding: built and published, while `waystation diff` said "no listing changes".
    repo = GitRepo(tmp_path / "directory")
    repo.listing("alpha", **listing_fields("Alpha"))
    base = repo.commit("Base")
    repo.listing("hidden-one\n", **listing_fields("Hidden One"))
    head = repo.commit("Sneak")
    result = review_diff.review(repo.root, base, head)
    assert result.count("added") == 1
    assert result.errors >= 1
    markdown = review_diff.format_markdown(result)
    assert "no listing changes" not in markdown
    assert "not a valid listing id" in markdown
    assert "`providers/hidden-one⏎.md`" in markdown  # the line break is shown, not hidden
    assert load_listings([repo.root / "providers"], today=TODAY).errors


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/null", "listing"])
def test_symbolic_links_are_refused_never_followed(tmp_path: Path, target):
    folder = tmp_path / "providers"
    folder.mkdir()
    real = tmp_path / "real.md"
    real.write_bytes(GOOD.read_bytes().replace(b"loop: &a [*a]\n", b""))
    (folder / "linked.md").symlink_to(real if target == "listing" else target)
    errors = _errors(folder)
    assert [p.message for p in errors] == [
        "this is a symbolic link: a listing must be a regular file in the repository; "
        "replace the link with the file itself"
    ]


def test_a_symbolic_link_to_a_folder_is_refused_not_followed(tmp_path: Path):
    folder = tmp_path / "providers"
    folder.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "sneaked-in.md").write_bytes(GOOD.read_bytes().replace(b"loop: &a [*a]\n", b""))
    (folder / "more").symlink_to(elsewhere)
    errors = _errors(folder)
    assert [(Path(p.file).name, p.rule) for p in errors] == [("more", "not_a_regular_file")]
    assert "symbolic link" in errors[0].message
    assert load_listings([folder], today=TODAY).listings == []


def test_a_pipe_is_refused_without_waiting_for_it(tmp_path: Path):
    folder = tmp_path / "providers"
    folder.mkdir()
    os.mkfifo(folder / "pipe.md")
    errors = _errors(folder)  # reading a pipe would block forever
    assert len(errors) == 1 and "not a regular file" in errors[0].message


def test_read_listing_refuses_a_folder_named_like_a_listing(tmp_path: Path):
    (tmp_path / "folder.md").mkdir()
    src = read_listing(tmp_path / "folder.md")
    assert [p.rule for p in src.problems] == ["not_a_regular_file"]


# -- linear time on adversarial input ----------------------------------------------------

LONG = 100_000
ADVERSARIAL_LINES = [
    "### " + " " * LONG + "x",
    "### " + "#" * LONG + " x",
    "### " + "a " * (LONG // 2) + "#",
    "### " + "a" + " \t" * (LONG // 2) + "#" * 10 + " " * 10 + "!",
    "- [x] " + " " * LONG + "x",
    "- [x] " + "a " * (LONG // 2),
    "1 " + "A " * (LONG // 2),
    "12 Main " * (LONG // 8),
    "`" * LONG,
    "\x00" * LONG,
    "a\x01" * (LONG // 2),
]


@pytest.mark.parametrize("line", ADVERSARIAL_LINES, ids=lambda s: repr(s[:12]))
def test_issue_parsing_is_linear_in_the_line_length(line):
    # The finding: one 6.7 KB heading line ran for minutes (the pattern was cubic).
    body = f"### Name of the program or site\n\n{line}\n{line}\n### City\n\n{line}\n"
    with finishes_within(5):
        form = issue_forms.detect_form(body)
        assert form is issue_forms.NEW_LISTING
        issue_forms.parse_body(body, form)


@pytest.mark.parametrize(
    "line",
    [*ADVERSARIAL_LINES, "a" + ":" * LONG + "x", "a" + " :" * (LONG // 2) + " 9"],
    ids=lambda s: repr(s[:12]),
)
def test_every_answer_of_a_new_listing_form_is_read_in_linear_time(line):
    form = (FIXTURES / "issue_forms" / "new_listing_complete.md").read_text("utf-8")
    parts = re.split(r"(?m)^(### .*)$", form)
    body = parts[0] + "".join(
        f"{heading}\n\n{line}\n{line}\n" for heading in parts[1::2]
    )  # every answer: two adversarial lines
    with finishes_within(5):
        answers = issue_forms.parse_body(body, issue_forms.detect_form(body))
        issue_listing.new_listing(answers, "issue.md")
        issue_listing.correction(answers, "issue.md")


@pytest.mark.parametrize("line", ADVERSARIAL_LINES, ids=lambda s: repr(s[:12]))
def test_listing_checks_are_linear_in_the_line_length(line):
    with finishes_within(5):
        file_safety.control_characters(line)
        file_safety.file_name_problem(line)
        web_address_problem("https://example.org/" + line)
        review_diff._STREET_LIKE.search(line)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("# \tab\u00a0x")), max_size=40))
@example(" # # #")  # only '#'s and blanks: both read "# #", which is no label
def test_headings_read_as_the_old_pattern_read_them(text):
    old = re.compile(r"^###\s+(.+?)\s*#*\s*$")  # cubic, but right on short lines
    line = "###" + text
    found = old.match(line)
    heading = issue_forms._heading(line)
    if found and found.group(1).strip("# \t\u00a0"):
        assert heading == found.group(1)
    else:  # no label, only '#'s and blanks ("### # # #"): no heading either way
        assert heading is None or not heading.strip("# \t\u00a0")


@given(st.text(max_size=200))
def test_every_control_character_line_is_found_at_its_column(text):
    found = file_safety.control_characters(text, limit=1000)
    lines = text.split("\n")
    expected = []
    for number, line in enumerate(lines, start=1):
        match = re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", line)
        if match:
            expected.append((number, match.start() + 1, match.group()))
    assert found == expected


# -- web addresses -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "https://evil.example\\@example.org",  # the finding: Python and browsers disagree
        "https://example.org\\.evil.example/",
        "https://user@example.org/",
        "https://user:pass@example.org/",
        "https://example.org@evil.example/",
        "https://%65vil.example/",
        "https://evil.example%2F@example.org/",
        "https://example.org\t/",
        "https://exa mple.org/",
        "https://example.org\u200b/",
        "javascript:alert(1)",
        "https:///example.org",
        "ftp://example.org/",
        "example.org/help",
    ],
)
def test_web_addresses_that_mislead_are_refused(address):
    assert web_address_problem(address)


@pytest.mark.parametrize(
    "address",
    [
        "https://example.org",
        "https://example.org/help?lang=es#intake",
        "https://EXAMPLE.org:8443/a/b",
        "https://b\u00fccher.example/hilfe",
        "https://xn--bcher-kva.example/",
        "http://example.org/@team",
        "https://example.org/path%20with%20spaces",
    ],
)
def test_ordinary_web_addresses_are_accepted(address):
    assert web_address_problem(address) is None


@given(
    st.text(alphabet=st.sampled_from(list("ab.-@:\\/%25 ")), min_size=1, max_size=30),
    st.text(alphabet=st.sampled_from(list("ab/?#@\\.%")), max_size=20),
)
def test_an_accepted_address_leads_where_it_reads(host, path):
    address = f"https://{host}/{path}"
    if web_address_problem(address) is None:
        parsed = parse_url(address)
        assert "\\" not in address
        assert not parsed["username"] and not parsed["password"]
        assert urlsplit(address).hostname == parsed["hostname"]


def test_a_long_run_of_spaces_in_a_listing_does_not_hold_the_build():
    # 250 KB of spaces in a field reach the page as they are; the policy step scans
    # every page (the pattern that started at each space was quadratic: minutes).
    from waystation.site.csp import set_policy

    page = (
        "<!doctype html><html><head><meta charset=utf-8>\n"
        '  <meta http-equiv="Content-Security-Policy" content="default-src \'none\'">\n'
        f"</head><body><p>Hours: 9{' ' * 250_000}\t5</p></body></html>"
    )
    with finishes_within(5):
        result = set_policy(page, "default-src 'self'")
    assert result.count("Content-Security-Policy") == 1
    assert "default-src 'self'" in result and " " * 250_000 in result


def test_diff_of_the_working_tree_refuses_a_link_to_a_device(tmp_path: Path, monkeypatch):
    repo = GitRepo(tmp_path / "directory")
    repo.listing("alpha", **listing_fields("Alpha"))
    base = repo.commit("Base")
    (repo.root / "providers" / "zero.md").symlink_to("/dev/zero")
    monkeypatch.chdir(repo.root)
    with finishes_within(30):
        result = review_diff.review(repo.root, base, None)  # the working tree
    (change,) = result.changes
    assert change.kind == "added" and change.path == "providers/zero.md"
    assert [p.rule for p in change.problems] == ["not_a_regular_file"]
