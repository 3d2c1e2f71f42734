"""The directory as Open Referral HSDS 3.0 objects.

:func:`organizations` turns a :class:`~waystation.directory.Directory` into a
list of HSDS ``organization`` objects (each with its ``services``,
``locations``, ``phones``, ...), the shape of ``schema/compiled/organization.json``.
Everything comes from :func:`waystation.publish.public_listing`, never from
the record, so the confidentiality rules hold here too:

- ``public``: a ``location`` with its street address and point;
- ``approximate``: a ``location`` without an address, at the centre of its
  ZIP or city, described as approximate;
- ``hidden``: no ``location`` at all; the service's ``service_areas`` name
  only whole states.

The mapping, field by field, is documented in ``docs/open-data.md``.  Ids
are UUIDv5 from the listing id (:mod:`waystation.opendata.hsds_ids`); objects and
lists are in a stable order, so two builds write the same bytes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from functools import cache
from typing import Any

from waystation.gazetteer.states import state_name
from waystation.opendata.hsds_ids import hsds_id, organization_key
from waystation.opendata.records import ExportView, export_views
from waystation.records import languages, vocabulary

#: HSDS's own language for the exported text.
LANG = "en"

#: The vocabularies published as HSDS attributes of each service, in order.
SERVICE_TAXONOMIES = ("services", "populations", "features", "trafficking_types")


@cache
def _term(vocabulary_name: str, term_id: str) -> vocabulary.Term | None:
    return vocabulary.get(vocabulary_name).get(term_id)


@cache
def _label(vocabulary_name: str, term_id: str) -> str:
    return vocabulary.get(vocabulary_name).label(term_id, LANG)


@cache
def taxonomy_id(vocabulary_name: str) -> str:
    return hsds_id("taxonomy", vocabulary.get(vocabulary_name).hsds["taxonomy_id"])


@cache
def taxonomy_term_id(vocabulary_name: str, term_id: str) -> str:
    return hsds_id("taxonomy_term", vocabulary.get(vocabulary_name).hsds["taxonomy_id"], term_id)


def taxonomies() -> list[dict[str, Any]]:
    """One HSDS ``taxonomy`` per vocabulary whose terms appear as attributes."""
    result = []
    for name in (*SERVICE_TAXONOMIES, "accessibility", "visibility"):
        vocab = vocabulary.get(name)
        result.append(
            {
                "id": taxonomy_id(name),
                "name": vocab.hsds["taxonomy_name"],
                "description": vocab.description.get(LANG, vocab.hsds["taxonomy_name"]),
                "version": "1",
            }
        )
    return result


def taxonomy_term(vocabulary_name: str, term_id: str) -> dict[str, Any]:
    vocab = vocabulary.get(vocabulary_name)
    term = vocab.get(term_id)
    return {
        "id": taxonomy_term_id(vocabulary_name, term_id),
        "code": term_id,
        "name": term.label_in(LANG) if term else term_id,
        "description": (term.description_in(LANG) if term else "") or term_id,
        "taxonomy": vocab.hsds["taxonomy_name"],
        "taxonomy_id": taxonomy_id(vocabulary_name),
        "language": LANG,
    }


def taxonomy_terms() -> list[dict[str, Any]]:
    return [
        taxonomy_term(name, term.id)
        for name in (*SERVICE_TAXONOMIES, "accessibility", "visibility")
        for term in vocabulary.get(name).terms
    ]


def _attribute(owner_kind: str, owner_id: str, vocabulary_name: str, term_id: str) -> dict:
    return {
        "id": hsds_id("attribute", owner_kind, owner_id, vocabulary_name, term_id),
        "link_id": owner_id,
        "link_type": vocabulary_name,
        "link_entity": owner_kind,
        # The term itself is published once, in hsds/taxonomy_terms.json and the tabular
        # package, not inside every attribute (that made ~10 KB a listing).
        "taxonomy_term_id": taxonomy_term_id(vocabulary_name, term_id),
    }


def _language(owner_field: str, owner_id: str, code: str) -> dict[str, Any]:
    return {
        "id": hsds_id("language", owner_field, owner_id, code),
        owner_field: owner_id,
        "name": languages.name(code, LANG),
        "code": code,
    }


def _phone(listing_id: str, service_id: str, index: int, phone: dict[str, Any]) -> dict:
    phone_id = hsds_id("phone", listing_id, index)
    term = _term("phone_types", phone["type"])
    kind = _label("phone_types", phone["type"])
    details = [phone.get("label") or kind]
    if phone.get("hours"):
        details.append(f"hours: {phone['hours']}")
    data = {
        "id": phone_id,
        "service_id": service_id,
        "number": phone["number"],
        "type": (term.hsds.get("type") if term else None) or "voice",
        "description": "; ".join(details),
        "languages": [_language("phone_id", phone_id, c) for c in phone.get("languages", [])],
    }
    return data


def _schedules(listing_id: str, service_id: str, data: dict[str, Any]) -> list[dict]:
    days = vocabulary.get("days")
    hours = data.get("hours")
    notes = data.get("hours_notes")
    result: list[dict[str, Any]] = []
    if hours == "24/7":
        result.append(
            {
                "id": hsds_id("schedule", listing_id, "24/7"),
                "service_id": service_id,
                "freq": "WEEKLY",
                "byday": ",".join(t.hsds["byday"] for t in days.terms),
                "opens_at": "00:00:00",
                "closes_at": "23:59:59",
                "description": "Open 24 hours a day, 7 days a week.",
            }
        )
    elif isinstance(hours, list):
        for index, entry in enumerate(hours):
            byday = ",".join(_term("days", d).hsds["byday"] for d in entry["days"])
            labels = ", ".join(_label("days", d) for d in entry["days"])
            closes = entry["closes"] + (" the next day" if entry.get("overnight") else "")
            schedule = {
                "id": hsds_id("schedule", listing_id, index),
                "service_id": service_id,
                "freq": "WEEKLY",
                "byday": byday,
                "opens_at": entry["opens"] + ":00",
                "closes_at": entry["closes"] + ":00",
                "description": f"{labels}: {entry['opens']} to {closes}",
            }
            result.append(schedule)
    if notes:
        if result:
            for schedule in result:
                schedule["notes"] = notes
        else:
            result.append(
                {
                    "id": hsds_id("schedule", listing_id, "notes"),
                    "service_id": service_id,
                    "description": notes,
                }
            )
    return result


def _service_areas(listing_id: str, service_id: str, data: dict[str, Any]) -> list[dict]:
    area = data["service_area"]
    hidden = data["location"]["visibility"] == "hidden"
    remote = " Also by phone or online." if area.get("remote") else ""
    if area.get("national"):
        return [
            {
                "id": hsds_id("service_area", listing_id, "national"),
                "service_id": service_id,
                "name": "United States",
                "description": "Nationwide." + remote,
                "extent": "US",
                "extent_type": "text",
            }
        ]
    result = []
    counties = [] if hidden else area.get("counties", [])
    county_states = {c.split("/", 1)[0] for c in counties}
    for state in area.get("states", []):
        if state in county_states:
            continue
        result.append(
            {
                "id": hsds_id("service_area", listing_id, state),
                "service_id": service_id,
                "name": state_name(state, LANG),
                "description": f"All of {state_name(state, LANG)}." + remote,
                "extent": state,
                "extent_type": "text",
            }
        )
    for county in counties:
        state, name = county.split("/", 1)
        result.append(
            {
                "id": hsds_id("service_area", listing_id, county),
                "service_id": service_id,
                "name": f"{name} County, {state}",
                "description": f"{name} County, {state_name(state, LANG)}." + remote,
                "extent": county,
                "extent_type": "text",
            }
        )
    return result


def _cost_options(listing_id: str, service_id: str, data: dict[str, Any]) -> list[dict]:
    cost = data.get("cost")
    if not cost:
        return []
    term = _term("cost", cost)
    option: dict[str, Any] = {
        "id": hsds_id("cost_option", listing_id, cost),
        "service_id": service_id,
        "option": _label("cost", cost),
    }
    if term and "amount" in term.hsds:
        option["amount"] = term.hsds["amount"]
        option["currency"] = "USD"
    if data.get("fees"):
        option["amount_description"] = data["fees"]
    return [option]


def _location(listing_id: str, organization_id: str, data: dict[str, Any]) -> dict | None:
    """The HSDS location of a public or approximate listing; None for hidden ones."""
    loc = data["location"]
    visibility = loc["visibility"]
    if visibility == "hidden":
        return None
    location_id = hsds_id("location", listing_id)
    point = data.get("point")
    place = ", ".join(p for p in (loc.get("city"), loc.get("state")) if p)
    location: dict[str, Any] = {
        "id": location_id,
        "location_type": "physical",
        "organization_id": organization_id,
        "name": data["name"],
    }
    if visibility == "public":
        if loc.get("street"):
            address = {
                "id": hsds_id("address", listing_id),
                "location_id": location_id,
                "address_1": loc["street"],
                "city": loc.get("city", ""),
                "state_province": loc["state"],
                "postal_code": loc.get("postal_code", ""),
                "country": "US",
                "address_type": "physical",
            }
            if loc.get("street2"):
                address["address_2"] = loc["street2"]
            location["addresses"] = [address]
        else:
            location["description"] = f"{place} {loc.get('postal_code', '')}".strip()
        if loc.get("transit"):
            location["transportation"] = loc["transit"]
    else:
        area = f"{place} {loc.get('postal_code', '')}".strip()
        centre = "ZIP code" if point and point.get("precision") == "zip" else "city"
        location["description"] = (
            f"Approximate location: {area}. The address is confidential; the point is the "
            f"centre of the {centre}, not the provider's address. Contact the provider."
        )
    if point:
        location["latitude"] = point["lat"]
        location["longitude"] = point["lon"]
    location["accessibility"] = [
        {
            "id": hsds_id("accessibility", listing_id, term_id),
            "location_id": location_id,
            "description": _label("accessibility", term_id),
            "details": _term("accessibility", term_id).description_in(LANG),
        }
        for term_id in loc.get("accessibility", [])
    ]
    location["attributes"] = [_attribute("location", location_id, "visibility", visibility)] + [
        _attribute("location", location_id, "accessibility", term_id)
        for term_id in loc.get("accessibility", [])
    ]
    return location


def _service(view: ExportView, organization_id: str) -> dict[str, Any]:
    listing_id = view.listing.id
    data = view.data
    service_id = hsds_id("service", listing_id)
    description = view.description or data.get("summary") or data["name"]
    status = _term("status", data["status"]).hsds.get("status", "active")
    service: dict[str, Any] = {
        "id": service_id,
        "organization_id": organization_id,
        "name": data["name"],
        "description": description,
        "status": status,
        "assured_date": data["last_verified"],
    }
    optional = {
        "alternate_name": data.get("alternate_name"),
        "url": data.get("website"),
        "email": data.get("email"),
        "application_process": data.get("how_to_apply"),
        "eligibility_description": data.get("eligibility"),
        "fees_description": data.get("fees"),
    }
    service.update({k: v for k, v in optional.items() if v})
    if data.get("summary") and data.get("description"):
        service["description"] = f"{data['summary']}\n\n{description}"
    ages = data.get("ages") or {}
    if "min" in ages:
        service["minimum_age"] = ages["min"]
    if "max" in ages:
        service["maximum_age"] = ages["max"]
    if "interpretation" in data["services"]:
        spoken = [languages.name(c, LANG) for c in data.get("languages", [])]
        service["interpretation_services"] = "Interpretation available" + (
            f"; staff speak {', '.join(spoken)}." if spoken else "."
        )
    service["phones"] = [
        _phone(listing_id, service_id, i, phone) for i, phone in enumerate(data.get("phones", []))
    ]
    service["schedules"] = _schedules(listing_id, service_id, data)
    service["service_areas"] = _service_areas(listing_id, service_id, data)
    service["languages"] = [
        _language("service_id", service_id, c) for c in data.get("languages", [])
    ]
    service["cost_options"] = _cost_options(listing_id, service_id, data)
    if data["location"]["visibility"] != "hidden":
        service["service_at_locations"] = [
            {
                "id": hsds_id("service_at_location", listing_id),
                "service_id": service_id,
                "location_id": hsds_id("location", listing_id),
            }
        ]
    else:
        service["service_at_locations"] = []
    field_of = {"services": "services", "populations": "populations", "features": "features"}
    field_of["trafficking_types"] = "trafficking_types"
    service["attributes"] = [
        _attribute("service", service_id, name, term_id)
        for name in SERVICE_TAXONOMIES
        for term_id in data.get(field_of[name], [])
    ]
    if data["location"]["visibility"] == "hidden":
        service["attributes"].append(_attribute("service", service_id, "visibility", "hidden"))
    return service


def _organization_name(listing, data: dict[str, Any]) -> str:
    return data.get("organization") or data["name"]


def organization_id_for(listing, data: dict[str, Any]) -> str:
    if data.get("organization"):
        return hsds_id("organization", organization_key(data["organization"]))
    return hsds_id("organization", "listing", listing.id)


def organizations(directory, views: list[ExportView] | None = None) -> list[dict[str, Any]]:
    """Every published listing as HSDS organizations, sorted by name then id.

    ``views``: the listings' :class:`~waystation.opendata.records.ExportView`, if already made.
    """
    return list(iter_organizations(directory, views))


def iter_organizations(
    directory, views: list[ExportView] | None = None
) -> Iterator[dict[str, Any]]:
    """:func:`organizations` one at a time, each made only when it is asked for."""
    if views is None:
        views = export_views(directory)
    groups: dict[str, list[ExportView]] = defaultdict(list)
    for view in views:
        groups[organization_id_for(view.listing, view.data)].append(view)
    order = []
    for org_id, members in groups.items():
        members.sort(key=lambda view: view.listing.id)
        name = _organization_name(members[0].listing, members[0].data)
        order.append((name.casefold(), org_id, name))
    order.sort()
    for _key, org_id, name in order:
        yield _organization(org_id, name, groups[org_id])


def _organization(org_id: str, name: str, members: list[ExportView]) -> dict[str, Any]:
    first_data = members[0].data
    if len(members) == 1:
        description = first_data.get("summary") or members[0].description
    else:
        names = "; ".join(v.data["name"] for v in members)
        description = f"{name} has {len(members)} listings: {names}."
    organization: dict[str, Any] = {
        "id": org_id,
        "name": name,
        "description": description or name,
    }
    websites = {v.data.get("website") for v in members}
    emails = {v.data.get("email") for v in members}
    if len(websites) == 1 and first_data.get("website"):
        organization["website"] = first_data["website"]
    if len(emails) == 1 and first_data.get("email"):
        organization["email"] = first_data["email"]
    organization["services"] = [_service(v, org_id) for v in members]
    organization["locations"] = [
        loc for v in members if (loc := _location(v.listing.id, org_id, v.data)) is not None
    ]
    return organization
