"""What each listing contributes to the coverage report, from what the site publishes.

:func:`sources` reads every listing through
:meth:`~waystation.directory.Directory.public` (never the raw location), so the report
knows no more than the site shows:

- **in person** at its published point: a public listing's address, an approximate
  listing's ZIP or city centre; a hidden listing (or one the build could not place)
  has no point and is in person nowhere;
- **from afar** over its service area when it serves by phone or online
  (``remote: true``), nationally, statewide or county-wide (a ``service_area`` written
  in the file), or when its location is hidden (its service area, by default its
  state, is all that is published).  A county-wide service reaches the ZIP areas of
  that county.

Temporarily closed listings are left out: they help nobody today.
"""

from __future__ import annotations

from dataclasses import dataclass

from waystation.coverage.zip_areas import county_key
from waystation.directory import Directory
from waystation.gazetteer.states import STATES


@dataclass(frozen=True)
class Source:
    """One listing, as far as coverage goes."""

    id: str
    name: str
    point: tuple[float, float] | None  # published (lat, lon), or None
    services: tuple[str, ...]
    populations: tuple[str, ...]  # () = everyone
    trafficking_types: tuple[str, ...]
    languages: tuple[str, ...]
    states: tuple[str, ...]  # states reached whole from afar (sorted)
    counties: tuple[str, ...]  # "IL/cook": counties reached from afar (normalized)

    @property
    def reaches_from_afar(self) -> bool:
        return bool(self.states or self.counties)


def source_of(listing, view: dict) -> Source | None:
    """The :class:`Source` of one listing from its public view (None: temporarily closed)."""
    if view.get("status") == "temporarily-closed":
        return None
    point = view.get("point")
    where = (float(point["lat"]), float(point["lon"])) if point else None
    area = view.get("service_area") or {}
    # Whether the file names a service area (publishable in every visibility).
    written = listing.record.service_area
    far = bool(area.get("national") or area.get("remote") or written is not None or where is None)
    states: tuple[str, ...] = ()
    counties: tuple[str, ...] = ()
    if far:
        if area.get("national"):
            states = tuple(STATES)
        else:
            named = set(written.states or ()) if written is not None else set()
            county_list = list(area.get("counties") or ())
            if not named and not county_list:
                named = set(area.get("states") or ())
            states = tuple(sorted(named))
            counties = tuple(
                sorted(
                    {
                        county_key(*item.split("/", 1))
                        for item in county_list
                        if "/" in item and item.split("/", 1)[0] not in named
                    }
                )
            )
    return Source(
        id=view["id"],
        name=str(view.get("name") or view["id"]),
        point=where,
        services=tuple(view.get("services") or ()),
        populations=tuple(view.get("populations") or ()),
        trafficking_types=tuple(view.get("trafficking_types") or ()),
        languages=tuple(view.get("languages") or ()),
        states=states,
        counties=counties,
    )


def sources(directory: Directory) -> list[Source]:
    """Every published, open listing's :class:`Source`, by id."""
    result = []
    for listing in directory.listings:
        found = source_of(listing, directory.public(listing, "en"))
        if found is not None:
            result.append(found)
    return sorted(result, key=lambda s: s.id)
