"""`waystation diff`: a reviewer's summary of a realistic change, on a real git repository."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from tests.git_repo import GitRepo, listing_fields
from waystation.cli import main


@pytest.fixture
def repo(tmp_path: Path, monkeypatch) -> GitRepo:
    repo = GitRepo(tmp_path / "directory")
    monkeypatch.chdir(repo.root)
    return repo


def diff(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["diff", *args, "--today", "2026-11-30", "--config", "/nonexistent.py"])
    out, err = capsys.readouterr()
    return code, out, err


def _base(repo: GitRepo) -> str:
    repo.listing("lakeside-chicago", **listing_fields("Lakeside Survivor Services"))
    repo.listing(
        "harbor-light-loop",
        **listing_fields(
            "Harbor Light Loop",
            phones=[{"number": "312-555-0100", "type": "voice", "label": "Intake"}],
        ),  # fmt: skip
    )
    repo.listing("old-shelter", **listing_fields("Old Shelter"))
    repo.listing("riverside-refuge", **listing_fields(
        "Riverside Refuge", location={"visibility": "approximate", "city": "Evanston",
                                      "state": "IL", "postal_code": "60201"}))  # fmt: skip
    repo.listing("north-star", **listing_fields("North Star"))
    repo.listing("rename-me", **listing_fields("Rename Me"))
    repo.write("providers/_template.md", "not a listing")
    repo.write("README.md", "hello")
    return repo.commit("Base directory")


def test_a_realistic_change_explained_listing_by_listing(repo, capsys):
    base = _base(repo)
    # Added
    repo.listing("casa-esperanza", **listing_fields(
        "Casa Esperanza", location={"visibility": "hidden", "state": "IL"}))  # fmt: skip
    # Removed
    (repo.root / "providers/old-shelter.md").unlink()
    # Changed: phone, services, body; last_verified not updated
    changed = listing_fields(
        "Harbor Light Loop",
        services=["case-management", "legal-immigration"],
        phones=[{"number": "312-555-0177", "type": "voice", "label": "Intake"}],
    )
    repo.listing("harbor-light-loop", body="A new description.", **changed)
    # Public -> hidden (street removed, as it must be)
    repo.listing("lakeside-chicago", **listing_fields(
        "Lakeside Survivor Services", location={"visibility": "hidden", "state": "IL"},
        last_verified="2026-11-01"))  # fmt: skip
    # A confidential location gains a street: an error
    repo.listing("riverside-refuge", **listing_fields(
        "Riverside Refuge", location={"visibility": "approximate", "street": "9 Hidden Court",
                                      "city": "Evanston", "state": "IL",
                                      "postal_code": "60201"}))  # fmt: skip
    # Unpublished
    repo.listing("north-star", **listing_fields("North Star", status="inactive"))
    # Renamed (same content)
    (repo.root / "providers/rename-me.md").rename(repo.root / "providers/renamed.md")
    # Not listings: ignored
    repo.write("providers/_template.md", "changed template")
    repo.write("README.md", "changed readme")
    head = repo.commit("A pull request")

    code, out, err = diff(capsys, base, head, "--format", "markdown")
    assert code == 1, out
    assert "1 error(s)" in err
    assert out.startswith("<!-- waystation-review-summary -->")
    assert "**1 added, 4 changed, 1 renamed, 1 removed**" in out
    section = {
        chunk.split("\n", 1)[0]: chunk for chunk in out.split("\n### ")[1:]
    }  # title line -> section

    def find(path: str) -> str:
        return next(text for title, text in section.items() if f"`providers/{path}.md`" in title)

    added = find("casa-esperanza")
    assert added.startswith("➕ Added") and "`location.visibility`: `hidden`" in added
    removed = find("old-shelter")
    assert removed.startswith("➖ Removed") and "REMOVED" in removed
    harbor = find("harbor-light-loop")
    assert "`phones[0].number`: `312-555-0100` → `312-555-0177`" in harbor
    assert "`services`: added `legal-immigration`" in harbor
    assert "description changed" in harbor and "+A new description." in harbor
    assert "`last_verified` does not" in harbor
    lakeside = find("lakeside-chicago")
    assert "⚠️ **WARNING**: VISIBILITY CHANGES public → hidden" in lakeside
    assert "purge" in lakeside
    assert "`location.street`: removed" in lakeside
    assert "`last_verified` does not" not in lakeside
    riverside = find("riverside-refuge")
    assert "❌ **ERROR**: CONFIDENTIAL LOCATION GAINS `location.street`" in riverside
    assert "9 Hidden Court" not in out  # the summary never repeats a confidential street
    north = find("north-star")
    assert "UNPUBLISHED" in north and "`status`: added `inactive`" in north
    renamed = find("renamed")
    assert renamed.startswith("🔀 Renamed") and "from `providers/rename-me.md`" in renamed
    assert "_template" not in out and "README" not in out
    assert "> [!CAUTION]" in out and "> [!WARNING]" in out

    code, text, _ = diff(capsys, base, head)
    assert code == 1
    assert "CHANGED: providers/harbor-light-loop.md — Harbor Light Loop" in text
    assert "phones[0].number: '312-555-0100' -> '312-555-0177'" in text
    assert "ERROR: CONFIDENTIAL LOCATION GAINS location.street" in text


def test_working_tree_is_the_default_head(repo, capsys):
    base = _base(repo)
    assert diff(capsys, base) == (0, "no listing changes (from " + base + " to working tree)\n",
                                  "")  # fmt: skip
    repo.listing("brand-new", **listing_fields("Brand New"))  # untracked
    fields = listing_fields("North Star")
    fields["location"] = dict(fields["location"], city="Oak Park", postal_code="60302")
    repo.listing("north-star", **fields)  # modified, not committed
    code, out, _ = diff(capsys, base)
    assert code == 0, out
    assert "1 added, 1 changed (from" in out and "to working tree)" in out
    assert "location.city: 'Chicago' -> 'Oak Park'" in out


def test_invalid_files_at_head_are_listed_with_their_problems(repo, capsys):
    base = _base(repo)
    repo.write("providers/broken.md", "---\nname: X\nservices: [teleportation]\n---\n")
    fields = copy.deepcopy(listing_fields("Harbor Light Loop"))
    fields["last_verified"] = "2030-01-01"
    repo.listing("harbor-light-loop", **fields)
    code, out, _ = diff(capsys, base, "--format", "markdown")
    assert code == 1
    assert "❌ **invalid** (line 3): `services[0]:" in out
    assert "2030-01-01 is in the future" in out


def test_only_formatting_changes_are_not_reported(repo, capsys):
    base = _base(repo)
    path = repo.root / "providers/north-star.md"
    path.write_text(path.read_text().replace("---\n", "---\n# a comment\n", 1), encoding="utf-8")
    assert diff(capsys, base)[1].startswith("no listing changes")


def test_listing_text_cannot_inject_markdown(repo, capsys):
    base = _base(repo)
    evil = "@maintainers ![x](https://evil.example/p.png) [ok](javascript:alert(1)) ``` ### Fake"
    repo.listing("north-star", **listing_fields(evil))
    _, out, _ = diff(capsys, base, "--format", "markdown")
    line = next(line for line in out.splitlines() if line.startswith("- `name`"))
    # The value sits in a code span whose fence is longer than any run of backticks inside.
    assert line == f"- `name`: `North Star` → ````{evil}````"
    assert "\n### Fake" not in out


def test_bad_revisions_are_usage_errors(repo, capsys, tmp_path, monkeypatch):
    _base(repo)
    code, _, err = diff(capsys, "no-such-branch")
    assert code == 2 and "fetch it first" in err
    outside = tmp_path / "not-a-repo"
    outside.mkdir()
    monkeypatch.chdir(outside)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    code, _, err = diff(capsys, "main")
    assert code == 2 and "not in a git repository" in err
