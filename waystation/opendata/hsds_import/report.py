"""The import report: one summary a person can act on, as text and as Markdown for a PR.

Grouped by kind, most urgent first: places imported confidential by default, what was
imported (new, updated, unchanged; fields kept because a reviewer changed them), the
review work left (TODO fields with counts), what was dropped and why, taxonomy terms that
map to nothing (with counts), and what was read but not understood.  Every group prints
its count and at most a few examples (``LIMIT`` in text, ``MD_LIMIT`` in Markdown), so a
4,000-service export gives a report of a few hundred lines at most.
"""

from __future__ import annotations

from collections import Counter

from waystation.opendata.hsds_import.run import ImportResult

LIMIT = 5
MD_LIMIT = 25
TERMS_LIMIT = 30


def _more(total: int, shown: int) -> str:
    return f"… and {total - shown} more" if total > shown else ""


def _sections(result: ImportResult, limit: int) -> list[tuple[str, list[str]]]:
    """(heading, lines) for each group that has anything."""
    out: list[tuple[str, list[str]]] = []
    f = result.findings
    confidential = [o for o in result.outcomes if o.confidential and o.status != "exists"]
    if confidential:
        lines = [
            f"{o.file}: {o.visibility} because " + "; ".join(o.confidential)
            for o in confidential[: limit * 4]
        ]
        lines.append(_more(len(confidential), limit * 4))
        out.append(
            (
                f"Confidential by default: {len(confidential)} place(s) imported "
                "approximate or hidden; make one public only if the provider agrees",
                lines,
            )
        )
    counts = Counter(o.status for o in result.outcomes)
    lines = [
        ", ".join(f"{counts[s]} {s}" for s in ("new", "updated", "unchanged") if counts[s])
        or "nothing written"
    ]
    lines.append(
        f"{result.services} service(s) read"
        + (
            f"; {result.not_selected} record(s) not selected by --only {' '.join(result.only)}"
            if result.only
            else ""
        )
    )
    updated = result.by_status("updated")
    for o in updated[:limit]:
        lines.append(f"~ {o.file}: " + ", ".join(o.changed))
        lines += [f"    {key}: {before} -> {after}" for key, before, after in o.diff[:limit]]
    lines.append(_more(len(updated), limit))
    kept = [o for o in result.outcomes if o.kept]
    for o in kept[:limit]:
        lines.append(
            f"! {o.file}: kept the reviewer's {', '.join(o.kept)} (the export changed "
            "too: compare by hand)"
        )
    lines.append(_more(len(kept), limit))
    out.append(("Imported", lines))
    todo: Counter = Counter(t for o in result.outcomes for t in o.todo)
    if todo:
        lines = [
            f"{field}: {n} file(s)"
            for field, n in sorted(todo.items(), key=lambda i: (-i[1], i[0]))
        ]
        lines.append("`waystation validate` lists each TODO at its line until it is replaced.")
        out.append(
            (f"Needs review: {sum(1 for o in result.outcomes if o.todo)} file(s) with TODO", lines)
        )
    dropped: list[str] = []
    for o in result.by_status("exists")[:limit]:
        dropped.append(
            f"{o.file}: a file not from this import exists: not overwritten (--force replaces it)"
        )
    dropped.append(_more(len(result.by_status("exists")), limit))
    for o in result.by_status("deleted")[:limit]:
        dropped.append(f"{o.file}: deleted since the last import: not written again")
    dropped.append(_more(len(result.by_status("deleted")), limit))
    for reason, items in sorted(f.dropped.items(), key=lambda i: (-len(i[1]), i[0])):
        dropped.append(f"{reason}: {len(items)} (e.g. {', '.join(items[: min(limit, 3)])})")
    for sid, file in result.gone[:limit]:
        dropped.append(
            f"{file}.md: its record ({sid}) is no longer in the export: check it (closed?)"
        )
    dropped.append(_more(len(result.gone), limit))
    dropped = [d for d in dropped if d]
    if dropped:
        out.append(("Dropped, with the reason", dropped))
    if result.unmapped:
        shown = result.unmapped.most_common(TERMS_LIMIT)
        lines = [f"{n} × {term}" for term, n in shown]
        lines.append(_more(len(result.unmapped), len(shown)))
        lines.append(
            "Add entries to waystation/data/hsds_taxonomy_map.yaml (or --taxonomy-map) "
            "for the ones that matter."
        )
        out.append(
            (f"Taxonomy terms that map to no Waystation term: {len(result.unmapped)}", lines)
        )
    notes = [f"read as {r}" for r in f.read_as]
    for kind, places in sorted(f.warnings.items(), key=lambda i: (-len(i[1]), i[0])):
        notes.append(f"{kind}: {len(places)} (e.g. {', '.join(places[: min(limit, 3)])})")
    out.append(("Read but not used, or not understood", notes))
    return [(h, [x for x in lines if x]) for h, lines in out]


def as_text(result: ImportResult) -> str:
    parts = []
    for heading, lines in _sections(result, LIMIT):
        parts.append(heading)
        parts.extend(f"  {line}" for line in lines)
    return "\n".join(parts) + "\n"


def _md(text: str) -> str:
    """Plain text safe in a Markdown list item: no HTML, links, mentions or emphasis."""
    out = []
    for char in text:
        out.append("\\" + char if char in "\\`*_{}[]<>()#+!|@~" else char)
    return "".join(out)


def as_markdown(result: ImportResult) -> str:
    parts = ["# HSDS import report", ""]
    for heading, lines in _sections(result, MD_LIMIT):
        parts += [f"## {_md(heading)}", ""]
        parts += [f"- {_md(line)}" for line in lines]
        parts.append("")
    return "\n".join(parts)
