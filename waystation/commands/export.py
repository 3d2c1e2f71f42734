"""``waystation export --output DIR``: write the open data files without Pelican."""

from __future__ import annotations

from pathlib import Path

from waystation import settings as settings_mod
from waystation.commands.validate import parse_today
from waystation.directory import build_directory
from waystation.exc import ListingsInvalid, WaystationError
from waystation.opendata.steps import CSV, GEOJSON, HSDS_JSON, HSDS_PACKAGE, write_open_data

NAME = "export"
HELP = (
    "write the open data (providers.geojson, providers.csv, HSDS 3.0 JSON and tabular package) "
    "into a folder, without building the site"
)


def add_arguments(parser) -> None:
    parser.add_argument(
        "--output", "-o", type=Path, default=Path("output"), metavar="DIR",
        help="folder to write into (default: output)",
    )  # fmt: skip
    parser.add_argument("--today", metavar="YYYY-MM-DD", help="treat this day as today")


def run(args) -> int:
    conf = settings_mod.load(args.config)
    try:
        directory = build_directory(conf, Path.cwd(), parse_today(args.today), with_history=False)
    except ListingsInvalid as error:
        for problem in error.problems:
            print(problem.format_text())
        raise WaystationError("the listings have errors: fix them and export again") from None
    write_open_data(directory, args.output, conf)
    for name in (GEOJSON, CSV, HSDS_JSON, f"{HSDS_PACKAGE}/datapackage.json"):
        print(args.output / name)
    return 0
