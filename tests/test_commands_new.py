"""``waystation new`` writes a listing that validates, and refuses to clobber one."""

from __future__ import annotations

from waystation.cli import main
from waystation.records.validation import load_listings

ARGS = [
    "new", "--name", "Harbor Test Services", "--services", "case-management, food",
    "--trafficking-types", "sex,labor", "--visibility", "approximate", "--state", "il",
    "--city", "Chicago", "--postal-code", "60601", "--phone", "312-555-0150",
    "--today", "2026-11-30",
]  # fmt: skip


def test_new_writes_a_valid_listing(tmp_path, capsys):
    assert main([*ARGS, "--out", str(tmp_path)]) == 0
    target = tmp_path / "harbor-test-services-chicago.md"
    assert target.exists()
    result = load_listings([target])
    assert result.errors == []
    (listing,) = result.listings
    assert listing.record.location.visibility == "approximate"
    assert listing.record.location.state == "IL"
    assert listing.record.services == ["case-management", "food"]
    assert "0 error(s)" in capsys.readouterr().out


def test_new_refuses_to_overwrite_and_reports_bad_input(tmp_path, capsys):
    assert main([*ARGS, "--out", str(tmp_path)]) == 0
    assert main([*ARGS, "--out", str(tmp_path)]) == 2
    assert "already exists" in capsys.readouterr().err
    bad = [a if a != "case-management, food" else "shelter" for a in ARGS]
    assert main([*bad, "--out", str(tmp_path), "--id", "bad-one"]) == 1
    out = capsys.readouterr().out
    assert "bad-one.md:4:" in out and "'shelter' is not a term" in out


def test_new_without_a_terminal_needs_the_required_options(tmp_path, capsys):
    assert main(["new", "--out", str(tmp_path)]) == 2
    assert "missing --name" in capsys.readouterr().err
