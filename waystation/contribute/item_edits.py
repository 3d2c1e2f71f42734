"""One item of a list changed in a listing file, and nothing else.

A correction often changes one thing: one phone number, one service, one language,
one line of the opening hours.  :func:`parse_changes` reads those requests from the
"Correct a listing" form ("add phone: …", "quitar servicio: …"), and
:func:`apply_change` edits the file's text so that only the lines of that item
change: the other phones (a fax number, their languages), the comments and the
layout stay byte for byte as they were.  The result is read back and compared with
what was asked, so a change can never touch anything else unseen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from waystation.exc import WaystationError
from waystation.records import hours_text, languages, phones, suggest, vocabulary
from waystation.records.listing_writer import (
    REMOVE,
    clean_text,
    field_lines,
    quote,
    read_front_matter,
    replace_fields,
)

KINDS = ("phone", "service", "language", "hours")
_VERBS = {
    "add": "add", "agregar": "add", "añadir": "add", "anadir": "add", "agrega": "add",
    "change": "change", "replace": "change", "cambiar": "change", "cambia": "change",
    "remove": "remove", "delete": "remove", "quitar": "remove", "eliminar": "remove",
    "borrar": "remove", "quita": "remove",
}  # fmt: skip
_KIND_WORDS = {
    "phone": "phone", "phone number": "phone", "number": "phone", "telefono": "phone",
    "teléfono": "phone", "numero": "phone", "número": "phone",
    "service": "service", "servicio": "service",
    "language": "language", "idioma": "language", "lengua": "language",
    "hours": "hours", "hours line": "hours", "horario": "hours", "horas": "hours",
}  # fmt: skip
_LINE = re.compile(
    r"^(?P<verb>[^\W\d_]+)\s+(?P<kind>[^\W\d_]+(?:\s+(?:number|line))?)"
    r"(?:\s+(?P<target>[^:]+?))?\s*:\s*(?P<value>.*)$"
)
FIELD = {"phone": "phones", "service": "services", "language": "languages", "hours": "hours"}


@dataclass(frozen=True)
class Change:
    """``add``/``change``/``remove`` one ``kind`` item; ``target`` names the item
    changed or removed, ``value`` is the new item (text as written)."""

    op: str
    kind: str
    target: str | None
    value: str | None
    offset: int  # line of the request within the answer (0-based)


def parse_changes(text: str) -> tuple[list[Change], list[tuple[int, str]]]:
    """The changes requested, one per line, and (line offset, message) for lines that
    are not a change."""
    changes: list[Change] = []
    problems: list[tuple[int, str]] = []
    for offset, raw in enumerate(text.split("\n")):
        line = " ".join(raw.split())
        if not line:
            continue
        found = _LINE.match(line)
        verb = _VERBS.get(found.group("verb").casefold()) if found else None
        kind = _KIND_WORDS.get(found.group("kind").casefold()) if found else None
        if not (found and verb and kind):
            problems.append((offset, f"line {offset + 1}: '{line}' is not a change: write e.g. "
                             "'add phone: 312-555-0199 | fax', 'change phone 312-555-0100: "
                             "312-555-0111', 'remove service: food', 'add hours: Sat "
                             "10am-2pm'"))  # fmt: skip
            continue
        target, value = found.group("target"), found.group("value").strip() or None
        if verb == "remove":
            target, value = (target or value), None
        if verb == "change" and not target:
            problems.append((offset, f"line {offset + 1}: say which {kind} changes, then the "
                             f"new one: 'change {kind} OLD: NEW'"))  # fmt: skip
            continue
        if verb in ("add", "change") and not value:
            problems.append((offset, f"line {offset + 1}: give the new {kind} after the ':'"))
            continue
        if verb == "remove" and not target:
            problems.append((offset, f"line {offset + 1}: say which {kind} to remove"))
            continue
        changes.append(Change(verb, kind, target and target.strip(), value, offset))
    return changes, problems


# -- the new items -------------------------------------------------------------------------


def phone_item(text: str) -> dict[str, Any]:
    """``312-555-0199 | fax | Fax line | Mon-Fri 9am-5pm`` as a phone entry."""
    parts = [" ".join(p.split()) for p in clean_text(text).split("|")]
    types = vocabulary.get("phone_types")
    item: dict[str, Any] = {"number": parts[0], "type": "voice"}
    if len(parts) > 1 and parts[1]:
        kind = next((t for t in types.ids if suggest.fold(parts[1]) in
                     {t, suggest.fold(types.label(t)), suggest.fold(types.label(t, "es"))}),
                    None)  # fmt: skip
        if kind is None:
            raise ValueError(f"'{parts[1]}' is not a phone type: use one of "
                             + ", ".join(types.ids))  # fmt: skip
        item["type"] = kind
    if len(parts) > 2 and parts[2]:
        item["label"] = parts[2]
    if len(parts) > 3 and parts[3]:
        item["hours"] = "24/7" if hours_text.is_always_open(parts[3]) else parts[3]
    return item


def _term(vocab: str, text: str) -> str:
    found = suggest.terms(vocab, text)
    if vocabulary.get(vocab).get(text.strip()):
        return text.strip()
    if len(found) == 1 and suggest.fold(text) in {suggest.fold(found[0])}:
        return found[0]
    hint = f"; did you mean {suggest.as_fix(found)}?" if found else ""
    raise ValueError(f"'{text}' is not a term of the '{vocab}' vocabulary{hint}")


def _language(text: str) -> str:
    lowered = text.strip().lower()
    if re.fullmatch(r"[a-z]{2,3}", lowered) and languages.is_known(lowered):
        return lowered
    code = languages.suggest(text)
    if code is None:
        close = suggest.languages(text)
        hint = (
            "did you mean " + suggest.as_fix([f"{name} ({c})" for c, name in close]) + "?"
            if close
            else "write e.g. 'Spanish' or 'es'"
        )
        raise ValueError(f"'{text}' is not a language name or ISO 639 code: {hint}")
    return code


def _same_phone(a: str, b: str) -> bool:
    return phones.e164(a) == phones.e164(b)


# -- applying one change -------------------------------------------------------------------


def new_value(current: Any, change: Change) -> Any:
    """The field's value after ``change`` (raises ValueError saying what to write)."""
    items = list(current) if isinstance(current, list) else []
    kind = change.kind
    if kind == "hours" and current == "24/7" and change.op != "change":
        raise ValueError("the listing is open 24/7: to give opening times, write them all in "
                         "'Opening hours' (it replaces 24/7)")  # fmt: skip
    index = _find(items, change) if change.op in ("change", "remove") else None
    if change.op == "remove":
        return items[:index] + items[index + 1 :]
    new = _items(change)
    if change.op == "add":
        duplicate = [n for n in new if n in items] if kind != "phone" else [
            n for n in new if any(_same_phone(n["number"], i.get("number", "")) for i in items)
        ]  # fmt: skip
        if duplicate:
            raise ValueError(f"'{change.value}' is already on the listing")
        return items + new
    if kind == "phone":
        old = items[index]
        merged = {**old, **{k: v for k, v in new[0].items() if k != "type" or "|" in change.value}}
        return items[:index] + [merged] + items[index + 1 :]
    return items[:index] + new + items[index + 1 :]


