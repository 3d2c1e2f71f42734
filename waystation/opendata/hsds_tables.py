"""HSDS 3.0 as a tabular data package: ``datapackage.json`` and one CSV per table.

The tables, their file names and their columns (in order) are HSDS 3.0's
own (``schema/<table>.json`` of the specification and its ``examples/csv``);
:data:`TABLES` lists the ones Waystation fills.  :func:`tables` flattens the
nested organization objects of :mod:`waystation.opendata.hsds` into rows, and
:class:`PackageRows` writes them, one organization at a time, with a Frictionless
``datapackage.json``
(types, required and unique columns, primary and foreign keys) that the
tests validate with ``frictionless``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import struct
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from waystation.opendata.hsds import taxonomies, taxonomy_terms
from waystation.text.plain import spreadsheet_safe

# name, file, columns: "column[:type][!]" where type is uuid, number, date,
# time, datetime, email or uri (default string) and "!" marks a required column.
_SPEC = (
    (
        "organization",
        "organizations.csv",
        (
            "id:uuid! name! alternate_name description! email:email website:uri tax_status "
            "tax_id year_incorporated:number legal_status logo uri:uri "
            "parent_organization_id:uuid"
        ),
    ),
    (
        "service",
        "services.csv",
        (
            "id:uuid! organization_id:uuid program_id:uuid name! alternate_name description "
            "url:uri email:email status! interpretation_services application_process "
            "fees_description wait_time fees accreditations eligibility_description "
            "minimum_age:number maximum_age:number assured_date:date assurer_email:email "
            "licenses alert last_modified:datetime"
        ),
    ),
    (
        "location",
        "locations.csv",
        (
            "id:uuid! location_type! url:uri organization_id:uuid name alternate_name "
            "description transportation latitude:number longitude:number external_identifier "
            "external_identifier_type"
        ),
    ),
    (
        "address",
        "addresses.csv",
        (
            "id:uuid! location_id:uuid attention address_1! address_2 city! region "
            "state_province! postal_code! country! address_type!"
        ),
    ),
    (
        "phone",
        "phones.csv",
        (
            "id:uuid! location_id:uuid service_id:uuid organization_id:uuid contact_id:uuid "
            "service_at_location_id:uuid number! extension:number type description"
        ),
    ),
    (
        "language",
        "languages.csv",
        "id:uuid! service_id:uuid location_id:uuid phone_id:uuid name code note",
    ),
    (
        "schedule",
        "schedules.csv",
        (
            "id:uuid! service_id:uuid location_id:uuid service_at_location_id:uuid "
            "valid_from:date valid_to:date dtstart:date timezone:number until:date "
            "count:number wkst freq interval:number byday byweekno bymonthday byyearday "
            "description opens_at:time closes_at:time schedule_link:uri attending_type notes"
        ),
    ),
    (
        "service_area",
        "service_areas.csv",
        "id:uuid! service_id:uuid name description extent extent_type uri",
    ),
    (
        "service_at_location",
        "service_at_location.csv",
        "id:uuid! service_id:uuid location_id:uuid description",
    ),
    (
        "accessibility",
        "accessibility.csv",
        "id:uuid! location_id:uuid description details url:uri",
    ),
    (
        "attribute",
        "attributes.csv",
        "id:uuid! link_id:uuid taxonomy_term_id:uuid link_type link_entity value",
    ),
    (
        "taxonomy",
        "taxonomies.csv",
        "id:uuid! name! description! uri:uri version",
    ),
    (
        "taxonomy_term",
        "taxonomy_terms.csv",
        (
            "id:uuid! code name! description! parent_id:uuid taxonomy language "
            "taxonomy_id:uuid term_uri:uri"
        ),
    ),
    (
        "cost_option",
        "cost_options.csv",
        (
            "id:uuid! service_id:uuid valid_from:date valid_to:date option currency "
            "amount:number amount_description"
        ),
    ),
)

#: Columns holding one of a fixed list of values (HSDS's enums).
ENUMS = {
    ("service", "status"): ["active", "inactive", "defunct", "temporarily closed"],
    ("location", "location_type"): ["physical", "postal", "virtual"],
    ("address", "address_type"): ["physical", "postal", "virtual"],
    ("schedule", "freq"): ["WEEKLY", "MONTHLY"],
    ("schedule", "wkst"): ["MO", "TU", "WE", "TH", "FR", "SA", "SU"],
}

#: (table, column) -> table whose ``id`` it refers to.
FOREIGN_KEYS = {
    ("service", "organization_id"): "organization",
    ("location", "organization_id"): "organization",
    ("address", "location_id"): "location",
    ("phone", "service_id"): "service",
    ("phone", "location_id"): "location",
    ("language", "service_id"): "service",
    ("language", "phone_id"): "phone",
    ("schedule", "service_id"): "service",
    ("service_area", "service_id"): "service",
    ("service_at_location", "service_id"): "service",
    ("service_at_location", "location_id"): "location",
    ("accessibility", "location_id"): "location",
    ("attribute", "taxonomy_term_id"): "taxonomy_term",
    ("taxonomy_term", "taxonomy_id"): "taxonomy",
    ("cost_option", "service_id"): "service",
}


class Column:
    def __init__(self, spec: str) -> None:
        self.required = spec.endswith("!")
        name, _, kind = spec.rstrip("!").partition(":")
        self.name = name
        self.kind = kind or "string"

    def field(self, table: str) -> dict[str, Any]:
        kind = self.kind
        field: dict[str, Any] = {"name": self.name}
        if kind in ("uuid", "email", "uri"):
            field.update(type="string", format=kind)
        else:
            field["type"] = kind
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.name == "id":
            constraints["unique"] = True
        if (table, self.name) in ENUMS:
            constraints["enum"] = ENUMS[(table, self.name)]
        if constraints:
            field["constraints"] = constraints
        return field


class Table:
    def __init__(self, name: str, path: str, columns: str) -> None:
        self.name = name
        self.path = path
        self.columns = [Column(c) for c in columns.split()]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def resource(self) -> dict[str, Any]:
        schema: dict[str, Any] = {
            "fields": [c.field(self.name) for c in self.columns],
            "primaryKey": ["id"],
        }
        keys = [
            {"fields": [column], "reference": {"resource": target, "fields": ["id"]}}
            for (table, column), target in FOREIGN_KEYS.items()
            if table == self.name
        ]
        if keys:
            schema["foreignKeys"] = keys
        return {
            "name": self.name,
            "path": self.path,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": schema,
        }


TABLES: tuple[Table, ...] = tuple(Table(*spec) for spec in _SPEC)
BY_NAME = {t.name: t for t in TABLES}

#: Nested lists of the JSON objects and the table their items go to.
_CHILDREN = {
    "organization": {"services": "service", "locations": "location"},
    "service": {
        "phones": "phone",
        "schedules": "schedule",
        "service_areas": "service_area",
        "languages": "language",
        "cost_options": "cost_option",
        "service_at_locations": "service_at_location",
        "attributes": "attribute",
    },
    "location": {
        "addresses": "address",
        "accessibility": "accessibility",
        "attributes": "attribute",
        "phones": "phone",
        "languages": "language",
    },
    "phone": {"languages": "language"},
}


def tables(organizations: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Flatten nested HSDS objects into one list of rows per table (no duplicates)."""
    result = {}
    for table, objects in zip(TABLES, _objects(organizations).values(), strict=True):
        names = table.column_names
        result[table.name] = [
            {n: value for n in names if (value := obj.get(n)) is not None and value != ""}
            for obj in objects
        ]
    return result


