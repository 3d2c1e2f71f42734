"""Turn Open Referral HSDS 3.0 data into listing files.

:func:`read_services` accepts every shape HSDS publishes: an organization,
a service or a service-at-location object, a list of them, a paginated API
page (``{"contents": [...]}``), the tabular JSON form (``{"services.csv":
[rows]}``) and a tabular data package (a folder of CSVs with or without its
``datapackage.json``).  Each HSDS *service* becomes one listing (a listing is
one organization's services at one place).

:func:`to_listing` maps what maps (see the table in ``docs/open-data.md``)
and returns one line for everything it could not map.  HSDS has no
equivalent of ``trafficking_types`` and Waystation's service terms are its own:
an imported file therefore usually lacks required fields.  It is written
anyway, with a header comment naming what to fill in, and
``waystation validate`` reports it until a person has reviewed it: an import
never publishes anything unreviewed.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from waystation.exc import UsageError
from waystation.gazetteer.states import STATES
from waystation.records import vocabulary
from waystation.records.listing_writer import field_lines
from waystation.site.urls import slug

#: HSDS tables read from a tabular package (file name -> table).
TABLE_FILES = {
    "organizations.csv": "organization",
    "services.csv": "service",
    "locations.csv": "location",
    "addresses.csv": "address",
    "phones.csv": "phone",
    "languages.csv": "language",
    "schedules.csv": "schedule",
    "service_areas.csv": "service_area",
    "service_at_location.csv": "service_at_location",
    "accessibility.csv": "accessibility",
    "attributes.csv": "attribute",
    "taxonomy_terms.csv": "taxonomy_term",
    "cost_options.csv": "cost_option",
}
PHONE_TYPES = {"voice": "voice", "text": "text", "fax": "fax", "textphone": "tty",
               "cell": "voice", "pager": None, "video": None}  # fmt: skip
BYDAY = {t.hsds["byday"]: t.id for t in vocabulary.get("days").terms}
STATE_BY_NAME = {name.casefold(): code for code, name in STATES.items()}
_TIME = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])")


@dataclass
class ServiceRecord:
    """One HSDS service with what it links to, ready to map."""

    service: dict[str, Any]
    organization: dict[str, Any] | None = None
    locations: list[dict[str, Any]] = field(default_factory=list)
    source: str = ""


@dataclass
class Imported:
    listing_id: str
    front_matter: dict[str, Any]
    body: str
    unmapped: list[str]
    needs: list[str]  # required fields a person must fill in


# ---------- reading ----------


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UsageError(f"{path}: not a readable HSDS JSON file ({error})") from None


def _read_csv(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            {k: v for k, v in row.items() if k and v not in (None, "")}
            for row in csv.DictReader(handle)
        ]


def _tables_from_folder(folder: Path) -> dict[str, list[dict[str, Any]]]:
    files: dict[str, Path] = {}
    package = folder / "datapackage.json"
    if package.is_file():
        try:
            descriptor = json.loads(package.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            descriptor = None  # e.g. a symlink placeholder: fall back to file names
        if isinstance(descriptor, dict):
            for resource in descriptor.get("resources", []):
                path = resource.get("path")
                if isinstance(path, str) and (folder / path).is_file():
                    files[Path(path).name] = folder / path
    for name in TABLE_FILES:
        if name not in files and (folder / name).is_file():
            files[name] = folder / name
    if "services.csv" not in files:
        raise UsageError(f"{folder}: no services.csv: not an HSDS tabular package")
    return {TABLE_FILES[n]: _read_csv(p) for n, p in files.items() if n in TABLE_FILES}


def _tables_from_json(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {
        TABLE_FILES[name]: [{k: v for k, v in row.items() if v not in (None, "")} for row in rows]
        for name, rows in data.items()
        if name in TABLE_FILES and isinstance(rows, list)
    }


def _nest(tables: dict[str, list[dict[str, Any]]], source: str) -> list[ServiceRecord]:
    """Tabular rows -> nested services with their organization and locations."""

    def by(table: str, key: str) -> dict[str, list[dict]]:
        index: dict[str, list[dict]] = defaultdict(list)
        for row in tables.get(table, []):
            if row.get(key):
                index[row[key]].append(dict(row))
        return index

    organizations = {r["id"]: r for r in tables.get("organization", []) if r.get("id")}
    terms = {r["id"]: r for r in tables.get("taxonomy_term", []) if r.get("id")}
    addresses = by("address", "location_id")
    accessibility = by("accessibility", "location_id")
    phone_languages = by("language", "phone_id")
    locations = {}
    for row in tables.get("location", []):
        location = dict(row)
        location["addresses"] = addresses.get(row.get("id"), [])
        location["accessibility"] = accessibility.get(row.get("id"), [])
        locations[row.get("id")] = location
    phones = by("phone", "service_id")
    for rows in phones.values():
        for phone in rows:
            phone["languages"] = phone_languages.get(phone.get("id"), [])
    schedules = by("schedule", "service_id")
    areas = by("service_area", "service_id")
    languages = by("language", "service_id")
    costs = by("cost_option", "service_id")
    attributes = by("attribute", "link_id")
    at_location = by("service_at_location", "service_id")
    result = []
    for row in tables.get("service", []):
        service = dict(row)
        sid = row.get("id", "")
        service["phones"] = phones.get(sid, [])
        service["schedules"] = schedules.get(sid, [])
        service["service_areas"] = areas.get(sid, [])
        service["languages"] = languages.get(sid, [])
        service["cost_options"] = costs.get(sid, [])
        service["attributes"] = [
            {**a, "taxonomy_term": terms.get(a.get("taxonomy_term_id"))}
            for a in attributes.get(sid, [])
        ]
        linked = [
            locations[s["location_id"]]
            for s in at_location.get(sid, [])
            if s.get("location_id") in locations
        ]
        for sal in at_location.get(sid, []):
            for schedule in schedules.get(sal.get("id"), []):
                service["schedules"].append(schedule)
        result.append(
            ServiceRecord(service, organizations.get(row.get("organization_id")), linked, source)
        )
    return result


def _from_object(obj: Any, source: str) -> list[ServiceRecord]:
    if isinstance(obj, list):
        return [record for item in obj for record in _from_object(item, source)]
    if not isinstance(obj, dict):
        return []
    if isinstance(obj.get("contents"), list):
        return _from_object(obj["contents"], source)
    if any(key.endswith(".csv") for key in obj):
        return _nest(_tables_from_json(obj), source)
    if "service" in obj and isinstance(obj["service"], dict):  # service_at_location
        service = dict(obj["service"])
        location = obj.get("location")
        for key in ("phones", "schedules"):
            service[key] = list(service.get(key) or []) + list(obj.get(key) or [])
        return [
            ServiceRecord(
                service,
                service.get("organization"),
                [location] if isinstance(location, dict) else [],
                source,
            )
        ]
    if "status" in obj and "name" in obj:  # service
        locations = [
            s["location"]
            for s in obj.get("service_at_locations") or []
            if isinstance(s.get("location"), dict)
        ]
        return [ServiceRecord(obj, obj.get("organization"), locations, source)]
    if "services" in obj or "description" in obj:  # organization
        org_locations = {loc.get("id"): loc for loc in obj.get("locations") or []}
        records = []
        for service in obj.get("services") or []:
            locations = []
            for sal in service.get("service_at_locations") or []:
                location = sal.get("location") or org_locations.get(sal.get("location_id"))
                if isinstance(location, dict):
                    locations.append(location)
            records.append(ServiceRecord(service, obj, locations, source))
        return records
    return []


def read_services(path: Path) -> list[ServiceRecord]:
    """Every HSDS service in ``path`` (a JSON file, a package folder or its datapackage.json)."""
    path = Path(path)
    if path.is_dir():
        return _nest(_tables_from_folder(path), str(path))
    if not path.is_file():
        raise UsageError(f"{path}: no such file or folder")
    if path.name == "datapackage.json":
        return _nest(_tables_from_folder(path.parent), str(path.parent))
    return _from_object(_load_json(path), str(path))


# ---------- mapping ----------


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


@lru_cache(maxsize=1)
def _known_terms() -> dict[str, dict[str, Any]]:
    """Waystation's own terms by their HSDS id: its exports name terms by id only."""
    from waystation.opendata.hsds import taxonomy_terms

    return {term["id"]: term for term in taxonomy_terms()}


