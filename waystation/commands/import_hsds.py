"""``waystation import-hsds PATH``: turn HSDS 3.0 data into listing files for review."""

from __future__ import annotations

from pathlib import Path

from waystation.commands.validate import parse_today
from waystation.opendata.hsds_import import import_hsds

NAME = "import-hsds"
HELP = (
    "turn an Open Referral HSDS 3.0 JSON file or tabular package into listing files "
    "(one per service), reporting what could not be mapped"
)


def add_arguments(parser) -> None:
    parser.add_argument(
        "path",
        type=Path,
        metavar="PATH",
        help="HSDS JSON file, tabular package folder or its datapackage.json",
    )
    parser.add_argument("--out", type=Path, default=Path("providers"), metavar="DIR",
                        help="folder to write listing files into (default: providers)")  # fmt: skip
    parser.add_argument("--force", action="store_true",
                        help="replace listing files that already exist")  # fmt: skip
    parser.add_argument("--today", metavar="YYYY-MM-DD", help="treat this day as today")


def run(args) -> int:
    result = import_hsds(args.path, args.out, force=args.force, today=parse_today(args.today))
    for line in result.unmapped:
        print(f"not mapped: {line}")
    for line in result.skipped:
        print(f"skipped: {line}")
    for path in result.written:
        needs = result.needs.get(str(path))
        if needs:
            print(f"wrote {path}: needs review; fill in: {', '.join(needs)}")
        else:
            print(f"wrote {path}: review it before publishing")
    if result.needs:
        print(
            f"{len(result.needs)} file(s) lack required fields: `waystation validate` reports "
            "them until they are filled in."
        )
    return 1 if result.skipped and not result.written else 0
