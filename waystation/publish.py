"""What may be published about a listing: the one place that decides.

Every output that carries listing data (pages, JSON, GeoJSON, CSV, HSDS,
search data, maps, embeds) starts from :func:`public_listing`, so the
confidentiality rules live here once:

- ``public``: the full address and a precise point.
- ``approximate``: city, state and ZIP only; the point is the ZIP or city
  centre with the radius of that area; no street, no transit directions.
- ``hidden``: the state only (for the service area); no city, no ZIP, no
  point, no transit.
- never: ``source``, nor anything of an ``inactive`` listing (those never
  reach a :class:`~waystation.directory.Directory`).
- history (:func:`public_history`): dates and the names of the fields that
  changed, never their values nor a commit message; a change anywhere in the
  location is "the location changed", whatever the visibility.

Values are plain, unescaped strings: escaping is each output's own job
(Jinja's autoescape, ``json.dumps``, the CSV writer).
"""

from __future__ import annotations

from typing import Any

from waystation.places.coordinates import ResolvedPlace
from waystation.places.service_area import service_area
from waystation.records.field_changes import top_field
from waystation.records.history import HistoryEntry
from waystation.records.model import FIELDS, Listing

TRANSLATABLE = ("name", "summary", "eligibility", "how_to_apply", "fees", "description")

#: Decimal places of published coordinates: 5 is about a metre, enough for a pin.
PRECISE_DECIMALS = 5


def public_location(listing: Listing) -> dict[str, Any]:
    loc = listing.record.location
    if loc.visibility == "public":
        data = {
            "visibility": "public",
            "street": loc.street,
            "street2": loc.street2,
            "city": loc.city,
            "state": loc.state,
            "postal_code": loc.postal_code,
            "accessibility": list(loc.accessibility or []),
            "transit": loc.transit,
        }
    elif loc.visibility == "approximate":
        data = {
            "visibility": "approximate",
            "city": loc.city,
            "state": loc.state,
            "postal_code": loc.postal_code[:5] if loc.postal_code else None,
            "accessibility": list(loc.accessibility or []),
        }
    else:
        data = {"visibility": "hidden", "state": loc.state}
    return {k: v for k, v in data.items() if v not in (None, [], "")}


def public_point(listing: Listing, place: ResolvedPlace | None) -> dict[str, Any] | None:
    """The point to publish, or None.  Approximate points carry their area's radius."""
    visibility = listing.record.location.visibility
    if place is None or place.lat is None or place.lon is None or visibility == "hidden":
        return None
    if visibility == "approximate":
        if place.precision not in ("zip", "city"):
            # Never finer than the ZIP or city centre, whatever the resolver said.
            return None
        return {
            "lat": place.lat,
            "lon": place.lon,
            "precision": place.precision,
            "radius_m": int(place.area_radius_m or 0),
        }
    return {
        "lat": round(place.lat, PRECISE_DECIMALS),
        "lon": round(place.lon, PRECISE_DECIMALS),
        "precision": place.precision,
    }


def text_in(listing: Listing, field: str, lang: str) -> tuple[str | None, bool]:
    """A translatable field in ``lang``: (text, translated?).

    Falls back to the listing's own text (written in English by default) and
    says so, so the page can mark it "not translated".
    """
    record = listing.record
    original = listing.body if field == "description" else getattr(record, field)
    if lang == "en":
        return original, True
    translation = (record.translations or {}).get(lang)
    value = getattr(translation, field, None) if translation else None
    if value:
        return value, True
    return original, not original


def public_listing(
    listing: Listing,
    place: ResolvedPlace | None,
    lang: str = "en",
    same: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything publishable about ``listing``, as plain JSON-ready data.  ``same`` is
    :func:`language_independent` of the listing when it is already worked out (shared:
    its values are not copied)."""
    data = dict(language_independent(listing, place) if same is None else same)
    untranslated = []
    for field in TRANSLATABLE:
        value, translated = text_in(listing, field, lang)
        data[field] = value
        if value and not translated:
            untranslated.append(field)
    data["untranslated"] = untranslated
    return {k: v for k, v in data.items() if v not in (None, "")}


def language_independent(listing: Listing, place: ResolvedPlace | None) -> dict[str, Any]:
    """What :func:`public_listing` publishes in every language alike (all but the
    translatable texts)."""
    record = listing.record
    area = service_area(listing)
    return {
        "id": listing.id,
        "status": record.status,
        "organization": record.organization,
        "alternate_name": record.alternate_name,
        "services": list(record.services),
        "populations": list(record.populations or []),
        "ages": record.ages.model_dump(exclude_none=True) if record.ages else None,
        "trafficking_types": list(record.trafficking_types),
        "languages": list(record.languages or []),
        "features": list(record.features or []),
        "cost": record.cost,
        "phones": [p.model_dump(exclude_none=True) for p in record.phones or []],
        "email": record.email,
        "website": record.website,
        "hours": (
            record.hours
            if isinstance(record.hours, str) or record.hours is None
            else [_shared_hours(h.model_dump()) for h in record.hours]
        ),
        "hours_notes": record.hours_notes,
        "service_area": {
            "national": area.national,
            "remote": area.remote,
            "states": list(area.states) if not area.national else [],
            "counties": list(area.counties),
        },
        "tags": list(record.tags or []),
        "last_verified": record.last_verified.isoformat(),
        "location": public_location(listing),
        "point": public_point(listing, place),
    }


#: Opening hours published so far, one dict per distinct entry: a directory has a few
#: hundred distinct entries among 120,000 at 50,000 listings (23 MB of dicts, each
#: listing's own).  Shared, like every published view: never changed.
_HOURS: dict[tuple, dict[str, Any]] = {}
_HOURS_LIMIT = 100_000


def _shared_hours(entry: dict[str, Any]) -> dict[str, Any]:
    key = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in entry.items())
    found = _HOURS.get(key)
    if found is None:
        if len(_HOURS) >= _HOURS_LIMIT:
            _HOURS.clear()
        found = _HOURS[key] = entry
    return found


#: Fields whose changes a listing's history never mentions.
NOT_IN_HISTORY = ("source",)


def public_history(entries: list[HistoryEntry]) -> list[dict[str, Any]]:
    """A listing's history as its page may show it: ``{"date", "kind", "fields"}``.

    ``fields`` are top-level field names of the record format (``location``,
    ``phones``, ``description`` …), in its order: a change to a translation is a
    change to the field translated, a change to any part of the location is
    ``location`` (never which part: a street that came and went on a confidential
    listing is not hinted at), and ``source`` is never mentioned.  No value and no
    free text is kept.  An entry left with nothing to say is left out."""
    shown = []
    for entry in entries:
        fields: set[str] = set()
        for path in entry.fields:
            top = top_field(path)
            if top == "translations":
                parts = path.split(".")
                top = top_field(parts[2]) if len(parts) > 2 else ""
            if top in FIELDS and top not in NOT_IN_HISTORY or top == "description":
                fields.add(top)
        if entry.kind == "changed" and not fields:
            continue
        order = [*FIELDS, "description"]
        shown.append(
            {
                "date": entry.date.isoformat(),
                "kind": entry.kind,
                "fields": sorted(fields, key=order.index),
            }
        )
    return shown
