"""The validator: one fixture per rule of the record format, each reported at
its exact file, line, column and field; the valid set reports nothing."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from waystation.cli import main
from waystation.records.problems import Severity
from waystation.records.validation import load_listings

FIXTURES = Path(__file__).parent / "fixtures"
TODAY = dt.date(2026, 11, 30)

E, W = "error", "warning"

#: fixture name -> (severity, line, column, field path, words the message must contain)
EXPECTED: dict[str, tuple[str, int, int, str, str]] = {
    "street-on-hidden-location": (E, 27, 3, "location.street", "must not have a street"),
    "street-on-approximate-location": (E, 27, 3, "location.street", "must not have a street"),
    "coordinates-on-approximate-location": (E, 27, 3, "location.coordinates", "coordinates"),
    "coordinates-on-hidden-location": (E, 27, 3, "location.coordinates", "never mapped"),
    "missing-city": (E, 25, 1, "location", "needs a 'city'"),
    "unknown-zip": (E, 30, 16, "location.postal_code", "not a known US ZIP"),
    "zip-not-in-state": (E, 30, 16, "location.postal_code", "is in NY, not IL"),
    "bad-zip": (E, 30, 16, "location.postal_code", "not a ZIP code"),
    "unquoted-zip": (E, 30, 16, "location.postal_code", '"02134"'),
    "bad-state": (E, 29, 10, "location.state", "not a USPS state code"),
    "missing-visibility": (E, 25, 1, "location.visibility", "required field is missing"),
    "unknown-visibility": (E, 26, 15, "location.visibility", "'visibility' vocabulary"),
    "future-last-verified": (E, 33, 16, "last_verified", "in the future"),
    "bad-date": (E, 33, 16, "last_verified", "YYYY-MM-DD"),
    "missing-name": (E, 1, 1, "name", "required field is missing"),
    "name-length": (E, 3, 7, "name", "3 to 150 characters"),
    "missing-services": (E, 1, 1, "services", "required field is missing"),
    "empty-list": (E, 6, 11, "services", "at least one"),
    "unknown-term": (E, 6, 12, "services[0]", "did you mean 'case-management'?"),
    "unknown-trafficking-type": (E, 7, 26, "trafficking_types[1]", "did you mean 'labor'?"),
    "unknown-population": (E, 8, 15, "populations[0]", "did you mean 'adults'?"),
    "unknown-feature": (E, 10, 12, "features[0]", "no-id-required"),
    "bad-cost": (E, 11, 7, "cost", "'cost' vocabulary"),
    "bad-status": (E, 12, 9, "status", "did you mean 'temporarily-closed'?"),
    "unknown-field": (E, 12, 1, "websit", "did you mean 'website'?"),
    "unknown-nested-field": (E, 29, 3, "location.county", "unknown field 'county'"),
    "text-too-long": (E, 5, 10, "summary", "at most 200 characters"),
    "multiline-summary": (E, 5, 10, "summary", "one line"),
    "no-contact": (E, 1, 1, "", "at least one way to reach"),
    "bad-phone": (E, 14, 13, "phones[0].number", "not a valid phone number"),
    "unquoted-phone": (E, 14, 13, "phones[0].number", "in quotes"),
    "bad-phone-type": (E, 15, 11, "phones[0].type", "'phone_types' vocabulary"),
    "bad-email": (E, 19, 8, "email", "not a valid e-mail address"),
    "bad-website": (E, 20, 10, "website", "starting with https://"),
    "javascript-website": (E, 20, 10, "website", "not a web address"),
    "bad-hours": (E, 21, 8, "hours", "'24/7' or a list"),
    "bad-time": (E, 23, 12, "hours[0].opens", "HH:MM"),
    "closes-before-opens": (E, 24, 13, "hours[0].closes", "overnight: true"),
    "bad-day": (E, 22, 12, "hours[0].days[0]", "did you mean 'mon'?"),
    "ages-min-above-max": (E, 12, 13, "ages.min", "greater than max"),
    "out-of-range": (E, 12, 21, "ages.max", "at most 120"),
    "national-with-states": (E, 32, 3, "service_area.national", "already covers every state"),
    "bad-county": (E, 32, 14, "service_area.counties[0]", "'IL/Cook'"),
    "unknown-language": (E, 9, 17, "languages[1]", "not an ISO 639-1 or 639-3"),
    "bad-language": (E, 9, 17, "languages[1]", "did you mean 'es'?"),
    "bad-accessibility": (E, 31, 19, "location.accessibility[0]", "'accessibility' vocabulary"),
    "wrong-type": (E, 8, 14, "populations", "expected a list"),
    "yes-is-not-true": (E, 17, 16, "phones[0].languages", "expected a list, got 'yes'"),
    "not-a-mapping": (E, 26, 3, "location", "expected a group of fields"),
    "bad-translation": (E, 14, 5, "translations.es.nombre", "did you mean 'name'?"),
    "duplicate-key": (E, 12, 1, "cost", "appears twice (first on line 11)"),
    "malformed-yaml": (E, 12, 19, "", "second ': ' inside its value: put the value in double"),
    "no-front-matter": (E, 1, 1, "", "no front matter"),
    "unclosed-front-matter": (E, 34, 1, "", "not closed"),
    "empty-front-matter": (E, 2, 1, "", "front matter is empty"),
    "front-matter-not-mapping": (E, 2, 1, "", "is a list"),
    "empty-file": (E, 1, 1, "", "the file is empty"),
    "not-utf8": (E, 3, 19, "", "not UTF-8 (byte 0xe9)"),
    "Bad_ID": (E, 1, 1, "", "not a valid listing id"),
}

WARNINGS: dict[str, tuple[str, int, int, str, str]] = {
    "stale": (W, 33, 16, "last_verified", "1050 days ago"),
    "http-website": (W, 20, 10, "website", "http://"),
    "no-summary": (W, 1, 1, "", "no 'summary'"),
    "no-description": (W, 35, 1, "description", "no description"),
    "no-languages": (W, 1, 1, "", "no 'languages'"),
    "coordinates-outside-state": (W, 31, 3, "location.coordinates", "not in Illinois"),
    "duplicate-term": (W, 6, 48, "services[2]", "listed twice"),
}


def _problems(path: Path):
    return load_listings([path], today=TODAY).problems


def test_every_fixture_has_an_expectation_and_every_expectation_a_fixture():
    invalid = {p.stem for p in (FIXTURES / "invalid").glob("*.md")}
    warning = {p.stem for p in (FIXTURES / "warning").glob("*.md")}
    assert invalid == set(EXPECTED)
    assert warning == set(WARNINGS)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_invalid_fixture_reports_its_rule_at_the_right_line(name):
    path = FIXTURES / "invalid" / f"{name}.md"
    severity, line, col, field, words = EXPECTED[name]
    problems = _problems(path)
    errors = [p for p in problems if p.is_error]
    assert len(errors) == 1, [p.format_text() for p in problems]
    (problem,) = errors
    assert problem.file.endswith(f"tests/fixtures/invalid/{name}.md")
    assert (problem.severity.value, problem.line, problem.column, problem.path) == (
        severity,
        line,
        col,
        field,
    )
    assert words in problem.message
    assert load_listings([path], today=TODAY).listings == []


@pytest.mark.parametrize("name", sorted(WARNINGS))
def test_warning_fixture_warns_at_the_right_line_and_still_publishes(name):
    path = FIXTURES / "warning" / f"{name}.md"
    severity, line, col, field, words = WARNINGS[name]
    result = load_listings([path], today=TODAY)
    assert [p.format_text() for p in result.problems if p.is_error] == []
    matching = [p for p in result.problems if p.path == field and words in p.message]
    assert len(matching) == 1, [p.format_text() for p in result.problems]
    (problem,) = matching
    assert (problem.severity, problem.line, problem.column) == (Severity.WARNING, line, col)
    assert len(result.listings) == 1


def test_valid_fixtures_and_sample_directory_report_no_problems():
    result = load_listings([FIXTURES / "valid"], today=TODAY)
    assert result.problems == []
    assert [item.id for item in result.listings] == ["lakeside-survivor-services"]
    sample = load_listings([Path("providers")], today=TODAY)
    assert sample.errors == []
    # The sample keeps a few listings stale on purpose, to show the notice.
    assert {p.rule for p in sample.warnings} <= {"stale"}


def test_yaml_1_2_rules_no_coercion():
    (listing,) = load_listings([FIXTURES / "valid"], today=TODAY).listings
    record = listing.record
    assert record.hours[0].opens == "09:00"  # YAML 1.1 would read 540
    assert record.location.postal_code == "60601"
    assert record.last_verified == dt.date(2026, 6, 1)


def test_crlf_and_bom_are_accepted(tmp_path):
    text = (FIXTURES / "valid" / "lakeside-survivor-services.md").read_text(encoding="utf-8")
    target = tmp_path / "lakeside-survivor-services.md"
    target.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    result = load_listings([target], today=TODAY)
    assert result.problems == []
    assert len(result.listings) == 1


def test_every_problem_in_every_file_in_one_run():
    result = load_listings([FIXTURES / "invalid"], today=TODAY)
    files_with_errors = {p.file for p in result.errors}
    assert len(files_with_errors) == len(EXPECTED)
    assert result.listings == []


def test_file_over_256_kb_is_refused(tmp_path):
    base = (FIXTURES / "valid" / "lakeside-survivor-services.md").read_text(encoding="utf-8")
    target = tmp_path / "file-too-large.md"
    target.write_text(base + ("Lorem ipsum dolor sit amet. " * 10_000), encoding="utf-8")
    (problem,) = _problems(target)
    assert (problem.line, problem.rule) == (1, "file_too_large")
    assert "at most 256 KB" in problem.message


def test_missing_path_and_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "_template.md").write_text("---\n---\n")
    problems = load_listings([tmp_path / "nope", tmp_path / "empty"], today=TODAY).problems
    assert sorted(p.rule for p in problems) == ["no_listings", "path_not_found"]


@pytest.mark.parametrize(
    ("folder", "rule", "severity", "count"),
    [
        ("duplicate_id", "duplicate_id", Severity.ERROR, 2),
        ("shared_phone", "shared_phone", Severity.WARNING, 2),
        ("shared_website", "shared_website", Severity.WARNING, 2),
        ("same_name_same_city", "same_name_same_city", Severity.WARNING, 2),
    ],
)
def test_cross_file_checks(folder, rule, severity, count):
    result = load_listings([FIXTURES / "cross_file" / folder], today=TODAY)
    found = [p for p in result.problems if p.rule == rule]
    assert len(found) == count
    assert {p.severity for p in found} == {severity}
    # Each names the other file.
    files = {p.file for p in found}
    for problem in found:
        (other,) = files - {problem.file}
        assert other in problem.message
    if rule == "duplicate_id":
        assert result.listings == []
    if rule == "shared_phone":
        assert {p.line for p in found} == {14}


@pytest.mark.parametrize("folder", ["shared_phone", "shared_website", "same_name_same_city"])
def test_warnings_across_files_point_where_the_value_is_without_reading_a_file_twice(
    folder, monkeypatch
):
    """Each file is read once (a national directory shares thousands of phones: reading
    each warned file again cost 25 s at 50,000 listings), and each warning names the
    line, column and field that reading the file again would have found."""
    from waystation.records import validation

    reads: list[str] = []
    read = validation.read_listing

    def counted(path, shown):
        reads.append(shown)
        return read(path, shown)

    monkeypatch.setattr(validation, "read_listing", counted)
    result = load_listings([FIXTURES / "cross_file" / folder], today=TODAY)
    found = [p for p in result.problems if p.rule == folder]
    assert len(found) == 2 and sorted(reads) == sorted(set(reads)) and len(reads) == 2
    for problem in found:
        again = read(Path(problem.file), problem.file).problem(
            {"shared_phone": ("phones", 0, "number"), "shared_website": ("website",)}.get(
                folder, ("name",)
            ),
            problem.message,
            Severity.WARNING,
            rule=problem.rule,
        )
        assert problem == again
        assert problem.line > 1


def test_same_phone_within_one_organization_is_fine(tmp_path):
    base = FIXTURES / "valid" / "lakeside-survivor-services.md"
    shutil.copy(base, tmp_path / "lakeside-loop.md")
    text = base.read_text().replace("city: Chicago", "city: Evanston").replace("60601", "60201")
    (tmp_path / "lakeside-evanston.md").write_text(text)
    result = load_listings([tmp_path], today=TODAY)
    assert result.problems == []
    assert len(result.listings) == 2


def write_distinct_listings(folder: Path, count: int) -> None:
    """``count`` valid listings, each with its own name, phone and website."""
    for index in range(count):
        text = (FIXTURES / "valid" / "lakeside-survivor-services.md").read_text()
        text = text.replace("Lakeside Survivor Services", f"Lakeside Site {index}")
        text = text.replace("312-555-0142", f"312-555-01{index + 10:02d}")
        text = text.replace("example.org/lakeside", f"example.org/lakeside-{index}")
        (folder / f"lakeside-{index:02d}.md").write_text(text)


def test_parallel_check_gives_the_same_result_as_serial(tmp_path, monkeypatch):
    from waystation.records import validation

    write_distinct_listings(tmp_path, 40)
    shutil.copy(FIXTURES / "invalid" / "bad-phone.md", tmp_path / "bad-phone.md")
    serial = load_listings([tmp_path], today=TODAY)
    monkeypatch.setattr(validation, "PARALLEL_THRESHOLD", 2)
    monkeypatch.setattr(validation, "CHUNK_SIZE", 3)  # many chunks, sent back one by one
    parallel = load_listings([tmp_path], today=TODAY)
    assert [p.format_text() for p in parallel.problems] == [
        p.format_text() for p in serial.problems
    ]
    assert [item.id for item in parallel.listings] == [item.id for item in serial.listings]
    assert len(serial.listings) == 40


# -- the command -----------------------------------------------------------------


def test_cli_text_format_and_exit_codes(capsys):
    assert main(["validate", str(FIXTURES / "valid"), "--today", "2026-11-30"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == "1 file checked: 0 error(s), 0 warning(s)"
    code = main(["validate", str(FIXTURES / "invalid" / "bad-phone.md"), "--today", "2026-11-30"])
    assert code == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].endswith(
        "tests/fixtures/invalid/bad-phone.md:14:13: error: phones[0].number: '312-555' is not a "
        "valid phone number: write a US number with its area code (312-555-0142) or '+' and "
        "the country code for others"
    )
    assert lines[-1] == "1 file checked: 1 error(s), 0 warning(s)"


def test_cli_strict_fails_on_warnings(capsys):
    stale = str(FIXTURES / "warning" / "stale.md")
    assert main(["validate", stale, "--today", "2026-11-30"]) == 0
    assert main(["validate", stale, "--today", "2026-11-30", "--strict"]) == 1


def test_cli_today_makes_staleness_testable(capsys):
    stale = str(FIXTURES / "warning" / "stale.md")
    main(["validate", stale, "--today", "2024-06-01"])
    assert "warning" not in capsys.readouterr().out.split("checked")[0]


def test_cli_usage_errors_exit_2(capsys):
    assert main(["validate", "--today", "yesterday", str(FIXTURES / "valid")]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["validate", "--format", "xml"])
    assert exc.value.code == 2


def test_cli_github_format_annotations_then_full_report(capsys):
    main(["validate", str(FIXTURES / "invalid"), "--today", "2026-11-30", "--format", "github"])
    out = capsys.readouterr().out.splitlines()
    annotations = [line for line in out if line.startswith("::error ")]
    assert len(annotations) == len(EXPECTED)
    assert any(
        a.startswith("::error file=tests/fixtures/invalid/bad-phone.md,line=14,col=13::")
        for a in annotations
    )
    # GitHub shows only ten annotations: the full report follows in a group.
    start = out.index("::group::Full validation report")
    full = out[start + 1 : out.index("::endgroup::")]
    assert len([line for line in full if ": error: " in line]) == len(EXPECTED)


def test_cli_json_format(capsys):
    main(["validate", str(FIXTURES / "invalid" / "bad-day.md"), "--today", "2026-11-30",
          "--format", "json"])  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert data["errors"] == 1 and data["files"] == 1
    (problem,) = data["problems"]
    assert problem["line"] == 22 and problem["path"] == "hours[0].days[0]"
    assert problem["severity"] == "error"


def test_cli_missing_path_is_a_one_line_error(capsys):
    assert main(["validate", "does/not/exist"]) == 1
    out = capsys.readouterr().out
    assert "does/not/exist:1:1: error: no such file or folder" in out
    assert "Traceback" not in out


def test_python_dash_m_works_like_the_console_script():
    import subprocess
    import sys

    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "waystation",
            "validate",
            str(FIXTURES / "valid"),
            "--today",
            "2026-11-30",
        ],  # fmt: skip
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "0 error(s)" in proc.stdout


def test_cache_rereads_only_changed_files(tmp_path, monkeypatch):
    from waystation.records import validation

    folder = tmp_path / "providers"
    folder.mkdir()
    base = (FIXTURES / "valid" / "lakeside-survivor-services.md").read_text()
    for index in range(5):
        text = base.replace("Lakeside Survivor Services", f"Lakeside Site {index}")
        text = text.replace("312-555-0142", f"312-555-01{index + 10:02d}")
        text = text.replace("example.org/lakeside", f"example.org/lakeside-{index}")
        (folder / f"site-{index}.md").write_text(text)
    cache = tmp_path / "cache" / "listings.pickle"
    first = load_listings([folder], today=TODAY, cache_file=cache)
    assert cache.exists() and len(first.listings) == 5

    read = []
    original = validation.read_listing
    monkeypatch.setattr(
        validation, "read_listing", lambda path, shown: read.append(shown) or original(path, shown)
    )
    again = load_listings([folder], today=TODAY, cache_file=cache)
    assert read == []
    assert [item.record for item in again.listings] == [item.record for item in first.listings]

    edited = folder / "site-3.md"
    edited.write_text(edited.read_text().replace("cost: free", "cost: fee"))
    third = load_listings([folder], today=TODAY, cache_file=cache)
    assert [Path(p).name for p in read] == ["site-3.md"]
    assert third.listings[3].record.cost == "fee"
    # Another day can change staleness: nothing is reused.
    read.clear()
    load_listings([folder], today=TODAY + dt.timedelta(days=1), cache_file=cache)
    assert len(read) == 5


def test_build_workers_setting_limits_the_checking_processes(tmp_path, monkeypatch, forks):
    """BUILD_WORKERS=1 (say, on a shared CI runner) means no forked checker, however many
    files; without it a large directory is checked by forked processes."""
    from waystation.records import validation

    write_distinct_listings(tmp_path, 4)
    monkeypatch.setattr(validation, "PARALLEL_THRESHOLD", 2)
    one = load_listings([tmp_path], today=TODAY, workers=1)
    assert forks == [] and len(one.listings) == 4
    two = load_listings([tmp_path], today=TODAY, workers=2)
    assert forks == ["fork"]
    assert [item.id for item in two.listings] == [item.id for item in one.listings]


def test_loaded_records_share_their_sets_of_given_fields():
    """The build keeps every record: each model's set of given fields (pydantic's
    ``model_fields_set``) is one shared set object per distinct set, not a set per
    model (0.11 GB at 50,000 listings), and reads as the fields given: dumped with only
    the fields given and validated again, a record is the same.  Fails if pydantic stops
    keeping that set where ``records.model.share_fields_sets`` writes it."""
    from waystation.records.model import ListingRecord

    result = load_listings([Path("providers")], today=TODAY)
    records = [listing.record for listing in result.listings]
    assert len(records) > 40
    models = [m for r in records for m in (r, r.location, *(r.phones or []))]
    shared = {id(m.model_fields_set) for m in models}  # one object per distinct set
    assert len(shared) == len({frozenset(m.model_fields_set) for m in models}) < len(models)
    for record in records:  # the same fields given as in the file
        again = ListingRecord.model_validate(record.model_dump(exclude_unset=True))
        assert again.model_fields_set is again.__pydantic_fields_set__  # where pydantic keeps it
        assert again.model_fields_set == record.model_fields_set
        assert again == record
        copied = record.model_copy(update={"summary": "Changed"})  # a copy: its own set
        assert "summary" in copied.model_fields_set and copied.model_fields_set is not (
            record.model_fields_set
        )
    assert len({id(m.model_fields_set) for m in models}) == len(shared)  # none changed


def test_a_listing_keeps_the_line_of_its_location_for_later_warnings(tmp_path):
    """The places stage warns about a listing without a place at its ``location:`` line:
    the line is read with the file, and kept when the listing comes from the cache."""
    source = (FIXTURES / "valid" / "lakeside-survivor-services.md").read_text(encoding="utf-8")
    lines = source.splitlines()
    # Two comment lines more above the location: its line moves down by two.
    moved = "\n".join([*lines[:3], "# one", "# two", *lines[3:]]) + "\n"
    (tmp_path / "lakeside.md").write_text(moved, encoding="utf-8")
    expected = moved.splitlines().index("location:") + 1
    assert expected == lines.index("location:") + 3
    cache = tmp_path / "cache.pickle"
    first = load_listings([tmp_path], today=dt.date(2026, 7, 1), cache_file=cache)
    again = load_listings([tmp_path], today=dt.date(2026, 7, 1), cache_file=cache)
    assert [item.location_line for item in first.listings] == [expected]
    assert [item.location_line for item in again.listings] == [expected]
