"""`waystation from-issue` refuses what would expose a confidential place or slip an id
past review (issue 19, points 3 and 5)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from waystation.cli import main
from waystation.records.listing_writer import read_front_matter

FIXTURES = Path(__file__).parent / "fixtures" / "issue_forms"
TODAY = "2026-11-30"
HIDDEN = "quiet-harbor-vt.md"


@pytest.fixture
def providers(tmp_path: Path) -> Path:
    folder = tmp_path / "providers"
    folder.mkdir()
    shutil.copy(FIXTURES / "listing_to_correct" / HIDDEN, folder / HIDDEN)
    return folder


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["from-issue", *args, "--today", TODAY, "--config", "/nonexistent.py"])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_correction_that_makes_a_hidden_listing_public_is_refused(providers, capsys):
    # The finding: "0 errors, 0 warnings", and the hidden shelter's street written.
    before = (providers / HIDDEN).read_bytes()
    form = FIXTURES / "correction_makes_hidden_listing_public.md"
    code, out, err = run(capsys, str(form), "--out", str(providers))
    assert code == 1
    assert "has a confidential location (hidden)" in err
    assert "would make it public" in err
    assert "--confirmed-with-provider" in err
    assert "Nothing was written" in err
    assert (providers / HIDDEN).read_bytes() == before
    assert "Quillwort" not in out + err


def test_a_street_for_a_listing_that_stays_hidden_is_never_written(providers, capsys):
    form = FIXTURES / "correction_adds_street_to_hidden_listing.md"
    for flag in ((), ("--confirmed-with-provider",)):
        code, out, _ = run(capsys, str(form), "--out", str(providers), *flag)
        assert code == 1
        assert "gives a street address for a hidden location: it was NOT written" in out
        assert "Quillwort" not in (providers / HIDDEN).read_text("utf-8")


def test_a_reviewer_who_confirmed_with_the_provider_can_publish_the_address(providers, capsys):
    form = FIXTURES / "correction_makes_hidden_listing_public.md"
    code, out, err = run(capsys, str(form), "--out", str(providers), "--confirmed-with-provider")
    assert code == 0, out + err
    src, _ = read_front_matter((providers / HIDDEN).read_text("utf-8"))
    assert src.data["location"] == {
        "visibility": "public", "street": "99 Quillwort Lane", "city": "Bomoseen",
        "state": "VT", "postal_code": "05732",
    }  # fmt: skip


def test_a_correction_that_keeps_the_place_confidential_needs_no_flag(providers, capsys):
    form = FIXTURES / "correction_moves_to_confidential_site.md"
    text = form.read_text("utf-8").replace("harbor-light-chicago-loop", "quiet-harbor-vt")
    text = text.replace(
        "approximate — Approximate location: Only the city and ZIP code are "
        "shown; the map shows an area, not an address.",
        "_No response_",
    )
    issue = providers.parent / "issue.md"
    issue.write_text(text, "utf-8")
    code, out, err = run(capsys, str(issue), "--out", str(providers))
    assert code == 0, out + err
    src, _ = read_front_matter((providers / HIDDEN).read_text("utf-8"))
    assert src.data["location"] == {"visibility": "hidden", "state": "VT"}
    assert src.data["phones"][0]["number"] == "312-555-0177"


@pytest.mark.parametrize("bad_id", ["abc\n", "abc\r\n", "../abc", "ABC", "ab", "abc.md"])
def test_an_id_with_a_final_line_break_or_other_character_is_refused(providers, capsys, bad_id):
    new = FIXTURES / "new_listing_complete.md"
    code, out, err = run(capsys, str(new), "--out", str(providers), "--id", bad_id)
    assert code == 2
    assert "is not a valid listing id" in err
    assert sorted(p.name for p in providers.iterdir()) == [HIDDEN]
    code, out, err = run(
        capsys, str(FIXTURES / "correction_moves_to_confidential_site.md"), "--out",
        str(providers), "--listing", bad_id,
    )  # fmt: skip
    assert code == 2
    assert "no listing" in err


def test_refusals_of_a_bad_id_are_one_line(providers, capsys):
    new = FIXTURES / "new_listing_complete.md"
    _, _, err = run(capsys, str(new), "--out", str(providers), "--id", "abc\n\x1b[2J")
    assert err.count("\n") == 1 and "\x1b" not in err
    fix = FIXTURES / "correction_moves_to_confidential_site.md"
    _, _, err = run(capsys, str(fix), "--out", str(providers), "--listing", "abc\n\x1b[2J")
    assert err.count("\n") == 1 and "\x1b" not in err


def test_a_correction_never_reads_through_a_symbolic_link(providers, capsys):
    (providers / "harbor-light-chicago-loop.md").symlink_to("/dev/zero")
    fix = FIXTURES / "correction_moves_to_confidential_site.md"
    code, _, err = run(capsys, str(fix), "--out", str(providers))
    assert code == 2 and "no listing" in err
