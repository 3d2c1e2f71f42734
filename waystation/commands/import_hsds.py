"""``waystation import-hsds PATH``: start or refresh listings from 211 data (HSDS 1.x-3.0)."""

from __future__ import annotations

from pathlib import Path

from waystation.commands.validate import parse_today
from waystation.opendata.hsds_import import ImportOptions, import_hsds
from waystation.opendata.hsds_import.report import as_markdown, as_text

NAME = "import-hsds"
HELP = (
    "turn Open Referral HSDS data (1.0/1.1, 2.0 or 3.0; a tabular package, zip or JSON) "
    "into draft listing files, or refresh them from a newer export, with one report"
)


def add_arguments(parser) -> None:
    parser.add_argument(
        "path",
        type=Path,
        metavar="PATH",
        help="a tabular package (folder, datapackage.json or zip), an HSDS JSON file, or a "
        "folder of JSON pages",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("providers"),
        metavar="DIR",
        help="folder to write listing files into (default: providers)",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        default=[],
        metavar="TERM",
        help="import only services with one of these taxonomy codes or code "
        "prefixes (FN-1500.3400, BH-1800), words of a term's name ('human "
        "trafficking') or Waystation terms (emergency-shelter)",
    )
    parser.add_argument(
        "--report",
        type=Path,
        metavar="FILE",
        help="also write the report as Markdown (for a pull request)",
    )
    parser.add_argument(
        "--taxonomy-map",
        type=Path,
        metavar="FILE",
        help="extra taxonomy mapping entries, read after waystation/data/hsds_taxonomy_map.yaml",
    )
    parser.add_argument(
        "--state",
        type=Path,
        metavar="FILE",
        help="the import state file (default: DIR/_hsds_import_state.json)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace existing files, and reviewers' changes, with the export's values",
    )
    parser.add_argument("--today", metavar="YYYY-MM-DD", help="treat this day as today")


def run(args) -> int:
    options = ImportOptions(
        out=args.out,
        only=list(args.only),
        force=args.force,
        today=parse_today(args.today),
        taxonomy_map=args.taxonomy_map,
        state_file=args.state,
    )
    result = import_hsds(args.path, options)
    print(as_text(result), end="")
    if args.report:
        args.report.write_text(as_markdown(result), encoding="utf-8")
        print(f"Markdown report written to {args.report}")
    written = [o for o in result.outcomes if o.status in ("new", "updated", "unchanged")]
    return 1 if result.outcomes and not written else 0
