"""Where each listing goes on the map, offline, and how precisely.

:func:`resolve` tries, in order, and records which one it used as the
place's ``precision``:

1. ``"coordinates"``: the listing's ``location.coordinates`` override;
2. ``"address"``: the geocoding cache's answer for its street address;
3. ``"zip"``: its ZIP code's centre (the ``zipcodes`` package);
4. ``"city"``: its city's centre (mean of the city's ZIP centres in the state);
5. ``"none"``: no place; the listing is still published, without a pin.

Confidentiality is decided here, before anything is drawn:

* a ``hidden`` listing has no coordinates at all (``"none"``, lat/lon None);
* an ``approximate`` listing skips steps 1 and 2 (it has no street or
  coordinates anyway, and the cache is never consulted for it): it is
  never placed finer than its ZIP or city centre;
* a ZIP or city centre is drawn as an area: ``area_radius_m`` is
  :data:`ZIP_AREA_RADIUS_M` (3 km, about the half-width of a typical urban
  ZIP code) or :data:`CITY_AREA_RADIUS_M` (8 km, a mid-sized city).  A
  point (``"coordinates"`` or ``"address"``) has ``area_radius_m`` None.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from waystation.gazetteer import centres
from waystation.places.geocache import CacheEntry, address_key
from waystation.records.model import Listing
from waystation.records.problems import Problem, Severity

ZIP_AREA_RADIUS_M = 3000
CITY_AREA_RADIUS_M = 8000

PRECISIONS = ("coordinates", "address", "zip", "city", "none")


class CacheLike(Protocol):
    def get(self, key: str | None) -> CacheEntry | None: ...


@dataclass(frozen=True, slots=True)
class ResolvedPlace:
    """A listing's place on the map: a point, an area's centre, or nothing."""

    lat: float | None
    lon: float | None
    precision: str  # one of PRECISIONS
    area_radius_m: int | None = None

    @property
    def is_area(self) -> bool:
        return self.area_radius_m is not None

    @property
    def has_point(self) -> bool:
        return self.lat is not None and self.lon is not None


NOWHERE = ResolvedPlace(None, None, "none", None)


def resolve(listing: Listing, cache: CacheLike | None) -> ResolvedPlace:
    """The listing's place, following the order in this module's docstring."""
    location = listing.record.location
    visibility = location.visibility
    if visibility == "hidden":
        return NOWHERE
    if visibility == "public":
        if location.coordinates is not None:
            return ResolvedPlace(location.coordinates.lat, location.coordinates.lon, "coordinates")
        if cache is not None and location.street:
            entry = cache.get(address_key(location))
            if entry is not None:
                return ResolvedPlace(entry.lat, entry.lon, "address")
    centre = centres.zip_centre(location.postal_code)
    if centre is not None and centres.zip_state(location.postal_code) == location.state:
        return ResolvedPlace(centre[0], centre[1], "zip", ZIP_AREA_RADIUS_M)
    centre = centres.city_centre(location.city, location.state)
    if centre is not None:
        return ResolvedPlace(centre[0], centre[1], "city", CITY_AREA_RADIUS_M)
    return NOWHERE


def resolve_all(
    listings: Iterable[Listing], cache: CacheLike | None
) -> tuple[dict[str, ResolvedPlace], list[Problem]]:
    """Resolve every listing; warn about each shown listing that ends up with no place."""
    result: dict[str, ResolvedPlace] = {}
    problems: list[Problem] = []
    for listing in listings:
        place = resolve(listing, cache)
        result[listing.id] = place
        if place.precision == "none" and listing.visibility != "hidden" and listing.published:
            location = listing.record.location
            problems.append(
                Problem(
                    listing.source_path,
                    listing.location_line,
                    1,
                    Severity.WARNING,
                    "location",
                    f"no place found for {_describe(location)}: the listing is published "
                    "without a map pin; check postal_code and city, or add "
                    "location.coordinates (public listings only)",
                    rule="no_coordinates",
                )
            )
    return result, problems


def _describe(location) -> str:
    parts = [p for p in (location.city, location.state, location.postal_code) if p]
    return ", ".join(parts)
