"""Tabular HSDS packages read into canonical tables, whatever the version.

A package is a folder, its ``datapackage.json`` or a zip of either.  The CSVs may sit
anywhere in it (``data/services.csv`` is common); the ``datapackage.json`` resources are
followed when it names them, and every other CSV is recognised by its name, plural or
singular (``services_at_location.csv``, ``service_at_location.csv``, ``regular_schedules.csv``).

Tables are renamed to the names :mod:`.joins` reads (3.0's, mostly), and the few 1.x/2.0
columns that differ are carried across (``physical_addresses``/``postal_addresses`` become
``address`` rows with an ``address_type``; ``regular_schedules.weekday`` becomes
``byday``; 1.x ``taxonomy`` rows become ``taxonomy_term`` rows).  Every row keeps where
it came from (``_where``: file and line) for the report.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from waystation.exc import UsageError
from waystation.opendata.hsds_import.encoding import decode, is_utf8
from waystation.opendata.hsds_import.findings import Findings

Row = dict[str, Any]

#: File stem (lowercase, without ``.csv``) -> canonical table.
ALIASES: dict[str, str] = {}
for _canonical, _names in {
    "organization": ("organization", "organizations"),
    "service": ("service", "services"),
    "location": ("location", "locations"),
    "address": ("address", "addresses"),
    "physical_address": ("physical_address", "physical_addresses"),
    "postal_address": ("postal_address", "postal_addresses"),
    "service_at_location": (
        "service_at_location",
        "services_at_location",
        "service_at_locations",
        "services_at_locations",
    ),
    "phone": ("phone", "phones"),
    "language": ("language", "languages"),
    "schedule": ("schedule", "schedules"),
    "regular_schedule": ("regular_schedule", "regular_schedules"),
    "holiday_schedule": ("holiday_schedule", "holiday_schedules"),
    "accessibility": ("accessibility", "accessibilities", "accessibility_for_disabilities"),
    "service_area": ("service_area", "service_areas"),
    "eligibility": ("eligibility", "eligibilities"),
    "fee": ("fee", "fees"),
    "taxonomy": ("taxonomy", "taxonomies"),
    "taxonomy_term": ("taxonomy_term", "taxonomy_terms"),
    "service_taxonomy": (
        "service_taxonomy",
        "services_taxonomy",
        "service_taxonomies",
        "services_taxonomies",
    ),
    "service_attribute": ("service_attribute", "service_attributes"),
    "other_attribute": ("other_attribute", "other_attributes"),
    "attribute": ("attribute", "attributes"),
    "cost_option": ("cost_option", "cost_options"),
}.items():
    for _name in _names:
        ALIASES[_name] = _canonical

#: Tables HSDS defines that hold nothing a listing has (read, counted, not imported).
NOT_IMPORTED = {
    "contact": "staff contacts are not listing fields (names of people are not published)",
    "contacts": "staff contacts are not listing fields (names of people are not published)",
    "program": "programs have no Waystation field",
    "programs": "programs have no Waystation field",
    "funding": "funding has no Waystation field",
    "required_document": "required documents have no field: add them to how_to_apply by hand",
    "required_documents": "required documents have no field: add them to how_to_apply by hand",
    "payment_accepted": "payments accepted have no Waystation field",
    "payments_accepted": "payments accepted have no Waystation field",
    "interpretation_services": "interpretation services (1.0 table) are not mapped",
    "metadata": "change metadata is not imported",
    "meta_table_description": "table descriptions are not imported",
    "meta_table_descriptions": "table descriptions are not imported",
    "organization_identifier": "organization identifiers have no Waystation field",
    "organization_identifiers": "organization identifiers have no Waystation field",
    "url": "extra URLs are not imported",
    "urls": "extra URLs are not imported",
}

ISO_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_WEEKDAY_NAMES = {
    "monday": "MO",
    "mon": "MO",
    "lunes": "MO",
    "tuesday": "TU",
    "tue": "TU",
    "tues": "TU",
    "martes": "TU",
    "wednesday": "WE",
    "wed": "WE",
    "miercoles": "WE",
    "miércoles": "WE",
    "thursday": "TH",
    "thu": "TH",
    "thur": "TH",
    "thurs": "TH",
    "jueves": "TH",
    "friday": "FR",
    "fri": "FR",
    "viernes": "FR",
    "saturday": "SA",
    "sat": "SA",
    "sabado": "SA",
    "sábado": "SA",
    "sunday": "SU",
    "sun": "SU",
    "domingo": "SU",
}


@dataclass
class Tables:
    """Canonical tables (name -> rows) and the HSDS version they were read as."""

    rows: dict[str, list[Row]] = field(default_factory=dict)
    version: str = "3.0"

    def get(self, table: str) -> list[Row]:
        return self.rows.get(table, [])


def table_stem(name: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", PurePosixPath(name).stem.lower())


def weekday_to_byday(value: Any) -> str | None:
    """A 1.x ``weekday`` (1-7 with 1 = Monday as in ISO 8601, 0 = Sunday, or a day's name
    in English or Spanish) as an RRULE day (``MO``)."""
    text = str(value or "").strip().lower().rstrip(".")
    if text.isdigit():
        number = int(text)
        if number == 0:
            return "SU"
        return ISO_WEEKDAYS[number - 1] if 1 <= number <= 7 else None
    return _WEEKDAY_NAMES.get(text) or (text.upper() if text.upper() in ISO_WEEKDAYS else None)


# ---------- where the CSVs are ----------


@dataclass
class _Source:
    """A package's files: their names (POSIX, relative) and how to read each."""

    label: str
    names: list[str]
    read: Callable[[str], bytes]