def _term_for(vocab: str, term: dict[str, Any] | None) -> str | None:
    if not term:
        return None
    ids = vocabulary.get(vocab).ids
    code = str(term.get("code") or "").strip().lower()
    if code in ids:
        return code
    name = str(term.get("name") or "").strip().casefold()
    for term_id in ids:
        if vocabulary.get(vocab).label(term_id, "en").casefold() == name:
            return term_id
    return None


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _hhmm(value: Any) -> str | None:
    match = _TIME.match(str(value or ""))
    return f"{match.group(1)}:{match.group(2)}" if match else None


def _state(value: Any) -> str | None:
    text = str(value or "").strip()
    if text.upper() in STATES:
        return text.upper()
    return STATE_BY_NAME.get(text.casefold())


def to_listing(record: ServiceRecord, today: dt.date) -> Imported:
    service = record.service
    organization = record.organization or {}
    unmapped: list[str] = []
    name = _text(service.get("name")) or _text(organization.get("name")) or "Unnamed service"
    label = f"service {service.get('id', '?')} ({name})"

    def skip(field_name: str, why: str) -> None:
        unmapped.append(f"{record.source}: {label}: {field_name}: {why}")

    fm: dict[str, Any] = {"name": name[:150]}
    if len(name) > 150:
        skip("name", "longer than 150 characters: cut")
    org_name = _text(organization.get("name"))
    if org_name and org_name != name:
        fm["organization"] = org_name
    if _text(service.get("alternate_name")):
        fm["alternate_name"] = _text(service["alternate_name"])
    # services / populations / features from attributes whose term matches a vocabulary.
    found: dict[str, list[str]] = defaultdict(list)
    for attribute in service.get("attributes") or []:
        term = attribute.get("taxonomy_term") or _known_terms().get(
            str(attribute.get("taxonomy_term_id") or "")
        )
        for vocab in ("services", "populations", "features", "trafficking_types"):
            term_id = _term_for(vocab, term)
            if term_id and term_id not in found[vocab]:
                found[vocab].append(term_id)
                break
        else:
            shown = (term or {}).get("name") or attribute.get("taxonomy_term_id") or "?"
            skip("attributes", f"taxonomy term {shown!r} matches no Waystation term")
    for vocab in ("services", "trafficking_types", "populations", "features"):
        if found[vocab]:
            fm[vocab] = found[vocab]
    # location
    location_data, location_notes = _location(record.locations, service, organization)
    for note in location_notes:
        skip("location", note)
    if location_data:
        fm["location"] = location_data
    # contact
    phones = []
    for phone in service.get("phones") or []:
        number = _text(phone.get("number"))
        kind = PHONE_TYPES.get(str(phone.get("type") or "voice").lower(), "voice")
        if not number or kind is None:
            skip("phones", f"phone {number!r} of type {phone.get('type')!r} has no equivalent")
            continue
        entry: dict[str, Any] = {"number": number.strip('"'), "type": kind}
        if _text(phone.get("description")):
            entry["label"] = _text(phone["description"])[:200]
        codes = [c["code"] for c in phone.get("languages") or [] if _text(c.get("code"))]
        if codes:
            entry["languages"] = [c.lower() for c in codes]
        phones.append(entry)
    if phones:
        fm["phones"] = phones
    if _text(service.get("email")) or _text(organization.get("email")):
        fm["email"] = _text(service.get("email")) or _text(organization.get("email"))
    website = _text(service.get("url")) or _text(organization.get("website"))
    if website:
        fm["website"] = website
    languages = [c["code"].lower() for c in service.get("languages") or [] if _text(c.get("code"))]
    if languages:
        fm["languages"] = languages
    for hsds_field, ours in (
        ("eligibility_description", "eligibility"),
        ("application_process", "how_to_apply"),
        ("fees_description", "fees"),
    ):
        if _text(service.get(hsds_field)):
            fm[ours] = _text(service[hsds_field])
    ages = {}
    for hsds_field, ours in (("minimum_age", "min"), ("maximum_age", "max")):
        value = service.get(hsds_field)
        try:
            number = int(float(value)) if value not in (None, "") else None
        except ValueError:
            number = None
        if number is not None and 0 <= number <= 120:
            ages[ours] = number
    if ages:
        fm["ages"] = ages
    costs = service.get("cost_options") or []
    if any(str(c.get("amount")) in ("0", "0.0") for c in costs):
        fm["cost"] = "free"
    elif costs:
        skip("cost_options", "no amount of 0: set cost by hand")
    hours, hour_notes = _hours(service.get("schedules") or [])
    for note in hour_notes:
        skip("schedules", note)
    if hours:
        fm["hours"] = hours
    status = str(service.get("status") or "active")
    fm["status"] = {"temporarily closed": "temporarily-closed", "inactive": "inactive",
                    "defunct": "inactive"}.get(status, "active")  # fmt: skip
    areas, area_notes = _service_area(service.get("service_areas") or [])
    for note in area_notes:
        skip("service_areas", note)
    if areas:
        fm["service_area"] = {"states": areas}
    verified = _date(service.get("assured_date"))
    if verified and verified <= today:
        fm["last_verified"] = verified
    else:
        skip(
            "assured_date", f"{service.get('assured_date')!r} is not a past date: set last_verified"
        )
    fm["source"] = f"HSDS import of {Path(record.source).name}, service {service.get('id', '?')}"
    for ignored in ("interpretation_services", "wait_time", "accreditations", "licenses", "alert",
                    "funding", "required_documents", "contacts", "program"):  # fmt: skip
        if service.get(ignored):
            skip(ignored, "no Waystation field")
    needs = [
        f for f in ("services", "trafficking_types", "location", "last_verified") if f not in fm
    ]
    if not any(k in fm for k in ("phones", "website", "email")):
        needs.append("a contact (phones, website or email)")
    listing_id = slug(name)[:70].strip("-")
    body = _text(service.get("description")) or ""
    return Imported(listing_id, fm, body, unmapped, needs)


