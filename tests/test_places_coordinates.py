"""Where listings go on the map: the resolver's order, precisions and confidentiality."""

from __future__ import annotations

import pytest

from waystation.gazetteer import centres
from waystation.places import coordinates
from waystation.places.coordinates import (
    CITY_AREA_RADIUS_M,
    ZIP_AREA_RADIUS_M,
    resolve,
    resolve_all,
)
from waystation.places.geocache import CacheEntry, GeocodeCache, address_key
from waystation.records.model import Listing, ListingRecord
from waystation.records.problems import Severity

CACHED = (41.8871, -87.6232)


def make(listing_id="harbor-light", status="active", **location) -> Listing:
    loc = {"visibility": "public", "city": "Chicago", "state": "IL", "postal_code": "60601"}
    loc.update(location)
    record = ListingRecord.model_validate(
        {
            "name": "Harbor Light",
            "services": ["case-management"],
            "trafficking_types": ["sex"],
            "location": {k: v for k, v in loc.items() if v is not None},
            "last_verified": "2026-01-01",
            "phones": [{"number": "312-555-0142", "type": "voice"}],
            "status": status,
        }
    )
    return Listing(
        id=listing_id,
        source_path=f"providers/{listing_id}.md",
        record=record,
        location_line=12,
    )


class SpyCache:
    """A cache that records every key asked for."""

    def __init__(self, entries=None):
        self.entries = entries or {}
        self.asked: list = []

    def get(self, key):
        self.asked.append(key)
        return self.entries.get(key)


def cache_for(*listings: Listing) -> SpyCache:
    entries = {}
    for item in listings:
        key = address_key(item.record.location)
        if key:
            entries[key] = CacheEntry("q", *CACHED, "nominatim", "address", "2026-01-01")
    return SpyCache(entries)


def test_coordinates_override_wins():
    listing = make(street="1 Main St", coordinates={"lat": 41.9, "lon": -87.7})
    place = resolve(listing, cache_for(listing))
    assert (place.lat, place.lon, place.precision) == (41.9, -87.7, "coordinates")
    assert place.area_radius_m is None


def test_cache_comes_next_for_a_public_street_address():
    listing = make(street="1 Main St")
    place = resolve(listing, cache_for(listing))
    assert (place.lat, place.lon, place.precision) == (*CACHED, "address")
    assert not place.is_area


def test_uncached_address_falls_back_to_the_zip_centre_as_an_area():
    place = resolve(make(street="1 Main St"), SpyCache())
    assert place.precision == "zip"
    assert (place.lat, place.lon) == centres.zip_centre("60601")
    assert place.area_radius_m == ZIP_AREA_RADIUS_M


def test_no_zip_falls_back_to_the_city_centre():
    place = resolve(make(postal_code=None), SpyCache())
    assert place.precision == "city"
    assert (place.lat, place.lon) == centres.city_centre("Chicago", "IL")
    assert place.area_radius_m == CITY_AREA_RADIUS_M


def test_a_zip_of_another_state_is_not_used():
    place = resolve(make(postal_code="10001"), SpyCache())  # a New York ZIP in an IL listing
    assert place.precision == "city"


def test_unknown_zip_and_city_is_no_place():
    place = resolve(make(city="Atlantis", postal_code="00000"), SpyCache())
    assert place == coordinates.NOWHERE
    assert (place.lat, place.lon, place.precision) == (None, None, "none")


def test_approximate_is_never_finer_than_zip_and_never_looks_in_the_cache():
    # Even a (wrongly) approximate record with a street and coordinates: the model
    # allows it, the validator refuses it; the resolver must not leak it either.
    listing = make(
        visibility="approximate", street="9 Secret Ln", coordinates={"lat": 41.9, "lon": -87.7}
    )
    spy = cache_for(make(street="9 Secret Ln"))
    place = resolve(listing, spy)
    assert place.precision == "zip"
    assert place.area_radius_m == ZIP_AREA_RADIUS_M
    assert spy.asked == []
    without_zip = resolve(make(visibility="approximate", postal_code=None), spy)
    assert without_zip.precision == "city" and without_zip.area_radius_m == CITY_AREA_RADIUS_M


def test_hidden_has_no_coordinates_at_all():
    listing = make(
        visibility="hidden", street="9 Secret Ln", coordinates={"lat": 41.9, "lon": -87.7}
    )
    spy = cache_for(make(street="9 Secret Ln"))
    place = resolve(listing, spy)
    assert (place.lat, place.lon, place.precision, place.area_radius_m) == (
        None,
        None,
        "none",
        None,
    )
    assert spy.asked == []


def test_resolve_all_warns_only_for_shown_listings_without_a_place():
    nowhere = make("lost-listing", city="Atlantis", postal_code="00000")
    hidden = make("hidden-one", visibility="hidden", city=None, postal_code=None)
    inactive = make("closed-one", status="inactive", city="Atlantis", postal_code="00000")
    fine = make("fine-one", street="1 Main St")
    result, problems = resolve_all([nowhere, hidden, inactive, fine], cache_for(fine))
    assert set(result) == {"lost-listing", "hidden-one", "closed-one", "fine-one"}
    assert result["fine-one"].precision == "address"
    assert [p.file for p in problems] == ["providers/lost-listing.md"]
    problem = problems[0]
    assert problem.severity is Severity.WARNING
    assert problem.line == 12
    assert "without a map pin" in problem.message


def test_works_with_the_real_cache_file(tmp_path):
    listing = make(street="1 Main St")
    cache = GeocodeCache.load(tmp_path / "c.json")
    cache.put(address_key(listing.record.location), CacheEntry("q", 41.88, -87.62, "n", "a", "d"))
    place = resolve(listing, GeocodeCache.load(tmp_path / "c.json"))
    assert (place.lat, place.lon, place.precision) == (41.88, -87.62, "address")


@pytest.mark.parametrize("count", [10_000])
def test_resolving_10000_cached_listings_uses_the_cache_for_each(count):
    # How fast: `make bench-coordinates` (a benchmark, not a timed test).
    listings = [make(f"listing-{i:05d}", street=f"{i} Main St") for i in range(count)]
    cache = GeocodeCache("unused.json")
    for item in listings:
        cache.entries[address_key(item.record.location)] = CacheEntry(
            "q", *CACHED, "nominatim", "address", "2026-01-01"
        )
    result, problems = resolve_all(listings, cache)
    assert len(result) == count and not problems
    assert all(place.precision == "address" for place in result.values())
