"""``waystation validate [PATHS]``: check listing files and report every problem."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from waystation import settings as settings_mod
from waystation.exc import UsageError
from waystation.records.problems import format_report
from waystation.records.validation import load_listings

NAME = "validate"
HELP = "check listing files and report every problem, one line each, with file and line"


def parse_today(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise UsageError(f"--today: '{value}' is not a date; write YYYY-MM-DD") from error


def add_paths_argument(parser) -> None:
    """The listing files or folders a command reads (shared by validate and stale)."""
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="listing files or folders (default: the PROVIDERS_PATH setting, 'providers')",
    )


def add_arguments(parser) -> None:
    add_paths_argument(parser)
    parser.add_argument(
        "--format",
        choices=["text", "github", "json"],
        default="text",
        help="text (default), github (workflow annotations, then the full report) or json",
    )
    parser.add_argument("--strict", action="store_true", help="fail on warnings too")
    parser.add_argument(
        "--today",
        metavar="YYYY-MM-DD",
        help="check staleness and future dates against this day instead of today",
    )


def run(args) -> int:
    today = parse_today(args.today)
    conf = settings_mod.load(args.config)
    paths = args.paths or [Path(conf["PROVIDERS_PATH"])]
    result = load_listings(
        paths,
        today=today,
        stale_after_days=conf["STALE_AFTER_DAYS"],
        keep_listings=False,
        workers=conf.get("BUILD_WORKERS") or 0,
    )
    print(format_report(result.problems, args.format, result.files))
    return 0 if result.ok(strict=args.strict) else 1
