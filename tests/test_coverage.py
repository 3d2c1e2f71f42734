"""The coverage report on small hand-built directories: exact answers.

Each test writes a few listing files the way contributors do, builds the directory
(validation, places, publication) and computes the coverage over a handful of ZIP
areas placed at known great-circle distances from the listings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import textwrap
from pathlib import Path

import numpy as np
import pytest

from waystation import settings as declared
from waystation.coverage import files, summary
from waystation.coverage.compute import KM_PER_MILE, compute
from waystation.coverage.report import coverage_of, thresholds
from waystation.coverage.sources import sources
from waystation.coverage.zip_areas import WEIGHT_PEOPLE, from_rows, read_population_csv, weights
from waystation.directory import build_directory
from waystation.exc import ConfigurationError
from waystation.gazetteer.centres import EARTH_RADIUS_KM, distance_km, zip_centre
from waystation.places.coordinates import ResolvedPlace

TODAY = dt.date(2026, 12, 1)
PENDLETON = zip_centre("97801")  # Pendleton, Oregon: the listings' home in these tests


def north_of(point: tuple[float, float], miles: float) -> tuple[float, float]:
    """The point ``miles`` due north of ``point`` (along its meridian: exact)."""
    return (point[0] + math.degrees(miles * KM_PER_MILE / EARTH_RADIUS_KM), point[1])


def area(code: str, state: str, point: tuple[float, float], county: str = "") -> dict:
    return {"zip_code": code, "state": state, "county": county, "lat": str(point[0]),
            "long": str(point[1]), "zip_code_type": "STANDARD"}  # fmt: skip


def listing(
    services: str = "[legal-civil]",
    location: str = "",
    extra: str = "",
    name: str = "Test listing",
) -> str:
    location = location or textwrap.dedent(f"""\
        location:
          visibility: public
          street: "200 SE Hailey Ave"
          city: Pendleton
          state: OR
          postal_code: "97801"
          coordinates: {{lat: {PENDLETON[0]}, lon: {PENDLETON[1]}}}
        """)  # fmt: skip
    return (
        "---\n"
        f"name: {name}\n"
        f"services: {services}\n"
        "trafficking_types: [sex, labor]\n"
        'phones:\n  - {number: "541-555-0100", type: voice}\n'
        "last_verified: 2026-11-01\n"
        f"{location}{extra}"
        "---\n\nA listing written for a test.\n"
    )


APPROXIMATE = """\
location:
  visibility: approximate
  city: Pendleton
  state: OR
  postal_code: "97801"
"""
HIDDEN = """\
location:
  visibility: hidden
  state: OR
