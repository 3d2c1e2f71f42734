"""HSDS 3.0: the export validates against the official schemas (the import is tested in
tests/test_opendata_import.py).  The official files live in HSDS_DIR (default
../shared/hsds-3.0): these tests skip without them, except when WAYSTATION_REQUIRE_HSDS=1
(CI), where they fail."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest
from open_data_fixtures import TODAY, small_directory

from waystation.opendata import hsds as hsds_export
from waystation.opendata import hsds_tables
from waystation.opendata.hsds_ids import hsds_id
from waystation.opendata.steps import write_open_data

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def hsds_dir() -> Path:
    path = Path(os.environ.get("HSDS_DIR") or ROOT.parent / "shared" / "hsds-3.0")
    if not (path / "schema" / "compiled" / "organization.json").is_file():
        message = (
            f"HSDS 3.0 files not found in {path}: get Open Referral's specification (branch 3.0) "
            "and set HSDS_DIR to it"
        )
        if os.environ.get("WAYSTATION_REQUIRE_HSDS") == "1":
            pytest.fail(message + " (WAYSTATION_REQUIRE_HSDS=1 requires them)")
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("hsds")
    directory = small_directory(root, leaky_resolver=False)
    out = root / "output"
    write_open_data(directory, out, directory.settings)
    return directory, out


def _validator(schema_path: Path):
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _errors(validator, instance) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in validator.iter_errors(instance)]


def test_organizations_validate_against_the_official_compiled_schema(exported, hsds_dir):
    _, out = exported
    organizations = json.loads((out / "hsds" / "organizations.json").read_text("utf-8"))
    assert len(organizations) == 3
    validator = _validator(hsds_dir / "schema" / "compiled" / "organization.json")
    for organization in organizations:
        assert _errors(validator, organization) == []
    service_validator = _validator(hsds_dir / "schema" / "compiled" / "service.json")
    for organization in organizations:
        for service in organization["services"]:
            assert _errors(service_validator, service) == []


def test_the_sample_directory_validates_too(hsds_dir):
    from waystation import settings
    from waystation.directory import build_directory

    directory = build_directory(settings.load(ROOT / "pelicanconf.py"), ROOT, TODAY,
                                with_history=False)  # fmt: skip
    validator = _validator(hsds_dir / "schema" / "compiled" / "organization.json")
    organizations = hsds_export.organizations(directory)
    assert sum(len(o["services"]) for o in organizations) == len(directory.listings)
    problems = [p for o in organizations for p in _errors(validator, o)]
    assert problems == []


def test_a_broken_organization_fails_validation(exported, hsds_dir):
    """The validation above can fail: a service without a status is refused."""
    directory, _ = exported
    organization = hsds_export.organizations(directory)[0]
    del organization["services"][0]["status"]
    validator = _validator(hsds_dir / "schema" / "compiled" / "organization.json")
    assert any("status" in e for e in _errors(validator, organization))


def test_mapping_of_one_service(exported):
    directory, _ = exported
    organizations = {o["name"]: o for o in hsds_export.organizations(directory)}
    org = organizations["Lakeside Public Center"]
    service = org["services"][0]
    assert service["id"] == hsds_id("service", "lakeside-public-center")
    assert service["assured_date"] == "2026-10-01"
    assert service["status"] == "active"
    schedule = service["schedules"][0]
    assert (schedule["byday"], schedule["opens_at"], schedule["closes_at"]) == (
        "MO,TU,WE", "09:00:00", "17:00:00")  # fmt: skip
    assert {p["number"] for p in service["phones"]} == {"312-555-0100", "233733"}
    phone = next(p for p in service["phones"] if p["number"] == "312-555-0100")
    assert [lang["code"] for lang in phone["languages"]] == ["es"]
    assert [lang["code"] for lang in service["languages"]] == ["en", "es"]
    assert service["cost_options"][0]["amount"] == 0
    terms = {t["id"]: t for t in hsds_export.taxonomy_terms()}
    codes = {
        a["link_type"] + ":" + terms[a["taxonomy_term_id"]]["code"] for a in service["attributes"]
    }
    assert all("taxonomy_term" not in a for a in service["attributes"])  # published once, apart
    assert {"services:case-management", "populations:women", "trafficking_types:labor"} <= codes
    location = org["locations"][0]
    assert location["addresses"][0]["postal_code"] == "60601"
    assert location["latitude"] == 41.88512
    assert location["accessibility"][0]["description"] == "Wheelchair accessible"
    assert [a["extent"] for a in service["service_areas"]] == ["IL/Cook"]


def test_hidden_service_has_no_location_and_state_areas_only(exported):
    directory, _ = exported
    org = next(o for o in hsds_export.organizations(directory) if "Hidden" in o["name"])
    service = org["services"][0]
    assert org["locations"] == [] and service["service_at_locations"] == []
    assert [a["extent"] for a in service["service_areas"]] == ["IL", "WI"]


def test_approximate_location_has_no_address(exported):
    directory, _ = exported
    org = next(o for o in hsds_export.organizations(directory) if "Approximate" in o["name"])
    location = org["locations"][0]
    assert "addresses" not in location
    assert "Approximate location" in location["description"]


def test_ids_are_uuid5_of_the_listing_id_and_stable():
    assert hsds_id("service", "x") == hsds_id("service", "x")
    assert hsds_id("service", "x") != hsds_id("service", "y")
    assert hsds_id("service", "x")[14] == "5"  # UUID version 5
    import uuid

    from waystation.opendata.hsds_ids import NAMESPACE

    for parts in (("service", "x"), ("phone", "casa-amapola", 0), ("area", "IL/Cook", "é ☃")):
        assert hsds_id(*parts) == str(
            uuid.uuid5(NAMESPACE, ":".join(["waystation", *map(str, parts)]))
        )


def test_tabular_package_is_valid_frictionless(exported):
    from frictionless import validate

    _, out = exported
    report = validate(str(out / "hsds" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_tabular_package_breakage_is_caught(exported, tmp_path):
    """A row referring to an unknown service fails the package's foreign keys."""
    import shutil

    from frictionless import validate

    _, out = exported
    copy = tmp_path / "hsds"
    shutil.copytree(out / "hsds", copy)
    with (copy / "phones.csv").open("a", encoding="utf-8") as handle:
        handle.write(f"{hsds_id('phone', 'bogus')},,{hsds_id('service', 'nope')},,,,555,,voice,\n")
    assert not validate(str(copy / "datapackage.json")).valid


def test_tables_match_the_official_hsds_tables(hsds_dir):
    for table in hsds_tables.TABLES:
        official = json.loads((hsds_dir / "schema" / f"{table.name}.json").read_text("utf-8"))
        assert official["path"] == table.path
        properties = official["properties"]
        for column in table.columns:
            spec = properties[column.name]
            kind = spec.get("datapackage_type") or spec["type"]
            ours = column.field(table.name)
            assert ours["type"] == {"datetime": "datetime"}.get(kind, kind), (
                table.name,
                column.name,
            )
            if spec.get("format") in ("uuid", "email", "uri"):
                assert ours.get("format") == spec["format"], (table.name, column.name)
        assert {c.name for c in table.columns if c.required} == set(official.get("required", []))
        csv_header = (hsds_dir / "examples" / "csv" / table.path).read_text("utf-8").splitlines()[0]
        assert csv_header.split(",") == table.column_names
