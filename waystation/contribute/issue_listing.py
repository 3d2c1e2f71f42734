"""From a filled issue form to listing data: a new listing, or a correction's changes.

The answers (:func:`waystation.contribute.issue_forms.parse_body`) are free text from
anyone.  Each is cleaned (:func:`waystation.records.listing_writer.clean_text`),
converted to the record format's shape (phones, hours, languages, service
area, terms) and every answer that cannot be converted becomes a
:class:`~waystation.records.problems.Problem` pointing at its line in the issue, so a
maintainer sees everything to fix at once.  Whether the result is a valid
listing is then the validator's job.

A street address given for an approximate or hidden location is never
written: it is reported as an error, with what to do about the public issue.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from waystation.contribute.issue_forms import (
    NO_STREET_CONFIRMATION,
    Answer,
    option_id,
)
from waystation.gazetteer.states import STATES
from waystation.records import languages, vocabulary
from waystation.records.listing_writer import FIELD_ORDER, REMOVE, clean_text
from waystation.records.model import SUBFIELDS
from waystation.records.problems import Problem, Severity

_LIST_TERMS = {
    "services": "services",
    "trafficking_types": "trafficking_types",
    "populations": "populations",
    "features": "features",
}
_REQUIRED = ("name", "services", "trafficking_types", "location", "last_verified")
#: Fields a correction may remove (write "remove"): every optional field of the record.
REMOVABLE = (
    *(f for f in FIELD_ORDER if f not in _REQUIRED and f != "status"),
    "description",
    *(f"location.{f}" for f in SUBFIELDS["location"] if f not in ("visibility", "state")),
)
STREET_LEAK = (
    "the form gives a street address for {what} location: it was NOT written to the listing. "
    "The issue is public: edit the issue to delete the street, then open the edit history "
    "('edited' above the issue), select the older revision and choose 'Delete revision from "
    "history' (or delete the issue), and tell the provider"
)


@dataclass
class Conversion:
    """What a form says: fields to set (or :data:`REMOVE`), the body, and problems."""

    fields: dict[str, Any] = field(default_factory=dict)
    location: dict[str, Any] = field(default_factory=dict)
    body: str | None = None
    listing: str | None = None  # the listing a correction names
    remove: list[str] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)  # answer id -> line in the issue
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


class _Reader:
    def __init__(self, answers: dict[str, Answer], shown: str) -> None:
        self.answers = answers
        self.shown = shown
        self.problems: list[Problem] = []

    def problem(self, answer_id: str, message: str, severity=Severity.ERROR, offset=0) -> None:
        answer = self.answers.get(answer_id)
        line = (answer.line if answer else 1) + offset
        label = answer.label if answer else answer_id
        self.problems.append(
            Problem(self.shown, line, 1, severity, answer_id, f"'{label}': {message}", "issue_form")
        )

    def text(self, answer_id: str, one_line: bool = True) -> str | None:
        answer = self.answers.get(answer_id)
        if answer is None or answer.text is None:
            return None
        value = clean_text(answer.text)
        if one_line:
            value = " ".join(value.split())
        return value or None

    def ticked(self, answer_id: str) -> list[str]:
        answer = self.answers.get(answer_id)
        return list(answer.ticked) if answer else []

    def terms(self, answer_id: str, vocab: str) -> list[str] | None:
        ids = vocabulary.get(vocab).ids
        chosen = []
        for option in self.ticked(answer_id):
            term = option_id(option)
            if term in ids:
                chosen.append(term)
            else:
                self.problem(answer_id, f"'{option}' is not one of the form's options")
        return sorted(set(chosen), key=ids.index) or None

    def choice(self, answer_id: str, vocab_ids: tuple[str, ...]) -> str | None:
        value = self.text(answer_id)
        if value is None:
            return None
        term = option_id(value)
        if term not in vocab_ids:
            self.problem(answer_id, f"'{value}' is not one of the form's options")
            return None
        return term


def _split(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\n]", value) if part.strip()]


def _languages(reader: _Reader) -> list[str] | None:
    value = reader.text("languages")
    if value is None:
        return None
    codes: list[str] = []
    for item in _split(value):
        lowered = item.lower()
        is_code = re.fullmatch(r"[a-z]{2,3}", lowered) and languages.is_known(lowered)
        code = lowered if is_code else languages.suggest(item)
        if code is None:
            reader.problem(
                "languages",
                f"'{item}' is not a language name or ISO 639 code: write e.g. 'Spanish' or 'es'",
            )
        elif code not in codes:
            codes.append(code)
    return codes or None


def _phones(reader: _Reader) -> list[dict[str, Any]] | None:
    answer = reader.answers.get("phones")
    value = reader.text("phones", one_line=False)
    if value is None or answer is None:
        return None
    types = vocabulary.get("phone_types")
    by_word = {t: t for t in types.ids}
    by_word.update({types.label(t).casefold(): t for t in types.ids})
    by_word.update({"phone": "voice", "sms": "text", "call": "voice", "crisis": "hotline"})
    phones = []
    for offset, line in enumerate(value.split("\n")):
        if not line.strip():
            continue
        parts = [" ".join(p.split()) for p in line.split("|")]
        number = parts[0]
        if not number:
            reader.problem("phones", f"line {offset + 1}: the number is missing", offset=offset)
            continue
        phone: dict[str, Any] = {"number": number, "type": "voice"}
        if len(parts) > 1 and parts[1]:
            kind = by_word.get(parts[1].casefold())
            if kind is None:
                reader.problem(
                    "phones",
                    f"line {offset + 1}: '{parts[1]}' is not a phone type: use one of "
                    + ", ".join(types.ids),
                    offset=offset,
                )
            else:
                phone["type"] = kind
        if len(parts) > 2 and parts[2]:
            phone["label"] = parts[2]
        if len(parts) > 3 and parts[3]:
            phone["hours"] = "24/7" if _is_always_open(parts[3]) else parts[3]
        if len(parts) > 4:
            reader.problem(
                "phones",
                f"line {offset + 1}: write at most number | type | label | hours",
                offset=offset,
            )
        phones.append(phone)
    return phones or None


def _is_always_open(value: str) -> bool:
    return value.casefold().replace(" ", "") in ("24/7", "24x7", "24hours", "24hoursaday")


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_WORDS = {
    **{d: d for d in _DAYS},
    "monday": "mon", "tuesday": "tue", "tues": "tue", "wednesday": "wed", "thursday": "thu",
    "thur": "thu", "thurs": "thu", "friday": "fri", "saturday": "sat", "sunday": "sun",
    "lun": "mon", "lunes": "mon", "mar": "tue", "martes": "tue", "mie": "wed", "mié": "wed",
    "miercoles": "wed", "miércoles": "wed", "jue": "thu", "jueves": "thu", "vie": "fri",
    "viernes": "fri", "sab": "sat", "sáb": "sat", "sabado": "sat", "sábado": "sat",
    "dom": "sun", "domingo": "sun",
}  # fmt: skip
_MAX_HOURS_LINE = 200
_HOURS_LINE = re.compile(
    r"^(?P<days>[^\d]+?)[\s:]+(?P<opens>\d{1,2}(?::\d{2})?)\s*(?:-|–|—|to|a)\s*"
    r"(?P<closes>\d{1,2}(?::\d{2})?)$",
    re.IGNORECASE,
)


def _time(value: str) -> str | None:
    hours, _, minutes = value.partition(":")
    minutes = minutes or "00"
    if not (hours.isdigit() and minutes.isdigit()):
        return None
    h, m = int(hours), int(minutes)
    if h == 24 and m == 0:
        h = 0
    if h > 23 or m > 59:
        return None
    return f"{h:02d}:{m:02d}"


def _days(text: str) -> list[str] | None:
    days: list[str] = []
    for group in re.split(r"[,&/]|\band\b|\by\b", text.strip().casefold()):
        group = group.strip().rstrip(".")
        if not group:
            continue
        ends = [e.strip().rstrip(".") for e in re.split(r"\s*(?:-|–|—|\bto\b|\ba\b)\s*", group)]
        ends = [e for e in ends if e]
        if len(ends) == 1 and ends[0] in _DAY_WORDS:
            days.append(_DAY_WORDS[ends[0]])
        elif len(ends) == 2 and all(e in _DAY_WORDS for e in ends):
            start, stop = _DAYS.index(_DAY_WORDS[ends[0]]), _DAYS.index(_DAY_WORDS[ends[1]])
            span = range(start, stop + 1) if start <= stop else [*range(start, 7), *range(stop + 1)]
            days.extend(_DAYS[i] for i in span)
        else:
            return None
    return sorted(set(days), key=_DAYS.index) or None


def _hours(reader: _Reader) -> tuple[Any, str | None]:
    value = reader.text("hours", one_line=False)
    if value is None:
        return None, None
    lines = [" ".join(line.split()) for line in value.split("\n") if line.strip()]
    if lines and _is_always_open(lines[0]):
        notes = "; ".join(lines[1:]) or None
        return "24/7", notes
    slots: list[dict[str, Any]] = []
    notes: list[str] = []
    for line in lines:
        # Bounded: the pattern backtracks on long runs of spaces (an hours line is short).
        found = _HOURS_LINE.match(line) if len(line) <= _MAX_HOURS_LINE else None
        days = _days(found.group("days")) if found else None
        opens = _time(found.group("opens")) if found else None
        closes = _time(found.group("closes")) if found else None
        if days and opens and closes and opens != closes:
            slot: dict[str, Any] = {"days": days, "opens": opens, "closes": closes}
            if closes < opens:
                slot["overnight"] = True
            slots.append(slot)
        else:
            notes.append(line)
    return (slots or None), ("; ".join(notes) or None)


def _service_area(reader: _Reader) -> dict[str, Any] | None:
    value = reader.text("service_area")
    if value is None:
        return None
    area: dict[str, Any] = {}
    states: list[str] = []
    counties: list[str] = []
    for item in _split(value):
        word = item.casefold()
        if word in ("national", "nationwide", "all states", "usa", "united states"):
            area["national"] = True
        elif word in ("remote", "online", "by phone", "phone", "virtual"):
            area["remote"] = True
        elif item.upper() in STATES:
            states.append(item.upper())
        elif re.fullmatch(r"[A-Za-z]{2}\s*/\s*\S.*", item) and item[:2].upper() in STATES:
            state, _, county = item.partition("/")
            county = re.sub(r"\s+(county|parish|borough)$", "", county.strip(), flags=re.I)
            counties.append(f"{state.strip().upper()}/{county}")
        else:
            reader.problem(
                "service_area",
                f"'{item}' is not a state code (IL), a county (IL/Cook), 'national' or 'remote'",
            )
    if states:
        area["states"] = list(dict.fromkeys(states))
    if counties:
        area["counties"] = list(dict.fromkeys(counties))
    if area.get("national"):
        area.pop("states", None)
        area.pop("counties", None)
    return area or None


def _website(reader: _Reader) -> str | None:
    value = reader.text("website")
    if value and "://" not in value and re.fullmatch(r"[\w.-]+\.[a-z]{2,}(/\S*)?", value, re.I):
        value = "https://" + value
    return value


def _email(reader: _Reader) -> str | None:
    value = reader.text("email")
    if value and value.lower().startswith("mailto:"):
        value = value[7:]
    return value


def _common(reader: _Reader, conv: Conversion) -> None:
    f = conv.fields
    for key in ("name", "organization", "summary", "source"):
        f[key] = reader.text(key)
    for key in ("how_to_apply", "eligibility"):
        value = reader.text(key, one_line=False)
        f[key] = " ".join(value.split()) if value else None
    for key, vocab in _LIST_TERMS.items():
        f[key] = reader.terms(key, vocab)
    f["languages"] = _languages(reader)
    f["cost"] = reader.choice("cost", vocabulary.get("cost").ids)
    f["phones"] = _phones(reader)
    f["website"] = _website(reader)
    f["email"] = _email(reader)
    f["hours"], f["hours_notes"] = _hours(reader)
    f["service_area"] = _service_area(reader)
    last = reader.text("last_verified")
    if last is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", last):
        reader.problem("last_verified", f"'{last}' is not a date: write YYYY-MM-DD")
    f["last_verified"] = last
    description = reader.text("description", one_line=False)
    conv.body = description
    loc = conv.location
    loc["visibility"] = reader.choice("visibility", vocabulary.get("visibility").ids)
    loc["street"] = reader.text("street")
    loc["city"] = reader.text("city")
    loc["state"] = reader.choice("state", tuple(STATES))
    loc["postal_code"] = reader.text("postal_code")
    confirmations = reader.ticked("confirmations")
    if NO_STREET_CONFIRMATION not in confirmations:
        reader.problem(
            "confirmations",
            "the box confirming that the form holds no confidential street address is not "
            "ticked: read the form for confidential details before converting it",
        )


def _drop_empty(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


def new_listing(answers: dict[str, Answer], shown: str) -> Conversion:
    """The data of a new listing from a "New listing" form."""
    reader = _Reader(answers, shown)
    conv = Conversion()
    _common(reader, conv)
    loc = conv.location
    if loc.get("street") and loc.get("visibility") in ("approximate", "hidden"):
        reader.problem("street", STREET_LEAK.format(what=f"an {loc['visibility']}"
                                                    if loc["visibility"] == "approximate"
                                                    else "a hidden"))  # fmt: skip
        loc["street"] = None
    location = _drop_empty({k: loc.get(k) for k in ("visibility", "street", "city", "state",
                                                    "postal_code")})  # fmt: skip
    conv.fields["location"] = location
    conv.fields = _drop_empty(conv.fields)
    for key in _REQUIRED:
        if key not in conv.fields:
            reader.problem(key, "this field is required for a new listing")
    if not any(k in conv.fields for k in ("phones", "website", "email")):
        reader.problem("phones", "give at least one phone number, a website or an email")
    conv.problems = reader.problems
    return conv


_LISTING_REF = re.compile(r"([a-z0-9-]{3,80})(?:\.md|\.html)?/?(?:[?#].*)?$")


def listing_id(reference: str) -> str | None:
    """The listing id in a page address, a file name or an id."""
    reference = reference.strip().strip("<>").rstrip("/")
    last = reference.rsplit("/", 1)[-1]
    found = _LISTING_REF.fullmatch(last.lower() if last.isascii() else last)
    return found.group(1) if found else None


def correction(answers: dict[str, Answer], shown: str) -> Conversion:
    """The changes a "Correct a listing" form asks for (only the fields filled in)."""
    reader = _Reader(answers, shown)
    conv = Conversion(lines={k: a.line for k, a in answers.items()})
    _common(reader, conv)
    reference = reader.text("listing")
    if reference:
        conv.listing = listing_id(reference)
        if conv.listing is None:
            reader.problem("listing", f"'{reference}' names no listing: give its page address "
                           "or its file name")  # fmt: skip
    conv.fields["status"] = reader.choice("status", vocabulary.get("status").ids)
    removable = set(REMOVABLE)
    for item in _split(reader.text("remove") or ""):
        name = item.strip().strip("`").lower()
        if name in removable:
            conv.remove.append(name)
        else:
            close = difflib.get_close_matches(name, REMOVABLE, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            reader.problem("remove", f"'{item}' is not a field that can be removed{hint}")
    conv.fields = _drop_empty(conv.fields)
    conv.location = _drop_empty(conv.location)
    conv.problems = reader.problems
    return conv


def apply_correction(
    current: dict[str, Any], current_body: str, conv: Conversion, reader_shown: str
) -> tuple[dict[str, Any], str | None, list[Problem], list[str]]:
    """The top-level updates for ``current`` (a listing's data) asked by ``conv``.

    Returns ``(updates, body or None, problems, notes)``; updates map a field to its new
    value or :data:`REMOVE`, and include only fields that change.
    """
    problems: list[Problem] = []
    notes: list[str] = []
    updates: dict[str, Any] = {}
    for key, value in conv.fields.items():
        if current.get(key) != value:
            updates[key] = value
    body = None
    for name in conv.remove:
        if name == "description":
            body = ""
        elif not name.startswith("location.") and name in current:
            updates[name] = REMOVE
    old_location = current.get("location") if isinstance(current.get("location"), dict) else {}
    location = dict(old_location)
    for key, value in conv.location.items():
        location[key] = value
    for name in conv.remove:
        if name.startswith("location."):
            location.pop(name.split(".", 1)[1], None)
    visibility = location.get("visibility")
    if visibility in ("approximate", "hidden"):
        if conv.location.get("street"):
            problems.append(
                Problem(
                    reader_shown,
                    conv.lines.get("street", 1),
                    1,
                    Severity.ERROR,
                    "street",
                    "'Street address (public locations only)': "
                    + STREET_LEAK.format(
                        what=f"an {visibility}" if visibility == "approximate" else "a hidden"
                    ),  # fmt: skip
                    "issue_form",
                )
            )
        dropped = [k for k in ("street", "street2", "coordinates") if k in location]
        for key in dropped:
            location.pop(key)
        if dropped and old_location.get("visibility") == "public":
            notes.append(
                f"the location is now {visibility}: removed location.{', location.'.join(dropped)}"
                ". The old street stays in the repository's history: if the place must now be "
                "secret, ask the maintainers to purge it (see CONTRIBUTING.md)"
            )
    if location != old_location:
        updates["location"] = location
    if conv.body is not None and conv.body != current_body.strip():
        body = conv.body
    return updates, body, problems, notes


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def new_id(data: dict[str, Any]) -> str:
    """An id from the name and the city (or the state for a hidden location)."""
    name = slug(str(data.get("name") or ""))
    loc = data.get("location") or {}
    place = slug(str(loc.get("city") or loc.get("state") or ""))
    parts = [name] if place and f"-{place}-" in f"-{name}-" else [name, place]
    ident = "-".join(p for p in parts if p)
    if len(ident) > 80:
        ident = ident[:80].rsplit("-", 1)[0]
    if len(ident) < 3:
        ident = (ident + "-listing").strip("-")
    return ident