def _items(change: Change) -> list[Any]:
    value = change.value or ""
    if change.kind == "phone":
        return [phone_item(value)]
    if change.kind == "service":
        return [_term("services", value)]
    if change.kind == "language":
        return [_language(value)]
    return hours_text.parse_line(value)


def _find(items: list[Any], change: Change) -> int:
    target = change.target or ""
    kind = change.kind
    if kind == "phone":
        found = [i for i, p in enumerate(items) if isinstance(p, dict)
                 and _same_phone(str(p.get("number", "")), target)]  # fmt: skip
        shown = ", ".join(str(p.get("number")) for p in items if isinstance(p, dict))
    elif kind == "hours":
        slots = _target_slots(target)
        found = [i for i, s in enumerate(items) if isinstance(s, dict) and (
            s in slots or [s.get("days")] == [x["days"] for x in slots][:1])]  # fmt: skip
        shown = "; ".join(hours_text.format_hours([s]) for s in items if isinstance(s, dict))
    else:
        wanted = _term("services", target) if kind == "service" else _language(target)
        found = [i for i, item in enumerate(items) if item == wanted]
        shown = ", ".join(map(str, items))
    if not found:
        raise ValueError(f"the listing has no {kind} '{target}' (it has: {shown or 'none'})")
    if len(found) > 1:
        raise ValueError(f"'{target}' matches {len(found)} {FIELD[kind]}: name one exactly")
    return found[0]


