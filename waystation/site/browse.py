"""Browse groupings: which listings each state, city, service and population page lists.

Computed once per build from the published listings (never ``inactive``
ones: a :class:`~waystation.directory.Directory` holds none), independent of
Pelican and of the page language.  Each group holds listing ids; pages sort
them per language by :func:`sort_key`.

The rules (also documented in docs/site.md):

- a **state** page lists every listing located in the state or serving it
  (:mod:`waystation.places.service_area`: its own state by default, ``states`` and
  ``counties``, or every state when ``national``).  It has three sections:
  listings based in the state, listings based elsewhere that serve it, and
  national listings;
- a **city** page lists the listings located in that city (public and
  approximate locations; a hidden location has no city);
- a **service** page lists the listings offering that service;
- a **population** page lists the listings naming that population, then the
  listings that name none (the record format: absent means "all").

Within a section, open listings come first, then temporarily closed ones,
each in alphabetical order of the name in the page's language.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from waystation.gazetteer.states import STATES
from waystation.places.service_area import service_area
from waystation.publish import text_in
from waystation.records import vocabulary
from waystation.records.model import Listing
from waystation.site import urls as site_urls


@dataclass
class CityGroup:
    state: str
    name: str
    slug: str
    ids: list[str] = field(default_factory=list)


@dataclass
class StateGroup:
    code: str
    local: list[str] = field(default_factory=list)  # based in the state
    elsewhere: list[str] = field(default_factory=list)  # based elsewhere, serving it
    national: list[str] = field(default_factory=list)
    cities: dict[str, CityGroup] = field(default_factory=dict)  # by slug
    confidential: list[str] = field(default_factory=list)  # based here, no city shown

    @property
    def count(self) -> int:
        return len(self.local) + len(self.elsewhere) + len(self.national)

    def all_ids(self) -> list[str]:
        return [*self.local, *self.elsewhere, *self.national]


@dataclass
class PopulationGroup:
    term: str
    specific: list[str] = field(default_factory=list)
    everyone: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.specific) + len(self.everyone)


@dataclass
class Browse:
    states: dict[str, StateGroup]
    services: dict[str, list[str]]
    populations: dict[str, PopulationGroup]
    national: list[str]
    total: int


def city_of(listing: Listing) -> str | None:
    """The city shown for a listing, or None (hidden locations show none)."""
    location = listing.record.location
    if location.visibility == "hidden" or not location.city:
        return None
    return location.city.strip()


def group(listings: Iterable[Listing]) -> Browse:
    listings = list(listings)
    states = {code: StateGroup(code) for code in STATES}
    services: dict[str, list[str]] = {term: [] for term in vocabulary.get("services").ids}
    populations = {term: PopulationGroup(term) for term in vocabulary.get("populations").ids}
    national: list[str] = []
    city_names: dict[tuple[str, str], set[str]] = defaultdict(set)
    for listing in listings:
        record = listing.record
        home = record.location.state
        area = service_area(listing)
        if area.national:
            national.append(listing.id)
        if area.national:
            for group_ in states.values():
                group_.national.append(listing.id)
        else:
            states[home].local.append(listing.id)
            for code in area.states:
                if code != home:
                    states[code].elsewhere.append(listing.id)
        city = city_of(listing)
        home_group = states[home]
        if city is None:
            home_group.confidential.append(listing.id)
        else:
            city_slug = site_urls.slug(city)
            city_names[(home, city_slug)].add(city)
            home_group.cities.setdefault(city_slug, CityGroup(home, city, city_slug))
            home_group.cities[city_slug].ids.append(listing.id)
        for term in record.services:
            services[term].append(listing.id)
        if record.populations:
            for term in record.populations:
                populations[term].specific.append(listing.id)
        else:
            for group_ in populations.values():
                group_.everyone.append(listing.id)
    # One spelling per city slug ("St. Paul" / "St Paul"): the first alphabetically.
    for (code, city_slug), names in city_names.items():
        states[code].cities[city_slug].name = sorted(names)[0]
    for group_ in states.values():
        group_.cities = dict(sorted(group_.cities.items()))
    return Browse(states, services, populations, national, len(listings))


def sort_key(listing: Listing, lang: str) -> tuple:
    """Open listings first, then temporarily closed ones; each by name in ``lang``."""
    name = text_in(listing, "name", lang)[0] or listing.record.name
    closed = listing.record.status == "temporarily-closed"
    return (closed, name.casefold(), listing.id)


def sort_keys(by_id: dict[str, Listing], lang: str) -> dict[str, tuple]:
    """:func:`sort_key` of every listing, computed once for a build's many browse pages."""
    return {listing_id: sort_key(listing, lang) for listing_id, listing in by_id.items()}
