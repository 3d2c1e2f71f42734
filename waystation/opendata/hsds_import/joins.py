"""Canonical tables joined into one record per service and place, by the spec's keys.

HSDS lets a phone, schedule or language hang off a service, a location, a
service_at_location (the service *at* that place), an organization or a phone.  Each
record gathers, for one service at one location:

- phones: the service_at_location's, the service's (unless they name another location),
  the location's own (no service named); the organization's only when none of those exist;
- schedules: the most specific set that exists -- the service_at_location's, else the
  service's (for this location or none), else the location's;
- languages: the service's and the location's; a phone's own languages stay on the phone;
- addresses and accessibility: the location's; service areas, eligibility, fees, costs
  and taxonomy terms: the service's.

Every join is a dictionary look-up over rows read once: no walk follows ids, so no
self-reference (``service_at_location.id == service_id``) or loop can run away.  The one
chain that is walked -- taxonomy ``parent_id`` -- keeps the ids it has seen and reports a
loop.  A row whose link names nothing is reported and attached nowhere.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from waystation.opendata.hsds_import.findings import Findings
from waystation.opendata.hsds_import.tables import AIRS_CODE, Tables
from waystation.opendata.hsds_import.taxonomy import waystation_terms

Row = dict[str, Any]

#: table -> its links (column -> table it names).
LINKS: dict[str, dict[str, str]] = {
    "service": {"organization_id": "organization"},
    "location": {"organization_id": "organization"},
    "service_at_location": {"service_id": "service", "location_id": "location"},
    "phone": {
        "service_id": "service",
        "location_id": "location",
        "organization_id": "organization",
        "service_at_location_id": "service_at_location",
    },
    "schedule": {
        "service_id": "service",
        "location_id": "location",
        "service_at_location_id": "service_at_location",
    },
    "language": {"service_id": "service", "location_id": "location", "phone_id": "phone"},
    "address": {"location_id": "location"},
    "accessibility": {"location_id": "location"},
    "service_area": {"service_id": "service"},
    "eligibility": {"service_id": "service"},
    "fee": {"service_id": "service"},
    "cost_option": {"service_id": "service"},
    "service_term": {"service_id": "service"},
}
ENTITIES = ("organization", "service", "location", "service_at_location", "phone", "taxonomy_term")


@dataclass
class Joined:
    """One service at one place (or at none), with everything linked to it."""

    service: Row
    organization: Row | None = None
    location: Row | None = None
    addresses: list[Row] = field(default_factory=list)
    accessibility: list[Row] = field(default_factory=list)
    phones: list[Row] = field(default_factory=list)
    phone_languages: dict[str, list[Row]] = field(default_factory=dict)
    organization_phone: bool = False
    schedules: list[Row] = field(default_factory=list)
    languages: list[Row] = field(default_factory=list)
    service_areas: list[Row] = field(default_factory=list)
    eligibility: list[Row] = field(default_factory=list)
    fees: list[Row] = field(default_factory=list)
    cost_options: list[Row] = field(default_factory=list)
    terms: list[Row] = field(default_factory=list)

    @property
    def source_id(self) -> str:
        """The record's id in the source: the service's, ``@`` its location's."""
        sid = str(self.service["id"])
        return f"{sid}@{self.location['id']}" if self.location else sid


