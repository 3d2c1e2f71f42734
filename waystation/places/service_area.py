"""Where a listing serves: the states it covers, national and remote flags.

The record format's rule: ``service_area`` defaults to the location's state;
``{national: true}`` covers every state; ``states`` and ``counties`` name
states (a county covers part of its state); ``remote: true`` adds "by
phone/online".  Browse pages, search and exports all ask this module.
"""

from __future__ import annotations

from dataclasses import dataclass

from waystation.gazetteer.states import STATES
from waystation.records.model import Listing


@dataclass(frozen=True)
class ServiceArea:
    national: bool
    remote: bool
    states: tuple[str, ...]  # every state served, wholly or in part, sorted
    counties: tuple[str, ...]  # "IL/Cook", as written

    def serves(self, state: str) -> bool:
        return self.national or state in self.states

    def is_local_to(self, state: str, home_state: str) -> bool:
        """True when ``state`` is the listing's own state (not served from afar)."""
        return state == home_state and not self.national


def service_area(listing: Listing) -> ServiceArea:
    record = listing.record
    area = record.service_area
    home = record.location.state
    if area is None:
        return ServiceArea(False, False, (home,), ())
    national = bool(area.national)
    states = set(area.states or ())
    counties = tuple(area.counties or ())
    states.update(c.split("/", 1)[0] for c in counties)
    if not states and not national:
        states.add(home)
    if national:
        states = set(STATES)
    return ServiceArea(national, bool(area.remote), tuple(sorted(states)), counties)
