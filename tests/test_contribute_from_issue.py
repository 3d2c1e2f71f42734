"""`waystation from-issue`: filled issue forms become listing files, safely."""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

import pytest

from waystation.cli import main
from waystation.contribute import issue_forms
from waystation.records.listing_writer import SCHEMA_LINE, read_front_matter, render_listing
from waystation.records.validation import load_listings

FIXTURES = Path(__file__).parent / "fixtures" / "issue_forms"
TODAY = "2026-11-30"


@pytest.fixture
def providers(tmp_path: Path) -> Path:
    folder = tmp_path / "providers"
    folder.mkdir()
    return folder


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["from-issue", *args, "--today", TODAY, "--config", "/nonexistent.py"])
    out, err = capsys.readouterr()
    return code, out, err


def front_matter(path: Path) -> dict:
    src, _ = read_front_matter(path.read_text(encoding="utf-8"))
    return src.data


def test_new_listing_form_becomes_a_valid_listing(providers, capsys):
    code, out, _ = run(capsys, str(FIXTURES / "new_listing_complete.md"), "--out", str(providers))
    assert code == 0, out
    path = providers / "casa-esperanza-refugio-chicago.md"
    assert f"wrote {path.as_posix()}" in out
    # The one line that is not hours is kept as a note, and said so at its line.
    assert "0 error(s), 1 warning(s)" in out
    assert "'The hotline answers at all hours.' is not days and times, so it was kept" in out
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[:2] == ["---", SCHEMA_LINE]
    assert 'postal_code: "60608"' in text  # ZIP quoted: leading zeros are never lost
    data = front_matter(path)
    assert data["services"] == ["emergency-shelter", "case-management", "safety-planning"]
    assert data["languages"] == ["en", "es", "ht"]  # names and codes both understood
    assert data["website"] == "https://example.org/casa-esperanza"
    assert data["email"] == "intake@casa-esperanza.example.org"
    assert data["phones"] == [
        {"number": "312-555-0100", "type": "hotline", "label": "24-hour intake line",
         "hours": "24/7"},
        {"number": "312-555-0101", "type": "text", "label": "Text us"},
    ]  # fmt: skip
    assert data["hours"] == [
        {"days": ["mon", "tue", "wed", "thu", "fri"], "opens": "09:00", "closes": "17:00"},
        {"days": ["sat"], "opens": "20:00", "closes": "06:00", "overnight": True},
    ]
    assert data["hours_notes"] == "The hotline answers at all hours."
    assert data["service_area"] == {"remote": True, "states": ["IL"], "counties": ["IN/Lake"]}
    assert data["location"] == {
        "visibility": "approximate", "city": "Chicago", "state": "IL", "postal_code": "60608",
    }  # fmt: skip
    assert "### What happens when you call" in text  # a heading in the description stays there
    result = load_listings([providers], today=__import__("datetime").date(2026, 11, 30))
    assert [item.id for item in result.listings] == ["casa-esperanza-refugio-chicago"]


def test_never_overwrites_an_existing_listing(providers, capsys):
    body = str(FIXTURES / "new_listing_complete.md")
    assert run(capsys, body, "--out", str(providers))[0] == 0
    path = providers / "casa-esperanza-refugio-chicago.md"
    path.write_text("---\nname: mine\n---\n", encoding="utf-8")
    code, _, err = run(capsys, body, "--out", str(providers))
    assert code == 1
    assert "already exists" in err and "--listing casa-esperanza-refugio-chicago" in err
    assert path.read_text(encoding="utf-8") == "---\nname: mine\n---\n"
    code, out, _ = run(capsys, body, "--out", str(providers), "--id", "casa-esperanza-2")
    assert code == 0 and (providers / "casa-esperanza-2.md").is_file()