class _Index:
    def __init__(self, tables: Tables, findings: Findings) -> None:
        self.by_id: dict[str, dict[str, Row]] = {}
        for table in ENTITIES:
            rows: dict[str, Row] = {}
            for row in tables.get(table):
                row_id = row.get("id")
                if not row_id:
                    if table != "phone":
                        findings.drop(f"{table} row without an id: cannot be linked", row["_where"])
                    continue
                if row_id in rows:
                    findings.warn(
                        f"{table} id used twice: the second row is ignored",
                        f"{row['_where']} (id {row_id})",
                    )
                    continue
                rows[row_id] = row
            self.by_id[table] = rows
        self.ok: dict[str, list[Row]] = {}
        for table, links in LINKS.items():
            kept = []
            for row in tables.get(table):
                broken = [
                    f"{column} {row[column]!r}"
                    for column, target in links.items()
                    if row.get(column) and row[column] not in self.by_id.get(target, {})
                ]
                if broken and table in ("service", "location"):
                    findings.warn(
                        f"{table} names an organization that is not in the data",
                        f"{row['_where']} ({', '.join(broken)})",
                    )
                    row = {k: v for k, v in row.items() if k != "organization_id"}
                elif broken:
                    findings.warn(
                        f"{table} row links to something not in the data: not attached anywhere",
                        f"{row['_where']} ({', '.join(broken)})",
                    )
                    continue
                if table in ("phone", "schedule", "language") and not any(
                    row.get(c) for c in links
                ):
                    reason = (
                        "phone of a staff contact (contacts are not imported)"
                        if row.get("contact_id")
                        else f"{table} row linked to nothing"
                    )
                    findings.drop(reason, row["_where"])
                    continue
                kept.append(row)
            self.ok[table] = kept
        # entity rows as kept (a service's broken organization_id removed)
        for table in ("service", "location"):
            self.by_id[table] = {
                r["id"]: r
                for r in self.ok[table]
                if r.get("id") and self.by_id[table].get(r["id"], {}).get("_where") == r["_where"]
            }

    def by(self, table: str, column: str) -> dict[str, list[Row]]:
        index: dict[str, list[Row]] = defaultdict(list)
        for row in self.ok.get(table, []):
            if row.get(column):
                index[row[column]].append(row)
        for rows in index.values():  # the order of ids, never of rows in the file
            rows.sort(key=lambda r: _natural(str(r.get("id") or r["_where"])))
        return index


def _ancestors(terms: dict[str, Row], findings: Findings) -> dict[str, list[Row]]:
    """Each term's parents, nearest first; a parent loop is reported and cut."""
    result: dict[str, list[Row]] = {}
    for term_id in terms:
        chain, seen = [], {term_id}
        parent = terms[term_id].get("parent_id")
        while parent:
            if parent in seen:
                findings.warn(
                    "taxonomy terms whose parent_id loops back (loop cut)",
                    f"{terms[term_id]['_where']} (term {term_id} -> {parent})",
                )
                break
            seen.add(parent)
            row = terms.get(parent)
            if row is None:
                break
            chain.append(row)
            parent = row.get("parent_id")
        result[term_id] = chain
    return result


