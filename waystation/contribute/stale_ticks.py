"""Reviewers' ticks kept when the weekly stale issue is rewritten.

Reviewers tick a listing's box in the "Listings to re-verify" issue once they have
confirmed it with the provider (and while their pull request waits).  Each week the
*Weekly maintenance* workflow writes the issue's body again (:mod:`.stale`); without
this, every tick would be cleared.  :func:`keep_ticks` merges the issue's current body
into the new one: a listing still due keeps its tick, a listing no longer due is gone
with its tick, a new listing starts unticked.

A listing's box is recognised by its file, the last code span of its line that names
a ``.md`` file (the name, a code span too, always comes first), parsed as CommonMark
parses code spans, so no listing name can pass for another listing's file.  Only the
tool's own top-level items count: the checkbox must start the line.
"""

from __future__ import annotations

import re

#: A top-level task item the stale report writes: "- [ ] …" (GitHub writes "[x]").
_ITEM = re.compile(r"^- \[(?P<mark>[ xX])\] (?P<rest>.*)$")


def code_spans(line: str) -> list[str]:
    """The contents of the code spans of one line, as CommonMark reads them.

    A run of N backticks opens a span closed by the next run of exactly N; a
    backtick escaped with a backslash outside a span opens nothing; one space is
    stripped from both ends of a content that has one at each end and is not all
    spaces.  Runs that are never closed are literal text.
    """
    spans = []
    position = 0
    length = len(line)
    while position < length:
        char = line[position]
        if char == "\\" and position + 1 < length:
            position += 2  # an escaped character, backtick or not
            continue
        if char != "`":
            position += 1
            continue
        end = position
        while end < length and line[end] == "`":
            end += 1
        fence = end - position
        closing = _closing_run(line, end, fence)
        if closing is None:
            position = end  # literal backticks
            continue
        content = line[end:closing]
        if len(content) >= 2 and content[0] == " " and content[-1] == " " and content.strip():
            content = content[1:-1]
        spans.append(content)
        position = closing + fence
    return spans


def _closing_run(line: str, start: int, fence: int) -> int | None:
    position = start
    length = len(line)
    while position < length:
        if line[position] != "`":
            position += 1
            continue
        end = position
        while end < length and line[end] == "`":
            end += 1
        if end - position == fence:
            return position
        position = end
    return None


def item_file(line: str) -> str | None:
    """The listing file a top-level checklist line is about, or None."""
    match = _ITEM.match(line)
    if not match:
        return None
    files = [span for span in code_spans(match.group("rest")) if span.endswith(".md")]
    return files[-1] if files else None


def ticked_files(body: str) -> set[str]:
    """The listing files whose boxes are ticked in an issue body."""
    found = set()
    for line in body.replace("\r\n", "\n").split("\n"):
        match = _ITEM.match(line)
        if match and match.group("mark") in "xX":
            path = item_file(line)
            if path is not None:
                found.add(path)
    return found


def keep_ticks(previous: str, current: str) -> str:
    """``current`` (a new stale report) with the boxes ticked in ``previous`` (the
    issue's body now) ticked again, for the listings still in the report."""
    ticked = ticked_files(previous)
    if not ticked:
        return current
    lines = current.split("\n")
    for index, line in enumerate(lines):
        if line.startswith("- [ ] ") and item_file(line) in ticked:
            lines[index] = "- [x] " + line[len("- [ ] ") :]
    return "\n".join(lines)
