"""``waystation coverage``: where is there no help within reach?

Without ``--diff``: computes the coverage of the working tree's directory, prints the
share of ZIP areas beyond reach for each service group and, with ``--output DIR``,
writes ``coverage.csv``, ``coverage.json`` and ``coverage/regions.json`` there (what the
build's post-build step writes).

``--diff BASE``: compares the directory at git revision BASE with the working tree and
prints the Markdown summary for a pull request or an issue: which gaps the change
closes or opens, and where.  The listing files at BASE are read the way
``waystation diff`` reads them (:func:`waystation.contribute.review_diff.changed_files`
and :func:`~waystation.contribute.review_diff.read_blobs`: one ``git diff`` and one
``git cat-file``); every name is escaped for GitHub
(:mod:`waystation.contribute.github_markdown`).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from waystation import settings as settings_mod
from waystation.commands.validate import parse_today
from waystation.contribute import github_markdown, review_diff
from waystation.coverage import changes, summary
from waystation.coverage.files import write_files
from waystation.coverage.report import coverage_of
from waystation.directory import Directory, build_directory
from waystation.exc import ListingsInvalid, WaystationError
from waystation.records import vocabulary

NAME = "coverage"
HELP = (
    "report where no listing offers a service within reach (COVERAGE_REACH_MILES); with "
    "--diff BASE, summarize in Markdown how the working tree's changes move the gaps"
)


def add_arguments(parser) -> None:
    parser.add_argument(
        "--diff", metavar="BASE",
        help="compare the listings at git revision BASE (e.g. origin/main) with the working "
        "tree and print the Markdown summary for a pull request",
    )  # fmt: skip
    parser.add_argument(
        "--output", "-o", type=Path, metavar="DIR",
        help="write coverage.csv, coverage.json and coverage/regions.json into DIR",
    )  # fmt: skip
    parser.add_argument(
        "--summary", type=Path, metavar="FILE",
        help="with --diff: write the Markdown summary to FILE instead of standard output",
    )  # fmt: skip
    parser.add_argument("--today", metavar="YYYY-MM-DD", help="treat this day as today")


def _directory(conf: dict, root: Path, today, where: str) -> Directory:
    try:
        return build_directory(conf, root, today, with_history=False)
    except ListingsInvalid as error:
        for problem in error.problems:
            if problem.is_error:
                print(problem.format_text(), file=sys.stderr)
        raise WaystationError(
            f"the listings {where} have errors: fix them (run `waystation validate`) and "
            "run `waystation coverage` again"
        ) from None


def base_directory(conf: dict, project: Path, base: str, today) -> tuple[Directory, list]:
    """The directory at revision ``base``: the working tree's listing files with the
    changed ones put back as they were at ``base``; and the changed files."""
    root = review_diff.repository_root(project)
    providers = (project / conf["PROVIDERS_PATH"]).resolve()
    folder = review_diff.relative_folder(root, providers)
    files = review_diff.changed_files(root, base, None, folder)
    old = review_diff.read_blobs(root, base, [o for _, o, _ in files if o])
    with tempfile.TemporaryDirectory(prefix="waystation-coverage-") as tmp:
        copy = Path(tmp) / "providers"
        shutil.copytree(providers, copy)
        for _, old_path, new_path in files:
            if new_path:
                (copy / Path(new_path).relative_to(folder)).unlink(missing_ok=True)
            if old_path and old_path in old:
                target = copy / Path(old_path).relative_to(folder)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(old[old_path])
        cache = (project / conf["GEOCODE_CACHE"]).resolve()
        at_base = {**conf, "PROVIDERS_PATH": str(copy), "GEOCODE_CACHE": str(cache)}
        return _directory(at_base, Path(tmp), today, f"at {base}"), files


def _names(directory: Directory, paths: set[str]) -> dict[str, str]:
    """Listing names by file path relative to the repository (``providers/x.md``)."""
    found = {}
    for listing in directory.listings:
        source = Path(listing.source_path).as_posix()
        for path in paths:
            if source == path or source.endswith("/" + path) or path.endswith("/" + source):
                found[path] = str(directory.public(listing, "en").get("name") or listing.id)
    return found


def changed_listings(before: Directory, after: Directory, files: list) -> list[tuple[str, str]]:
    """(name, what happened) of every changed listing file."""
    old_names = _names(before, {o for _, o, _ in files if o})
    new_names = _names(after, {n for _, _, n in files if n})
    result = []
    for status, old_path, new_path in files:
        if status == "A":
            result.append((new_names.get(new_path, new_path), "added"))
        elif status == "D":
            result.append((old_names.get(old_path, old_path), "removed"))
        else:
            name = new_names.get(new_path) or old_names.get(old_path) or new_path
            result.append((name, "changed" if status == "M" else "renamed"))
    return result


def run(args) -> int:
    conf = settings_mod.load(args.config)
    today = parse_today(args.today)
    project = Path.cwd()
    directory = _directory(conf, project, today, "in the working tree")
    after = coverage_of(directory, conf, project)
    if args.output:
        for path in write_files(after, args.output):
            print(path)
    if args.diff:
        before_directory, files = base_directory(conf, project, args.diff, today)
        before = coverage_of(before_directory, conf, project)
        result = changes.compare(
            before, after, changed_listings(before_directory, directory, files)
        )
        text = changes.format_markdown(result, changes.data_name, github_markdown.code_span)
        if args.summary:
            args.summary.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return 0
    if not args.output:
        sys.stdout.write(format_text(after))
    return 0


def format_text(coverage) -> str:
    """The nation's gaps by service group, for a terminal."""
    rows = summary.national(summary.state_rows(coverage), "group")
    unit = "people" if coverage.weighting == "population" else "ZIP areas"
    reach, far = f"{coverage.reach_miles:g}", f"{coverage.far_miles:g}"
    lines = [
        f"Share of {unit} with no in-person listing within {reach} mi (and {far} mi); "
        f"{len(coverage.areas)} ZIP areas, {coverage.listings} open listings:",
    ]
    for row in rows:
        label = vocabulary.service_group(row.id).label_in("en")
        lines.append(
            f"  {label:<28} {row.beyond_reach * 100:5.1f} % ({row.beyond_far * 100:5.1f} %), "
            f"reached only from afar {row.remote_only * 100:5.1f} %, "
            f"nothing {row.no_help * 100:5.1f} %"
        )
    return "\n".join(lines) + "\n"