def join(tables: Tables, findings: Findings) -> tuple[list[Joined], dict[str, list[Row]]]:
    """One :class:`Joined` per service and location, in the services' id order, and each
    taxonomy term's ancestors."""
    index = _Index(tables, findings)
    services = index.by_id["service"]
    locations = index.by_id["location"]
    organizations = index.by_id["organization"]
    terms = index.by_id["taxonomy_term"]
    ancestors = _ancestors(terms, findings)

    sal_by_service = index.by("service_at_location", "service_id")
    phones = {c: index.by("phone", c) for c in LINKS["phone"]}
    schedules = {c: index.by("schedule", c) for c in LINKS["schedule"]}
    languages = {c: index.by("language", c) for c in LINKS["language"]}
    addresses = index.by("address", "location_id")
    accessibility = index.by("accessibility", "location_id")
    per_service = {
        t: index.by(t, "service_id")
        for t in ("service_area", "eligibility", "fee", "cost_option", "service_term")
    }

    linked_locations: set[str] = set()
    result: list[Joined] = []
    for sid in sorted(services, key=_natural):
        service = services[sid]
        org = organizations.get(service.get("organization_id") or "")
        pairs: list[tuple[Row | None, Row | None]] = []
        seen_locations: set[str] = set()
        for sal in sal_by_service.get(sid, []):
            lid = sal.get("location_id")
            if not lid:
                findings.warn(
                    "service_at_location without a location_id: no place from it", sal["_where"]
                )
                continue
            if lid in seen_locations:
                continue
            seen_locations.add(lid)
            pairs.append((sal, locations[lid]))
        legacy = service.get("location_id")  # HSDS 1.0: services.location_id
        if legacy and legacy not in seen_locations:
            if legacy in locations:
                pairs.append((None, locations[legacy]))
                seen_locations.add(legacy)
            else:
                findings.warn(
                    "service names a location that is not in the data",
                    f"{service['_where']} (location_id {legacy!r})",
                )
        if not pairs:
            pairs.append((None, None))
        linked_locations |= seen_locations
        term_rows = []
        for link in per_service["service_term"].get(sid, []):
            term_id = link.get("taxonomy_term_id") or ""
            term = terms.get(term_id)
            if term is None and term_id in waystation_terms():  # Waystation's own export
                term = waystation_terms()[term_id][2]
            if term is None and AIRS_CODE.match(term_id):
                term = {"id": term_id, "code": term_id, "name": "", "_where": link["_where"]}
            if term is None:
                findings.warn(
                    "service's taxonomy term is not in the data: not mapped",
                    f"{link['_where']} (term {term_id!r})",
                )
                continue
            if term not in term_rows:
                term_rows.append(term)
        for sal, loc in pairs:
            lid = loc["id"] if loc else None
            salid = sal["id"] if sal and sal.get("id") else None
            record = Joined(service, org, loc, terms=term_rows)
            for t, attr in (
                ("service_area", "service_areas"),
                ("eligibility", "eligibility"),
                ("fee", "fees"),
                ("cost_option", "cost_options"),
            ):
                setattr(record, attr, list(per_service[t].get(sid, [])))
            if loc:
                record.addresses = list(addresses.get(lid, []))
                record.accessibility = list(accessibility.get(lid, []))
            # phones
            found = list(phones["service_at_location_id"].get(salid, [])) if salid else []
            found += [
                p
                for p in phones["service_id"].get(sid, [])
                if not p.get("service_at_location_id") and p.get("location_id") in (None, lid)
            ]
            if lid:
                found += [
                    p
                    for p in phones["location_id"].get(lid, [])
                    if not p.get("service_id") and not p.get("service_at_location_id")
                ]
            if not found and org:
                found = [
                    p
                    for p in phones["organization_id"].get(org["id"], [])
                    if not (
                        p.get("service_id")
                        or p.get("location_id")
                        or p.get("service_at_location_id")
                    )
                ]
                record.organization_phone = bool(found)
            record.phones = _unique(found)
            record.phone_languages = {
                p["id"]: list(languages["phone_id"].get(p["id"], []))
                for p in record.phones
                if p.get("id")
            }
            # schedules: the most specific level that has any
            at_sal = list(schedules["service_at_location_id"].get(salid, [])) if salid else []
            at_service = [
                s
                for s in schedules["service_id"].get(sid, [])
                if not s.get("service_at_location_id") and s.get("location_id") in (None, lid)
            ]
            at_location = (
                [
                    s
                    for s in schedules["location_id"].get(lid, [])
                    if not s.get("service_id") and not s.get("service_at_location_id")
                ]
                if lid
                else []
            )
            record.schedules = at_sal or at_service or at_location
            # languages
            spoken = [
                x
                for x in languages["service_id"].get(sid, [])
                if x.get("location_id") in (None, lid)
            ]
            if lid:
                spoken += [
                    x for x in languages["location_id"].get(lid, []) if not x.get("service_id")
                ]
            record.languages = _unique(spoken)
            result.append(record)
    for lid in sorted(set(locations) - linked_locations, key=_natural):
        # by place in the file only: the location's name may be a shelter's
        findings.drop(
            "location no service links to (add it by hand if it is a place of a listed service)",
            locations[lid]["_where"],
        )
    return result, ancestors


def _unique(rows: list[Row]) -> list[Row]:
    seen, out = set(), []
    for row in rows:
        if id(row) not in seen:
            seen.add(id(row))
            out.append(row)
    return out


def _natural(value: str) -> tuple:
    return (len(value), value) if value.isdigit() else (10**9, value)
