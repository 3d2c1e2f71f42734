"""Writing listing files from data, safely: every string quoted and escaped.

Used by ``waystation from-issue``, whose input (an issue body) is written by
anyone on the internet.  Nothing typed into a form can become YAML syntax:
strings are always double-quoted with JSON-compatible escapes, characters
YAML would read as line breaks or refuse are escaped too, and keys come from
the record format (others are quoted).  :func:`render_listing` checks its own
output by reading it back with the project's loader.

:func:`replace_fields` edits an existing file in place, replacing only the
top-level fields that changed, so that a correction's diff shows only what
changed and the file's comments stay.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from waystation.exc import WaystationError
from waystation.records.source import SourceFile, parse_front_matter

SCHEMA_LINE = "# yaml-language-server: $schema=../waystation/data/listing.schema.json"

#: The order fields are written in (the template's order).
FIELD_ORDER: tuple[str, ...] = (
    "name",
    "organization",
    "alternate_name",
    "summary",
    "services",
    "trafficking_types",
    "populations",
    "ages",
    "languages",
    "features",
    "cost",
    "fees",
    "eligibility",
    "how_to_apply",
    "phones",
    "email",
    "website",
    "hours",
    "hours_notes",
    "location",
    "service_area",
    "tags",
    "translations",
    "status",
    "last_verified",
    "source",
)

_PLAIN_KEY = re.compile(r"^[a-z_][a-z0-9_]*$")
# Characters YAML cannot carry raw inside a double-quoted scalar, or reads as
# line breaks (NEL, LS, PS), or that confuse editors (BOM).
_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]")
# Control characters removed from free text (tab and newline are kept).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def clean_text(value: str) -> str:
    """Free text from a form: no control characters, ``\\n`` line ends, trimmed."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value).strip()


def quote(value: str) -> str:
    """A YAML double-quoted scalar that reads back as exactly ``value``."""
    text = json.dumps(value, ensure_ascii=False)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _key(key: str) -> str:
    return key if _PLAIN_KEY.match(key) else quote(key)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()  # YYYY-MM-DD from a date object: nothing to escape
    if isinstance(value, str):
        return quote(value)
    raise TypeError(f"cannot write {type(value).__name__} as a scalar")


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value)


def _is_flat(value: Any) -> bool:
    return not isinstance(value, dict | list) or (
        isinstance(value, list) and all(not isinstance(v, dict | list) for v in value)
    )


def field_lines(key: str, value: Any, indent: int = 0) -> list[str]:
    """The lines that write ``key: value`` (block style for mappings)."""
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return [f"{pad}{_key(key)}: {{}}"]
        lines = [f"{pad}{_key(key)}:"]
        for sub_key, sub_value in value.items():
            if sub_value is not None:
                lines.extend(field_lines(sub_key, sub_value, indent + 2))
        return lines
    if isinstance(value, list) and value and not _is_flat(value):
        lines = [f"{pad}{_key(key)}:"]
        lines.extend(f"{pad}  - {_flow(item)}" for item in value)
        return lines
    return [f"{pad}{_key(key)}: {_flow(value)}"]


def _ordered(data: dict[str, Any]) -> list[str]:
    known = [k for k in FIELD_ORDER if k in data]
    return known + [k for k in data if k not in FIELD_ORDER]


def render_listing(data: dict[str, Any], body: str) -> str:
    """The text of a listing file for ``data`` (front matter) and ``body``."""
    lines = ["---", SCHEMA_LINE]
    for key in _ordered(data):
        if data[key] is not None:
            lines.extend(field_lines(key, data[key]))
    lines.append("---")
    text = "\n".join(lines) + "\n"
    body = clean_text(body)
    if body:
        text += "\n" + body + "\n"
    _check_round_trip(text, {k: v for k, v in data.items() if v is not None})
    return text


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def read_front_matter(text: str, display_path: str = "<listing>") -> tuple[SourceFile, int]:
    """Parse a listing's text; return the source and the closing '---' line (1-based)."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    src = SourceFile(path=display_path, id="listing")
    if not lines or lines[0].rstrip() != "---":
        raise WaystationError(f"{display_path}: no front matter (the first line must be '---')")
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        raise WaystationError(f"{display_path}: the front matter is not closed by '---'")
    problems = parse_front_matter("\n".join(lines[1:end]) + "\n", src, line_offset=1)
    if problems:
        raise WaystationError(
            f"{problems[0].format_text()} (fix the file before applying a correction)"
        )
    src.body = "\n".join(lines[end + 1 :]).strip("\n")
    return src, end + 1


def _check_round_trip(text: str, data: dict[str, Any]) -> None:
    src, _ = read_front_matter(text)
    if src.data != _plain(data):
        raise WaystationError(
            "internal error: the written listing does not read back as written; "
            "please report this with the input that caused it"
        )


REMOVE = object()  # marker: delete this field


def replace_fields(text: str, updates: dict[str, Any], body: str | None = None) -> str:
    """``text`` with the top-level fields in ``updates`` replaced, added or removed.

    A value of :data:`REMOVE` deletes the field.  Untouched fields keep their
    lines (and comments) byte for byte.  ``body`` (if not None) replaces the
    Markdown body.
    """
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    src, closing = read_front_matter(text)
    lines = text.split("\n")
    data = src.data or {}
    top_lines = src.top_level_lines()
    starts = sorted((line, key) for key, line in top_lines.items() if key in data)

    def is_filler(line: str) -> bool:
        return not line.strip() or line.lstrip().startswith("#")

    blocks: dict[str, tuple[int, int]] = {}  # key -> (first line, last line), 1-based
    for index, (line, key) in enumerate(starts):
        last = starts[index + 1][0] - 1 if index + 1 < len(starts) else closing - 1
        while last > line and is_filler(lines[last - 1]):
            last -= 1
        blocks[key] = (line, last)

    replacements: dict[int, tuple[int, list[str]]] = {}
    added: list[str] = []
    for key in _ordered(updates):
        value = updates[key]
        new_lines = [] if value is REMOVE or value is None else field_lines(key, value)
        if key in blocks:
            first, last = blocks[key]
            replacements[first] = (last, new_lines)
        elif new_lines:
            added.extend(new_lines)

    out: list[str] = []
    number = 1
    after_last_block = max((last for _, last in blocks.values()), default=1)
    while number <= len(lines):
        if number in replacements:
            last, new_lines = replacements[number]
            out.extend(new_lines)
            number = last + 1
        else:
            out.append(lines[number - 1])
            number += 1
        if number - 1 == after_last_block and added:
            out.extend(added)
            added = []
    if added:  # an empty front matter: add before the closing line
        closing_index = out.index("---", 1)
        out[closing_index:closing_index] = added
    result = "\n".join(out)
    if body is not None:
        new_src, new_closing = read_front_matter(result)
        head = result.split("\n")[:new_closing]
        result = "\n".join(head) + "\n"
        body = clean_text(body)
        if body:
            result += "\n" + body + "\n"
    if not result.endswith("\n"):
        result += "\n"
    expected = {k: v for k, v in data.items()}
    for key, value in updates.items():
        if value is REMOVE or value is None:
            expected.pop(key, None)
        else:
            expected[key] = value
    _check_round_trip(result, expected)
    return result
