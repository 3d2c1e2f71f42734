"""HSDS JSON (3.0, or 2.0 API output) flattened into the canonical tables of :mod:`.tables`.

Accepted: one organization, service, service_at_location or location object; a list of
them; an API page (``{"contents": [...]}``, any number of pages in one file or a folder of
page files); the tabular JSON form (``{"services.csv": [rows], ...}``).  Nested values are
written as rows with the key of the object they sit under: a phone under a location gets
that ``location_id``, a schedule under a service_at_location that ``service_at_location_id``
-- the same keys the tabular form uses, so one join serves both.  An object without an
``id`` gets a made-up one (``~file#n``) so that what is nested under it still links.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from waystation.exc import UsageError
from waystation.opendata.hsds_import.encoding import decode, is_utf8
from waystation.opendata.hsds_import.findings import Findings
from waystation.opendata.hsds_import.tables import ALIASES, Tables, canonical, table_stem

Row = dict[str, Any]

SCALAR = (str, int, float, bool)


class _Flattener:
    def __init__(self, label: str) -> None:
        self.label = label
        self.rows: dict[str, list[Row]] = {}
        self.seen: dict[str, set[str]] = {}
        self.count = 0

    def _id(self, obj: dict, table: str) -> str:
        value = obj.get("id")
        if isinstance(value, (str, int)) and str(value).strip():
            return str(value).strip()
        self.count += 1
        return f"~{self.label}#{table}{self.count}"

    def add(self, table: str, obj: dict, **links: str | None) -> str:
        """Add ``obj``'s scalar fields as a row of ``table`` (once per id); its id."""
        row_id = self._id(obj, table)
        seen = self.seen.setdefault(table, set())
        if row_id in seen:
            return row_id
        seen.add(row_id)
        row: Row = {"_where": f"{self.label} ({table} {row_id})", "id": row_id}
        for key, value in obj.items():
            if isinstance(value, SCALAR) and not isinstance(value, bool) and str(value).strip():
                row[key.lower()] = str(value).strip()
        for key, value in links.items():
            if value and not row.get(key):
                row[key] = value
        self.rows.setdefault(table, []).append(row)
        return row_id

    def _each(self, obj: dict, key: str) -> list[dict]:
        value = obj.get(key)
        return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []

    # ----- one function per HSDS object -----

    def organization(self, obj: dict) -> str:
        org_id = self.add("organization", obj)
        for phone in self._each(obj, "phones"):
            self.phone(phone, organization_id=org_id)
        for location in self._each(obj, "locations"):
            self.location(location, organization_id=org_id)
        for service in self._each(obj, "services"):
            self.service(service, organization_id=org_id)
        return org_id

    def service(self, obj: dict, organization_id: str | None = None) -> str:
        org = obj.get("organization")
        if isinstance(org, dict):
            organization_id = self.add("organization", org)
            for phone in self._each(org, "phones"):
                self.phone(phone, organization_id=organization_id)
        sid = self.add("service", obj, organization_id=organization_id)
        self._children(obj, service_id=sid)
        for attribute in self._each(obj, "attributes"):
            term = attribute.get("taxonomy_term")
            term_id = attribute.get("taxonomy_term_id")
            if isinstance(term, dict):
                term_id = self.add("taxonomy_term", term)
            self.add(
                "attribute",
                {k: v for k, v in attribute.items() if k != "taxonomy_term"},
                link_id=sid,
                link_entity="service",
                taxonomy_term_id=term_id,
            )
        for key in ("service_areas", "cost_options"):
            for item in self._each(obj, key):
                self.add(ALIASES[table_stem(key)], item, service_id=sid)
        for sal in self._each(obj, "service_at_locations"):
            self.service_at_location(sal, service_id=sid)
        return sid

    def location(self, obj: dict, organization_id: str | None = None) -> str:
        lid = self.add("location", obj, organization_id=organization_id)
        for address in self._each(obj, "addresses"):
            self.add("address", address, location_id=lid)
        for item in self._each(obj, "accessibility"):
            self.add("accessibility", item, location_id=lid)
        self._children(obj, location_id=lid)
        return lid

    def service_at_location(self, obj: dict, service_id: str | None = None) -> str:
        service = obj.get("service")
        if isinstance(service, dict):
            service_id = self.service(service)
        location = obj.get("location")
        location_id = obj.get("location_id")
        if isinstance(location, dict):
            location_id = self.location(location)
        salid = self.add(
            "service_at_location",
            obj,
            service_id=service_id,
            location_id=str(location_id) if location_id else None,
        )
        self._children(obj, service_at_location_id=salid)
        return salid

    def phone(self, obj: dict, **links: str | None) -> str:
        pid = self.add("phone", obj, **links)
        for language in self._each(obj, "languages"):
            self.add("language", language, phone_id=pid)
        return pid

    def _children(self, obj: dict, **links: str | None) -> None:
        for phone in self._each(obj, "phones"):
            self.phone(phone, **links)
        for schedule in self._each(obj, "schedules"):
            self.add("schedule", schedule, **links)
        for language in self._each(obj, "languages"):
            self.add("language", language, **links)

    def any(self, obj: Any) -> None:
        if isinstance(obj, list):
            for item in obj:
                self.any(item)
            return
        if not isinstance(obj, dict):
            return
        if isinstance(obj.get("contents"), list):  # an API page
            self.any(obj["contents"])
        elif any(isinstance(k, str) and k.endswith(".csv") for k in obj):  # tabular JSON
            for name, rows in obj.items():
                table = ALIASES.get(table_stem(name))
                if table and isinstance(rows, list):
                    for n, row in enumerate(rows, 1):
                        if isinstance(row, dict):
                            self.rows.setdefault(table, []).append(
                                {
                                    "_where": f"{self.label} ({name} row {n})",
                                    **{
                                        k.lower(): str(v).strip()
                                        for k, v in row.items()
                                        if isinstance(v, SCALAR) and str(v).strip()
                                    },
                                }
                            )
        elif isinstance(obj.get("service"), dict):
            self.service_at_location(obj)
        elif "services" in obj or "website" in obj or "legal_status" in obj:
            self.organization(obj)
        elif "status" in obj or "service_at_locations" in obj or "organization_id" in obj:
            self.service(obj)
        elif "addresses" in obj or "latitude" in obj or "location_type" in obj:
            self.location(obj)
        elif "name" in obj and "description" in obj:
            self.organization(obj)


