"""The post-build step of the open data.

Registered in :mod:`waystation.build.postbuild` as ``"waystation.opendata.steps:start_open_data"``:
``step(directory, output, settings)``, deterministic and offline.  When there are many
listings it starts early (:data:`waystation.build.postbuild.EARLY`):
:func:`start_open_data_early` gives the job of a forked process started while the
pages are written (the maps' job, :mod:`waystation.maps.steps`, runs in the same
process after it), and the step takes the handle that joins it over.
``waystation export --output DIR`` runs :func:`write_open_data` without Pelican.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from waystation.opendata import hsds as hsds_export
from waystation.opendata import hsds_tables
from waystation.opendata.csv_file import write_csv
from waystation.opendata.geojson import write_geojson
from waystation.opendata.json_stream import write_list
from waystation.opendata.records import export_views, view_record
from waystation.runtime import collector, forked
from waystation.runtime.forked import BACKGROUND_NICENESS, Forked, Job, worth_forking

#: The files :func:`write_open_data` writes, relative to the output folder.
GEOJSON = "providers.geojson"
CSV = "providers.csv"
HSDS_JSON = "hsds/organizations.json"
HSDS_TERMS_JSON = "hsds/taxonomy_terms.json"
HSDS_PACKAGE = "hsds"


def start_open_data(directory, output: Path, settings: dict[str, Any]) -> Forked | None:
    """Post-build step: :func:`write_open_data`, in a forked process when there are many
    listings (then returns the process's handle, which the post-build steps join)."""
    if not worth_forking(directory, settings):
        write_open_data(directory, output, settings)
        return None
    return forked.start([start_open_data_early(directory, output, settings)])[0]


def start_open_data_early(directory, output: Path, settings: dict[str, Any]) -> Job:
    """Early start of :func:`start_open_data` (:data:`waystation.build.postbuild.EARLY`): the
    job of the open data, before the maps' (in the build's own process while Pagefind
    indexes, or in a forked process beside the page renderers:
    :func:`waystation.build.postbuild.early_start`).  The open data read no page; the
    descriptions' texts are worked out from the HTML the search copies' writers handed
    back (:func:`waystation.text.plain.markdown_to_text`)."""
    args = (directory, output, settings)
    return Job(write_open_data, args, "open data", BACKGROUND_NICENESS)


def write_open_data(directory, output: Path, settings: dict[str, Any]) -> None:
    """Write providers.geojson, providers.csv and the HSDS 3.0 export into ``output``."""
    with collector.paused():
        _write_open_data(directory, output, settings)


def _write_open_data(directory, output: Path, settings: dict[str, Any]) -> None:
    output = Path(output)
    merged = {**directory.settings, **{k: v for k, v in settings.items() if k.isupper()}}
    directory = directory.with_settings(merged)
    # Each listing's public data and plain-text description, made once for every file.
    views = export_views(directory)
    # Each file's flat records made as it is written (9 µs a listing), not listed for
    # both: 50,000 listings' records were about 0.1 GB, which the build's process, where
    # this runs while Pagefind indexes, then kept as its own for the rest of the build.
    write_geojson(directory, output / GEOJSON, (view_record(view, merged) for view in views))
    write_csv(directory, output / CSV, (view_record(view, merged) for view in views))
    # The HSDS organizations one at a time: each written to the JSON file and its rows
    # kept for the tabular package (as CSV cells), never all of them in memory at once.
    package = hsds_tables.PackageRows()
    target = output / HSDS_JSON
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding="utf-8") as file:
        options = {"sort_keys": True, "ensure_ascii": False, "separators": (",", ":")}
        write_list(
            file, _added(package, hsds_export.iter_organizations(directory, views)), **options
        )
        file.write("\n")
    title = f"{merged.get('SITENAME') or 'Waystation'}: HSDS 3.0 export"
    package.write(output / HSDS_PACKAGE, title, merged.get("OPEN_DATA_LICENSE"))
    terms = json.dumps(
        hsds_export.taxonomy_terms(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    (output / HSDS_TERMS_JSON).write_text(terms + "\n", encoding="utf-8")


def _added(
    package: hsds_tables.PackageRows, organizations: Iterator[dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    for organization in organizations:
        package.add(organization)
        yield organization
