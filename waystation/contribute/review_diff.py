"""What a change does to the directory, listing by listing, for reviewers.

:func:`review` compares the listing files of two git revisions (or a revision
and the working tree): listings added, removed and renamed, every changed
field with its old and new value (``location.city``, ``phones[0].number``),
and flags for what a reviewer must not miss:

- **error**: a confidential (approximate or hidden) location that has a street
  address or coordinates, and files that fail validation;
- **warning**: visibility changes (a public address becoming confidential, or a
  confidential place becoming public), listings unpublished (status
  ``inactive``) or removed, ids changed, a date of verification going back,
  something that looks like a street address in a confidential listing's text;
- **note**: content changed but ``last_verified`` did not.

Only the changed files are read (``git diff --name-status`` then one
``git cat-file --batch``), so a review of a large directory stays quick.
:func:`format_markdown` writes the pull-request comment (every listing value
in a code span, so nothing in a listing renders as a link, an image or a
mention); :func:`format_text` the same for a terminal.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from waystation.contribute.github_markdown import code_block, code_span, printable
from waystation.exc import UsageError, WaystationError
from waystation.records import git_objects, rules
from waystation.records.field_changes import MISSING, FieldChange, compare, flatten
from waystation.records.listing_versions import read_versions
from waystation.records.problems import Problem
from waystation.records.source import SourceFile, read_listing
from waystation.records.validation import check_source

MARKER = "<!-- waystation-review-summary -->"
CONFIDENTIAL = ("approximate", "hidden")
# "1817 S Cobblestone Ave", "25 West 4th Street": a number, words, a street type.
_STREET_LIKE = re.compile(
    r"\b\d{1,6}\s+(?:[NSEW]\.?\s+)?(?:[A-Z0-9][\w'.-]*\s+){1,4}"
    r"(?:St|Street|Ave|Avenue|Rd|Road|Blvd|Boulevard|Dr|Drive|Ln|Lane|Way|Ct|Court|Pl|Place|"
    r"Pkwy|Parkway|Hwy|Highway|Ter|Terrace|Cir|Circle|Calle|Carr|Carretera)\b\.?"
)


@dataclass(frozen=True)
class Flag:
    """What a reviewer must not miss.  ``message`` is the tool's own text, with ``{}``
    where each of ``values`` (listing values, untrusted) goes: :meth:`markdown` puts
    them in code spans, :meth:`text` makes them printable."""

    severity: str  # error | warning | note
    message: str
    values: tuple[str, ...] = ()

    def markdown(self) -> str:
        return self.message.format(*(code_span(v, 150) for v in self.values))

    def text(self) -> str:
        return self.message.replace("`", "").format(*(repr(printable(v, 150)) for v in self.values))


@dataclass
class ListingChange:
    kind: str  # added | removed | changed | renamed
    path: str  # the file at HEAD (or at BASE when removed)
    old_path: str | None = None
    name: str = ""
    fields: list[FieldChange] = field(default_factory=list)
    body_diff: str = ""
    flags: list[Flag] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # validation at HEAD
    summary: list[tuple[str, Any]] = field(default_factory=list)  # for added listings

    @property
    def errors(self) -> int:
        return sum(1 for f in self.flags if f.severity == "error") + sum(
            1 for p in self.problems if p.is_error
        )


@dataclass
class Review:
    base: str
    head: str  # a revision, or "working tree"
    changes: list[ListingChange] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(c.errors for c in self.changes)

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)


# -- git -------------------------------------------------------------------------------------


def _git(root: Path, *args: str, data: bytes | None = None) -> bytes:
    try:
        return git_objects.run_git(root, *args, data=data)
    except git_objects.GitUnavailable as error:
        raise WaystationError(f"{error} (to compare revisions)") from error


def repository_root(start: Path) -> Path:
    try:
        out = _git(start, "rev-parse", "--show-toplevel")
    except WaystationError as error:
        raise UsageError(
            f"{start} is not in a git repository: `waystation diff` compares git revisions"
        ) from error
    return Path(out.decode().strip())


def _check_revision(root: Path, rev: str, what: str) -> str:
    if rev.startswith("-"):
        raise UsageError(f"{what} '{rev}' is not a revision")
    try:
        return _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").decode().strip()
    except WaystationError as error:
        raise UsageError(
            f"{what} '{rev}' is not a commit in this repository (for a branch of the remote, "
            "fetch it first: git fetch origin main, then use origin/main)"
        ) from error


def _is_listing(path: str, folder: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return (
        path.startswith(folder.rstrip("/") + "/")
        and name.endswith(".md")
        and not name.startswith("_")
    )  # a name with a leading dot or a control character is reviewed (and refused)


def changed_files(
    root: Path, base: str, head: str | None, folder: str
) -> list[tuple[str, str | None, str | None]]:
    """``(status, old path, new path)`` of listing files changed from ``base`` to ``head``
    (``None``: the working tree, untracked files included)."""
    args = ["diff", "--name-status", "-z", "--find-renames=90%", "--no-ext-diff", base]
    if head:
        args.append(head)
    out = _git(root, *args, "--", folder).decode("utf-8", "surrogateescape")
    parts = out.split("\0")
    result: list[tuple[str, str | None, str | None]] = []
    index = 0
    while index < len(parts) and parts[index]:
        status = parts[index]
        if status[0] in "RC":
            old, new = parts[index + 1], parts[index + 2]
            index += 3
        else:
            old = new = parts[index + 1]
            index += 2
        letter = status[0]
        old_ok, new_ok = _is_listing(old, folder), _is_listing(new, folder)
        if letter == "R":
            if old_ok and new_ok:
                result.append(("R", old, new))
            elif old_ok:
                result.append(("D", old, None))
            elif new_ok:
                result.append(("A", None, new))
        elif letter == "C":
            if new_ok:
                result.append(("A", None, new))
        elif letter == "A" and new_ok:
            result.append(("A", None, new))
        elif letter == "D" and old_ok:
            result.append(("D", old, None))
        elif letter in "MT" and new_ok:
            result.append(("M", old, new))
    if head is None:
        untracked = _git(root, "ls-files", "-z", "--others", "--exclude-standard", "--", folder)
        for path in untracked.decode("utf-8", "surrogateescape").split("\0"):
            if path and _is_listing(path, folder):
                result.append(("A", None, path))
    return sorted(result, key=lambda r: r[2] or r[1] or "")


def read_blobs(root: Path, rev: str, paths: list[str]) -> dict[str, bytes]:
    """The contents of ``paths`` at ``rev``, in one ``git cat-file --batch`` call."""
    try:
        found = git_objects.read_blobs(root, [f"{rev}:{p}" for p in paths])
    except git_objects.GitUnavailable as error:
        raise WaystationError(str(error)) from error
    return {p: found[f"{rev}:{p}"] for p in paths if f"{rev}:{p}" in found}


# -- comparing -------------------------------------------------------------------------------


@dataclass
class _Parsed:
    data: dict[str, Any] | None
    body: str
    problems: list[Problem]


def _parse(
    blobs: dict[str, bytes],
    ctx: rules.Context,
    validate: bool,
    files: dict[str, SourceFile] | None = None,
) -> dict[str, _Parsed]:
    """``blobs`` (read from git) and ``files`` (already read from the working tree)
    parsed and, when ``validate``, checked."""
    versions = {**read_versions(blobs, {path: path for path in blobs}), **(files or {})}
    parsed: dict[str, _Parsed] = {}
    for path, src in sorted(versions.items()):
        problems = check_source(src, ctx)[1] if validate else []
        parsed[path] = _Parsed(src.data, src.body, problems)
    return parsed


def _location(data: dict[str, Any] | None) -> dict[str, Any]:
    loc = (data or {}).get("location")
    return loc if isinstance(loc, dict) else {}


def _texts(data: dict[str, Any] | None, body: str) -> list[tuple[str, str]]:
    """(field, text) of the free text a confidential address could hide in."""
    out = [("description", body)]
    for key, value in flatten(data or {}).items():
        if key.startswith("location.street"):
            continue
        if isinstance(value, str):
            out.append((key, value))
        elif isinstance(value, list):
            out.extend((key, v) for v in value if isinstance(v, str))
    return out


def _flags(
    old: _Parsed | None, new: _Parsed | None, fields: list[FieldChange], body_changed: bool
) -> list[Flag]:
    flags: list[Flag] = []
    new_data = new.data if new else None
    old_data = old.data if old else None
    new_loc, old_loc = _location(new_data), _location(old_data)
    visibility, old_visibility = new_loc.get("visibility"), old_loc.get("visibility")
    if new is not None and visibility in CONFIDENTIAL:
        for key in ("street", "street2", "coordinates"):
            if new_loc.get(key) not in (None, ""):
                gained = old is None or old_loc.get(key) in (None, "") or (
                    old_visibility not in CONFIDENTIAL
                )  # fmt: skip
                flags.append(
                    Flag(
                        "error",
                        f"CONFIDENTIAL LOCATION {'GAINS' if gained else 'HAS'} "
                        f"`location.{key}`: this {visibility} location must never have one "
                        "in a file (the repository is public). Remove it before merging; if "
                        "it was ever pushed, ask the maintainers to purge it from the history",
                    )
                )
        for key, text in _texts(new_data, new.body):
            if _STREET_LIKE.search(text or ""):
                flags.append(
                    Flag(
                        "warning",
                        "{} of this " + visibility + " location contains what looks like a "
                        "street address: make sure it is not the confidential place's address",
                        (key,),
                    )
                )
    if old is not None and new is not None and visibility != old_visibility:
        if old_visibility == "public" and visibility in CONFIDENTIAL:
            message = (
                f"VISIBILITY CHANGES public → {visibility}: the address will no longer be shown. "
                "The old street stays in the git history and in copies of the site: if the place "
                "must now be secret, ask the maintainers to purge it"
            )
        elif old_visibility in CONFIDENTIAL and visibility == "public":
            message = (
                f"VISIBILITY CHANGES {old_visibility} → public: the full address will be shown "
                "and mapped precisely. Confirm in writing with the provider that this is safe"
            )
        else:
            message = (
                "VISIBILITY CHANGES {} → {}: check with the provider how much of the "
                "location may be shown"
            )
        values = (str(old_visibility), str(visibility)) if "{}" in message else ()
        flags.append(Flag("warning", message, values))
    old_status = (old_data or {}).get("status") or "active"
    status = (new_data or {}).get("status") or "active"
    if old is not None and new is not None and status != old_status:
        if status == "inactive":
            flags.append(Flag("warning", "UNPUBLISHED: status becomes inactive, the listing "
                              "leaves the site"))  # fmt: skip
        elif old_status == "inactive":
            flags.append(
                Flag("warning", "PUBLISHED AGAIN: status {} → {}", (str(old_status), str(status)))
            )
        else:
            flags.append(Flag("note", "status {} → {}", (str(old_status), str(status))))
    if new is not None and old is None and status == "inactive":
        flags.append(Flag("note", "added as inactive: kept in the repository, not published"))
    if new is None and old is not None:
        flags.append(
            Flag(
                "warning",
                "REMOVED: the listing and its page disappear. To keep its history, prefer "
                "`status: inactive`",
            )
        )
    if old is not None and new is not None:
        old_date = str((old_data or {}).get("last_verified") or "")
        new_date = str((new_data or {}).get("last_verified") or "")
        content = [f for f in fields if f.path not in ("last_verified", "source")]
        if (content or body_changed) and old_date == new_date:
            flags.append(
                Flag(
                    "note",
                    "the content changes but `last_verified` does not: was the change confirmed "
                    "with the provider?",
                )
            )
        elif new_date and old_date and new_date < old_date:
            flags.append(
                Flag("warning", "`last_verified` goes back: {} → {}", (old_date, new_date))
            )
    return flags


REDACTED = "(not repeated here: confidential location)"
_SECRET = ("location.street", "location.coordinates")


def _redacted(change: FieldChange) -> FieldChange:
    if not change.path.startswith(_SECRET):
        return change
    return FieldChange(
        change.path,
        change.old if change.old is MISSING else REDACTED,
        change.new if change.new is MISSING else REDACTED,
    )


def _is_location_leak(problem: Problem) -> bool:
    return problem.rule.startswith(("street_on_", "coordinates_on_"))


def _body_diff(old: str, new: str) -> str:
    if old.strip() == new.strip():
        return ""
    return "\n".join(
        difflib.unified_diff(old.splitlines(), new.splitlines(), "before", "after", lineterm="")
    )


_SUMMARY_FIELDS = (
    "status",
    "location.visibility",
    "location.street",
    "location.city",
    "location.state",
    "location.postal_code",
    "services",
    "trafficking_types",
    "last_verified",
)


def review(
    root: Path,
    base: str,
    head: str | None,
    folder: str = "providers",
    today: dt.date | None = None,
    stale_after_days: int = 365,
) -> Review:
    """Compare the listings in ``folder`` (relative to ``root``) from ``base`` to ``head``
    (``None``: the working tree)."""
    root = repository_root(root)
    folder = folder.strip("/") or "."
    base_commit = _check_revision(root, base, "BASE")
    head_commit = _check_revision(root, head, "HEAD") if head else None
    files = changed_files(root, base_commit, head_commit, folder)
    old_paths = [old for _, old, _ in files if old]
    new_paths = [new for _, _, new in files if new]
    old_blobs = read_blobs(root, base_commit, old_paths)
    if head_commit:
        new_blobs = read_blobs(root, head_commit, new_paths)
    else:
        new_blobs = {}
    # The working tree is read by the validator's own reader: a symbolic link or a
    # device is refused there, never followed.
    worktree = {} if head_commit else {
        path: read_listing(root / path, path)
        for path in new_paths
        if (root / path).is_symlink() or (root / path).exists()
    }  # fmt: skip
    ctx = rules.Context(today or dt.date.today(), stale_after_days)
    before = _parse(old_blobs, ctx, validate=False)
    after = _parse(new_blobs, ctx, validate=True, files=worktree)
    result = Review(base, head or "working tree")
    for status, old_path, new_path in files:
        old = before.get(old_path) if old_path else None
        new = after.get(new_path) if new_path else None
        kind = {"A": "added", "D": "removed", "M": "changed", "R": "renamed"}[status]
        if old is None and new is None:
            continue
        if old is None:
            kind = "added"
        elif new is None:
            kind = "removed"
        data = (new.data if new else None) or (old.data if old else None) or {}
        name = data.get("name") if isinstance(data.get("name"), str) else ""
        fields = compare(old.data, new.data) if old and new else []
        if any(_location(p.data).get("visibility") in CONFIDENTIAL for p in (old, new) if p):
            fields = [_redacted(fc) for fc in fields]
        body_diff = _body_diff(old.body, new.body) if old and new else ""
        change = ListingChange(
            kind=kind,
            path=new_path or old_path or "",
            old_path=old_path if kind == "renamed" else None,
            name=name,
            fields=fields,
            body_diff=body_diff,
            flags=_flags(old, new, fields, bool(body_diff)),
            problems=[p for p in (new.problems if new else []) if p.is_error],
        )
        if any(f.message.startswith("CONFIDENTIAL LOCATION") for f in change.flags):
            # Already flagged, louder, above.
            change.problems = [p for p in change.problems if not _is_location_leak(p)]
        if kind == "renamed":
            change.flags.insert(
                0,
                Flag(
                    "warning",
                    "RENAMED: the listing's id changes, so its page moves and old links break",
                ),
            )
        if kind == "added" and new and new.data:
            flat = flatten(new.data)
            change.summary = [(k, flat[k]) for k in _SUMMARY_FIELDS if k in flat]
            if _location(new.data).get("visibility") in CONFIDENTIAL:
                change.summary = [
                    (k, REDACTED if k.startswith(_SECRET) else v) for k, v in change.summary
                ]
        if kind == "changed" and not fields and not body_diff and not change.problems:
            continue  # only formatting or comments changed
        result.changes.append(change)
    return result


# -- formatting ------------------------------------------------------------------------------


def _value_md(value: Any) -> str:
    if value is MISSING or value is None:
        return "*(none)*"
    if isinstance(value, list):
        return ", ".join(code_span(str(v)) for v in value) if value else "*(empty list)*"
    if isinstance(value, bool):
        return code_span("true" if value else "false")
    return code_span(str(value))


def _value_text(value: Any) -> str:
    if value is MISSING or value is None:
        return "(none)"
    if isinstance(value, list):
        return "[" + ", ".join(printable(str(v), 100) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(printable(str(value)))


def _list_delta(change: FieldChange) -> tuple[list[Any], list[Any]] | None:
    old = change.old if isinstance(change.old, list) else None
    new = change.new if isinstance(change.new, list) else None
    if old is None or new is None:
        return None
    return [v for v in new if v not in old], [v for v in old if v not in new]


def _delta_words(delta: tuple[list[Any], list[Any]], show: Callable[[str], str]) -> str:
    """``added 'a', 'b'; removed 'c'`` (each value through ``show``), or ``reordered``."""
    added, removed = delta
    bits = []
    if added:
        bits.append("added " + ", ".join(show(str(v)) for v in added))
    if removed:
        bits.append("removed " + ", ".join(show(str(v)) for v in removed))
    return "; ".join(bits) or "reordered"


_ICONS = {"added": "➕ Added", "removed": "➖ Removed", "changed": "✏️ Changed",
          "renamed": "🔀 Renamed"}  # fmt: skip
_FLAG_ICONS = {"error": "❌ **ERROR**", "warning": "⚠️ **WARNING**", "note": "ℹ️"}


def _headline(review_: Review) -> str:
    parts = [
        f"{review_.count(kind)} {kind}"
        for kind in ("added", "changed", "renamed", "removed")
        if review_.count(kind)
    ]
    return ", ".join(parts) if parts else "no listing changes"


def format_markdown(review_: Review) -> str:
    lines = [MARKER, "## What this change does to the directory", ""]
    lines.append(
        f"**{_headline(review_)}** (from {code_span(review_.base)} to {code_span(review_.head)})."
    )
    lines.append("")
    errors = review_.errors
    warnings = sum(1 for c in review_.changes for f in c.flags if f.severity == "warning")
    if errors:
        lines += [
            "> [!CAUTION]",
            f"> **{errors} error(s) must be fixed before merging** (see ❌ below).",
            "",
        ]
    if warnings:
        lines += [
            "> [!WARNING]",
            f"> **{warnings} change(s) need a careful look** (see ⚠️ below): visibility, "
            "publication or removal.",
            "",
        ]
    if not review_.changes:
        lines.append("No listing is added, removed or changed.")
    for change in review_.changes:
        title = f"### {_ICONS[change.kind]}: {code_span(change.path)}"
        if change.name:
            title += f" — {code_span(change.name, 150)}"
        lines += [title, ""]
        if change.old_path:
            lines.append(f"- from {code_span(change.old_path)}")
        for flag in change.flags:
            lines.append(f"- {_FLAG_ICONS[flag.severity]}: {flag.markdown()}")
        for problem in change.problems:
            where = f"{problem.path}: " if problem.path else ""
            lines.append(
                f"- ❌ **invalid** (line {problem.line}): {code_span(where + problem.message, 400)}"
            )
        for key, value in change.summary:
            lines.append(f"- {code_span(key)}: {_value_md(value)}")
        for fc in change.fields:
            delta = _list_delta(fc)
            if delta is not None:
                lines.append(f"- {code_span(fc.path)}: {_delta_words(delta, code_span)}")
            elif fc.added:
                lines.append(f"- {code_span(fc.path)}: added {_value_md(fc.new)}")
            elif fc.removed:
                lines.append(f"- {code_span(fc.path)}: removed (was {_value_md(fc.old)})")
            else:
                lines.append(f"- {code_span(fc.path)}: {_value_md(fc.old)} → {_value_md(fc.new)}")
        if change.body_diff:
            lines += [
                "- description changed:",
                "",
                "  <details><summary>show the change</summary>",
                "",
                *("  " + line for line in code_block(change.body_diff, "diff").split("\n")),
                "",
                "  </details>",
            ]
        lines.append("")
    lines.append(
        "<sub>Reviewers: call the provider to confirm new or changed contact details, check "
        "that no confidential address appears anywhere, and that `last_verified` is the date of "
        "that confirmation. See CONTRIBUTING.md.</sub>"
    )
    text = "\n".join(lines) + "\n"
    return _truncate(text)


def _truncate(text: str, limit: int = 60000) -> str:
    # GitHub refuses comments over 65536 characters.
    if len(text) <= limit:
        return text
    cut = text.rfind("\n### ", 0, limit)
    cut = cut if cut > 0 else limit
    return text[:cut] + (
        "\n\n**The summary is too long for a comment and was cut.** Run "
        "`waystation diff` locally to see all of it.\n"
    )


def format_text(review_: Review) -> str:
    lines = [f"{_headline(review_)} (from {review_.base} to {review_.head})"]
    if review_.errors:
        lines.append(f"{review_.errors} error(s) must be fixed before merging")
    for change in review_.changes:
        lines.append("")
        title = f"{change.kind.upper()}: {printable(change.path)}"
        if change.old_path:
            title += f" (from {printable(change.old_path)})"
        if change.name:
            title += f" — {printable(change.name, 150)}"
        lines.append(title)
        for flag in change.flags:
            lines.append(f"  {flag.severity.upper()}: {flag.text()}")
        for problem in change.problems:
            lines.append(f"  INVALID: {printable(problem.format_text(), 500)}")
        for key, value in change.summary:
            lines.append(f"  {key}: {_value_text(value)}")
        for fc in change.fields:
            delta = _list_delta(fc)
            if delta is not None:
                lines.append(f"  {printable(fc.path)}: {_delta_words(delta, printable)}")
            else:
                lines.append(
                    f"  {printable(fc.path)}: {_value_text(fc.old)} -> {_value_text(fc.new)}"
                )
        if change.body_diff:
            lines.append("  description changed:")
            lines.extend("    " + printable(line, 500) for line in change.body_diff.split("\n"))
    return "\n".join(lines) + "\n"


def relative_folder(root: Path, folder: Path) -> str:
    """``folder`` relative to the repository ``root``, with '/' separators."""
    absolute = folder if folder.is_absolute() else Path.cwd() / folder
    rel = os.path.relpath(absolute.resolve(), root.resolve())
    if rel.startswith(".."):
        raise UsageError(f"{folder} is outside the repository {root}")
    return Path(rel).as_posix()
