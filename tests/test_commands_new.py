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


def test_new_reads_hours_as_people_say_them(tmp_path, capsys):
    args = [*ARGS, "--out", str(tmp_path), "--hours", "lunes a viernes de 9 a 5 p.m.; Sat 10am-2pm"]
    assert main(args) == 0
    (listing,) = load_listings([tmp_path / "harbor-test-services-chicago.md"]).listings
    assert [h.model_dump(exclude_defaults=True) for h in listing.record.hours] == [
        {"days": ["mon", "tue", "wed", "thu", "fri"], "opens": "09:00", "closes": "17:00"},
        {"days": ["sat"], "opens": "10:00", "closes": "14:00"},
    ]


def test_new_refuses_hours_it_would_have_to_guess_and_says_the_likely_fix(tmp_path, capsys):
    assert main([*ARGS, "--out", str(tmp_path), "--hours", "Mon-Fri 9-5"]) == 2
    assert "did you mean 09:00–17:00?" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())  # nothing half-written
