"""``providers.csv``: one row per published listing, for spreadsheets.

Same fields as ``providers.geojson`` (see :mod:`waystation.export_records`),
plus hidden listings with their state only.  Lists are joined with ``"; "``.
Cells a spreadsheet would run as a formula are prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from waystation.export_records import COLUMNS, csv_row, flat_record
from waystation.export_text import spreadsheet_safe


def providers_csv(directory) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for listing in directory.listings:
        row = csv_row(flat_record(listing, directory.place(listing), directory.settings))
        writer.writerow({k: spreadsheet_safe(v) for k, v in row.items()})
    return out.getvalue()


def write_csv(directory, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # UTF-8 with a BOM so that spreadsheet programs read accents right.
    path.write_text("\ufeff" + providers_csv(directory), encoding="utf-8", newline="")
