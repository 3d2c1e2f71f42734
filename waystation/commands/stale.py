"""``waystation stale``: the listings due for re-verification, with their contacts."""

from __future__ import annotations

import sys
from pathlib import Path

from waystation import settings as settings_mod
from waystation.commands.validate import add_paths_argument, parse_today
from waystation.contribute import stale, stale_ticks
from waystation.exc import UsageError
from waystation.records.validation import load_listings

NAME = "stale"
HELP = "list the published listings due for re-verification (oldest first), with contacts"


def add_arguments(parser) -> None:
    add_paths_argument(parser)
    parser.add_argument(
        "--days",
        type=int,
        metavar="N",
        help="stale after N days (default: the STALE_AFTER_DAYS setting, 365)",
    )
    parser.add_argument(
        "--format",
        choices=["text", "markdown", "json"],
        default="text",
        help="text (default), markdown (a checklist for the weekly issue) or json",
    )
    parser.add_argument(
        "--today", metavar="YYYY-MM-DD", help="count ages from this day instead of today"
    )
    parser.add_argument(
        "--keep-ticks-from",
        metavar="FILE",
        type=Path,
        help="with --format markdown: tick again the boxes ticked in FILE (the weekly "
        "issue's body now) for the listings still due",
    )


def run(args) -> int:
    today = parse_today(args.today)
    conf = settings_mod.load(args.config)
    days = conf["STALE_AFTER_DAYS"] if args.days is None else args.days
    if days < 0:
        raise UsageError(f"--days {days}: give 0 or more")
    paths = args.paths or [Path(conf["PROVIDERS_PATH"])]
    result = load_listings(paths, today=today, stale_after_days=days)
    broken = sorted({p.file for p in result.problems if p.is_error})
    if broken:
        print(
            f"waystation stale: note: {len(broken)} file(s) have errors and are not in this "
            "report: run `waystation validate` to see them",
            file=sys.stderr,
        )
    items = stale.stale_listings(result.listings, today, days)
    formatter = {
        "text": stale.format_text,
        "markdown": stale.format_markdown,
        "json": stale.format_json,
    }[args.format]
    text = formatter(items, today, days)
    if args.keep_ticks_from is not None:
        if args.format != "markdown":
            raise UsageError("--keep-ticks-from: only with --format markdown")
        try:
            previous = args.keep_ticks_from.read_text(encoding="utf-8")
        except OSError as error:
            raise UsageError(
                f"--keep-ticks-from {args.keep_ticks_from}: cannot read it ({error.strerror}); "
                "give the file holding the issue's current body"
            ) from None
        text = stale_ticks.keep_ticks(previous, text)
    print(text)
    return 0