def _load(path: Path, findings: Findings) -> Any:
    try:
        text, encoding = decode(path.read_bytes())
        if not is_utf8(encoding):
            findings.warn(f"not UTF-8: read as {encoding}", path.name)
        return json.loads(text)
    except (OSError, json.JSONDecodeError) as error:
        raise UsageError(
            f"{path}: not a readable HSDS JSON file ({error}): give an HSDS "
            "JSON file, a folder of them, or a tabular package"
        ) from None


def read_json(paths: list[Path], findings: Findings) -> Tables:
    """The canonical tables of the JSON files ``paths`` (pages of one dump, in any order)."""
    merged: dict[str, list[Row]] = {}
    seen: dict[str, set[str]] = {}
    for path in sorted(paths):
        flattener = _Flattener(path.name)
        flattener.seen = seen  # an object repeated on several pages is read once
        flattener.any(_load(path, findings))
        for table, rows in flattener.rows.items():
            merged.setdefault(table, []).extend(rows)
    if not merged.get("service"):
        raise UsageError(
            f"{paths[0] if len(paths) == 1 else paths[0].parent}: no HSDS service found (give "
            "an organization, service or service_at_location, a list or page of them, or a "
            "tabular package)"
        )
    tables = canonical(merged)
    findings.read_as.append(f"HSDS JSON, {len(paths)} file(s), {len(merged['service'])} services")
    return tables
