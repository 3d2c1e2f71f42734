"""The whole import: read, join, map, name, merge with the last import, write, report."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from waystation.exc import UsageError
from waystation.opendata.hsds_import import state as import_state
from waystation.opendata.hsds_import.findings import Findings
from waystation.opendata.hsds_import.joins import join
from waystation.opendata.hsds_import.mapping import TODO, Draft, draft
from waystation.opendata.hsds_import.nested import read_json
from waystation.opendata.hsds_import.tables import Tables, has_csv, read_tables
from waystation.opendata.hsds_import.taxonomy import load as load_mapping
from waystation.opendata.hsds_import.taxonomy import selected
from waystation.records.listing_writer import field_lines
from waystation.site.urls import slug

MAX_SLUG = 60


@dataclass
class ImportOptions:
    out: Path = Path("providers")
    only: list[str] = field(default_factory=list)
    force: bool = False
    today: dt.date | None = None
    taxonomy_map: Path | None = None
    state_file: Path | None = None  # default: <out>/_hsds_import_state.json


@dataclass
class Outcome:
    """What happened to one listing file."""

    file: str
    source_id: str
    status: str  # new, updated, unchanged, exists, deleted
    todo: list[str] = field(default_factory=list)
    confidential: list[str] = field(default_factory=list)
    visibility: str = ""
    changed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    diff: list[tuple[str, str, str]] = field(default_factory=list)  # field, before, after


def _short(value: Any, limit: int = 60) -> str:
    if value is None:
        return "(none)"
    text = json.dumps(import_state.jsonable(value), ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class ImportResult:
    findings: Findings
    outcomes: list[Outcome] = field(default_factory=list)
    unmapped: Counter = field(default_factory=Counter)
    services: int = 0
    not_selected: int = 0
    gone: list[tuple[str, str]] = field(default_factory=list)  # (source id, file)
    only: list[str] = field(default_factory=list)

    def by_status(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]


def read_input(path: Path, findings: Findings) -> Tables:
    """The canonical tables of ``path``, read as what it declares or contains."""
    path = Path(path)
    if path.is_dir():
        if has_csv(path):
            return read_tables(path, findings)
        pages = sorted(p for p in path.rglob("*.json") if p.name != "datapackage.json")
        if not pages:
            raise UsageError(f"{path}: no CSV or JSON file in it: not HSDS data")
        return read_json(pages, findings)
    if not path.is_file():
        raise UsageError(f"{path}: no such file or folder")
    if path.suffix.lower() == ".zip" or path.name.lower() == "datapackage.json":
        return read_tables(path, findings)
    if path.suffix.lower() == ".csv":
        return read_tables(path.parent, findings)
    return read_json([path], findings)


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:6]


def file_names(drafts: list[Draft], taken: dict[str, str]) -> dict[str, str]:
    """Source id -> file stem, from content only (never the input order): the name's slug;
    names shared by several listings add the city's, then a short hash of the source id.
    ``taken`` (stem -> source id) holds names the last import gave to other records."""
    names: dict[str, str] = {}
    base: dict[str, str] = {}
    for d in drafts:
        stem = slug(d.front_matter["name"])[:MAX_SLUG].strip("-")
        base[d.source_id] = stem if len(stem) >= 3 else f"service-{stem}".strip("-")
    groups: dict[str, list[Draft]] = defaultdict(list)
    for d in drafts:
        groups[base[d.source_id]].append(d)
    for stem, group in groups.items():
        with_city: dict[str, list[Draft]] = defaultdict(list)
        for d in group:
            city = slug(str((d.front_matter.get("location") or {}).get("city") or ""))[:15]
            candidate = stem if len(group) == 1 else f"{stem}-{city}".strip("-")
            with_city[candidate].append(d)
        for candidate, same in with_city.items():
            for d in same:
                name = candidate
                owner = taken.get(name)
                if len(same) > 1 or (owner is not None and owner != d.source_id):
                    name = f"{candidate}-{_short_hash(d.source_id)}"
                names[d.source_id] = name
    return names


def listing_text(front_matter: dict[str, Any], body: str, d: Draft) -> str:
    todo = todo_fields(front_matter)
    lines = ["---"]
    if todo:
        lines.append(
            "# Imported from 211 data (HSDS): a draft. Replace each TODO "
            f"(`waystation validate` lists them): {', '.join(todo)}"
        )
    else:
        lines.append("# Imported from 211 data (HSDS): review every field before publishing.")
    if d.confidential:
        lines.append(
            f"# Confidential by default ({front_matter['location'].get('visibility')}): "
            + "; ".join(d.confidential)
            + ". Make it public only if the provider says the address may be shown."
        )
    lines += [f"# {c}" for c in d.comments]
    lines = [line.replace("\n", " ").replace("\r", " ") for line in lines]
    for key, value in front_matter.items():
        if value is not None:
            lines.extend(field_lines(key, value))
    lines += ["---", "", body.strip()]
    return "\n".join(lines).rstrip() + "\n"


#: The fields a draft may hold a TODO in (see :mod:`.mapping`).
TODO_FIELDS = ("services", "trafficking_types", "location", "phones", "last_verified")


def todo_fields(front_matter: dict[str, Any]) -> list[str]:
    return [k for k in TODO_FIELDS if k in front_matter and _has_todo(front_matter[k])]


def _has_todo(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_has_todo(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_todo(v) for v in value)
    return value == TODO


def import_hsds(path: Path, options: ImportOptions) -> ImportResult:
    today = options.today or dt.date.today()
    findings = Findings()
    tables = read_input(path, findings)
    mapping = load_mapping(options.taxonomy_map)
    records, ancestors = join(tables, findings)
    result = ImportResult(findings, only=list(options.only))
    result.services = len({r.service["id"] for r in records})
    label = f"211 data (HSDS {tables.version} import)"  # not the file name: re-imports compare
    drafts: list[Draft] = []
    seen: set[str] = set()
    for record in records:
        d = draft(record, mapping, ancestors, today, label, findings)
        seen.add(d.source_id)
        if not selected(options.only, d.terms, d.mapped):
            result.not_selected += 1
            continue
        result.unmapped.update(d.unmapped_terms)
        drafts.append(d)
    out = options.out
    state_path = options.state_file or out / import_state.STATE_FILE
    last = import_state.load(state_path)
    taken = {entry["file"]: sid for sid, entry in last.items() if entry.get("file")}
    fresh = [d for d in drafts if d.source_id not in last]
    names = {sid: last[sid]["file"] for sid in (d.source_id for d in drafts) if sid in last}
    names.update(file_names(fresh, taken))
    out.mkdir(parents=True, exist_ok=True)
    new_state = dict(last)
    for d in sorted(drafts, key=lambda d: (names[d.source_id], d.source_id)):
        stem = names[d.source_id]
        target = out / f"{stem}.md"
        outcome = Outcome(
            f"{stem}.md",
            d.source_id,
            "new",
            confidential=d.confidential,
            visibility=d.front_matter["location"].get("visibility", ""),
        )
        fm, body = d.front_matter, d.body
        previous = last.get(d.source_id)
        if previous and not options.force:
            current = import_state.read_listing(target)
            if current is None:
                outcome.status = "deleted"
                result.outcomes.append(outcome)
                continue
            merged = import_state.merge(current, previous, fm, body)
            fm, body = merged.front_matter, merged.body
            outcome.changed, outcome.kept = merged.changed, merged.kept
            for key in merged.changed:
                before = current[1] if key == "description" else current[0].get(key)
                after = body if key == "description" else fm.get(key)
                outcome.diff.append((key, _short(before), _short(after)))
            outcome.status = "updated" if merged.changed else "unchanged"
        elif target.exists() and not options.force and not previous:
            outcome.status = "exists"
            result.outcomes.append(outcome)
            continue
        elif previous:
            outcome.status = "updated"
        outcome.todo = todo_fields(fm)
        text = listing_text(fm, body, d)
        if outcome.status != "unchanged" or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
        # a draft holds no dates (last_verified is a TODO): JSON as it is
        new_state[d.source_id] = {"file": stem, "front_matter": d.front_matter, "body": d.body}
        result.outcomes.append(outcome)
    result.gone = sorted(
        (sid, entry.get("file", "")) for sid, entry in last.items() if sid not in seen
    )
    import_state.save(state_path, new_state)
    return result