def _target_slots(target: str) -> list[dict[str, Any]]:
    """Slots a target names: a whole hours line, or just its days (``Sat``)."""
    try:
        return hours_text.parse_line(target)
    except ValueError:
        days = hours_text.parse_line(f"{target} 01:00-02:00")[0]["days"]
        return [{"days": days}]


def apply_change(text: str, change: Change) -> str:
    """``text`` (a listing file) with ``change`` made: only the lines of the item change
    (the whole field when it is written on one line, ``services: [a, b]``)."""
    src, closing = read_front_matter(text)
    data = src.data or {}
    key = FIELD[change.kind]
    value = new_value(data.get(key), change)
    if value == data.get(key):
        return text
    lines = text.split("\n")
    edited = _edit_lines(lines, src, closing, key, data.get(key), value, change)
    result = "\n".join(edited)
    check, _ = read_front_matter(result)
    expected = {**data, key: value} if value else {k: v for k, v in data.items() if k != key}
    if check.data != expected:
        raise WaystationError(
            f"internal error: changing one {change.kind} would change more: please edit the "
            "file by hand and report this"
        )
    return result


def _edit_lines(lines, src, closing, key, old, value, change) -> list[str]:
    root = src.root
    pair = next(((k, v) for k, v in root.value if k.value == key), None) if root else None
    offset = src.line_offset
    if pair is None or not isinstance(pair[1], yaml.SequenceNode) or pair[1].flow_style:
        # Not there, or written on one line: (re)write the field, the rest stays.
        return replace_fields("\n".join(lines), {key: value or REMOVE}).split("\n")
    seq = pair[1]
    starts = [item.start_mark.line + offset for item in seq.value]
    dash = lines[starts[0]].index("-") if starts else 0
    ends = []
    for i, start in enumerate(starts):
        if i + 1 < len(starts):
            end = starts[i + 1]
        else:
            end = start + 1
            while end < closing - 1 and (
                not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > dash
            ):
                end += 1
            while end - 1 > start and (not lines[end - 1].strip()
                                       or lines[end - 1].lstrip().startswith("#")):  # fmt: skip
                end -= 1
        ends.append(end)
    if not value:  # the last item removed: the field goes
        return replace_fields("\n".join(lines), {key: REMOVE}).split("\n")
    if change.op == "add":
        added = _item_lines(key, value[len(old) :], dash)
        return lines[: ends[-1]] + added + lines[ends[-1] :]
    index = next(i for i in range(len(old)) if i >= len(value) or old[i] != value[i])
    start, end = starts[index], ends[index]
    if change.op == "remove":
        return lines[:start] + lines[end:]
    return lines[:start] + _item_lines(key, [value[index]], dash) + lines[end:]


def _item_lines(key: str, items: list[Any], dash: int) -> list[str]:
    written = field_lines(key, items)[1:] if len(field_lines(key, items)) > 1 else None
    if written is None:  # a flat list is written on one line: write items as block entries
        return [" " * dash + "- " + (quote(i) if isinstance(i, str) else str(i)) for i in items]
    return [" " * dash + line.lstrip() for line in written]
