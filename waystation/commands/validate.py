"""``waystation validate [PATHS]``: check listing files and report every problem.

With ``--only FILE`` or ``--changed-since REV`` (what a pull request's check uses)
every file is still checked, and every error is still reported (a change can break
another file: the same id twice), but warnings are reported only for the files
named or changed, so a pull request is not told about other organizations' stale
dates; the weekly workflow reports everything.
"""

from __future__ import annotations

import datetime as dt
import subprocess
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
    parser.add_argument(
        "--only",
        action="append",
        type=Path,
        metavar="FILE",
        help="report warnings only for this file (repeat for several); errors are reported "
        "for every file",
    )
    parser.add_argument(
        "--changed-since",
        metavar="REV",
        help="report warnings only for the files changed since the git revision REV (e.g. "
        "the pull request's base); errors are reported for every file",
    )


def changed_files(rev: str) -> list[Path]:
    """The files changed since ``rev`` (committed, staged, edited or new), from git."""

    def git(*argv: str) -> str:
        try:
            proc = subprocess.run(
                ["git", *argv], capture_output=True, text=True, timeout=60, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise UsageError(f"--changed-since {rev}: cannot run git ({error})") from error
        if proc.returncode != 0:
            raise UsageError(
                f"--changed-since {rev}: git says: {proc.stderr.strip()} (give a commit git "
                "knows; in a shallow checkout, fetch it first, e.g. fetch-depth: 0)"
            )
        return proc.stdout

    top = Path(git("rev-parse", "--show-toplevel").strip())
    names = git("diff", "--name-only", "--no-renames", rev, "--").splitlines()
    names += git(
        "ls-files", "--others", "--exclude-standard", "--full-name", top.as_posix()
    ).splitlines()
    return [top / name for name in names if name.strip()]


def _in_scope(problems, only: list[Path]):
    """Errors everywhere; warnings only in ``only`` (files, or the files in folders)."""
    wanted = {path.resolve() for path in only}

    def named(file: str) -> bool:
        path = Path(file).resolve()
        return path in wanted or any(folder in wanted for folder in path.parents)

    return [p for p in problems if p.is_error or named(p.file)]


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
    problems = result.problems
    scope = None
    if args.only is not None or args.changed_since:
        scope = list(args.only or []) + (
            changed_files(args.changed_since) if args.changed_since else []
        )
        problems = _in_scope(problems, scope)
    print(format_report(problems, args.format, result.files))
    if scope is not None:
        hidden = len(result.problems) - len(problems)
        print(
            f"warnings are shown only for the {len(scope)} file(s) named or changed"
            + (
                f"; {hidden} warning(s) about other files are left to the weekly check"
                if hidden
                else ""
            )  # fmt: skip
        )
    errors = any(p.is_error for p in problems)
    return 1 if errors or (args.strict and problems) else 0
