"""Listing values cannot forge GitHub comments or steer terminals (issue 19, point 2).

Every field of every payload of the XSS corpus (``tests/fixtures/xss/payloads.txt``) and
of a Markdown-injection corpus (``tests/fixtures/markdown_injection/payloads.txt``:
mentions, images, links, ``<!--``, backticks, headings, tables, HTML) goes through
``waystation diff --format markdown``, ``waystation stale --format markdown`` and
``waystation from-issue``; the Markdown is rendered by cmark-gfm (GitHub's own
renderer, with its extensions) with raw HTML let through, and must have no element,
comment, mention or link the tool did not write itself.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options

from tests.git_repo import GitRepo, listing_fields
from waystation.cli import main
from waystation.contribute import review_diff, stale
from waystation.contribute.github_markdown import code_span, printable, printable_lines
from waystation.records.listing_writer import render_listing

FIXTURES = Path(__file__).parent / "fixtures"
PAYLOADS = [
    line
    for name in ("xss/payloads.txt", "markdown_injection/payloads.txt")
    for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    if line.strip()
] + ["line one\nline two", "tab\there", "esc \x1b[31mred\x1b[0m", "cr\roverwrite", "rtl \u202e"]

#: Elements the tools write themselves; any other is forged.
TOOL_ELEMENTS = {"h2", "h3", "p", "strong", "em", "code", "ul", "li", "blockquote",
                 "details", "summary", "sub", "pre", "input"}  # fmt: skip
TOOL_COMMENTS = {" waystation-review-summary ", " waystation-stale-listings "}
#: The tool's own bold and italic texts (numbers written as 0).
TOOL_STRONG = re.compile(
    r"ERROR|WARNING|invalid|0 error\(s\) must be fixed before merging|"
    r"0 change\(s\) need a careful look|(0 (added|changed|renamed|removed)(, )?)+|"
    r"no listing changes|The summary is too long for a comment and was cut\."
)
TOOL_EM = re.compile(r"\((none|empty|empty list)\)|Weekly maintenance")
MENTION = re.compile(r"(?<![\w`])@[A-Za-z0-9]")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class _Elements(HTMLParser):
    """Elements, comments, and text outside code, of rendered Markdown."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.comments: list[str] = []
        self.texts: list[tuple[str, str]] = []  # (innermost element, text) outside code
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in ("input", "br", "img", "hr"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_comment(self, data):
        self.comments.append(data)

    def handle_data(self, data):
        if "code" not in self.stack and "pre" not in self.stack:
            self.texts.append((self.stack[-1] if self.stack else "", data))


def assert_tool_markdown_only(markdown: str) -> None:
    html = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    found = _Elements()
    found.feed(html)
    forged = set(found.tags) - TOOL_ELEMENTS
    assert not forged, f"elements the tool did not write: {forged}\n{html}"
    assert set(found.comments) <= TOOL_COMMENTS, f"comments: {found.comments}"
    for element, text in found.texts:
        assert not MENTION.search(text), f"a mention outside code: {text!r}"
        assert "://" not in text and "www." not in text, f"an address outside code: {text!r}"
        assert "<!--" not in text and "-->" not in text, text
        if element == "strong":
            assert TOOL_STRONG.fullmatch(re.sub(r"\d+", "0", text)), f"forged bold: {text!r}"
        if element == "em":
            assert TOOL_EM.fullmatch(text), f"forged emphasis: {text!r}"
    assert html.count("<h2>") == 1, html


def assert_terminal_safe(text: str) -> None:
    found = CONTROL.search(text)
    assert not found, f"control character {found.group()!r} in terminal output: {text!r}"


@pytest.mark.parametrize("payload", [*PAYLOADS, "`", "a" * 400 + "`" * 50], ids=repr)
def test_code_span_shows_any_value_as_one_literal_code_element(payload):
    html = cmarkgfm.github_flavored_markdown_to_html(
        f"- value: {code_span(payload)}", options=Options.CMARK_OPT_UNSAFE
    )
    found = _Elements()
    found.feed(html)
    assert found.tags == ["ul", "li", "code"], html
    assert [text for _, text in found.texts if text.strip()] == ["value: "], html


# -- waystation diff ---------------------------------------------------------------------

#: Where a payload goes in a listing (every kind of value the review comment shows).
DIFF_FIELDS = ("name", "status", "last_verified", "summary", "website", "email", "organization",
               "location.visibility", "location.city", "location.postal_code",
               "phones.number", "phones.label", "services", "hours_notes")  # fmt: skip


def _with_payload(listing_id: str, payload: str) -> dict:
    fields = listing_fields(listing_id.title())
    for name in DIFF_FIELDS:
        head, _, sub = name.partition(".")
        if head == "location":
            fields["location"] = {**fields["location"], sub: payload}
        elif head == "phones":
            fields["phones"] = [{**fields["phones"][0], sub: payload}]
        elif head == "services":
            fields["services"] = ["case-management", payload]
        else:
            fields[head] = payload
    fields[payload] = "an unknown field named by the payload"
    return fields


def test_diff_markdown_and_text_show_hostile_values_only_as_code(tmp_path: Path, monkeypatch):
    repo = GitRepo(tmp_path / "directory")
    monkeypatch.chdir(repo.root)
    batches = [PAYLOADS[i : i + 8] for i in range(0, len(PAYLOADS), 8)]
    for index, batch in enumerate(batches):
        for number, _ in enumerate(batch):
            repo.listing(f"p{index:02d}-{number:02d}", **listing_fields("Plain Name"))
    previous = repo.commit("Base")
    for index, batch in enumerate(batches):
        for number, payload in enumerate(batch):
            listing_id = f"p{index:02d}-{number:02d}"
            repo.listing(listing_id, body=payload, **_with_payload(listing_id, payload))
        head = repo.commit(f"Batch {index}")
        result = review_diff.review(repo.root, previous, head, today=None)
        assert result.count("changed") == len(batch)
        markdown = review_diff.format_markdown(result)
        assert "was cut" not in markdown
        assert_tool_markdown_only(markdown)
        assert_terminal_safe(review_diff.format_text(result).replace("\n", " "))
        previous = head


def test_the_reported_forged_comment_is_now_inert(tmp_path: Path, monkeypatch):
    # The finding, word for word: a mention, an external image and a fake all-clear.
    repo = GitRepo(tmp_path / "directory")
    monkeypatch.chdir(repo.root)
    repo.listing("alpha", **listing_fields("Alpha"))
    base = repo.commit("Base")
    status = "x @someone ![t](https://evil.example/p.png) **All checks passed, safe to merge**"
    repo.listing("alpha", **listing_fields("Alpha", status=status, last_verified="0000 <!--"))
    head = repo.commit("Change")
    markdown = review_diff.format_markdown(review_diff.review(repo.root, base, head))
    assert_tool_markdown_only(markdown)
    assert "ℹ️: status `active` → `x @someone" in markdown
    html = cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)
    assert "Reviewers: call the provider" in html  # nothing after the value is hidden


