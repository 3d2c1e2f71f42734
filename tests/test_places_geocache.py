"""The committed geocode cache: keys, file format, atomic saves, damage reports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from waystation.places import geocache
from waystation.places.geocache import (
    CacheEntry,
    CacheError,
    GeocodeCache,
    address_key,
    address_query,
)
from waystation.records.model import Location

ROOT = Path(__file__).resolve().parent.parent


def location(**fields) -> Location:
    data = {"visibility": "public", "city": "Chicago", "state": "IL", "postal_code": "60601"}
    data.update(fields)
    return Location.model_validate({k: v for k, v in data.items() if v is not None})


def entry(lat=41.8858, lon=-87.6181, query="12 Harbor St, Chicago, IL 60601, USA") -> CacheEntry:
    return CacheEntry(query, lat, lon, "nominatim", "address", "2026-03-14")


def test_query_and_key_of_a_public_street_address():
    loc = location(street="12  N. Harbor St.", street2="Suite 400", postal_code="60601-1234")
    assert address_query(loc) == "12  N. Harbor St., Chicago, IL 60601, USA"
    assert address_key(loc) == "12 n harbor st, chicago, il 60601, usa"


def test_key_ignores_case_spacing_punctuation_and_street2():
    a = location(street="12 N. Harbor St.", street2="Suite 400")
    b = location(street="12 n harbor st", city="CHICAGO")
    assert address_key(a) == address_key(b)


def test_territories_are_named_as_their_own_country():
    loc = location(
        street="155 Calle del Flamboyán", city="San Juan", state="PR", postal_code="00901"
    )
    assert address_query(loc).endswith(", San Juan, PR 00901, Puerto Rico")
    assert geocache.country_code("PR") == "pr" and geocache.country_code("IL") == "us"


@pytest.mark.parametrize(
    "loc",
    [
        location(visibility="approximate"),
        location(visibility="hidden", city=None),
        location(street=None),
        # Even a (wrongly) approximate location with a street is never a query.
        location(visibility="approximate", street="9 Secret Ln"),
        location(visibility="hidden", street="9 Secret Ln"),
    ],
)
def test_no_query_for_non_public_or_streetless_locations(loc):
    assert address_query(loc) is None
    assert address_key(loc) is None


def test_missing_file_is_an_empty_cache(tmp_path):
    cache = GeocodeCache.load(tmp_path / "geocode-cache.json")
    assert len(cache) == 0
    assert not (tmp_path / "geocode-cache.json").exists()


def test_file_is_sorted_indented_and_round_trips(tmp_path):
    path = tmp_path / "geocode-cache.json"
    cache = GeocodeCache.load(path)
    cache.put("b st, chicago, il 60601, usa", entry(query="B St, Chicago, IL 60601, USA"))
    cache.put("a st, chicago, il 60601, usa", entry(lat=41.9, query="A St, Chicago, IL 60601, USA"))
    text = path.read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert text.index('"a st') < text.index('"b st')
    assert text.splitlines()[1] == '  "a st, chicago, il 60601, usa": {'
    assert text.splitlines()[2] == '    "date": "2026-03-14",'
    data = json.loads(text)
    assert sorted(data["a st, chicago, il 60601, usa"]) == sorted(
        ["query", "lat", "lon", "geocoder", "precision", "date"]
    )
    again = GeocodeCache.load(path)
    assert again.entries == cache.entries
    assert again.get("a st, chicago, il 60601, usa").lat == 41.9
    assert oct(path.stat().st_mode & 0o777) == oct(0o644)


def test_hand_edited_keys_are_normalized_on_load(tmp_path):
    path = tmp_path / "c.json"
    raw = {"12 N. Harbor St., Chicago, IL 60601, USA": geocache.asdict(entry())}
    path.write_text(json.dumps(raw), encoding="utf-8")
    cache = GeocodeCache.load(path)
    assert cache.get(address_key(location(street="12 N Harbor St"))) == entry()


def test_a_failed_save_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "geocode-cache.json"
    cache = GeocodeCache.load(path)
    cache.put("a", entry())
    before = path.read_bytes()

    def crash(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(CacheError, match="cannot save the geocode cache"):
        cache.put("b", entry())
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["geocode-cache.json"]


def test_prune_removes_only_unused_entries(tmp_path):
    path = tmp_path / "c.json"
    cache = GeocodeCache.load(path)
    for key in ("a", "b", "c"):
        cache.put(key, entry())
    assert cache.unused({"b"}) == ["a", "c"]
    assert cache.prune({"b"}) == ["a", "c"]
    assert list(GeocodeCache.load(path)) == ["b"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"a": {"lat": 1,', "not valid JSON"),
        ("<<<<<<< HEAD\n{}\n=======\n{}\n>>>>>>> theirs\n", "not valid JSON"),
        ("[1, 2, 3]", "expected an object of addresses, found list"),
        ('{"a": 5}', "entry 'a' is not an object"),
        ('{"a": {"query": "q", "lat": "north", "lon": 1, "geocoder": "g", '
         '"precision": "p", "date": "d"}}', "entry 'a' has lat 'north'"),
        ('{"a": {"query": "q", "lat": 91, "lon": 1, "geocoder": "g", '
         '"precision": "p", "date": "d"}}', "not a number between -90 and 90"),
        ('{"a": {"lat": 1, "lon": 1}}', "lacks query, geocoder, precision, date"),
    ],
)  # fmt: skip
def test_damaged_cache_gives_one_line_naming_the_file_and_the_fix(tmp_path, content, expected):
    path = tmp_path / "geocode-cache.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CacheError) as raised:
        GeocodeCache.load(path)
    message = str(raised.value)
    assert "\n" not in message
    assert str(path) in message
    assert expected in message
    assert "git checkout" in message


def test_binary_garbage_is_reported_not_raised(tmp_path):
    path = tmp_path / "geocode-cache.json"
    path.write_bytes(b"\xff\xfe\x00garbage\x81")
    with pytest.raises(CacheError, match="not UTF-8"):
        GeocodeCache.load(path)


def test_saves_are_atomic_under_sigkill(tmp_path):
    """A writer killed at random moments never leaves a partial file behind."""
    path = tmp_path / "geocode-cache.json"
    script = (
        "import sys\n"
        "from waystation.places.geocache import CacheEntry, GeocodeCache\n"
        "cache = GeocodeCache.load(sys.argv[1])\n"
        "e = CacheEntry('q' * 200, 41.0, -87.0, 'g', 'address', 'd')\n"
        "for i in range(100000):\n"
        "    cache.put(f'{i:06d} main st', e)\n"
        "    print(i, flush=True)\n"
    )
    for attempt in range(3):
        proc = subprocess.Popen(
            [sys.executable, "-c", script, str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        for _ in range(40 + attempt * 17):
            last = proc.stdout.readline()
        proc.kill()
        proc.wait()
        saved = int(last)
        data = json.loads(path.read_text(encoding="utf-8"))  # never half a file
        assert f"{saved:06d} main st" in data  # every announced save is on disk
    leftovers = [p for p in tmp_path.iterdir() if p.name != "geocode-cache.json"]
    assert len(leftovers) <= 3  # at most one temporary file per kill mid-write
