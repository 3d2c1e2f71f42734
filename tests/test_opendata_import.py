"""``waystation import-hsds``: 211 data (HSDS 1.1, 2.0, 3.0; tabular and JSON) to draft
listings, checked field by field.  Every fixture is built here, shaped like real exports
(CSVs under ``data/``, plural table names, Windows-1252, ids shared across tables)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from waystation import cli
from waystation.opendata.hsds_import import ImportOptions, import_hsds
from waystation.opendata.hsds_import.confidential import street_reasons
from waystation.opendata.hsds_import.encoding import decode
from waystation.opendata.hsds_import.report import as_markdown, as_text
from waystation.opendata.hsds_import.tables import ALIASES, NOT_IMPORTED

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-12-01"


def write_csv(path: Path, rows: list[dict], encoding: str = "utf-8", shuffle: int | None = None):
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = list(dict.fromkeys(k for row in rows for k in row))
    rows = list(rows)
    if shuffle is not None:
        random.Random(shuffle).shuffle(rows)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


def front_matter(path: Path) -> tuple[dict, str]:
    text = path.read_text("utf-8")
    _, head, body = text.split("---\n", 2)
    return yaml.safe_load(head), body.strip()


def run_import(path: Path, out: Path, *extra: str, capsys=None) -> tuple[int, str]:
    code = cli.main(["import-hsds", str(path), "--out", str(out), "--today", TODAY, *extra])
    return code, capsys.readouterr().out if capsys else ""


# ---------- HSDS 1.1, CSVs under data/, Windows-1252 ----------


def hsds_11_package(root: Path, shuffle: int | None = None) -> Path:
    """A 1.1 export: data/ folder, one-to-one ids (service_at_location.id == service_id),
    regular_schedules, physical and postal addresses, a Windows-1252 organizations.csv."""
    data = root / "data"
    (root).mkdir(parents=True, exist_ok=True)
    (root / "datapackage.json").write_text(
        json.dumps(
            {
                "name": "hsds",
                "resources": [
                    {"name": "services", "path": "data/services.csv"},
                    {"name": "locations", "path": "data/locations.csv"},
                ],
            }
        ),
        "utf-8",
    )
    write_csv(
        data / "organizations.csv",
        [
            {
                "id": "1",
                "name": "Casa Esperanza Ñuñoa",
                "description": "Apoyo para sobrevivientes de trata — desde 1998.",
                "email": "info@casa-esperanza.org",
                "url": "www.casa-esperanza.org",
            },
            {"id": "2", "name": "Lakeview Legal Aid", "description": "Free legal help."},
        ],
        encoding="cp1252",
        shuffle=shuffle,
    )
    write_csv(
        data / "services.csv",
        [
            {
                "id": "10",
                "organization_id": "1",
                "name": "Anti-Trafficking Case Management",
                "description": "Case management for survivors.",
                "status": "active",
                "application_process": "Call the hotline.",
                "fees": "None",
            },
            {
                "id": "11",
                "organization_id": "2",
                "name": "Immigration Legal Services",
                "description": "T visas and U visas.",
                "status": "active",
            },
            {
                "id": "12",
                "organization_id": "2",
                "name": "Drum Circle",
                "description": "Music.",
                "status": "active",
            },
        ],
        shuffle=shuffle,
    )
    write_csv(
        data / "locations.csv",
        [
            {
                "id": "10",
                "organization_id": "1",
                "name": "Main office",
                "latitude": "41.8841",
                "longitude": "-87.6324",
                "transportation": "Blue Line to Clark/Lake",
            },
            {"id": "11", "organization_id": "2", "name": "Legal office"},
            {"id": "99", "organization_id": "2", "name": "Unused annex"},
        ],
        shuffle=shuffle,
    )
    write_csv(
        data / "services_at_location.csv",
        [
            {"id": "10", "service_id": "10", "location_id": "10"},
            {"id": "11", "service_id": "11", "location_id": "11"},
            {"id": "12", "service_id": "12", "location_id": "11"},
        ],
        shuffle=shuffle,
    )
    write_csv(
        data / "physical_addresses.csv",
        [
            {
                "id": "1",
                "location_id": "10",
                "address_1": "100 N LaSalle St",
                "address_2": "Suite 400",
                "city": "Chicago",
                "state_province": "Illinois",
                "postal_code": "60602",
                "country": "US",
            },
            {
                "id": "2",
                "location_id": "11",
                "address_1": "Confidential",
                "city": "Evanston",
                "state_province": "IL",
                "postal_code": "60201",
                "country": "US",
            },
        ],
        shuffle=shuffle,
    )
    write_csv(
        data / "postal_addresses.csv",
        [
            {
                "id": "3",
                "location_id": "10",
                "address_1": "PO Box 5",
                "city": "Chicago",
                "state_province": "IL",
                "postal_code": "60690",
            },
        ],
    )
    write_csv(
        data / "phones.csv",
        [
            {
                "id": "1",
                "service_id": "10",
                "number": "(312) 603-8000",
                "extension": "12",
                "type": "voice",
                "language": "en,Spanish",
                "description": "Intake",
            },
            {"id": "2", "location_id": "10", "number": "312-603-8001", "type": "fax"},
            {"id": "3", "service_id": "404", "number": "312-603-8002", "type": "voice"},
            {"id": "4", "organization_id": "2", "number": "847-866-5000", "type": "voice"},
        ],
        shuffle=shuffle,
    )
    write_csv(
        data / "regular_schedules.csv",
        [
            {
                "id": "1",
                "service_id": "10",
                "weekday": "1",
                "opens_at": "09:00",
                "closes_at": "17:00",
            },
            {
                "id": "2",
                "service_id": "10",
                "weekday": "2",
                "opens_at": "09:00",
                "closes_at": "17:00",
            },
            {
                "id": "3",
                "service_at_location_id": "11",
                "weekday": "Saturday",
                "opens_at": "10:00 AM",
                "closes_at": "2:00 PM",
            },
            {
                "id": "4",
                "service_id": "11",
                "weekday": "Monday",
                "opens_at": "08:00",
                "closes_at": "12:00",
            },
        ],
        shuffle=shuffle,
    )
    write_csv(
        data / "languages.csv",
        [
            {"id": "1", "service_id": "10", "language": "Spanish"},
            {"id": "2", "service_id": "10", "language": "Tagalog"},
            {"id": "3", "location_id": "10", "language": "fre"},
            {"id": "4", "service_id": "11", "language": "Klingonese"},
        ],
        shuffle=shuffle,
    )
    write_csv(
        data / "accessibility_for_disabilities.csv",
        [
            {"id": "1", "location_id": "10", "accessibility": "Wheelchair accessible entrance"},
        ],
    )
    write_csv(
        data / "taxonomy.csv",
        [
            {"id": "FN-1500.3400", "name": "Human Trafficking Victim Services"},
            {"id": "FT-3200", "name": "Immigration Legal Services", "parent_id": "FT"},
            {"id": "FT", "name": "Legal Services"},
            {"id": "PL-5000", "name": "Drum Circles"},
            {"id": "X1", "name": "Loop A", "parent_id": "X2"},
            {"id": "X2", "name": "Loop B", "parent_id": "X1"},
        ],
    )
    write_csv(
        data / "services_taxonomy.csv",
        [
            {"id": "1", "service_id": "10", "taxonomy_id": "FN-1500.3400"},
            {"id": "2", "service_id": "11", "taxonomy_id": "FT-3200"},
            {"id": "3", "service_id": "12", "taxonomy_id": "PL-5000"},
            {"id": "4", "service_id": "12", "taxonomy_id": "X1"},
        ],
    )
    write_csv(data / "contacts.csv", [{"id": "1", "service_id": "10", "name": "Jane Roe"}])
    return root


def test_hsds_11_package_with_data_folder_and_windows_1252(tmp_path, capsys):
    package = hsds_11_package(tmp_path / "export")
    code, out = run_import(
        package, tmp_path / "providers", "--report", str(tmp_path / "report.md"), capsys=capsys
    )
    assert code == 0
    files = sorted(p.name for p in (tmp_path / "providers").glob("*.md"))
    assert files == [
        "anti-trafficking-case-management.md",
        "drum-circle.md",
        "immigration-legal-services.md",
    ]
    fm, body = front_matter(tmp_path / "providers" / "anti-trafficking-case-management.md")
    assert fm["name"] == "Anti-Trafficking Case Management"
    assert fm["organization"] == "Casa Esperanza Ñuñoa"  # Windows-1252 read right
    assert fm["source_id"] == "10@10"
    assert fm["services"] == ["case-management"]  # FN-1500.3400
    assert fm["trafficking_types"] == ["TODO"]
    assert fm["location"] == {
        "visibility": "public",
        "street": "100 N LaSalle St",
        "street2": "Suite 400",
        "city": "Chicago",
        "state": "IL",
        "postal_code": "60602",
        "coordinates": {"lat": 41.8841, "lon": -87.6324},
        "accessibility": ["wheelchair"],
        "transit": "Blue Line to Clark/Lake",
    }
    assert fm["phones"] == [
        {
            "number": "(312) 603-8000 ext. 12",
            "type": "voice",
            "label": "Intake",
            "languages": ["en", "es"],
        },
        {"number": "312-603-8001", "type": "fax"},
    ]
    assert fm["languages"] == ["es", "tl", "fr"]  # names and a 639-2 code, location's too
    assert fm["hours"] == [{"days": ["mon", "tue"], "opens": "09:00", "closes": "17:00"}]
    assert fm["email"] == "info@casa-esperanza.org"
    assert fm["website"] == "https://www.casa-esperanza.org"
    assert fm["how_to_apply"] == "Call the hotline." and fm["fees"] == "None"
    assert fm["last_verified"] == "TODO"
    assert body.startswith("Case management for survivors.")
    assert "Apoyo para sobrevivientes de trata — desde 1998." in body
    legal, _ = front_matter(tmp_path / "providers" / "immigration-legal-services.md")
    # "Confidential" street: approximate, no street; schedules of the service at this
    # location (service_at_location 11) win over the service's own.
    assert legal["location"] == {
        "visibility": "approximate",
        "city": "Evanston",
        "state": "IL",
        "postal_code": "60201",
    }
    assert legal["hours"] == [{"days": ["sat"], "opens": "10:00", "closes": "14:00"}]
    assert legal["services"] == ["legal-immigration", "legal-civil"]  # code FT + name
    assert legal["populations"] == ["foreign-nationals"]
    assert legal["phones"] == [{"number": "847-866-5000", "type": "voice"}]  # organization's
    assert "languages" not in legal
    report = (tmp_path / "report.md").read_text("utf-8")
    assert out.index("Confidential by default: 2 place") < out.index("Imported")
    assert "immigration-legal-services.md: approximate because the street is marked" in out
    assert "not UTF-8: read as windows-1252" in out and "data/organizations.csv" in out
    assert "read as HSDS 1.x tabular package" in out and "data/" in out
    assert "phone row links to something not in the data" in out and "'404'" in out
    assert "location no service links to" in out and "data/locations.csv:4" in out
    assert "taxonomy terms whose parent_id loops back" in out
    assert "1 × PL-5000 Drum Circles" in out
    assert "staff contacts are not listing fields" in out and "Jane Roe" not in out
    assert "Klingonese" in out  # a language it could not read, reported
    assert "# HSDS import report" in report and "Confidential by default" in report


def test_drafts_fail_validation_only_on_their_todo_markers(tmp_path, capsys):
    run_import(hsds_11_package(tmp_path / "export"), tmp_path / "p", capsys=capsys)
    code = cli.main(["validate", str(tmp_path / "p"), "--today", TODAY])
    lines = [line for line in capsys.readouterr().out.splitlines() if ": error: " in line]
    assert code == 1
    assert lines and all("'TODO'" in line for line in lines), lines
    fields = sorted({line.split(": error: ")[1].split(":")[0] for line in lines})
    assert fields == ["last_verified", "services[0]", "trafficking_types[0]"]


def test_only_imports_the_relevant_services(tmp_path, capsys):
    package = hsds_11_package(tmp_path / "export")
    code, out = run_import(
        package, tmp_path / "p", "--only", "FN-1500", "immigration", capsys=capsys
    )
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "p").glob("*.md")) == [
        "anti-trafficking-case-management.md",
        "immigration-legal-services.md",
    ]
    assert "1 record(s) not selected by --only FN-1500 immigration" in out


def test_a_zip_of_the_package_reads_the_same(tmp_path, capsys):
    package = hsds_11_package(tmp_path / "export")
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in package.rglob("*"):
            if path.is_file():
                zf.write(path, "export/" + path.relative_to(package).as_posix())
    run_import(package, tmp_path / "a", capsys=capsys)
    run_import(archive, tmp_path / "b", capsys=capsys)
    for path in (tmp_path / "a").glob("*.md"):
        assert (tmp_path / "b" / path.name).read_text("utf-8") == path.read_text("utf-8")


# ---------- re-import ----------


def test_reimport_in_reverse_order_keeps_names_and_reviewers_changes(tmp_path, capsys):
    out = tmp_path / "p"
    run_import(hsds_11_package(tmp_path / "v1"), out, capsys=capsys)
    first = {p.name: p.read_text("utf-8") for p in out.glob("*.md")}
    # the same data in another row order: same names, same content
    run_import(hsds_11_package(tmp_path / "v1-shuffled", shuffle=7), out, capsys=capsys)
    assert {p.name: p.read_text("utf-8") for p in out.glob("*.md")} == first
    # a reviewer fills in TODOs and edits the description
    target = out / "anti-trafficking-case-management.md"
    text = target.read_text("utf-8").replace(
        'trafficking_types: ["TODO"]', 'trafficking_types: ["labor"]'
    )
    text = text.replace('how_to_apply: "Call the hotline."', 'how_to_apply: "Walk in."')
    target.write_text(text, "utf-8")
    # a newer export, rows reversed: a new phone label and a new how_to_apply
    v2 = hsds_11_package(tmp_path / "v2", shuffle=3)
    services = list(csv.DictReader((v2 / "data/services.csv").open(encoding="utf-8")))
    for row in services:
        if row["id"] == "10":
            row["application_process"] = "Text us first."
            row["description"] = "Case management for survivors, 24 hours."
    write_csv(v2 / "data/services.csv", services[::-1])
    code, report = run_import(v2, out, capsys=capsys)
    assert code == 0
    fm, body = front_matter(target)
    assert fm["trafficking_types"] == ["labor"]  # the reviewer's, untouched
    assert fm["how_to_apply"] == "Walk in."  # the reviewer's, kept although the export changed
    assert body.startswith("Case management for survivors, 24 hours.")  # export's update
    assert "~ anti-trafficking-case-management.md: description" in report
    diff_line = next(line for line in report.splitlines() if "description: " in line)
    assert diff_line.strip().startswith('description: "Case management for survivors.\\n')
    assert '-> "Case management for survivors, 24 hours.' in diff_line
    assert "! anti-trafficking-case-management.md: kept the reviewer's how_to_apply" in report
    assert "2 unchanged" in report and "1 updated" in report
    assert sorted(p.name for p in out.glob("*.md")) == sorted(first)


def test_deleted_listing_is_not_written_again_and_gone_records_are_listed(tmp_path, capsys):
    out = tmp_path / "p"
    package = hsds_11_package(tmp_path / "v1")
    run_import(package, out, capsys=capsys)
    (out / "drum-circle.md").unlink()
    services = [
        r
        for r in csv.DictReader((package / "data/services.csv").open(encoding="utf-8"))
        if r["id"] != "11"
    ]
    write_csv(package / "data/services.csv", services)
    _, report = run_import(package, out, capsys=capsys)
    assert not (out / "drum-circle.md").exists()
    assert "drum-circle.md: deleted since the last import: not written again" in report
    assert "immigration-legal-services.md: its record (11@11) is no longer in the export" in report


def test_existing_hand_written_file_is_never_overwritten_without_force(tmp_path, capsys):
    out = tmp_path / "p"
    out.mkdir()
    (out / "drum-circle.md").write_text("mine\n", "utf-8")
    _, report = run_import(hsds_11_package(tmp_path / "v1"), out, capsys=capsys)
    assert (out / "drum-circle.md").read_text("utf-8") == "mine\n"
    assert "drum-circle.md: a file not from this import exists: not overwritten" in report


# ---------- HSDS 2.0 tabular ----------


def hsds_20_package(root: Path) -> Path:
    write_csv(root / "organizations.csv", [{"id": "o1", "name": "Harbor House"}])
    write_csv(
        root / "services.csv",
        [
            {
                "id": "s1",
                "organization_id": "o1",
                "name": "Harbor House Shelter Program",
                "status": "active",
                "url": "https://harbor.example.org",
                "description": "Beds for women and children. Come to 12 HARBOR RD at any hour.",
            },
            {
                "id": "s2",
                "organization_id": "o1",
                "name": "Harbor House Counseling",
                "status": "active",
                "email": "help@harbor.example.org",
            },
        ],
    )
    write_csv(
        root / "locations.csv",
        [{"id": "l1", "organization_id": "o1"}, {"id": "l2", "organization_id": "o1"}],
    )
    write_csv(
        root / "services_at_location.csv",
        [
            {"id": "sal1", "service_id": "s1", "location_id": "l1"},
            {"id": "sal2", "service_id": "s2", "location_id": "l2"},
        ],
    )
    write_csv(
        root / "physical_addresses.csv",
        [
            {
                "id": "a1",
                "location_id": "l1",
                "address_1": "12 Harbor Rd",
                "city": "Duluth",
                "state_province": "MN",
                "postal_code": "55802",
            },
            {
                "id": "a2",
                "location_id": "l2",
                "address_1": "P.O. Box 881",
                "city": "Duluth",
                "state_province": "MN",
                "postal_code": "55802",
            },
        ],
    )
    write_csv(
        root / "phones.csv",
        [
            {
                "id": "p1",
                "service_at_location_id": "sal1",
                "number": "218-728-6481",
                "type": "voice",
            },
            {
                "id": "p2",
                "service_at_location_id": "sal2",
                "number": "218-728-6482",
                "type": "text",
            },
        ],
    )
    write_csv(
        root / "schedules.csv",
        [
            {
                "id": "sc1",
                "service_at_location_id": "sal1",
                "freq": "WEEKLY",
                "byday": "MO,TU,WE,TH,FR,SA,SU",
                "opens_at": "00:00",
                "closes_at": "23:59",
            },
            {
                "id": "sc2",
                "service_id": "s2",
                "freq": "WEEKLY",
                "byday": "FR",
                "opens_at": "18:00",
                "closes_at": "02:00",
            },
            {"id": "sc3", "service_id": "s2", "freq": "MONTHLY", "description": "First Monday"},
        ],
    )
    write_csv(
        root / "taxonomy_terms.csv",
        [
            {"id": "t1", "term": "Domestic Violence Shelters", "taxonomy": "AIRS"},
            {"id": "t2", "term": "Sex Trafficking Survivors"},
        ],
    )
    write_csv(
        root / "service_attributes.csv",
        [
            {"id": "sa1", "service_id": "s1", "taxonomy_term_id": "t1"},
            {"id": "sa2", "service_id": "s2", "taxonomy_term_id": "t2"},
        ],
    )
    return root


def test_hsds_20_package_shelter_by_taxonomy_and_po_box(tmp_path, capsys):
    code, out = run_import(hsds_20_package(tmp_path / "export"), tmp_path / "p", capsys=capsys)
    assert code == 0
    shelter, _ = front_matter(tmp_path / "p" / "harbor-house-shelter-program.md")
    assert shelter["location"] == {
        "visibility": "approximate",
        "city": "Duluth",
        "state": "MN",
        "postal_code": "55802",
    }
    assert shelter["services"] == ["emergency-shelter", "safety-planning"]
    assert shelter["phones"] == [{"number": "218-728-6481", "type": "voice"}]
    assert shelter["hours"] == "24/7"
    assert shelter["website"] == "https://harbor.example.org"
    text = (tmp_path / "p" / "harbor-house-shelter-program.md").read_text("utf-8")
    assert "harbor rd" not in text.lower()  # not even in the description
    assert "Come to [address removed] at any hour." in text
    assert "a confidential place's street was in its texts: removed" in out
    counseling, _ = front_matter(tmp_path / "p" / "harbor-house-counseling.md")
    assert counseling["location"]["visibility"] == "approximate"  # P.O. box
    assert counseling["trafficking_types"] == ["sex"]
    assert counseling["services"] == ["TODO"]
    assert counseling["phones"] == [{"number": "218-728-6482", "type": "text"}]
    assert counseling["hours"] == [
        {"days": ["fri"], "opens": "18:00", "closes": "02:00", "overnight": True}
    ]
    assert counseling["hours_notes"] == "First Monday"
    assert "read as HSDS 2.0 tabular package" in out
    assert "shelter-type taxonomy term 'Domestic Violence Shelters'" in out
    assert "the street is a P.O. box" in out
    assert "12 Harbor Rd" not in out


# ---------- HSDS 3.0 tabular and JSON ----------


def hsds_30_tabular(root: Path) -> Path:
    """3.0 tables where the schedule of service B must never reach service A (the old
    importer looked schedules up by the wrong key)."""
    write_csv(root / "organizations.csv", [{"id": "o", "name": "Bridge Center"}])
    write_csv(
        root / "services.csv",
        [
            {"id": "A", "organization_id": "o", "name": "Bridge Outreach", "status": "active"},
            {"id": "B", "organization_id": "o", "name": "Bridge Food Pantry", "status": "active"},
        ],
    )
    write_csv(
        root / "locations.csv",
        [
            {
                "id": "L",
                "organization_id": "o",
                "location_type": "physical",
                "latitude": "39.7392",
                "longitude": "-104.9903",
            }
        ],
    )
    write_csv(
        root / "service_at_location.csv",
        [
            {"id": "B", "service_id": "A", "location_id": "L"},  # its id is service B's id
            {"id": "X", "service_id": "B", "location_id": "L"},
        ],
    )
    write_csv(
        root / "addresses.csv",
        [
            {
                "id": "ad",
                "location_id": "L",
                "address_1": "1550 Lincoln St",
                "city": "Denver",
                "state_province": "CO",
                "postal_code": "80203",
                "address_type": "physical",
            },
        ],
    )
    write_csv(
        root / "schedules.csv",
        [
            {
                "id": "1",
                "service_id": "B",
                "freq": "WEEKLY",
                "byday": "WE",
                "opens_at": "12:00",
                "closes_at": "13:00",
            },
            {
                "id": "2",
                "service_at_location_id": "B",
                "freq": "WEEKLY",
                "byday": "TH",
                "opens_at": "09:00",
                "closes_at": "11:00",
            },
        ],
    )
    write_csv(root / "languages.csv", [{"id": "1", "service_id": "A", "name": "Vietnamese"}])
    write_csv(root / "phones.csv", [{"id": "1", "location_id": "L", "number": "303-555-0100"}])
    return root


def test_hsds_30_tabular_joins_by_the_right_keys(tmp_path, capsys):
    run_import(hsds_30_tabular(tmp_path / "export"), tmp_path / "p", capsys=capsys)
    outreach, _ = front_matter(tmp_path / "p" / "bridge-outreach.md")
    pantry, _ = front_matter(tmp_path / "p" / "bridge-food-pantry.md")
    assert outreach["hours"] == [{"days": ["thu"], "opens": "09:00", "closes": "11:00"}]
    assert pantry["hours"] == [{"days": ["wed"], "opens": "12:00", "closes": "13:00"}]
    assert outreach["languages"] == ["vi"] and "languages" not in pantry
    assert outreach["location"]["street"] == "1550 Lincoln St"
    assert outreach["location"]["coordinates"] == {"lat": 39.7392, "lon": -104.9903}


def hsds_30_organization() -> dict:
    return {
        "id": "org-1",
        "name": "Safe Harbor Alliance",
        "description": "A coalition.",
        "phones": [{"id": "op", "number": "206-555-0142"}],
        "services": [
            {
                "id": "svc-1",
                "name": "Survivor Advocacy",
                "status": "active",
                "description": "Advocacy.",
                "languages": [{"name": "Korean"}],
                "attributes": [
                    {
                        "taxonomy_term": {
                            "id": "t",
                            "code": "FN-1500.3400",
                            "name": "Human Trafficking",
                        }
                    }
                ],
                "service_at_locations": [
                    {
                        "id": "sal-1",
                        "schedules": [
                            {
                                "id": "s",
                                "freq": "WEEKLY",
                                "byday": "MO,WE",
                                "opens_at": "10:00",
                                "closes_at": "16:00",
                            }
                        ],
                        "phones": [
                            {
                                "id": "ph",
                                "number": "206-555-0143",
                                "type": "voice",
                                "languages": [{"code": "ko"}],
                            }
                        ],
                        "location": {
                            "id": "loc-1",
                            "name": "Downtown",
                            "location_type": "physical",
                            "addresses": [
                                {
                                    "id": "ad",
                                    "address_1": "Undisclosed location",
                                    "city": "Seattle",
                                    "state_province": "WA",
                                    "postal_code": "98104",
                                    "address_type": "physical",
                                }
                            ],
                            "phones": [{"id": "lp", "number": "206-555-0144", "type": "fax"}],
                        },
                    }
                ],
            }
        ],
    }


def test_hsds_30_json_nested_phones_and_schedules(tmp_path, capsys):
    path = tmp_path / "org.json"
    path.write_text(json.dumps(hsds_30_organization()), "utf-8")
    code, out = run_import(path, tmp_path / "p", capsys=capsys)
    assert code == 0
    fm, body = front_matter(tmp_path / "p" / "survivor-advocacy.md")
    assert fm["source_id"] == "svc-1@loc-1"
    assert fm["organization"] == "Safe Harbor Alliance"
    assert fm["services"] == ["case-management"]
    assert fm["phones"] == [
        {"number": "206-555-0143", "type": "voice", "languages": ["ko"]},
        {"number": "206-555-0144", "type": "fax"},
    ]  # nested under the service_at_location and the location; the organization's unused
    assert fm["hours"] == [{"days": ["mon", "wed"], "opens": "10:00", "closes": "16:00"}]
    assert fm["languages"] == ["ko"]
    assert fm["location"] == {
        "visibility": "approximate",
        "city": "Seattle",
        "state": "WA",
        "postal_code": "98104",
    }
    assert body == "Advocacy.\n\nA coalition."
    assert "read as HSDS JSON" in out


def test_hsds_30_api_pages_in_a_folder_in_any_order(tmp_path, capsys):
    org = hsds_30_organization()
    service = org["services"][0]
    other = json.loads(json.dumps(service))
    other.update(id="svc-2", name="Survivor Legal Clinic", attributes=[])
    other["service_at_locations"][0]["id"] = "sal-2"
    other["organization"] = {"id": "org-1", "name": "Safe Harbor Alliance"}
    service["organization"] = {"id": "org-1", "name": "Safe Harbor Alliance"}
    pages = tmp_path / "dump"
    pages.mkdir()
    (pages / "page-2.json").write_text(json.dumps({"page": 2, "contents": [other]}), "utf-8")
    (pages / "page-1.json").write_text(json.dumps({"page": 1, "contents": [service]}), "utf-8")
    code, _ = run_import(pages, tmp_path / "p", capsys=capsys)
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "p").glob("*.md")) == [
        "survivor-advocacy.md",
        "survivor-legal-clinic.md",
    ]


def test_self_references_and_loops_end_and_are_reported(tmp_path, capsys):
    package = hsds_11_package(tmp_path / "export")
    write_csv(
        package / "data/taxonomy.csv",
        [
            {"id": "T", "name": "Self", "parent_id": "T"},
            {"id": "FN-1500.3400", "name": "Human Trafficking"},
        ],
    )
    code, out = run_import(package, tmp_path / "p", capsys=capsys)
    assert code == 0
    assert "taxonomy terms whose parent_id loops back" in out


def test_report_stays_short_for_thousands_of_problems(tmp_path, capsys):
    root = tmp_path / "big"
    write_csv(root / "services.csv", [{"id": str(i), "name": f"Program {i}"} for i in range(3000)])
    write_csv(
        root / "phones.csv",
        [{"id": str(i), "service_id": f"x{i}", "number": "1"} for i in range(3000)],
    )
    result = import_hsds(root, ImportOptions(out=tmp_path / "p"))
    assert len(as_text(result).splitlines()) < 60
    assert len(as_markdown(result).splitlines()) < 150
    assert "phone row links to something not in the data: not attached anywhere: 3000" in (
        as_text(result)
    )


def test_rejects_what_is_not_hsds(tmp_path, capsys):
    bad = tmp_path / "x.json"
    bad.write_text("{not json", encoding="utf-8")
    assert cli.main(["import-hsds", str(bad), "--out", str(tmp_path / "o")]) == 2
    assert "not a readable HSDS JSON file" in capsys.readouterr().err
    folder = tmp_path / "csvs"
    write_csv(folder / "people.csv", [{"id": "1"}])
    assert cli.main(["import-hsds", str(folder), "--out", str(tmp_path / "o")]) == 2
    assert "no services.csv anywhere in it" in capsys.readouterr().err


def test_source_id_is_never_published(tmp_path, capsys):
    from waystation.publish import public_listing
    from waystation.records.validation import load_listings

    out = tmp_path / "p"
    run_import(hsds_11_package(tmp_path / "export"), out, capsys=capsys)
    target = out / "anti-trafficking-case-management.md"
    text = target.read_text("utf-8")
    text = text.replace('trafficking_types: ["TODO"]', 'trafficking_types: ["labor"]')
    text = text.replace('last_verified: "TODO"', "last_verified: 2026-11-30")
    for other in out.glob("*.md"):
        if other != target:
            other.unlink()
    target.write_text(text, "utf-8")
    result = load_listings([out], today=dt.date(2026, 12, 1))
    assert [p.message for p in result.errors] == []
    assert result.listings[0].record.source_id == "10@10"
    published = json.dumps(public_listing(result.listings[0], None))
    assert "10@10" not in published and "source_id" not in published


# ---------- properties ----------

TEXT = st.text(st.characters(codec="cp1252", exclude_categories=("Cs", "Cc")), max_size=40)


@settings(max_examples=60, deadline=None)
@given(TEXT)
def test_any_text_reads_back_from_utf8_or_windows_1252(value):
    assert decode(value.encode("utf-8")) == (value, "utf-8")
    assert decode(b"\xef\xbb\xbf" + value.encode("utf-8")) == (value, "utf-8-sig")
    data = value.encode("cp1252")
    try:
        data.decode("utf-8")
        assume(False)  # the same bytes are valid UTF-8 too: nothing can tell them apart
    except UnicodeDecodeError:
        pass
    assert decode(data) == (value, "windows-1252")


@settings(max_examples=80, deadline=None)
@given(
    st.sampled_from(["PO Box", "P.O. Box", "p o box", "Post Office Box", "PO BOX", "Apartado"]),
    st.integers(1, 99999),
    st.sampled_from(["", " ", ", Suite 2", " (rear)"]),
)
def test_po_boxes_as_people_write_them_are_never_streets(prefix, number, suffix):
    assert street_reasons(f"{prefix} {number}{suffix}")


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(
        [
            "Confidential",
            "CONFIDENTIAL",
            "Undisclosed",
            "undisclosed location",
            "Address withheld",
            "Confidencial",
            "Call for address",
        ]
    ),
    st.sampled_from(["", " ", "."]),
)
def test_confidential_street_words_are_caught(word, tail):
    assert street_reasons(f"{word}{tail}")


NOT_STREET_WORDS = (
    "confiden",
    "undisclosed",
    "withheld",
    "private",
    "secret",
    "unknown",
    "tbd",
    "redacted",
    "unlisted",
    "apartado",
    "disclosed",
    "listed",
    "call for",
    "appointment",
    "no address",
    "no street",
    "box",
)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 99999),
    st.text(st.characters(categories=("L", "Zs")), min_size=1, max_size=30),
    st.sampled_from(["Street", "Ave.", "Road", "Blvd", "Calle", "Way"]),
)
def test_street_addresses_stay_streets(number, name, kind):
    street = f"{number} {name} {kind}"
    assume(not any(word in street.casefold() for word in NOT_STREET_WORDS))
    assert street_reasons(street) == []


@settings(max_examples=15, deadline=None)
@given(st.randoms(use_true_random=False))
def test_file_names_do_not_depend_on_row_order(tmp_path_factory, rnd):
    root = tmp_path_factory.mktemp("order")
    rows = [
        {"id": str(i), "name": name}
        for i, name in enumerate(
            ["Safe Place", "Safe Place", "Safe  place!", "Hope", "Hope Center"]
        )
    ]
    rnd.shuffle(rows)
    write_csv(root / "services.csv", rows)
    result = import_hsds(root, ImportOptions(out=root / "p"))
    names = {o.source_id: o.file for o in result.outcomes}
    assert names["3"] == "hope.md" and names["4"] == "hope-center.md"
    assert len(set(names.values())) == 5
    again = import_hsds(root, ImportOptions(out=root / "q"))
    assert {o.source_id: o.file for o in again.outcomes} == names


# ---------- the official definitions ----------


@pytest.fixture(scope="session")
def legacy_dir() -> Path:
    path = Path(os.environ.get("HSDS_LEGACY_DIR") or ROOT.parent / "shared" / "hsds-legacy")
    if not (path / "1.1" / "datapackage.json").is_file():
        message = (
            f"HSDS 1.x/2.0 table definitions not found in {path}: set HSDS_LEGACY_DIR "
            "to a copy of ../shared/hsds-legacy"
        )
        if os.environ.get("WAYSTATION_REQUIRE_HSDS") == "1":
            pytest.fail(message + " (WAYSTATION_REQUIRE_HSDS=1 requires them)")
        pytest.skip(message)
    return path


@pytest.mark.parametrize("version", ["1.0", "1.1", "2.0.1"])
def test_every_official_table_is_read_or_reported(legacy_dir, version):
    descriptor = json.loads((legacy_dir / version / "datapackage.json").read_text("utf-8"))
    stems = [Path(r["path"]).stem for r in descriptor["resources"]]
    unknown = [s for s in stems if s not in ALIASES and s not in NOT_IMPORTED]
    assert unknown == []


@pytest.fixture(scope="session")
def hsds_dir() -> Path:
    path = Path(os.environ.get("HSDS_DIR") or ROOT.parent / "shared" / "hsds-3.0")
    if not (path / "examples" / "service_full.json").is_file():
        message = f"HSDS 3.0 files not found in {path}: set HSDS_DIR"
        if os.environ.get("WAYSTATION_REQUIRE_HSDS") == "1":
            pytest.fail(message + " (WAYSTATION_REQUIRE_HSDS=1 requires them)")
        pytest.skip(message)
    return path


@pytest.mark.parametrize(
    "example",
    [
        "organization_full.json",
        "service_full.json",
        "service_at_location_full.json",
        "service_list.json",
        "tabular.json",
        "csv",
    ],
)
def test_official_30_examples(example, hsds_dir, tmp_path, capsys):
    code, out = run_import(hsds_dir / "examples" / example, tmp_path, capsys=capsys)
    assert code == 0
    fm, _ = front_matter(tmp_path / "community-counselling.md")
    assert fm["name"] == "Community Counselling"
    assert fm["organization"] == "Example Organization Inc."
    assert fm["email"] == "email@example.com"
    assert fm["trafficking_types"] == ["TODO"] and fm["last_verified"] == "TODO"
    assert fm["location"]["state"] == "TODO"  # the example's "MyState" is no US state
    assert "not a US state or territory" in out or example == "service_list.json"


# ---------- Waystation's own export ----------


def test_our_own_hsds_export_round_trips(tmp_path, capsys):
    from open_data_fixtures import small_directory

    from waystation.opendata.steps import write_open_data

    directory = small_directory(tmp_path / "site", leaky_resolver=False)
    write_open_data(directory, tmp_path / "output", directory.settings)
    code, out = run_import(
        tmp_path / "output" / "hsds" / "organizations.json", tmp_path / "p", capsys=capsys
    )
    assert code == 0
    public, _ = front_matter(tmp_path / "p" / "lakeside-public-center.md")
    assert public["services"] == ["case-management", "legal-immigration"]
    assert public["trafficking_types"] == ["sex", "labor"]
    assert public["location"]["street"] == "100 North Main Street"
    assert public["location"]["postal_code"] == "60601"
    hidden, _ = front_matter(tmp_path / "p" / "northshore-hidden-refuge.md")
    assert hidden["location"]["visibility"] == "hidden"
    assert "street" not in hidden["location"] and "city" not in hidden["location"]
    # the tabular package of the same export reads the same
    run_import(tmp_path / "output" / "hsds", tmp_path / "q", capsys=capsys)
    again, _ = front_matter(tmp_path / "q" / "lakeside-public-center.md")
    assert again == public


# ---------- the taxonomy map ----------


def test_a_coordinators_own_taxonomy_map_extends_the_projects(tmp_path, capsys):
    extra = tmp_path / "our-terms.yaml"
    extra.write_text(
        'terms:\n  - code: "PL-5000"\n    services: [peer-support]\n'
        '    note: "drum circles are our peer support groups"\n',
        "utf-8",
    )
    package = hsds_11_package(tmp_path / "export")
    _, out = run_import(package, tmp_path / "p", "--taxonomy-map", str(extra), capsys=capsys)
    drums, _ = front_matter(tmp_path / "p" / "drum-circle.md")
    assert drums["services"] == ["peer-support"]
    assert "PL-5000 Drum Circles" not in out


def test_a_broken_taxonomy_map_names_every_bad_entry(tmp_path, capsys):
    extra = tmp_path / "bad.yaml"
    extra.write_text(
        'terms:\n  - code: "X"\n    name: "both"\n  - name: "food"\n    services: [meals]\n',
        "utf-8",
    )
    code = cli.main(
        [
            "import-hsds",
            str(hsds_11_package(tmp_path / "e")),
            "--out",
            str(tmp_path / "p"),
            "--taxonomy-map",
            str(extra),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "bad.yaml: entry 1: give exactly one of 'code' or 'name'" in err
    assert "bad.yaml: entry 2: services: ['meals'] not in the services vocabulary" in err


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10_000))
def test_any_row_order_gives_byte_identical_files(tmp_path_factory, seed):
    root = tmp_path_factory.mktemp("perm")
    run = {}
    for name, shuffle in (("plain", None), ("shuffled", seed)):
        package = hsds_11_package(root / f"export-{name}", shuffle=shuffle)
        import_hsds(package, ImportOptions(out=root / name))
        run[name] = {p.name: p.read_bytes() for p in (root / name).iterdir()}
    assert run["plain"] == run["shuffled"]


# ---------- HSDS 1.0 and other encodings ----------


def test_hsds_10_service_location_id_and_taxonomy_ids(tmp_path, capsys):
    root = tmp_path / "export"
    write_csv(root / "organizations.csv", [{"id": "1", "name": "Riverside Refuge"}])
    write_csv(
        root / "services.csv",
        [
            {
                "id": "7",
                "organization_id": "1",
                "location_id": "3",
                "name": "Night Beds",
                "taxonomy_ids": "BH-1800.1500, YF-5000",
            },
        ],
    )
    write_csv(root / "locations.csv", [{"id": "3", "organization_id": "1"}])
    write_csv(
        root / "physical_addresses.csv",
        [
            {
                "id": "1",
                "location_id": "3",
                "address_1": "88 River St",
                "city": "Tulsa",
                "state_province": "OK",
                "postal_code": "74103",
            }
        ],
    )
    write_csv(root / "phones.csv", [{"id": "1", "service_id": "7", "number": "918-585-1111"}])
    code, out = run_import(root, tmp_path / "p", capsys=capsys)
    assert code == 0
    fm, _ = front_matter(tmp_path / "p" / "night-beds.md")
    assert fm["source_id"] == "7@3"
    assert fm["services"] == ["emergency-shelter", "safety-planning"]
    assert fm["location"] == {
        "visibility": "approximate",
        "city": "Tulsa",
        "state": "OK",
        "postal_code": "74103",
    }
    assert "1 × YF-5000" in out  # an AIRS code the map does not know, counted


def test_latin_1_bytes_windows_1252_cannot_hold_are_read_as_latin_1(tmp_path, capsys):
    text, encoding = decode("Caf\xe9 \x81".encode("latin-1"))
    assert (text, encoding) == ("Caf\xe9 \x81", "latin-1")
    root = tmp_path / "export"
    (root).mkdir()
    (root / "services.csv").write_bytes(b"id,name\r\n1,Caf\xe9 Solidario \x81\r\n")
    _, out = run_import(root, tmp_path / "p", capsys=capsys)
    assert "not UTF-8: read as latin-1" in out
    fm, _ = front_matter(tmp_path / "p" / "cafe-solidario.md")
    assert fm["name"] == "Café Solidario"  # the control character is cleaned away
