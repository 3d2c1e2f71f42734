"""The import state: what the last import wrote, so a re-import respects a reviewer's work.

``<out>/_hsds_import_state.json`` (committed with the listings; a file whose name starts
with ``_`` is never a listing) maps each source id (``<service id>@<location id>``) to the
file it became and the front matter and body the import wrote there.  On the next
import, for each field:

- the file still holds what the import wrote: the field takes the new export's value;
- a reviewer changed it (or filled a TODO): the reviewer's value stays, and if the export
  changed too, the report says so (``kept``);
- the file was deleted: it is not written again (a person removed it) unless ``--force``.

The state holds only what the listing files held when written (no street of a
non-public place, no other source data), sorted, so it diffs well in review.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from waystation.exc import UsageError

STATE_FILE = "_hsds_import_state.json"
FORMAT = 1


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def load(path: Path) -> dict[str, dict[str, Any]]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise UsageError(
            f"{path}: the import state is not readable JSON ({error}): restore "
            "it from git, or delete it to import as if for the first time"
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UsageError(f"{path}: not an import state of format {FORMAT}")
    return data.get("listings") or {}


def save(path: Path, listings: dict[str, dict[str, Any]]) -> None:
    """One listing a line, sorted: diffs in review show the listings that changed (and
    ``json``'s C encoder stays in use, which an ``indent`` would turn off)."""
    lines = [
        f"  {json.dumps(sid, ensure_ascii=False)}: "
        f"{json.dumps(listings[sid], sort_keys=True, ensure_ascii=False)}"
        for sid in sorted(listings)
    ]
    body = ",\n".join(lines)
    text = f'{{"format": {FORMAT}, "listings": {{\n{body}\n}}}}\n'
    path.write_text(text, encoding="utf-8")


def read_listing(path: Path) -> tuple[dict[str, Any], str] | None:
    """A listing file's front matter and body, or None when it is not readable as one."""
    try:
        text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    except (OSError, UnicodeDecodeError):
        return None
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---", 3)
    if end < 0:
        return None
    try:
        data = yaml.safe_load(text[4:end]) or {}
    except yaml.YAMLError:
        return None
    body = text[end + 4 :].lstrip("\n").rstrip()
    return (data, body) if isinstance(data, dict) else None


@dataclass
class Merge:
    front_matter: dict[str, Any]
    body: str
    changed: list[str] = field(default_factory=list)  # fields the export changed in the file
    kept: list[str] = field(default_factory=list)  # fields a reviewer changed: kept, export differs


def merge(
    current: tuple[dict[str, Any], str], last: dict[str, Any], new_fm: dict[str, Any], new_body: str
) -> Merge:
    """The file's new content: the export's values where the file still holds what the last
    import wrote, the reviewer's values elsewhere."""
    cur_fm, cur_body = current
    last_fm, last_body = last.get("front_matter") or {}, last.get("body") or ""
    result = Merge({}, cur_body)
    keys = list(new_fm) + [k for k in cur_fm if k not in new_fm]
    for key in keys:
        cur, old, new = cur_fm.get(key), last_fm.get(key), new_fm.get(key)
        if jsonable(cur) == jsonable(old):  # untouched by a reviewer
            if new is not None:
                result.front_matter[key] = new
            if jsonable(new) != jsonable(cur):
                result.changed.append(key)
        else:
            if cur is not None:
                result.front_matter[key] = cur
            if jsonable(new) != jsonable(old):
                result.kept.append(key)
    if cur_body.strip() == last_body.strip():
        result.body = new_body
        if new_body.strip() != cur_body.strip():
            result.changed.append("description")
    elif new_body.strip() != last_body.strip():
        result.kept.append("description")
    return result