def _location(
    locations: list[dict[str, Any]], service: dict, organization: dict
) -> tuple[dict[str, Any] | None, list[str]]:
    notes: list[str] = []
    physical = [loc for loc in locations if loc.get("location_type", "physical") == "physical"]
    if len(physical) > 1:
        notes.append(
            f"{len(physical)} locations: only the first is imported (one listing per place)"
        )
    if not physical:
        return None, ["no physical location: add location (visibility, state) by hand"]
    loc = physical[0]
    addresses = list(loc.get("addresses") or [])
    address = next(
        (a for a in addresses if a.get("address_type", "physical") == "physical"),
        addresses[0] if addresses else None,
    )
    if address is None:
        return None, ["location has no physical address: add location by hand"]
    state = _state(address.get("state_province"))
    if state is None:
        notes.append(
            f"state_province {address.get('state_province')!r} is not a US state or territory"
        )
        return None, notes
    data: dict[str, Any] = {"visibility": "public"}
    if _text(address.get("address_1")):
        data["street"] = _text(address["address_1"])
    if _text(address.get("address_2")):
        data["street2"] = _text(address["address_2"])
    if _text(address.get("city")):
        data["city"] = _text(address["city"])
    data["state"] = state
    postal = str(address.get("postal_code") or "").strip()
    if re.fullmatch(r"[0-9]{5}(-?[0-9]{4})?", postal):
        data["postal_code"] = postal
    elif postal:
        notes.append(f"postal_code {postal!r} is not a US ZIP code")
    try:
        lat, lon = float(loc.get("latitude")), float(loc.get("longitude"))
    except (TypeError, ValueError):
        lat = lon = None
    if lat is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
        data["coordinates"] = {"lat": lat, "lon": lon}
    elif loc.get("latitude") is not None:
        notes.append(
            f"latitude/longitude {loc.get('latitude')}/{loc.get('longitude')} out of range"
        )
    terms = []
    for item in loc.get("accessibility") or []:
        term = _term_for("accessibility", {"name": item.get("description")})
        if term:
            terms.append(term)
        else:
            notes.append(f"accessibility {item.get('description')!r} matches no Waystation term")
    if terms:
        data["accessibility"] = terms
    if _text(loc.get("transportation")):
        data["transit"] = _text(loc["transportation"])
    notes.append(
        "visibility set to public (HSDS does not say): make it approximate or hidden "
        "if the address is confidential"
    )
    return data, notes


