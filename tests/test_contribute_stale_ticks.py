"""The weekly stale issue keeps reviewers' ticks (issue 19: it was rewritten each week,
clearing every ticked box).  ``waystation stale --format markdown --keep-ticks-from
FILE`` ticks again the boxes ticked in the issue's body for the listings still due."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.git_repo import listing_fields
from waystation.cli import main
from waystation.contribute import stale_ticks
from waystation.contribute.github_markdown import code_span
from waystation.records.listing_writer import render_listing

TODAY = "2026-11-30"


@pytest.fixture
def providers(tmp_path: Path) -> Path:
    folder = tmp_path / "providers"
    folder.mkdir()
    due = (("oldest", "2023-02-01"), ("middle", "2024-05-05"), ("newest-due", "2025-06-01"),
           ("fresh", "2026-10-01"))  # fmt: skip
    for listing_id, verified in due:
        fields = listing_fields(listing_id.replace("-", " ").title(), last_verified=verified)
        (folder / f"{listing_id}.md").write_text(render_listing(fields, "About."), "utf-8")
    return folder


def _stale(capsys, providers: Path, *args: str) -> str:
    code = main(["stale", str(providers), "--today", TODAY, "--config", "/nonexistent.py",
                 "--format", "markdown", *args])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def _tick(body: str, *names: str) -> str:
    return "\n".join(
        "- [x] " + line[6:] if line.startswith("- [ ] ") and any(f"{n}" in line for n in names)
        else line
        for line in body.split("\n")
    )  # fmt: skip


def _ticked(body: str) -> list[str]:
    return [line for line in body.splitlines() if line.startswith("- [x] ")]


def test_a_ticked_listing_still_due_stays_ticked_next_week(providers, capsys, tmp_path):
    issue = _tick(_stale(capsys, providers), "Oldest", "Newest Due")
    (tmp_path / "issue.md").write_text(issue, "utf-8")
    # A week later one of the ticked listings was re-verified (its pull request merged).
    path = providers / "newest-due.md"
    path.write_text(path.read_text().replace("2025-06-01", "2026-11-29"), "utf-8")
    body = _stale(capsys, providers, "--keep-ticks-from", str(tmp_path / "issue.md"))
    ticked = _ticked(body)
    assert len(ticked) == 1 and "**`Oldest`**" in ticked[0]
    assert "Newest Due" not in body
    assert any(line.startswith("- [ ] **`Middle`**") for line in body.splitlines())


def test_without_the_option_every_box_starts_empty_as_before(providers, capsys):
    assert _ticked(_stale(capsys, providers)) == []


def test_github_line_endings_and_an_upper_case_x_are_read(providers, capsys, tmp_path):
    issue = _tick(_stale(capsys, providers), "Middle").replace("- [x]", "- [X]")
    (tmp_path / "issue.md").write_bytes(issue.replace("\n", "\r\n").encode())
    body = _stale(capsys, providers, "--keep-ticks-from", str(tmp_path / "issue.md"))
    assert len(_ticked(body)) == 1 and "**`Middle`**" in _ticked(body)[0]


def test_an_unreadable_previous_body_is_a_usage_error(providers, capsys, tmp_path):
    missing = str(tmp_path / "missing.md")
    code = main(["stale", str(providers), "--today", TODAY, "--config", "/nonexistent.py",
                 "--format", "markdown", "--keep-ticks-from", missing])  # fmt: skip
    _, err = capsys.readouterr()
    assert code == 2 and "give the file holding the issue's current body" in err


def test_a_name_cannot_pass_for_another_listings_file():
    """A listing named like another listing's file: ticking it must not tick the other."""
    forged = "- [x] **`providers/b.md`** (`providers/a.md`): last verified 2020-01-01"
    assert stale_ticks.ticked_files(forged) == {"providers/a.md"}
    escaped = r"- [x] **\`providers/b.md\`** (`providers/a.md`): last verified"
    assert stale_ticks.ticked_files(escaped) == {"providers/a.md"}
    # Indented (a reviewer's own sub-list) or quoted lines are not the tool's items.
    quoted = "  - [x] (`providers/c.md`)\n> - [x] (`providers/d.md`)"
    assert stale_ticks.ticked_files(quoted) == set()


def _line(name: str, path: str, mark: str = " ") -> str:
    spans = f"**{code_span(name)}** ({code_span(path)})"
    return f"- [{mark}] {spans}: last verified 2020-01-01, 9 days ago"


_paths = st.lists(
    st.from_regex(r"providers/[a-z0-9][a-z0-9-]{0,20}\.md", fullmatch=True),
    min_size=1, max_size=8, unique=True,
)  # fmt: skip


@given(
    _paths,
    st.data(),
    st.lists(st.text(min_size=1, max_size=30), min_size=8, max_size=8),
)
def test_ticks_survive_exactly_for_listings_still_due(paths, data, names):
    ticked = set(data.draw(st.lists(st.sampled_from(paths), unique=True)))
    still_due = data.draw(st.lists(st.sampled_from(paths), unique=True, min_size=1))
    previous = "\n".join(
        _line(names[i], p, "x" if p in ticked else " ") for i, p in enumerate(paths)
    )
    current = "header\n\n" + "\n".join(_line(names[i], p) for i, p in enumerate(still_due)) + "\n"
    merged = stale_ticks.keep_ticks(previous, current)
    assert stale_ticks.ticked_files(merged) == ticked & set(still_due)
    # Only checkboxes change; merging again changes nothing.
    assert merged.replace("- [x] ", "- [ ] ") == current
    assert stale_ticks.keep_ticks(previous, merged) == merged


@given(st.text(max_size=60))
def test_any_name_is_read_back_as_the_listing_file_it_was_written_with(name):
    line = _line(name, "providers/the-listing.md", "x")
    assert stale_ticks.item_file(line) == "providers/the-listing.md"
