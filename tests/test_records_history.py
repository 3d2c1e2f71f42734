"""Listing histories from git (waystation/records/history.py), on a repository the test makes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.git_repo import GitRepo, listing_fields
from waystation.records.history import repository_histories


def test_each_file_gets_the_commits_that_changed_it_newest_first(tmp_path: Path):
    repo = GitRepo(tmp_path / "directory")
    repo.listing("alpha", **listing_fields("Alpha"))
    repo.listing("beta", **listing_fields("Beta"))
    first = repo.commit("Add Alpha and Beta", date="2026-01-05")
    repo.listing("alpha", **listing_fields("Alpha", last_verified="2026-03-01"))
    second = repo.commit("Alpha: new phone number, verified by call", date="2026-03-02")
    repo.write("README.md", "not a listing")
    repo.commit("Docs only", date="2026-04-01")
    (repo.root / "providers/beta.md").unlink()
    repo.listing("gamma", **listing_fields("Gamma"))
    third = repo.commit("Replace Beta with Gamma", date="2026-05-10")

    histories = repository_histories(repo.root, "providers")

    assert set(histories) == {"providers/alpha.md", "providers/beta.md", "providers/gamma.md"}
    alpha = histories["providers/alpha.md"]
    assert [(e.commit, e.date, e.summary) for e in alpha] == [
        (second, dt.date(2026, 3, 2), "Alpha: new phone number, verified by call"),
        (first, dt.date(2026, 1, 5), "Add Alpha and Beta"),
    ]
    assert [e.commit for e in histories["providers/beta.md"]] == [third, first]
    assert [e.summary for e in histories["providers/gamma.md"]] == ["Replace Beta with Gamma"]


def test_uncommitted_files_have_no_history(tmp_path: Path):
    repo = GitRepo(tmp_path / "directory")
    repo.listing("alpha", **listing_fields("Alpha"))
    repo.commit("Add Alpha", date="2026-01-05")
    repo.listing("new-one", **listing_fields("New One"))  # not committed
    histories = repository_histories(repo.root, "providers")
    assert "providers/new-one.md" not in histories
    assert len(histories["providers/alpha.md"]) == 1


def test_outside_git_the_history_is_empty(tmp_path: Path, monkeypatch):
    # A build from a downloaded archive: no .git anywhere above.
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    folder = tmp_path / "archive"
    (folder / "providers").mkdir(parents=True)
    (folder / "providers" / "alpha.md").write_text("---\nname: Alpha\n---\n")
    assert repository_histories(folder, "providers") == {}


def test_without_git_installed_the_history_is_empty(tmp_path: Path, monkeypatch):
    repo = GitRepo(tmp_path / "directory")
    repo.listing("alpha", **listing_fields("Alpha"))
    repo.commit("Add Alpha", date="2026-01-05")
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    assert repository_histories(repo.root, "providers") == {}