# -- waystation stale --------------------------------------------------------------------


def test_stale_issue_shows_hostile_values_only_as_code(tmp_path: Path, capsys):
    folder = tmp_path / "providers"
    folder.mkdir()
    for number, payload in enumerate(PAYLOADS):
        one_line = payload.replace("\n", " ")
        fields = listing_fields(
            "Name " + one_line,
            last_verified="2023-01-01",
            phones=[{"number": "312-555-0142", "type": "voice", "label": one_line[:100],
                     "hours": one_line[:100]}],
        )  # fmt: skip
        (folder / f"p{number:03d}.md").write_text(render_listing(fields, "About."), "utf-8")
    args = ["--today", "2026-11-30", "--config", "/nonexistent.py", str(folder)]
    code = main(["stale", "--format", "markdown", *args])
    markdown, err = capsys.readouterr()
    assert code == 0, err
    assert markdown.count("- [ ] **`") == len(PAYLOADS), "every listing is in the issue"
    assert_tool_markdown_only(markdown)
    main(["stale", *args])
    assert_terminal_safe(capsys.readouterr()[0].replace("\n", " "))
    assert stale.MARKER in markdown


# -- waystation from-issue ---------------------------------------------------------------


def _issue(payload: str) -> str:
    template = (FIXTURES / "issue_forms" / "new_listing_complete.md").read_text("utf-8")
    one_line = payload.replace("\n", " ")
    for heading in ("Name of the program or site", "Parent organization", "One-line summary"):
        template = re.sub(
            rf"(### {re.escape(heading)}\n\n)[^\n]*", lambda m: m.group(1) + one_line, template
        )
    return template + "\n### Anything else\n\n" + payload + "\n"


@pytest.mark.parametrize("payload", PAYLOADS[::3], ids=repr)
def test_from_issue_output_is_terminal_safe(payload, tmp_path: Path, capsys):
    issue = tmp_path / "issue.json"
    issue.write_text(json.dumps({"body": _issue(payload)}), "utf-8")
    out = tmp_path / "providers"
    out.mkdir()
    main(["from-issue", str(issue), "--out", str(out), "--dry-run", "--id", "some-listing",
          "--today", "2026-11-30", "--config", "/nonexistent.py"])  # fmt: skip
    stdout, stderr = capsys.readouterr()
    assert_terminal_safe(stdout.replace("\n", " ").replace("\t", " "))
    assert_terminal_safe(stderr.replace("\n", " "))


def test_printable_helpers_never_let_a_control_character_through():
    for payload in PAYLOADS:
        assert "\n" not in printable(payload)
        assert_terminal_safe(printable(payload))
        assert_terminal_safe(printable_lines(payload).replace("\n", " ").replace("\t", " "))
