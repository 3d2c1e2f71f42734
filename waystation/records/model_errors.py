"""Turning pydantic's validation errors into problems a contributor can act on.

pydantic reports a path (``('phones', 1, 'type')``) and an error type; this
module finds the line of that path in the file and writes the message in the
contract's words, with "did you mean" for misspelt fields and terms.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import ValidationError

from waystation.records import languages, suggest, vocabulary
from waystation.records import model as records
from waystation.records.problems import Problem
from waystation.records.source import Path_, SourceFile

#: Which vocabulary each list-of-terms field draws from.
TERM_FIELDS: dict[tuple[str, ...], str] = {
    ("services",): "services",
    ("populations",): "populations",
    ("features",): "features",
    ("trafficking_types",): "trafficking_types",
    ("cost",): "cost",
    ("status",): "status",
    ("location", "visibility"): "visibility",
    ("location", "accessibility"): "accessibility",
    ("phones", "type"): "phone_types",
    ("hours", "days"): "days",
}

_SUBMODEL_FIELDS: dict[tuple[str, ...], tuple[str, ...]] = {
    (): records.FIELDS,
    ("location",): records.SUBFIELDS["location"],
    ("location", "coordinates"): records.SUBFIELDS["location.coordinates"],
    ("phones",): records.SUBFIELDS["phones"],
    ("hours",): records.SUBFIELDS["hours"],
    ("ages",): records.SUBFIELDS["ages"],
    ("service_area",): records.SUBFIELDS["service_area"],
    ("translations",): records.SUBFIELDS["translations"],
}

_EXAMPLES: dict[tuple[str, ...], str] = {
    ("name",): "name: Harbor Light Survivor Services",
    ("services",): "services: [case-management, emergency-shelter]",
    ("trafficking_types",): "trafficking_types: [sex, labor]",
    ("location",): "location: {visibility: public, city: Chicago, state: IL}",
    ("last_verified",): "last_verified: 2026-03-14",
    ("location", "visibility"): "visibility: public",
    ("location", "state"): "state: IL",
    ("phones", "number"): 'number: "312-555-0142"',
    ("phones", "type"): "type: voice",
    ("hours", "days"): "days: [mon, tue, wed]",
    ("hours", "opens"): 'opens: "09:00"',
    ("hours", "closes"): 'closes: "17:00"',
}


#: A vocabulary longer than this is not listed in full in a message (the docs list it).
_MAX_LISTED = 10


def shape(path: Path_) -> tuple[str, ...]:
    """The path without list indexes and dictionary keys of translations."""
    out: list[str] = []
    skip_next = False
    for part in path:
        if isinstance(part, int):
            continue
        if skip_next:
            skip_next = False
            continue
        out.append(part)
        if part == "translations":
            skip_next = True
    return tuple(out)


def did_you_mean(value: Any, choices: tuple[str, ...] | list[str]) -> str:
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value.lower(), choices, n=1, cutoff=0.6)
    if not close:
        # 'shelter' -> 'emergency-shelter': a term that contains the word.
        close = [c for c in choices if value.lower() in c.split("-")][:1]
    return f"; did you mean '{close[0]}'?" if close else ""


def _clean_loc(loc: tuple) -> Path_:
    """Drop pydantic's union-branch tags ("list[OpeningHours]") from a path."""
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and ("[" in part or part in {"str", "int", "float", "bool"}):
            continue
        out.append(part)
    return tuple(out)


def _value_at(data: Any, path: Path_) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"'{str(value).lower()}' (true/false)"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a group of fields"
    return f"'{value}'"


def problems_from(error: ValidationError, src: SourceFile) -> list[Problem]:
    data = src.data or {}
    seen: set[tuple[Path_, str]] = set()
    problems: list[Problem] = []
    for item in error.errors():
        path = _clean_loc(item["loc"])
        kind = item["type"]
        # A union of "24/7" and a list (hours): keep only the branch that fits.
        if path and path[0] == "hours":
            value = data.get("hours")
            tagged = [p for p in item["loc"] if isinstance(p, str) and "[" in p]
            if tagged and isinstance(value, list) and tagged[0].startswith("literal"):
                continue
            if tagged and not isinstance(value, list) and tagged[0].startswith("list"):
                continue
        if (path, kind) in seen:
            continue
        seen.add((path, kind))
        problem = _one(item, path, kind, src, data)
        if problem is not None:
            problems.append(problem)
    return problems