def test_a_street_for_a_hidden_location_is_never_written(providers, capsys):
    code, out, _ = run(
        capsys, str(FIXTURES / "street_on_hidden_location.md"), "--out", str(providers)
    )
    assert code == 1
    text = (providers / "safe-harbor-house-springfield.md").read_text(encoding="utf-8")
    assert "Secret Lane" not in text and "street" not in text
    assert "it was NOT written to the listing" in out
    assert "Delete revision from history" in out
    line = next(line for line in out.splitlines() if "NOT written" in line)
    body = (FIXTURES / "street_on_hidden_location.md").read_text().splitlines()
    number = int(line.split(":")[1])
    assert body[number - 1] == "400 Secret Lane"  # the message points at the answer's line


def test_every_missing_or_wrong_answer_is_reported_at_once(providers, capsys):
    code, out, _ = run(capsys, str(FIXTURES / "missing_required_fields.md"), "--out",
                       str(providers))  # fmt: skip
    assert code == 1
    for expected in (
        "services: 'Services': this field is required",
        "trafficking_types: 'Kinds of trafficking served': this field is required",
        "'Klingonese' is not a language name",
        "'last week' is not a date",
        "give at least one phone number, a website or an email",
        "is not ticked",
    ):
        assert expected in out, expected
    assert 'hours_notes: "whenever"' in (providers / "no-contact-program-chicago.md").read_text()


def test_correction_changes_only_what_the_form_fills_in(providers, capsys):
    target = providers / "harbor-light-chicago-loop.md"
    shutil.copy(FIXTURES / "listing_to_correct" / target.name, target)
    before = target.read_text(encoding="utf-8")
    code, out, _ = run(
        capsys, str(FIXTURES / "correction_moves_to_confidential_site.md"), "--out",
        str(providers),
    )  # fmt: skip
    assert code == 0, out
    after = target.read_text(encoding="utf-8")
    assert "--- a/" in out and "+++ b/" in out  # the unified diff for the maintainer
    assert "note: the location is now approximate: removed location.street" in out
    data = front_matter(target)
    assert data["phones"] == [
        {"number": "312-555-0177", "type": "voice", "label": "Main line", "hours": "Mon-Fri 9-5"}
    ]
    assert data["services"] == ["case-management", "legal-immigration"]
    assert data["hours"] == [
        {"days": ["mon", "tue", "wed", "thu"], "opens": "10:00", "closes": "16:00"}
    ]
    assert data["location"] == {
        "visibility": "approximate", "city": "Chicago", "state": "IL", "postal_code": "60606",
    }  # fmt: skip
    assert "email" not in data
    assert data["last_verified"] == "2026-11-20"
    # Untouched lines (and the comment) are kept byte for byte.
    for line in (
        "name: Harbor Light Survivor Services – Loop Office",
        "languages: [en, es]",
        "# The intake line is staffed by advocates.",
        'website: "https://example.org/harbor-light/loop"',
        "source: Site visit",
        "The Loop office offers case management and immigration legal help.",
    ):
        assert line in before and line in after
    assert "200 W Example Street" not in after


def test_dry_run_writes_nothing(providers, capsys):
    target = providers / "harbor-light-chicago-loop.md"
    shutil.copy(FIXTURES / "listing_to_correct" / target.name, target)
    before = target.read_bytes()
    code, out, _ = run(
        capsys, str(FIXTURES / "correction_moves_to_confidential_site.md"), "--out",
        str(providers), "--dry-run",
    )  # fmt: skip
    assert code == 0
    assert '+  - {number: "312-555-0177"' in out and "not written" in out
    assert target.read_bytes() == before


def test_reads_stdin_and_gh_json(providers, capsys, monkeypatch):
    body = (FIXTURES / "new_listing_complete.md").read_text(encoding="utf-8")
    payload = json.dumps({"body": body, "title": "New listing: Casa"}).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(payload)))
    code, out, _ = run(capsys, "-", "--out", str(providers), "--id", "from-stdin")
    assert code == 0, out
    assert front_matter(providers / "from-stdin.md")["name"] == "Casa Esperanza Refugio"


