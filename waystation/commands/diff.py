"""``waystation diff BASE [HEAD]``: what a change does to the directory, for reviewers."""

from __future__ import annotations

import sys
from pathlib import Path

from waystation import settings as settings_mod
from waystation.commands.validate import parse_today
from waystation.contribute import review_diff

NAME = "diff"
HELP = (
    "summarize what changes between two git revisions, listing by listing "
    "(HEAD defaults to the working tree); exit 1 if a change must not be merged"
)


def add_arguments(parser) -> None:
    parser.add_argument("base", metavar="BASE", help="the revision to compare from (e.g. main)")
    parser.add_argument(
        "head",
        nargs="?",
        metavar="HEAD",
        help="the revision to compare to (default: the working tree, uncommitted and "
        "untracked files included)",
    )
    parser.add_argument(
        "--format",
        choices=["markdown", "text"],
        default="text",
        help="text (default) or markdown (the pull-request comment)",
    )
    parser.add_argument(
        "--providers",
        type=Path,
        metavar="DIR",
        help="the listings folder (default: the PROVIDERS_PATH setting, 'providers')",
    )
    parser.add_argument(
        "--output", type=Path, metavar="FILE", help="write the summary to FILE instead of stdout"
    )
    parser.add_argument(
        "--today", metavar="YYYY-MM-DD", help="check dates against this day instead of today"
    )


def run(args) -> int:
    today = parse_today(args.today)
    conf = settings_mod.load(args.config)
    folder = args.providers or Path(conf["PROVIDERS_PATH"])
    root = review_diff.repository_root(Path.cwd())
    result = review_diff.review(
        root,
        args.base,
        args.head,
        review_diff.relative_folder(root, folder),
        today=today,
        stale_after_days=conf["STALE_AFTER_DAYS"],
    )
    text = (
        review_diff.format_markdown(result)
        if args.format == "markdown"
        else review_diff.format_text(result)
    )
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    if result.errors:
        print(
            f"waystation diff: {result.errors} error(s): a confidential location with a street "
            "or an invalid listing; fix them before merging",
            file=sys.stderr,
        )
        return 1
    return 0
