"""A pull request's check talks about the pull request: `validate --changed-since/--only`."""

from __future__ import annotations

import datetime as dt

from tests.git_repo import GitRepo, listing_fields
from waystation.cli import main
from waystation.contribute.stale import stale_listings
from waystation.records.validation import load_listings

TODAY = "2026-11-30"


def _fields(name, number, **overrides):
    phones = [{"number": f"312-555-01{number:02d}", "type": "voice"}]
    return listing_fields(name, phones=phones, **overrides)


def _validate(capsys, monkeypatch, root, *args):
    monkeypatch.chdir(root)
    code = main(["validate", "providers", "--today", TODAY, "--config", "/nonexistent.py", *args])
    return code, capsys.readouterr()


def _repo(tmp_path):
    repo = GitRepo(tmp_path / "site")
    old = "2024-01-02"  # stale on TODAY
    repo.listing("other-org-stale", **_fields("Other Org", 1, last_verified=old))
    repo.listing("other-org-2", **_fields("Second Org", 2, last_verified="2026-11-01",
                                                 website="https://example.org/second"))  # fmt: skip
    base = repo.commit("base")
    return repo, base


def test_a_pull_request_hears_only_about_its_own_files_warnings(tmp_path, capsys, monkeypatch):
    repo, base = _repo(tmp_path)
    # The pull request adds one listing with an http:// website (a warning) and changes nothing
    # else; another organization's listing stays stale on main.
    repo.listing("new-shelter", **_fields("New Shelter", 3, website="http://example.org/n",
                                                 last_verified="2026-11-20"))  # fmt: skip
    repo.commit("add new-shelter")
    code, out = _validate(capsys, monkeypatch, repo.root, "--changed-since", base)
    assert code == 0, out.err
    lines = out.out.splitlines()
    assert any("providers/new-shelter.md" in line and "http://" in line for line in lines)
    assert not any("other-org-stale" in line for line in lines)
    assert "1 warning(s) about other files are left to the weekly check" in out.out
    # Without the option (the weekly check) the stale listing is reported.
    code, out = _validate(capsys, monkeypatch, repo.root)
    assert "providers/other-org-stale.md" in out.out and "last verified" in out.out


def test_errors_in_other_files_are_still_reported(tmp_path, capsys, monkeypatch):
    repo, base = _repo(tmp_path)
    # Another file is broken (edited, not committed): its error is still reported.
    repo.write("providers/other-org-2.md", "---\nname: x\n---\n")
    code, out = _validate(capsys, monkeypatch, repo.root, "--only", "providers/nothing.md")
    assert code == 1
    assert "providers/other-org-2.md" in out.out and "error" in out.out


def test_only_names_files_and_a_bad_revision_is_a_usage_error(tmp_path, capsys, monkeypatch):
    repo, _ = _repo(tmp_path)
    code, out = _validate(capsys, monkeypatch, repo.root, "--only", "providers/other-org-stale.md")
    assert code == 0 and "providers/other-org-stale.md" in out.out
    code, out = _validate(capsys, monkeypatch, repo.root, "--only", "providers")
    assert "providers/other-org-stale.md" in out.out and "left to the weekly" not in out.out
    code, out = _validate(capsys, monkeypatch, repo.root, "--changed-since", "no-such-rev")
    assert code == 2 and "--changed-since no-such-rev: git says" in out.err


def test_stale_and_validate_agree_about_inactive_listings(tmp_path, capsys, monkeypatch):
    repo, _ = _repo(tmp_path)
    repo.listing("closed-for-good", **_fields("Closed Org", 4, last_verified="2023-05-05",
                                                     status="inactive"))  # fmt: skip
    code, out = _validate(capsys, monkeypatch, repo.root)
    assert "closed-for-good" not in out.out  # published nowhere: nothing to re-verify
    result = load_listings([repo.root / "providers"], today=dt.date(2026, 11, 30))
    stale_ids = {s.listing.id for s in stale_listings(result.listings, dt.date(2026, 11, 30), 365)}
    warned = {p.file.rsplit("/", 1)[-1][:-3] for p in result.warnings if p.rule == "stale"}
    assert stale_ids == warned == {"other-org-stale"}