def test_refuses_other_issues(providers, capsys, tmp_path):
    code, _, err = run(capsys, str(FIXTURES / "report_a_problem.md"), "--out", str(providers))
    assert code == 2 and "Report a problem" in err
    other = tmp_path / "other.md"
    other.write_text("Please add my shelter, it is at 12 Main St.", encoding="utf-8")
    code, _, err = run(capsys, str(other), "--out", str(providers))
    assert code == 2 and "not a filled" in err
    assert list(providers.iterdir()) == []


HOSTILE = [
    'Evil "quoted" name',
    "Name\n---\nstatus: inactive",
    "!!python/object/apply:os.system ['echo pwned']",
    "&anchor *alias {flow: [x]} # not a comment",
    "key: value: more",
    "tab\tand\\backslash",
    "line\u2028separator\u2029para\u0085nel",
    "\ufeffbom and \x1b[31mescape\x07 bell",
    "emoji 🚨 and العربية and 中文",
    "'single' and `tick` and ${{ github.token }}",
]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_answers_cannot_inject_yaml(providers, capsys, hostile):
    values = {
        "name": hostile, "organization": hostile, "summary": hostile[:150],
        "services": ["food"], "trafficking_types": ["labor"], "visibility": "approximate",
        "city": hostile, "state": "IL", "postal_code": "60601",
        "phones": "312-555-0100 | voice | " + hostile.replace("|", "/").replace("\n", " "),
        "how_to_apply": hostile, "eligibility": hostile, "source": hostile,
        "description": hostile + "\n---\nlast_verified: 1999-01-01\n", "last_verified": TODAY,
        "confirmations": [issue_forms.NO_STREET_CONFIRMATION],
    }  # fmt: skip
    issue = providers.parent / "issue.md"
    issue.write_text(issue_forms.render_body(issue_forms.NEW_LISTING, values), encoding="utf-8")
    run(capsys, str(issue), "--out", str(providers), "--id", "hostile")
    data = front_matter(providers / "hostile.md")
    assert set(data) == {
        "name", "organization", "summary", "services", "trafficking_types", "phones",
        "how_to_apply", "eligibility", "location", "last_verified", "source",
    }  # fmt: skip
    assert "status" not in data and data["last_verified"] == TODAY
    for value in (data["name"], data["organization"], data["source"], data["location"]["city"]):
        assert isinstance(value, str)
        assert "\x1b" not in value and "\u2028" not in value and "\n" not in value
    assert data["name"].replace(" ", "") == " ".join(
        hostile.replace("\x1b", "").replace("\x07", "").replace("\ufeff", "")
        .replace("\u2028", "").replace("\u2029", "").replace("\u0085", "").split()
    ).replace(" ", "")  # fmt: skip


def test_writer_round_trips_every_character():
    tricky = "".join(chr(c) for c in range(0x20, 0x3000) if not 0xD800 <= c <= 0xDFFF)
    text = render_listing({"name": tricky, "tags": [tricky, "#", "- x"]}, "")
    src, _ = read_front_matter(text)
    assert src.data == {"name": tricky, "tags": [tricky, "#", "- x"]}


def test_from_issue_reports_a_phone_already_on_another_organizations_listing(providers, capsys):
    other = providers / "northside-legal-aid-chicago.md"
    other.write_text(
        "---\nname: Northside Legal Aid\nservices: [legal-immigration]\n"
        "trafficking_types: [labor]\nlocation: {visibility: public, street: 1 Main St, "
        'city: Chicago, state: IL, postal_code: "60601"}\n'
        'phones:\n  - {number: "(312) 555-0101", type: voice}\nlast_verified: 2026-11-01\n'
        "---\n\nLegal aid.\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, str(FIXTURES / "new_listing_complete.md"), "--out", str(providers))
    assert code == 0  # a warning: a shared number may be right, the maintainer decides
    path = providers / "casa-esperanza-refugio-chicago.md"
    line = next(line for line in out.splitlines() if "the same phone is on" in line)
    assert line.startswith(f"{path.as_posix()}:")
    number = int(line.split(":")[1])
    assert "312-555-0101" in path.read_text(encoding="utf-8").splitlines()[number - 1]
    assert other.as_posix() in line and "a different organization" in line