def _hours(schedules: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    hours, notes = [], []
    for schedule in schedules:
        days = [BYDAY.get(d.strip().upper()) for d in str(schedule.get("byday") or "").split(",")]
        opens, closes = _hhmm(schedule.get("opens_at")), _hhmm(schedule.get("closes_at"))
        if str(schedule.get("freq") or "WEEKLY").upper() != "WEEKLY" or not all(days) or not days:
            notes.append(f"schedule {schedule.get('id', '?')} is not a weekly byday rule")
            continue
        if not opens or not closes:
            notes.append(f"schedule {schedule.get('id', '?')} has no opens_at/closes_at")
            continue
        entry: dict[str, Any] = {"days": days, "opens": opens, "closes": closes}
        if closes <= opens:
            entry["overnight"] = True
        hours.append(entry)
    return hours, notes


def _service_area(areas: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    states, notes = [], []
    for area in areas:
        code = _state(area.get("extent")) or _state(area.get("name"))
        if code:
            if code not in states:
                states.append(code)
        else:
            notes.append(f"service area {area.get('name')!r} is not a US state")
    return states, notes


# ---------- writing ----------


def listing_text(imported: Imported) -> str:
    header = ["---"]
    if imported.needs:
        header.append(
            "# Imported from HSDS: review every field, then fill in: " + ", ".join(imported.needs)
        )
    else:
        header.append("# Imported from HSDS: review every field before publishing.")
    body = imported.body.strip()
    # The hardened writer of from-issue: every string quoted and escaped (HSDS data is
    # untrusted input too).
    fields = [
        line
        for key, value in imported.front_matter.items()
        if value is not None
        for line in field_lines(key, value)
    ]
    return "\n".join([*header, *fields, "---", "", body, ""]).rstrip() + "\n"


@dataclass
class ImportResult:
    written: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    needs: dict[str, list[str]] = field(default_factory=dict)


def import_hsds(
    path: Path, out: Path, force: bool = False, today: dt.date | None = None
) -> ImportResult:
    today = today or dt.date.today()
    records = read_services(path)
    if not records:
        raise UsageError(f"{path}: no HSDS service found (an organization, service or package)")
    result = ImportResult()
    out.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    for record in records:
        imported = to_listing(record, today)
        listing_id = imported.listing_id if len(imported.listing_id) >= 3 else "imported-service"
        base, n = listing_id, 2
        city = (imported.front_matter.get("location") or {}).get("city")
        if listing_id in used and city:
            listing_id = f"{base}-{slug(city)}"
        while listing_id in used:
            listing_id, n = f"{base}-{n}", n + 1
        used.add(listing_id)
        result.unmapped.extend(imported.unmapped)
        target = out / f"{listing_id}.md"
        if target.exists() and not force:
            result.skipped.append(f"{target}: exists, not overwritten (use --force to replace it)")
            continue
        target.write_text(listing_text(imported), encoding="utf-8")
        result.written.append(target)
        if imported.needs:
            result.needs[str(target)] = imported.needs
    return result
