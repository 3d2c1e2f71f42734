"""scripts/generate_synthetic.py: deterministic, valid synthetic listings."""

from __future__ import annotations

import runpy
import subprocess
import sys
from pathlib import Path

import pytest
import zipcodes
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "generate_synthetic.py"
REQUIRED = ("name", "services", "trafficking_types", "location", "last_verified")


@pytest.fixture(scope="module")
def generate():
    return runpy.run_path(str(SCRIPT))["generate"]


def _front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    front, _, body = text[4:].partition("\n---\n")
    assert body.strip(), f"{path.name}: no description"
    return YAML(typ="safe", pure=True).load(front)


@pytest.fixture(scope="module")
def zip_table():
    return {z["zip_code"]: z for z in zipcodes.list_all()}


def _contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_gives_byte_identical_files(generate, tmp_path):
    generate(60, 7, tmp_path / "a")
    generate(60, 7, tmp_path / "b")
    assert _contents(tmp_path / "a") == _contents(tmp_path / "b")


def test_different_seed_gives_different_files(generate, tmp_path):
    generate(20, 1, tmp_path / "a")
    generate(20, 2, tmp_path / "b")
    assert _contents(tmp_path / "a") != _contents(tmp_path / "b")


@pytest.mark.parametrize("count", [0, 1, 37])
def test_count_is_respected(generate, tmp_path, count):
    paths = generate(count, 3, tmp_path)
    assert len(paths) == count
    assert sorted(p.name for p in tmp_path.glob("*.md")) == sorted(p.name for p in paths)


def test_files_have_required_fields_and_real_zip_codes(generate, zip_table, tmp_path):
    paths = generate(200, 11, tmp_path)
    visibilities = set()
    for path in paths:
        record = _front_matter(path)
        for field in REQUIRED:
            assert record.get(field), f"{path.name}: no {field}"
        assert record.get("phones") or record.get("website") or record.get("email")
        location = record["location"]
        visibilities.add(location["visibility"])
        assert location.get("state")
        if location["visibility"] != "public":
            assert "street" not in location and "coordinates" not in location
        if location["visibility"] in ("public", "approximate"):
            assert location.get("city") and location.get("postal_code")
        if location.get("postal_code"):
            match = zip_table.get(location["postal_code"])
            assert match, f"{path.name}: unknown ZIP {location['postal_code']}"
            assert match["state"] == location["state"], f"{path.name}: ZIP not in state"
            if location.get("city"):
                assert match["city"] == location["city"]
        assert path.stem.replace("-", "").isalnum() and path.stem == path.stem.lower()
    assert visibilities == {"public", "approximate", "hidden"}


def test_command_line(tmp_path):
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--count", "5", "--seed", "4", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(list(out.glob("*.md"))) == 5


def test_generated_files_pass_validation(generate, tmp_path):
    generate(80, 5, tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "waystation", "validate", str(tmp_path), "--today", "2026-11-30"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_checking_in_two_processes_gives_what_one_process_gives(generate, tmp_path, monkeypatch):
    """Large directories are checked by forked workers with the collector paused: the
    listings, their order and the problems must not depend on it, and the collector
    must be running again afterwards."""
    import datetime as dt
    import gc

    from waystation.records import validation

    count = validation.PARALLEL_THRESHOLD + 100
    generate(count, 3, tmp_path / "providers")
    today = dt.date(2026, 12, 1)
    parallel = validation.load_listings([tmp_path / "providers"], today=today)
    assert gc.isenabled()
    monkeypatch.setattr(validation, "PARALLEL_THRESHOLD", 10**9)
    serial = validation.load_listings([tmp_path / "providers"], today=today)
    assert gc.isenabled()
    assert [item.id for item in parallel.listings] == [item.id for item in serial.listings]
    assert len(parallel.listings) == count
    assert [p.format_text() for p in parallel.problems] == [
        p.format_text() for p in serial.problems
    ]
