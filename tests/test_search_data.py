"""The search page's data files (waystation/search/data.py, zip_shards.py) on the sample.

What a survivor relies on without seeing it: the files the browser searches hold no
more than the listing pages publish (no hidden place, no approximate listing's
address), every listing is findable from every state it serves, ZIP and city look-ups
give the same centres the rest of the site uses, and rebuilding gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pytest
import zipcodes

from waystation import settings as settings_mod
from waystation.directory import build_directory
from waystation.gazetteer import centres
from waystation.places.service_area import service_area
from waystation.publish import public_listing, public_point
from waystation.search import data as search_data
from waystation.search import zip_shards

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def directory():
    values = settings_mod.load(ROOT / "pelicanconf.py")
    return build_directory(values, ROOT, dt.date(2026, 12, 1), with_history=False)


@pytest.fixture(scope="module")
def written(directory, tmp_path_factory) -> Path:
    output = tmp_path_factory.mktemp("search-data-out")
    search_data.write_search_data(directory, output, directory.settings)
    return output / "search-data"


def _json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def _rows(folder: Path, lang: str = "en") -> dict[str, list]:
    return {p.stem: _json(p)["rows"] for p in sorted((folder / lang / "rows").glob("*.json"))}


def _summaries(folder: Path, shard: str, lang: str = "en") -> list[dict]:
    summaries: list[dict] = []
    n = 0
    while (folder / lang / "summaries" / f"{shard}-{n}.json").is_file():
        summaries.extend(_json(folder / lang / "summaries" / f"{shard}-{n}.json"))
        n += 1
    return summaries


def test_every_listing_is_in_the_shard_of_every_state_it_serves(directory, written):
    rows = _rows(written)
    manifest = _json(written / "manifest.json")
    for g, listing in enumerate(directory.listings):
        area = service_area(listing)
        holding = {name for name, shard in rows.items() if any(r[0] == g for r in shard)}
        expected = {"national"} if area.national else set(area.states)
        assert holding == expected, listing.id
    assert manifest["shards"] == {name: len(shard) for name, shard in rows.items()}


def test_rows_carry_only_published_points(directory, written):
    """Hidden listings: no point; approximate ones: their area's centre; never finer."""
    rows = _rows(written)
    seen_hidden = seen_approximate = 0
    for shard in rows.values():
        for row in shard:
            listing = directory.listings[row[0]]
            point = public_point(listing, directory.place(listing))
            if listing.visibility == "hidden":
                seen_hidden += 1
                assert row[2] is None and row[3] is None, listing.id
            elif point is None:
                assert row[2] is None, listing.id
            else:
                assert (row[2], row[3]) == (point["lat"], point["lon"]), listing.id
                approximate = bool(row[4] & search_data.FLAGS["approximate"])
                assert approximate == (point["precision"] in ("zip", "city")), listing.id
                if listing.visibility == "approximate":
                    seen_approximate += 1
                    assert approximate, listing.id
    assert seen_hidden and seen_approximate, (
        "the sample should have hidden and approximate listings"
    )


def test_cards_of_hidden_listings_name_no_place(directory, written):
    """Each row carries what its result shows at once (name, city, link, phone); the
    summaries come in their own files, in the rows' order."""
    seen_hidden = 0
    for shard in _rows(written):
        for lang in ("en", "es"):
            rows = _json(written / lang / "rows" / f"{shard}.json")["rows"]
            summaries = _summaries(written, shard, lang)
            assert len(summaries) == len(rows)
            for row, summary in zip(rows, summaries, strict=True):
                listing = directory.listings[row[0]]
                public = directory.public(listing, lang)
                card = row[search_data.ROW_FIELDS.index("card")]
                assert card["u"].endswith(f"providers/{listing.id}/")
                assert card["n"] == public["name"]
                assert summary.get("s") == public.get("summary"), listing.id
                assert "s" not in card
                if listing.visibility == "hidden":
                    seen_hidden += 1
                    assert set(card) <= {"n", "st", "u", "ph", "ut"}, listing.id
                    assert card["st"] == listing.record.location.state
                else:
                    assert card.get("c") == public["location"].get("city"), listing.id
    assert seen_hidden


def test_rows_carry_the_data_version_of_the_manifest(written):
    """The page's head asks for rows before it knows the version: each rows file says
    which it is, and search.js compares it with the manifest's."""
    version = _json(written / "manifest.json")["version"]
    assert len(version) == 16
    for lang in ("en", "es"):
        for path in (written / lang / "rows").glob("*.json"):
            assert _json(path)["version"] == version, path


def test_the_zip_prefix_table_names_the_state_of_almost_every_zip_code(written):
    """What the search page's head reads to ask for a state's rows with the ZIP code's
    file: right for all but the few ZIP codes of a prefix that crosses a state line."""
    ranges = (written / "zip" / "states.txt").read_text(encoding="ascii")
    assert ranges == zip_shards.prefix_states()
    assert len(ranges) % 5 == 0 and len(ranges) < 1000
    assert zip_shards.state_of_prefix(ranges, "606") == "IL"
    assert zip_shards.state_of_prefix(ranges, "100") == "NY"
    assert zip_shards.state_of_prefix(ranges, "063") == "CT"  # and one New York ZIP code
    assert zip_shards.state_of_prefix(ranges, "000") == ""
    wrong = total = 0
    for n in range(1000):
        prefix = f"{n:03d}"
        for code, entry in _json(written / "zip" / f"{prefix}.json").items():
            total += 1
            wrong += zip_shards.state_of_prefix(ranges, code[:3]) != entry[2]
    assert total > 40_000 and wrong < 10, (wrong, total)