def _walk(table: str, obj: dict[str, Any], keep: Callable[[str, dict[str, Any]], None]) -> None:
    """``keep(table, object)`` for ``obj`` and every object nested in it, children first
    (the first object of an id is the one a table keeps)."""
    for key, child_table in _CHILDREN.get(table, {}).items():
        for child in obj.get(key) or []:
            _walk(child_table, child, keep)
    if table == "attribute" and obj.get("taxonomy_term"):
        keep("taxonomy_term", obj["taxonomy_term"])
    keep(table, obj)


def _walk_vocabularies(keep: Callable[[str, dict[str, Any]], None]) -> None:
    """``keep(table, object)`` for every taxonomy and term (after the organizations':
    only those no attribute named are added)."""
    for taxonomy in taxonomies():
        keep("taxonomy", taxonomy)
    for term in taxonomy_terms():
        keep("taxonomy_term", term)


def _objects(organizations: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """The objects of each table (nested lists and all), by id, without duplicates."""
    rows: dict[str, dict[str, dict[str, Any]]] = {t.name: {} for t in TABLES}

    def keep(table: str, obj: dict[str, Any]) -> None:
        rows[table].setdefault(obj["id"], obj)

    for organization in organizations:
        _walk("organization", organization, keep)
    _walk_vocabularies(keep)
    return {name: [by_id[key] for key in sorted(by_id)] for name, by_id in rows.items()}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        # Listing text is untrusted: a cell a spreadsheet would run as a formula is
        # prefixed with ' (as in providers.csv).
        return spreadsheet_safe(value)
    return str(value)


def _cells(names: list[str], row: dict[str, Any]) -> list[str]:
    # Most cells are empty or plain text: those skip _cell's checks.
    safe = spreadsheet_safe
    return [
        "" if value is None else safe(value) if value.__class__ is str else _cell(value)
        for value in map(row.get, names)
    ]


def table_csv(table: Table, rows: list[dict[str, Any]]) -> str:
    """The table's CSV: ``rows`` are :func:`tables` rows, or the objects themselves
    (a missing, None or empty value is an empty cell either way)."""
    names = table.column_names
    out = io.StringIO()
    _write_table(out, names, (_cells(names, row) for row in rows))
    return out.getvalue()


def _write_table(out: IO[str], names: list[str], rows: Iterable[list[str]]) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    writer.writerows(rows)


def datapackage(title: str, licence: dict[str, str] | None = None) -> dict[str, Any]:
    package: dict[str, Any] = {
        "name": "waystation-hsds",
        "title": title,
        "profile": "tabular-data-package",
        "description": "Open Referral HSDS 3.0 tabular export of the directory's public listings.",
        "resources": [t.resource() for t in TABLES],
    }
    if licence:
        package["licenses"] = [licence]
    return package


class PackageRows:
    """The tabular package made one organization at a time (:meth:`add`), then written
    (:meth:`write`): the organizations need not all be in memory at once (a national
    directory's are 318 MB of JSON), and neither need their rows.  Each row waits as its
    CSV line, with its id, in its table's temporary file (on disk: the system's temporary
    folder); :meth:`write` reads one table's ids back at a time and writes its rows in id
    order, the first row of each id (as :func:`tables` keeps the first object).  At
    10,000 listings the rows kept in memory as lists of cells were 78 MB.  Its tables are
    :func:`table_csv` of :func:`tables` (tested)."""

    _HEAD = struct.Struct("<II")  # the id's and the line's sizes, in bytes

    def __init__(self) -> None:
        self._names = {t.name: t.column_names for t in TABLES}
        self._line = io.StringIO()
        self._writer = csv.writer(self._line, lineterminator="\n")
        # Closed (and so deleted) by write().
        self._files = {t.name: tempfile.TemporaryFile() for t in TABLES}  # noqa: SIM115

    def _keep(self, table: str, obj: dict[str, Any]) -> None:
        line = self._line
        line.seek(0)
        line.truncate()
        self._writer.writerow(_cells(self._names[table], obj))
        key, data = str(obj["id"]).encode("utf-8"), line.getvalue().encode("utf-8")
        self._files[table].write(self._HEAD.pack(len(key), len(data)) + key + data)

    def add(self, organization: dict[str, Any]) -> None:
        _walk("organization", organization, self._keep)

    def write(self, folder: Path, title: str, licence: dict[str, str] | None = None) -> None:
        _walk_vocabularies(self._keep)
        folder.mkdir(parents=True, exist_ok=True)
        try:
            for table in TABLES:
                with (folder / table.path).open("w", encoding="utf-8") as file:
                    _write_table(file, table.column_names, ())
                    file.writelines(self._lines(self._files[table.name]))
        finally:
            for kept in self._files.values():
                kept.close()
        text = json.dumps(datapackage(title, licence), indent=2, sort_keys=True, ensure_ascii=False)
        (folder / "datapackage.json").write_text(text + "\n", encoding="utf-8")

    def _lines(self, kept: IO[bytes]) -> Iterator[str]:
        """The rows of one table's file, in id order, the first of each id."""
        kept.flush()
        kept.seek(0)
        head = self._HEAD
        places: list[tuple[bytes, int, int]] = []
        while chunk := kept.read(head.size):
            key_size, size = head.unpack(chunk)
            key = kept.read(key_size)
            places.append((key, kept.tell(), size))
            kept.seek(size, os.SEEK_CUR)
        places.sort(key=lambda place: place[0])  # stable: the first of each id first
        descriptor, last = kept.fileno(), None
        for key, offset, size in places:
            if key != last:
                yield os.pread(descriptor, size, offset).decode("utf-8")
                last = key