def _folder_source(folder: Path) -> _Source:
    names = sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in (".csv", ".json")
    )
    return _Source(str(folder), names, lambda name: (folder / name).read_bytes())


def _zip_source(path: Path) -> _Source:
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        raise UsageError(
            f"{path}: not a readable zip file ({error}): unzip it and give the folder instead"
        ) from None
    names = sorted(
        n
        for n in archive.namelist()
        if not n.endswith("/")
        and n.lower().endswith((".csv", ".json"))
        and not n.startswith("__MACOSX/")
    )
    return _Source(str(path), names, archive.read)


def has_csv(folder: Path) -> bool:
    return any(p.suffix.lower() == ".csv" for p in folder.rglob("*") if p.is_file())


def source_for(path: Path) -> _Source:
    if path.is_dir():
        return _folder_source(path)
    if path.suffix.lower() == ".zip":
        return _zip_source(path)
    if path.name.lower() == "datapackage.json":
        return _folder_source(path.parent)
    raise UsageError(f"{path}: not a folder, datapackage.json or zip of an HSDS package")


def _declared(source: _Source, findings: Findings) -> dict[str, str]:
    """Table -> file, from the shallowest ``datapackage.json``'s resources."""
    packages = sorted(
        (n for n in source.names if PurePosixPath(n).name == "datapackage.json"),
        key=lambda n: (n.count("/"), n),
    )
    if not packages:
        return {}
    name = packages[0]
    text, _ = decode(source.read(name))
    try:
        descriptor = json.loads(text)
    except json.JSONDecodeError as error:
        findings.warn(f"datapackage.json is not JSON ({error.msg}): CSVs found by name", name)
        return {}
    base = PurePosixPath(name).parent
    declared: dict[str, str] = {}
    for resource in descriptor.get("resources") or [] if isinstance(descriptor, dict) else []:
        if not isinstance(resource, dict) or not isinstance(resource.get("path"), str):
            continue
        path = str(base / resource["path"]) if str(base) != "." else resource["path"]
        path = path.lstrip("./") if path.startswith("./") else path
        table = ALIASES.get(table_stem(str(resource.get("name") or ""))) or ALIASES.get(
            table_stem(path)
        )
        if path in source.names and table:
            declared.setdefault(table, path)
        elif table and path not in source.names:
            findings.warn("datapackage.json names a file that is not in the package", path)
    return declared


# ---------- reading ----------


def _read_rows(source: _Source, name: str, findings: Findings) -> list[Row]:
    text, encoding = decode(source.read(name))
    if not is_utf8(encoding):
        findings.warn(
            f"not UTF-8: read as {encoding} (check accented letters in the imported files; "
            "save the CSVs as UTF-8 to be sure)",
            name,
        )
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return []
    columns = [h.strip().lower() for h in header]
    rows = []
    for values in reader:
        row: Row = {"_where": f"{name}:{reader.line_num}"}
        for column, value in zip(columns, values, strict=False):
            value = value.strip()
            if column and value:
                row[column] = value
        if len(row) > 1:
            rows.append(row)
    return rows


