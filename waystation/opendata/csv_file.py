"""``providers.csv``: one row per published listing, for spreadsheets.

Same fields as ``providers.geojson`` (see :mod:`waystation.opendata.records`),
plus hidden listings with their state only.  Lists are joined with ``"; "``.
Cells a spreadsheet would run as a formula are prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from waystation.opendata.records import COLUMNS, csv_row, export_views, view_record
from waystation.text.plain import spreadsheet_safe


def _write_rows(out: IO[str], directory, records: Iterable[dict[str, Any]] | None) -> None:
    if records is None:
        records = [view_record(v, directory.settings) for v in export_views(directory)]
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        row = csv_row(record)
        writer.writerow({k: spreadsheet_safe(v) for k, v in row.items()})


def providers_csv(directory, records: Iterable[dict[str, Any]] | None = None) -> str:
    """``records``: the listings' flat records, if already made (in the directory's order)."""
    out = io.StringIO()
    _write_rows(out, directory, records)
    return out.getvalue()


def write_csv(directory, path: Path, records: Iterable[dict[str, Any]] | None = None) -> None:
    """:func:`providers_csv` into ``path``, row by row (a national directory's is 86 MB)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as file:
        # UTF-8 with a BOM so that spreadsheet programs read accents right.
        file.write("\ufeff")
        _write_rows(file, directory, records)