def _one(item: dict, path: Path_, kind: str, src: SourceFile, data: Any) -> Problem | None:
    value = _value_at(data, path)
    where = shape(path)
    field_name = str(path[-1]) if path and isinstance(path[-1], str) else ""

    if kind == "missing":
        example = _EXAMPLES.get(where)
        hint = f" (e.g. `{example}`)" if example else ""
        return src.problem(
            path, f"required field is missing{hint}", rule="missing_field", prefer="key"
        )
    if kind == "extra_forbidden":
        parent = shape(path[:-1])
        choices = _SUBMODEL_FIELDS.get(parent, ())
        return src.problem(
            path,
            f"unknown field '{field_name}'{did_you_mean(field_name, choices)}"
            + ("" if did_you_mean(field_name, choices) else " (see docs/record-format.md)"),
            rule="unknown_field",
            prefer="key",
        )
    if kind == "literal_error":
        if where == ("hours",):
            return src.problem(
                path,
                f"expected '24/7' or a list of opening times, got {_describe(value)}",
                rule="bad_hours",
            )
        if where and where[-1] in ("state", "states"):
            codes = suggest.states(str(value)) if isinstance(value, str) else []
            hint = f"; did you mean {suggest.as_fix(codes)}?" if codes else ""
            return src.problem(
                path,
                f"{_describe(value)} is not a USPS state code: use one of the 50 states, DC, PR, "
                f"GU, VI, AS or MP{hint}",
                rule="bad_state",
            )
        vocab_name = TERM_FIELDS.get(where)
        if vocab_name:
            vocab = vocabulary.get(vocab_name)
            suggestion = suggest.term_hint(vocab_name, value) if isinstance(value, str) else ""
            if suggestion or len(vocab.ids) > _MAX_LISTED:
                listed = "" if suggestion else f" (see docs/vocabularies.md#{vocab_name})"
            else:
                listed = f" (one of: {', '.join(vocab.ids)})"
            return src.problem(
                path,
                f"{_describe(value)} is not a term of the '{vocab_name}' vocabulary"
                f"{suggestion}{listed}",
                rule="unknown_term",
            )
    if kind == "string_type":
        if where == ("location", "postal_code") and isinstance(value, int):
            raw = src.raw_scalar(path) or str(value)
            return src.problem(
                path,
                f'write the ZIP code in quotes, e.g. postal_code: "{raw.zfill(5)}" '
                "(unquoted, a leading zero is lost)",
                rule="unquoted_zip",
            )
        if where == ("phones", "number") and isinstance(value, int):
            return src.problem(
                path, f'write the number in quotes, e.g. number: "{value}"', rule="unquoted_phone"
            )
        if isinstance(value, list | dict):
            return src.problem(path, f"expected text, got {_describe(value)}", rule="wrong_type")
        return src.problem(
            path,
            f"expected text, got {_describe(value)}: put it in quotes",
            rule="wrong_type",
        )
    if kind in ("list_type",):
        return src.problem(
            path,
            f"expected a list, got {_describe(value)}: write [a, b] or one '- item' per line",
            rule="wrong_type",
        )
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return src.problem(
            path,
            f"expected a group of fields ('key: value' lines indented under "
            f"'{field_name or path}'), got {_describe(value)}",
            rule="wrong_type",
        )
    if kind in ("bool_type",):
        return src.problem(
            path, f"expected true or false, got {_describe(value)}", rule="wrong_type"
        )
    if kind in ("int_type", "int_from_float"):
        return src.problem(
            path, f"expected a whole number, got {_describe(value)}", rule="wrong_type"
        )
    if kind in ("float_type",):
        return src.problem(path, f"expected a number, got {_describe(value)}", rule="wrong_type")
    if kind.startswith("date") or kind == "datetime_type":
        return src.problem(
            path,
            f"expected a date written YYYY-MM-DD (e.g. 2026-03-14), got {_describe(value)}",
            rule="bad_date",
        )
    if kind == "too_short" and isinstance(value, list):
        return src.problem(path, "list at least one value", rule="empty_list")
    if kind == "string_too_short":
        if where == ("name",):
            return src.problem(
                path,
                f"the name must be 3 to 150 characters (it has {len(value)})",
                rule="name_length",
            )
        return src.problem(path, "must not be empty", rule="empty_text")
    if kind == "string_too_long":
        limit = item.get("ctx", {}).get("max_length")
        return src.problem(
            path,
            f"too long: at most {limit} characters (it has {len(value)})",
            rule="text_too_long",
        )
    if kind == "string_pattern_mismatch":
        if where == ("location", "postal_code"):
            msg = f"{_describe(value)} is not a ZIP code: write 5 digits, or 9 as 12345-6789"
            rule = "bad_zip"
        elif where and where[-1] in ("opens", "closes"):
            msg = f'{_describe(value)} is not a time: write HH:MM, 24-hour, in quotes ("17:30")'
            rule = "bad_time"
        elif where and (where[-1] == "languages" or where == ("translations",)):
            suggestion = languages.suggest(value) if isinstance(value, str) else None
            hint = f"; did you mean '{suggestion}'?" if suggestion else ""
            msg = (
                f"{_describe(value)} is not a language code: "
                f"use ISO 639 codes like en, es, zh{hint}"
            )
            rule = "bad_language"
        elif where == ("service_area", "counties"):
            msg = f"{_describe(value)}: write a county as 'ST/County', e.g. 'IL/Cook'"
            rule = "bad_county"
        else:
            msg = f"{_describe(value)} is not in the expected form"
            rule = "bad_format"
        return src.problem(path, msg, rule=rule)
    if kind in ("greater_than_equal", "less_than_equal"):
        ctx = item.get("ctx", {})
        limit = ctx.get("ge", ctx.get("le"))
        word = "at least" if kind == "greater_than_equal" else "at most"
        return src.problem(path, f"must be {word} {limit}, got {value}", rule="out_of_range")
    return src.problem(path, item["msg"], rule=kind)
