"""A correction changes one phone, service, language or hours line, and nothing else."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from waystation.cli import main
from waystation.contribute import issue_forms
from waystation.records.listing_writer import read_front_matter

FIXTURES = Path(__file__).parent / "fixtures" / "issue_forms"
LISTING = "rio-grande-legal-hub"


def _issue(tmp_path: Path, changes: str, **values) -> Path:
    body = issue_forms.render_body(
        issue_forms.CORRECT_A_LISTING,
        {
            "listing": f"https://help.example.org/providers/{LISTING}/",
            "what_changed": "The main number changed; they no longer give out clothing.",
            "changes": changes,
            "confirmations": [issue_forms.NO_STREET_CONFIRMATION],
            **values,
        },
    )
    path = tmp_path / "issue.md"
    path.write_text(body, encoding="utf-8")
    return path


def _run(capsys, tmp_path, changes: str, **values):
    providers = tmp_path / "providers"
    providers.mkdir(exist_ok=True)
    target = providers / f"{LISTING}.md"
    shutil.copy(FIXTURES / "listing_to_correct" / target.name, target)
    before = target.read_text(encoding="utf-8")
    code = main(["from-issue", str(_issue(tmp_path, changes, **values)), "--out", str(providers),
                 "--today", "2026-11-30", "--config", "/nonexistent.py"])  # fmt: skip
    out = capsys.readouterr().out
    return code, out, before, target.read_text(encoding="utf-8")


def _changed(before: str, after: str) -> tuple[list[str], list[str]]:
    """(removed lines, added lines): everything else is the same, byte for byte."""
    removed, added = [], []
    for line in difflib.ndiff(before.splitlines(keepends=True), after.splitlines(keepends=True)):
        if line.startswith("- "):
            removed.append(line[2:].rstrip("\n"))
        elif line.startswith("+ "):
            added.append(line[2:].rstrip("\n"))
    return removed, added


def test_changing_one_phone_keeps_the_fax_and_the_phones_languages(tmp_path, capsys):
    code, out, before, after = _run(capsys, tmp_path, "change phone 915-555-0140: 915-555-0141")
    assert code == 0, out
    assert _changed(before, after) == (
        ['  - number: "915-555-0140"', "    type: voice", "    label: Front desk",
         "    languages: [en, es]"],
        ['  - {number: "915-555-0141", type: "voice", label: "Front desk", '
         'languages: ["en", "es"]}'],
    )  # fmt: skip
    phones = read_front_matter(after)[0].data["phones"]
    assert phones[1] == {"number": "915-555-0149", "type": "fax", "label": "Fax for referrals"}


def test_remove_one_phone_add_one_service_language_and_hours_line(tmp_path, capsys):
    code, out, before, after = _run(
        capsys, tmp_path,
        "remove phone: (915) 555-0149\nadd service: food\nremove service: clothing\n"
        "agregar idioma: criollo haitiano\nadd hours: Sun noon-4pm",
    )  # fmt: skip
    assert code == 0, out
    removed, added = _changed(before, after)
    assert removed == [
        "services: [case-management, legal-immigration, clothing]",
        "languages: [en, es]",
        '  - number: "915-555-0149"', "    type: fax", "    label: Fax for referrals",
    ]  # fmt: skip
    assert added == [
        'services: ["case-management", "legal-immigration", "food"]',
        'languages: ["en", "es", "ht"]',
        '  - {days: ["sun"], opens: "12:00", closes: "16:00"}',
    ]
    assert "  # Main line first: it is answered in person." in after


def test_change_and_remove_one_hours_line_by_its_days(tmp_path, capsys):
    code, out, before, after = _run(capsys, tmp_path, "change hours Sat: Sat 9am-1pm")
    assert code == 0, out
    assert _changed(before, after) == (
        ["  - days: [sat]", '    opens: "10:00"', '    closes: "13:00"'],
        ['  - {days: ["sat"], opens: "09:00", closes: "13:00"}'],
    )
    code, out, before, after = _run(capsys, tmp_path, "quitar horario: sábado")
    assert code == 0, out
    assert _changed(before, after)[1] == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ("remove phone: 915-555-0100",
         "the listing has no phone '915-555-0100' (it has: 915-555-0140, 915-555-0149)"),
        ("add service: legal help",
         "'legal help' is not a term of the 'services' vocabulary; did you mean "
         "'legal-immigration', 'legal-criminal' or 'legal-civil'?"),
        ("add hours: Sun 9-5", "did you mean 09:00–17:00?"),
        ("please fix the phone", "is not a change: write e.g. 'add phone:"),
    ],
)  # fmt: skip
def test_a_change_that_cannot_be_made_is_reported_at_its_line(tmp_path, capsys, changes, message):
    code, out, before, after = _run(capsys, tmp_path, "add language: es\n" + changes)
    assert code == 1
    line = next(line for line in out.splitlines() if message in line)
    number = int(line.split(":")[1])
    assert (tmp_path / "issue.md").read_text(encoding="utf-8").splitlines()[number - 1] == changes


def test_replacing_all_phones_and_changing_one_at_once_is_refused(tmp_path, capsys):
    code, out, _, _ = _run(capsys, tmp_path, "remove phone: 915-555-0149",
                           phones="915-555-0100 | voice")  # fmt: skip
    assert code == 1 and "use one or the other" in out


def test_fields_to_remove_are_real_paths_and_close_ones_are_suggested(tmp_path, capsys):
    code, out, before, after = _run(capsys, tmp_path, "", remove="transit, name")
    assert code == 1
    assert "'transit' is not a field that can be removed (did you mean 'location.transit'?)" in out
    assert "'name' is not a field that can be removed (it is required" in out
    code, out, before, after = _run(capsys, tmp_path, "", remove="location.street2, source")
    assert code == 0, out
    assert _changed(before, after) == (["source: Site visit"], [])