def read_tables(path: Path, findings: Findings) -> Tables:
    """Every table of the package at ``path``, canonical (see the module's docstring)."""
    source = source_for(path)
    declared = _declared(source, findings)
    files = dict(declared)
    for name in source.names:
        if not name.lower().endswith(".csv"):
            continue
        stem = table_stem(name)
        table = ALIASES.get(stem)
        if table is None:
            reason = NOT_IMPORTED.get(stem)
            if reason:
                findings.drop(f"table not imported: {reason}", name)
            else:
                findings.warn("CSV that is no HSDS table: ignored", name)
            continue
        if table in files and files[table] != name:
            findings.warn(f"second file for table {table}: ignored", name)
            continue
        files[table] = name
    if "service" not in files:
        raise UsageError(
            f"{path}: no services.csv anywhere in it: not an HSDS tabular package (give the "
            "folder that holds services.csv, its datapackage.json, or a zip of them)"
        )
    raw = {table: _read_rows(source, name, findings) for table, name in sorted(files.items())}
    tables = canonical(raw)
    folders = sorted({str(PurePosixPath(n).parent) for n in files.values()})
    where = ", ".join("the package's top folder" if f == "." else f"{f}/" for f in folders)
    findings.read_as.append(
        f"HSDS {tables.version} tabular package, {len(files)} tables in {where} ({source.label})"
    )
    return tables


def canonical(raw: dict[str, list[Row]]) -> Tables:
    """Raw tables by canonical name -> the tables :mod:`.joins` reads."""
    if "regular_schedule" in raw or ("physical_address" in raw and "schedule" not in raw):
        version = "1.x"
    elif "physical_address" in raw or "service_attribute" in raw:
        version = "2.0"
    else:
        version = "3.0"
    rows: dict[str, list[Row]] = {k: v for k, v in raw.items()}
    addresses = list(rows.pop("address", []))
    for table, kind in (("physical_address", "physical"), ("postal_address", "postal")):
        for row in rows.pop(table, []):
            addresses.append({**row, "address_type": kind})
    if addresses:
        rows["address"] = addresses
    schedules = list(rows.pop("schedule", []))
    for row in rows.pop("regular_schedule", []):
        day = weekday_to_byday(row.get("weekday"))
        schedules.append({**row, "freq": "WEEKLY", "byday": day or f"?{row.get('weekday', '')}"})
    if schedules:
        rows["schedule"] = schedules
    terms = list(rows.pop("taxonomy_term", []))
    taxonomy = rows.pop("taxonomy", [])
    if taxonomy and any(
        "parent_id" in r or "parent_name" in r or "vocabulary" in r for r in taxonomy
    ):
        terms.extend(taxonomy)  # 1.x: ``taxonomy.csv`` holds the terms themselves
    if terms:
        rows["taxonomy_term"] = [_term(r) for r in terms]
    links = []
    for row in rows.pop("service_taxonomy", []):
        links.append(
            {**row, "taxonomy_term_id": row.get("taxonomy_id") or row.get("taxonomy_term_id")}
        )
    for row in rows.pop("service_attribute", []):
        links.append(row)
    for row in rows.pop("other_attribute", []) + rows.pop("attribute", []):
        # 3.0: link_entity names the table (link_type is free, e.g. a vocabulary);
        # 2.0 other_attributes: link_type names it
        entity = row.get("link_entity") or row.get("link_type") or "service"
        if str(entity).lower() in ("service", "services"):
            links.append({**row, "service_id": row.get("link_id")})
    for row in rows.get("service", []):
        for term_id in str(row.get("taxonomy_ids") or "").split(","):
            if term_id.strip():
                links.append(
                    {
                        "service_id": row.get("id"),
                        "taxonomy_term_id": term_id.strip(),
                        "_where": row["_where"],
                    }
                )
    if links:
        rows["service_term"] = links
    return Tables(rows, version)


def _term(row: Row) -> Row:
    """A taxonomy term row of any version: ``code`` (an AIRS code when there is one),
    ``name``, ``parent_id``, ``taxonomy``."""
    name = row.get("name") or row.get("term") or ""
    code = row.get("code") or ""
    if not code and AIRS_CODE.match(str(row.get("id") or "")):
        code = row["id"]  # 1.x packages often use the AIRS code as the term's id
    return {
        **row,
        "name": name,
        "code": code,
        "taxonomy": row.get("taxonomy") or row.get("vocabulary") or row.get("taxonomy_id"),
    }


#: An AIRS/211 LA taxonomy code: two capital letters, then optional ``-1234.5678-910`` parts.
AIRS_CODE = re.compile(r"^[A-Z]{1,2}(-[0-9]{4}(\.[0-9]{3,4}){0,3}(-[0-9]{3})?)?(\*[A-Z]{1,2}.*)?$")
