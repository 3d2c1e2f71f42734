"""`waystation stale`: the published listings due for re-verification, oldest first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.git_repo import listing_fields
from waystation.cli import main
from waystation.records.listing_writer import render_listing

TODAY = "2026-11-30"  # 365 days before is 2025-11-30


@pytest.fixture
def providers(tmp_path: Path) -> Path:
    folder = tmp_path / "providers"
    folder.mkdir()

    def add(listing_id: str, **overrides) -> None:
        fields = listing_fields(listing_id.replace("-", " ").title(), **overrides)
        (folder / f"{listing_id}.md").write_text(render_listing(fields, "About."), "utf-8")

    add("fresh", last_verified="2026-10-01")
    add("exactly-a-year", last_verified="2025-11-30")  # 365 days: not yet stale
    add("a-day-over", last_verified="2025-11-29", email="desk@example.org",
        website="https://example.org/over",
        phones=[{"number": "312-555-0100", "type": "hotline", "label": "Intake",
                 "hours": "24/7"}])  # fmt: skip
    add("oldest", last_verified="2023-02-01")
    add("closed-for-now", last_verified="2024-05-05", status="temporarily-closed")
    add("retired", last_verified="2020-01-01", status="inactive")
    add("markdown-name", last_verified="2024-01-01")
    path = folder / "markdown-name.md"
    path.write_text(path.read_text().replace("Markdown Name", "**Bold** [link](x) @team"))
    (folder / "broken.md").write_text("---\nname: X\n---\n", "utf-8")
    return folder


def stale(capsys, providers: Path, *args: str) -> tuple[int, str, str]:
    code = main(["stale", str(providers), "--today", TODAY, "--config", "/nonexistent.py", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_lists_published_listings_past_the_limit_oldest_first(providers, capsys):
    code, out, err = stale(capsys, providers)
    assert code == 0
    assert "1 file(s) have errors" in err
    files = [line.rsplit("[", 1)[1].rstrip("]") for line in out.splitlines() if "  [" in line]
    assert [Path(f).name for f in files] == [
        "oldest.md", "markdown-name.md", "closed-for-now.md", "a-day-over.md"
    ]  # fmt: skip
    assert out.startswith("4 listing(s) last verified more than 365 days before 2026-11-30")
    assert "Closed For Now (temporarily closed)" in out
    assert "last verified 2025-11-29 (366 days ago)" in out
    assert "Hotline: 312-555-0100 (Intake, 24/7)" in out
    assert "Email: desk@example.org" in out and "Website: https://example.org/over" in out
    assert "Retired" not in out and "Fresh" not in out and "Exactly A Year" not in out


def test_days_option_overrides_the_setting(providers, capsys):
    _, out, _ = stale(capsys, providers, "--days", "30")
    assert out.startswith("6 listing(s)")  # every published one: "fresh" is 60 days old
    assert "Fresh" in out and "Retired" not in out
    _, out, _ = stale(capsys, providers, "--days", "5000")
    assert out.startswith("No listing is due")


def test_markdown_is_a_checklist_for_the_weekly_issue(providers, capsys):
    _, out, _ = stale(capsys, providers, "--format", "markdown")
    assert out.startswith(
        "<!-- waystation-stale-listings -->\n## Listings to re-verify (2026-11-30)"
    )
    items = [line for line in out.splitlines() if line.startswith("- [ ] ")]
    assert len(items) == 4
    assert items[0].startswith("- [ ] **`Oldest`** (`")
    assert "2023-02-01, 1398 days ago" in items[0]
    name_line = next(line for line in items if "Bold" in line)
    assert "**`**Bold** [link](x) @team`**" in name_line  # a code span: no formatting, no mention
    assert "  - Hotline: `312-555-0100 (Intake, 24/7)`" in out


def test_json_for_tools(providers, capsys):
    _, out, _ = stale(capsys, providers, "--format", "json")
    data = json.loads(out)
    assert [item["id"] for item in data["listings"]] == [
        "oldest", "markdown-name", "closed-for-now", "a-day-over"
    ]  # fmt: skip
    assert data["listings"][-1]["age_days"] == 366
    assert data["stale_after_days"] == 365
