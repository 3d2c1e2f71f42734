"""``waystation from-issue FILE``: turn a filled issue form into a listing file.

For a "New listing" issue, writes ``providers/<id>.md`` (never over an
existing file); for a "Correct a listing" issue, changes only the fields the
form fills in and prints the diff.  Then validates the result and prints the
problems in the validator's format.  Exit status: 0 valid, 1 problems, 2 wrong
usage.  Typical use, with the GitHub CLI::

    gh issue view 123 --json body > issue.json
    waystation from-issue issue.json
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import sys
import tempfile
from pathlib import Path

from waystation import settings as settings_mod
from waystation.commands.validate import parse_today
from waystation.contribute import issue_forms, issue_listing, item_edits
from waystation.contribute.github_markdown import printable, printable_lines
from waystation.exc import UsageError, WaystationError
from waystation.records import rules
from waystation.records.listing_writer import read_front_matter, render_listing, replace_fields
from waystation.records.problems import Problem, Severity, sort_problems, summary_line
from waystation.records.source import ID_PATTERN, iter_listing_paths, read_listing
from waystation.records.validation import (
    CrossKeys,
    ValidationResult,
    check_source,
    cross_file_problems,
    load_listings,
)

NAME = "from-issue"
HELP = "turn a filled 'new listing' or 'correct a listing' issue form into a listing file"

MAX_BYTES = 256 * 1024


def add_arguments(parser) -> None:
    parser.add_argument(
        "file",
        metavar="FILE",
        help="the issue body (Markdown as GitHub writes it, or the JSON of "
        "`gh issue view N --json body`); '-' reads standard input",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="the listings folder (default: the PROVIDERS_PATH setting, 'providers')",
    )
    parser.add_argument("--id", metavar="ID", help="the new listing's id (default: from name+city)")
    parser.add_argument(
        "--listing",
        metavar="ID",
        help="for a correction: the listing to change (default: the one the issue names)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print what would be written; write nothing"
    )
    parser.add_argument(
        "--confirmed-with-provider",
        action="store_true",
        help="for a correction that makes a confidential (approximate or hidden) location "
        "public or gives it a street: a reviewer confirmed with the provider that the "
        "place may be shown (without it, such a correction is refused)",
    )
    parser.add_argument(
        "--today", metavar="YYYY-MM-DD", help="check dates against this day instead of today"
    )


def read_issue(name: str) -> tuple[str, str]:
    """The issue body and the name to show in messages."""
    if name == "-":
        raw = sys.stdin.buffer.read(MAX_BYTES + 1)
        shown = "<stdin>"
    else:
        path = Path(name)
        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_BYTES + 1)
        except OSError as error:
            raise UsageError(f"cannot read {name}: {error.strerror}") from error
        shown = name
    if len(raw) > MAX_BYTES:
        raise UsageError(f"{shown} is larger than {MAX_BYTES // 1024} KB: is it an issue body?")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UsageError(f"{shown} is not UTF-8 text") from error
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("body"), str):
            text = data["body"]
    return text, shown


def run(args) -> int:
    today = parse_today(args.today)
    conf = settings_mod.load(args.config)
    out = args.out or Path(conf["PROVIDERS_PATH"])
    if not out.is_dir():
        raise UsageError(f"--out {out}: no such folder")
    body, shown = read_issue(args.file)
    form = issue_forms.detect_form(body)
    if form is None:
        raise UsageError(
            f"{shown} is not a filled 'New listing' or 'Correct a listing' form (no "
            "'### Name of the program or site' or '### Listing to correct' heading)"
        )
    if form.kind == "report-a-problem":
        raise UsageError(
            f"{shown} is a 'Report a problem' issue: read it and edit the listing by hand"
        )
    answers = issue_forms.parse_body(body, form)
    if form.kind == "new-listing":
        path, text, problems, notes = _new(args, answers, shown, out, form.lang)
        original = None
    else:
        path, original, text, problems, notes = _correct(args, answers, shown, out, form.lang)

    if original is not None:
        diff = list(
            difflib.unified_diff(
                original.splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile=f"a/{path.as_posix()}",
                tofile=f"b/{path.as_posix()}",
            )
        )
        if diff:
            sys.stdout.write(printable_lines("".join(diff)))
        else:
            print(f"{path.as_posix()}: the form changes nothing")
    if args.dry_run:
        if original is None:
            sys.stdout.write(printable_lines(text))
        print(f"(dry run: {path.as_posix()} not written)")
    elif original is None or text != original:
        path.write_text(text, encoding="utf-8", newline="\n")
        print(f"wrote {path.as_posix()}")
    for note in notes:
        print(f"note: {printable(note, 1000)}")
    problems = problems + _validate(path, text, today, conf["STALE_AFTER_DAYS"], out)
    problems = sort_problems(problems)
    for problem in problems:
        print(problem.format_text())
    print(summary_line(problems, 1))
    return 1 if any(p.is_error for p in problems) else 0


def _new(args, answers, shown: str, out: Path, lang: str = "en"):
    conv = issue_listing.new_listing(answers, shown, lang)
    ident = args.id or issue_listing.new_id(conv.fields)
    if not ID_PATTERN.fullmatch(ident):
        raise UsageError(
            f"{ident!r} is not a valid listing id: use 3-80 lowercase letters, digits and '-' "
            "(choose one with --id)"
        )
    path = out / f"{ident}.md"
    if path.exists():
        raise WaystationError(
            f"{path.as_posix()} already exists: if the issue is about that provider, change the "
            f"listing instead (--listing {ident}); otherwise choose another id with --id"
        )
    text = render_listing(conv.fields, conv.body or "")
    notes = []
    mark = issue_listing.translate_mark(conv, lang)
    if mark:
        # Right after the opening '---' and the schema line: the first thing a reviewer
        # and a translator see.  A comment: nothing is published from it.
        head, rest = text.split("\n", 2)[:2], text.split("\n", 2)[2]
        text = "\n".join([*head, mark, rest])
        notes.append(
            f"the form was answered in {lang}: its texts are in translations.{lang}; the "
            f"English {', '.join(k for k in conv.untranslated if k != 'name') or 'name'} "
            "are left for a translator (marked in the file)"
        )
    return path, text, conv.problems, notes


def _correct(args, answers, shown: str, out: Path, lang: str = "en"):
    conv = issue_listing.correction(answers, shown, lang)
    ident = args.listing or conv.listing
    if not ident:
        raise UsageError(f"{shown} names no listing to correct: give one with --listing ID")
    path = out / f"{ident}.md"
    if not ID_PATTERN.fullmatch(ident) or path.is_symlink() or not path.is_file():
        raise UsageError(
            f"no listing {printable(path.as_posix())}: check the listing named in the issue, "
            "or give the right one with --listing ID"
        )
    original = path.read_text(encoding="utf-8-sig")
    src, _ = read_front_matter(original, path.as_posix())
    updates, body, problems, notes = issue_listing.apply_correction(
        src.data or {}, src.body, conv, shown
    )
    exposed = _exposes(src.data or {}, updates)
    if exposed and not args.confirmed_with_provider:
        raise WaystationError(
            f"{path.as_posix()} has a confidential location ({exposed[0]}), and this "
            f"correction would {exposed[1]}. Nothing was written. Only if the provider "
            "confirmed to a reviewer, in writing, that the place may be shown: run again "
            "with --confirmed-with-provider (see CONTRIBUTING.md, 'For reviewers')"
        )
    text = replace_fields(original, updates, body) if (updates or body is not None) else original
    text, change_problems = _one_item_changes(text, conv, answers, shown)
    if conv.untranslated:
        notes.append(
            f"the form was answered in {lang}: it changes translations.{lang} "
            f"({', '.join(conv.untranslated)}); check whether the English texts need the "
            "same change"
        )
    if text == original.replace("\r\n", "\n"):
        text = original
    return path, original, text, conv.problems + problems + change_problems, notes


def _exposes(current: dict, updates: dict) -> tuple[str, str] | None:
    """(current visibility, what the correction would do) when ``updates`` would publish
    more of a confidential location than it shows now, else None."""
    old = current.get("location") if isinstance(current.get("location"), dict) else {}
    visibility = old.get("visibility")
    new = updates.get("location")
    if visibility == "public" or not isinstance(new, dict):
        return None
    if new.get("visibility") == "public":
        return str(visibility), "make it public (full address, precise map point)"
    gained = [k for k in ("street", "street2", "coordinates") if new.get(k) and not old.get(k)]
    if gained:
        return str(visibility), f"add location.{gained[0]} to it"
    return None


def _one_item_changes(text: str, conv, answers, shown: str) -> tuple[str, list[Problem]]:
    """``text`` with each "add, change or remove one item" request made, only its lines
    changed; a request that cannot be made is a problem at its line of the issue."""
    problems: list[Problem] = []
    answer = answers.get("changes")
    for change in conv.changes:
        try:
            text = item_edits.apply_change(text.replace("\r\n", "\n"), change)
        except ValueError as error:
            line = (answer.line if answer else 1) + change.offset
            label = answer.label if answer else "changes"
            problems.append(Problem(shown, line, 1, Severity.ERROR, "changes",
                                    f"'{label}': line {change.offset + 1}: {error}",
                                    "issue_form"))  # fmt: skip
    return text, problems


def _validate(path: Path, text: str, today, stale_after_days: int, folder: Path) -> list[Problem]:
    """The validator's problems for ``text`` as if it were the file at ``path``, with the
    checks across files run against the other listings in ``folder`` (the same phone or
    website on another organization's listing, the same name in the same city), so they
    show now, at the new file's lines, not first in the pull request or the build."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / path.name
        copy.write_text(text, encoding="utf-8", newline="\n")
        src = read_listing(copy, path.as_posix())
        listing, problems = check_source(src, rules.Context(today, stale_after_days))
        if listing is not None:
            problems += _across_files(listing, copy, path, folder, today, stale_after_days)
    return problems


def _across_files(listing, copy: Path, path: Path, folder: Path, today, stale_after_days: int):
    """Cross-file problems of the new text (at ``copy``) against the rest of ``folder``."""
    target = path.resolve()
    others = [p for p in iter_listing_paths(folder) if p.resolve() != target]
    if not others:
        return []
    result = load_listings(others, today=today, stale_after_days=stale_after_days)
    summaries = [CrossKeys.of(item) for item in result.listings]
    summaries.append(dataclasses.replace(CrossKeys.of(listing), source_path=str(copy)))
    found = cross_file_problems(ValidationResult(), summaries)
    return [
        dataclasses.replace(problem, file=path.as_posix())
        for problem in found
        if problem.file == str(copy)
    ]