"""


def directory_of(root: Path, listings: dict[str, str]):
    providers = root / "providers"
    providers.mkdir(parents=True, exist_ok=True)
    for name, text in listings.items():
        (providers / f"{name}.md").write_text(text, encoding="utf-8")
    values = declared.resolve({"PROVIDERS_PATH": "providers", "GEOCODE_CACHE": "cache.json"})
    return build_directory(values, root, TODAY, with_history=False)


#: Four ZIP areas: 10 and 60 miles north of Pendleton and 120 miles south (Oregon), one in
#: Idaho 200 miles east-ish (another state).
AREAS = from_rows(
    [
        area("97001", "OR", north_of(PENDLETON, 10), "Umatilla County"),
        area("97002", "OR", north_of(PENDLETON, 60), "Morrow County"),
        area("97003", "OR", north_of(PENDLETON, -120), "Grant County"),
        area("99001", "ID", (43.6322, -116.2052), "Ada County"),
    ]
)


def test_a_zip_60_miles_from_the_only_legal_listing_is_a_gap_at_50_not_at_100(tmp_path):
    directory = directory_of(tmp_path, {"pendleton-legal": listing("[legal-civil]")})
    coverage = compute(sources(directory), AREAS, reach_miles=50, far_miles=100)
    miles = coverage.miles("group", "legal-help")
    assert miles[1] == pytest.approx(60, abs=1e-3)
    assert miles[0] == pytest.approx(10, abs=1e-3)
    assert coverage.beyond("group", "legal-help", 50).tolist() == [False, True, True, True]
    assert coverage.beyond("group", "legal-help", 100).tolist() == [False, False, True, True]
    # The service itself, and a service nobody offers (housing: no listing at all).
    assert coverage.beyond("service", "legal-civil", 50).tolist() == [False, True, True, True]
    assert np.isinf(coverage.miles("group", "housing")).all()
    rows = {(r.state, r.kind, r.id): r for r in summary.state_rows(coverage)}
    oregon = rows[("OR", "group", "legal-help")]
    assert (oregon.zip_areas, oregon.beyond_reach, oregon.beyond_far) == (3, 0.6667, 0.3333)
    # Nothing reaches Oregon from afar: the gaps have no help at all.
    assert (oregon.remote_only, oregon.no_help) == (0, 0.6667)
    assert rows[("US", "group", "legal-help")].beyond_reach == 0.75


def test_a_statewide_phone_service_covers_its_state_as_remote_only(tmp_path):
    hotline = listing(
        "[crisis-hotline]", HIDDEN, "service_area: {states: [OR], remote: true}\n", "OR Line"
    )
    directory = directory_of(tmp_path, {"oregon-line": hotline})
    coverage = compute(sources(directory), AREAS)
    k = coverage.row("group", "crisis-help")
    assert np.isinf(coverage.distance_km[k]).all()  # in person nowhere
    assert coverage.from_afar[k].tolist() == [True, True, True, False]  # Oregon, not Idaho
    rows = {(r.state, r.id): r for r in summary.state_rows(coverage) if r.kind == "group"}
    assert (rows[("OR", "crisis-help")].remote_only, rows[("OR", "crisis-help")].no_help) == (1, 0)
    assert (rows[("ID", "crisis-help")].remote_only, rows[("ID", "crisis-help")].no_help) == (0, 1)


def test_a_public_listing_with_remote_service_counts_in_person_and_from_afar(tmp_path):
    text = listing("[legal-immigration]", extra="service_area: {states: [OR, ID], remote: true}\n")
    coverage = compute(sources(directory_of(tmp_path, {"legal": text})), AREAS)
    k = coverage.row("group", "legal-help")
    assert coverage.beyond("group", "legal-help", 50).tolist() == [False, True, True, True]
    assert coverage.from_afar[k].all()


def test_an_approximate_listing_counts_at_its_area_centre(tmp_path):
    directory = directory_of(tmp_path, {"approx": listing("[emergency-shelter]", APPROXIMATE)})
    [found] = sources(directory)
    assert found.point == pytest.approx(PENDLETON)
    coverage = compute([found], AREAS)
    miles = coverage.miles("group", "housing")
    assert miles[:3] == pytest.approx([10, 60, 120], abs=1e-3)
    assert not coverage.from_afar.any()  # no service area written, not hidden: in person only


def test_an_approximate_listing_placed_too_precisely_still_counts_only_where_published(tmp_path):
    directory = directory_of(tmp_path, {"approx": listing("[emergency-shelter]", APPROXIMATE)})
    # A resolver bug giving a street-level point: the site never publishes it, nor may this.
    leaky = dict(directory.places)
    leaky["approx"] = ResolvedPlace(*north_of(PENDLETON, 60), "address")
    leaked = dataclasses.replace(directory, places=leaky)
    [found] = sources(leaked)
    assert found.point is None
    assert np.isinf(compute([found], AREAS).miles("group", "housing")).all()


def test_a_hidden_listing_counts_nowhere_precise(tmp_path):
    directory = directory_of(tmp_path, {"refuge": listing("[emergency-shelter]", HIDDEN)})
    leaky = dict(directory.places)
    leaky["refuge"] = ResolvedPlace(*north_of(PENDLETON, 60), "address")
    for each in (directory, dataclasses.replace(directory, places=leaky)):
        [found] = sources(each)
        assert found.point is None
        coverage = compute([found], AREAS)
        k = coverage.row("group", "housing")
        assert np.isinf(coverage.distance_km[k]).all()
        # Its service area (by default its state) is all that is published: Oregon.
        assert coverage.from_afar[k].tolist() == [True, True, True, False]


def test_a_county_service_area_reaches_that_county_only(tmp_path):
    text = listing("[outreach]", HIDDEN, "service_area: {counties: [OR/Morrow]}\n")
    coverage = compute(sources(directory_of(tmp_path, {"morrow": text})), AREAS)
    assert coverage.from_afar[coverage.row("group", "support")].tolist() == [
        False, True, False, False]  # fmt: skip


def test_temporarily_closed_listings_help_nobody_today(tmp_path):
    closed = listing("[legal-civil]", extra="status: temporarily-closed\n")
    assert sources(directory_of(tmp_path, {"closed": closed})) == []


def test_breakdowns_by_population_type_and_language(tmp_path):
    women = listing(
        "[case-management]",
        extra="populations: [women]\nlanguages: [es]\n",
    ).replace("trafficking_types: [sex, labor]", "trafficking_types: [labor]")
    everyone = listing("[case-management]", APPROXIMATE.replace("97801", "97820"))
    directory = directory_of(tmp_path, {"women": women, "everyone": everyone})
    coverage = compute(sources(directory), AREAS)
    near = zip_centre("97820")
    # Men: only the listing that names nobody (everyone), at John Day's ZIP centre.
    expected = distance_km(*north_of(PENDLETON, 10), *near) / KM_PER_MILE
    assert coverage.miles("population", "men")[0] == pytest.approx(expected, rel=1e-5)
    assert coverage.miles("population", "women")[0] == pytest.approx(10, abs=1e-3)
    assert coverage.miles("type", "labor")[0] == pytest.approx(10, abs=1e-3)
    assert coverage.miles("type", "sex")[0] == pytest.approx(expected, rel=1e-5)
    assert coverage.miles("language", "es")[0] == pytest.approx(10, abs=1e-3)
    assert ("language", "fr") not in coverage.keys


def test_weighting_by_people_from_a_csv(tmp_path):
    table = tmp_path / "people.csv"
    table.write_text("zip,population\n97001,1000\n97002,3000\n97003,0\n99001,1\n")
    values = {"COVERAGE_POPULATION_CSV": str(table)}
    found, kind = weights(AREAS, values)
    assert kind == WEIGHT_PEOPLE and found.tolist() == [1000, 3000, 0, 1]
    directory = directory_of(tmp_path, {"legal": listing()})
    coverage = compute(sources(directory), AREAS, found, kind)
    rows = {(r.state, r.id): r for r in summary.state_rows(coverage) if r.kind == "group"}
    assert rows[("OR", "legal-help")].beyond_reach == 0.75  # 3000 of 4000 people


def test_a_population_csv_with_problems_reports_every_row_at_once(tmp_path):
    table = tmp_path / "people.csv"
    table.write_text("zip,population\n501,12\nabcde,3\n97001,many\n97001,4\n97001,5\n")
    with pytest.raises(ConfigurationError) as error:
        read_population_csv(table)
    message = str(error.value)
    assert f"{table}:3: zip 'abcde'" in message
    assert f"{table}:4: population 'many'" in message
    assert f"{table}:6: ZIP 97001 is listed twice" in message
    assert ":2:" not in message  # 501 is 00501, as a spreadsheet wrote it
    table.write_text("code,people\n97001,3\n")
    with pytest.raises(ConfigurationError, match="must name the columns 'zip' and 'population'"):
        read_population_csv(table)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"COVERAGE_REACH_MILES": 0}, "COVERAGE_REACH_MILES: set a number of miles above 0"),
        ({"COVERAGE_REACH_MILES": 120}, "COVERAGE_FAR_MILES (100) is smaller"),
        ({"COVERAGE_FAR_MILES": "far"}, "COVERAGE_FAR_MILES: set a number of miles"),
    ],
)
def test_thresholds_say_how_to_fix_them(values, message):
    with pytest.raises(ConfigurationError) as error:
        thresholds({"COVERAGE_REACH_MILES": 50, "COVERAGE_FAR_MILES": 100, **values})
    assert message in str(error.value)


def test_the_files_are_sorted_documented_and_byte_identical(tmp_path):
    directory = directory_of(tmp_path, {"legal": listing()})
    first = compute(sources(directory), AREAS)
    again = compute(sources(directory), AREAS)
    assert files.csv_text(first) == files.csv_text(again)
    assert files.json_text(first) == files.json_text(again)
    lines = files.csv_text(first).splitlines()
    assert lines[0] == ",".join(files.COLUMNS)
    assert "OR,group,legal-help,3,3,0.6667,0.3333,0,0.6667" in lines
    data = json.loads(files.json_text(first))
    assert data["weighting"] == "zip-areas" and data["zip_areas"] == 4
    assert list(data) == sorted(data)
    regions = {(r["state"], r["zip3"]): r for r in data["regions"]}
    assert regions[("OR", "970")]["gaps"]["legal-help"] == 2
    counties = ["Grant County", "Morrow County", "Umatilla County"]
    assert regions[("OR", "970")]["counties"] == counties
    # Nothing of a listing is in the files: only areas, shares and vocabulary ids.
    for text in (files.csv_text(first), files.json_text(first), files.map_text(first)):
        assert "Test listing" not in text and "Hailey" not in text


def test_coverage_of_reads_the_settings_and_keeps_the_last_result(tmp_path):
    directory = directory_of(tmp_path, {"legal": listing()})
    first = coverage_of(directory, {"COVERAGE_REACH_MILES": 10})
    assert first is coverage_of(directory, {"COVERAGE_REACH_MILES": 10})
    assert first.reach_miles == 10 and first.far_miles == 100
    assert coverage_of(directory).reach_miles == 50


def test_the_page_says_it_weighs_by_people_when_a_table_is_given(tmp_path):
    from waystation.coverage.page import context

    table = tmp_path / "people.csv"
    table.write_text("zip,population\n97001,1000\n97002,3000\n")
    found, kind = weights(AREAS, {"COVERAGE_POPULATION_CSV": str(table)})
    coverage = compute(sources(directory_of(tmp_path, {"legal": listing()})), AREAS, found, kind)
    page = context(coverage, "es", {})
    assert page["by_people"] and page["weighting"] == "population"
    legal = next(g for g in page["groups"] if g["id"] == "legal-help")
    assert legal["label"] == "Ayuda legal"
    assert legal["national"]["beyond_reach"] == "75.0"  # 3,000 of 4,000 people
    assert [r["state"] for r in legal["states"]] == ["OR"]