def test_no_street_address_or_private_field_in_any_search_file(directory, written):
    text = "\n".join(
        p.read_text(encoding="utf-8")
        for p in written.rglob("*.json")
        if p.parent.name in ("rows", "summaries") or p.name == "manifest.json"
    )
    for listing in directory.listings:
        location = listing.record.location
        for value in (location.street, location.street2, listing.record.source):
            if value:
                assert value not in text, f"{listing.id}: {value!r} is in the search data"
        if listing.visibility != "public" and location.postal_code:
            assert location.postal_code not in text, listing.id


def test_filters_are_encoded_from_the_public_listing(directory, written):
    manifest = _json(written / "manifest.json")
    terms = manifest["terms"]
    for shard, rows in _rows(written).items():
        for row in rows:
            listing = directory.listings[row[0]]
            public = public_listing(listing, directory.place(listing))
            services = [t for i, t in enumerate(terms["services"]) if row[5] >> i & 1]
            assert services == [t for t in terms["services"] if t in public["services"]]
            populations = [t for i, t in enumerate(terms["populations"]) if row[6] >> i & 1]
            assert populations == [
                t
                for t in terms["populations"]
                if t in (public["populations"] or terms["populations"])
            ]
            features = {t for i, t in enumerate(terms["features"]) if row[7] >> i & 1}
            assert features == set(public.get("features", []))
            langs = {manifest["languages"][i] for i in row[10]}
            assert langs == set(public.get("languages", []))
            local = bool(row[4] & search_data.FLAGS["local"])
            assert local == (listing.record.location.state == shard)


def test_county_limited_listings_name_their_counties(directory, written):
    rows = _rows(written)["IL"]
    by_id = {directory.listings[r[0]].id: r for r in rows}
    loop = by_id["harbor-light-chicago-loop"]
    assert loop[12] == ["cook", "dupage", "lake"]
    assert loop[4] & search_data.FLAGS["counties"]


def test_open_hours_entries():
    public = {
        "hours": [
            {"days": ["mon", "fri"], "opens": "09:00", "closes": "17:30", "overnight": False},
            {"days": ["sat"], "opens": "20:00", "closes": "07:00", "overnight": True},
        ],
        "location": {"state": "IL"},
    }
    assert search_data.hours_entry(public) == [
        "America/Chicago",
        0,
        [[1 | 16, 540, 1050, 0], [32, 1200, 420, 1]],
    ]
    assert search_data.hours_entry({"hours": "24/7", "location": {"state": "AZ"}}) == [
        "America/Phoenix",
        1,
        [],
    ]
    assert search_data.hours_entry({"location": {"state": "AZ"}}) is None


def test_zip_shards_match_the_zipcodes_package(written):
    shard = _json(written / "zip" / "606.json")
    (row,) = zipcodes.matching("60601")
    lat, lon, state, city, county = shard["60601"]
    assert (lat, lon, state) == (float(row["lat"]), float(row["long"]), "IL")
    assert city == "Chicago" and county == "cook"
    # Every prefix has a file (unknown ZIPs read "{}" instead of a 404), each small.
    files = [written / "zip" / f"{n:03d}.json" for n in range(1000)]
    assert all(p.is_file() for p in files)
    assert _json(written / "zip" / "000.json") == {}
    assert max(p.stat().st_size for p in files) < 12_000


def test_city_shards_give_the_sites_city_centres(written):
    for city, state in (("Chicago", "IL"), ("Mayagüez", "PR"), ("Winston-Salem", "NC")):
        key = centres.normalize_city(city)
        entry = _json(written / "city" / f"{zip_shards.city_shard_name(state, key)}.json")[key]
        lat, lon = centres.city_centre(city, state)
        assert entry[1] == pytest.approx(lat, abs=1e-4)
        assert entry[2] == pytest.approx(lon, abs=1e-4)
    chicago = _json(written / "city" / "il-c.json")["chicago"]
    assert "cook" in chicago[3]


def test_county_keys_match_between_listings_and_zip_codes():
    assert zip_shards.county_key("IL/Cook") == zip_shards.county_key("Cook County") == "cook"
    assert zip_shards.county_key("LA/Orleans") == zip_shards.county_key("Orleans Parish")
    assert zip_shards.county_key("AK/Anchorage") == zip_shards.county_key("Anchorage Municipality")


def test_rebuilding_gives_the_same_bytes(directory, written, tmp_path):
    search_data.write_search_data(directory, tmp_path, directory.settings)

    def digest(folder: Path) -> str:
        h = hashlib.sha256()
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                h.update(str(p.relative_to(folder)).encode())
                h.update(p.read_bytes())
        return h.hexdigest()

    assert digest(tmp_path / "search-data") == digest(written)


def test_the_same_opening_hours_are_published_once_and_each_listing_shows_its_own(directory):
    """Listings open the same hours share one published entry (a national directory has
    a few hundred distinct entries among 120,000); each listing still publishes exactly
    the hours its file gives, in its order."""
    shared: dict[tuple, int] = {}
    seen = 0
    for listing in directory.listings:
        hours = listing.record.hours
        if not isinstance(hours, list):
            continue
        published = public_listing(listing, directory.place(listing))["hours"]
        assert published == [entry.model_dump() for entry in hours]
        for entry in published:
            key = (tuple(entry["days"]), entry["opens"], entry["closes"], entry["overnight"])
            assert shared.setdefault(key, id(entry)) == id(entry)
            seen += 1
    assert seen > len(shared) > 1, "the sample has no two listings with the same hours"
