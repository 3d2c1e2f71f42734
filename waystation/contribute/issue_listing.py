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

from waystation.contribute import issue_forms_es, item_edits
from waystation.contribute.issue_forms import (
    NO_STREET_CONFIRMATION,
    Answer,
    checkbox_option,
    option_id,
)
from waystation.gazetteer.states import STATES
from waystation.records import hours_text, languages, suggest, vocabulary
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
    changes: list[item_edits.Change] = field(default_factory=list)  # one item each
    untranslated: list[str] = field(default_factory=list)  # English texts to translate
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
                self.problem(answer_id, f"'{option}' is not one of the form's options"
                             + _option_hint(vocab, option))  # fmt: skip
        return sorted(set(chosen), key=ids.index) or None

    def choice(self, answer_id: str, vocab: str | None) -> str | None:
        """A dropdown's answer: an option, a term id or label (``Free``), or for the state
        a code or a name (``Illinois``); anything else is reported with the close ones."""
        value = self.text(answer_id)
        if value is None:
            return None
        term = option_id(value)
        if vocab is None:  # the state
            code = suggest.state_code(term) or suggest.state_code(value)
            if code:
                return code
            close = suggest.states(term)
            hint = f"; did you mean {suggest.as_fix(close)}?" if close else ""
            self.problem(answer_id, f"'{value}' is not a US state or territory{hint}")
            return None
        terms = vocabulary.get(vocab)
        if term in terms.ids:
            return term
        folded = suggest.fold(value) if len(value) <= suggest.MAX_TEXT else None
        exact = [t.id for t in terms.terms if folded in {
            suggest.fold(t.id), *(suggest.fold(label) for label in t.label.values())}]  # fmt: skip
        if len(exact) == 1:
            return exact[0]
        self.problem(answer_id, f"'{value}' is not one of the form's options"
                     + _option_hint(vocab, value))  # fmt: skip
        return None


def _option_hint(vocab: str, option: str) -> str:
    """``; did you mean 'Case management (`case-management`)'?`` for a form option that is
    not one (an edited issue, an old form): close terms, a group's terms, everyday words."""
    text = re.sub(r"\s*\(`[^`]*`\)\s*$", "", option)
    text = option_id(text) if " — " in text else text
    found = suggest.terms(vocab, text)
    if not found:
        return ""
    labels = vocabulary.get(vocab)
    shown = [checkbox_option(labels.label(t), t) for t in found]
    if len(shown) == 1:
        return f"; did you mean '{shown[0]}'?"
    return "; did you mean one or more of " + suggest.as_fix(shown) + "?"


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
            close = suggest.languages(item)
            hint = (
                "did you mean " + suggest.as_fix([f"{name} ({c})" for c, name in close]) + "?"
                if close
                else "write e.g. 'Spanish' or 'es'"
            )
            reader.problem("languages", f"'{item}' is not a language name or ISO 639 code: {hint}")
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
    by_word.update({suggest.fold(types.label(t, "es")): t for t in types.ids})
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
            kind = by_word.get(parts[1].casefold()) or by_word.get(suggest.fold(parts[1]))
            if kind is None:
                close = [by_word[w] for w in suggest.options(parts[1], list(by_word))[:1]]
                hint = f"did you mean {suggest.as_fix(close)}? " if close else ""
                reader.problem(
                    "phones",
                    f"line {offset + 1}: '{parts[1]}' is not a phone type: {hint}use one of "
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
    return hours_text.is_always_open(value)


def _hours(reader: _Reader) -> tuple[Any, str | None]:
    """Opening hours by :func:`waystation.records.hours_text.parse_hours_text`: every line
    it cannot read without guessing is an error (with the likely fix), every line kept
    as a note is a warning, each at its own line of the issue."""
    value = reader.text("hours", one_line=False)
    if value is None:
        return None, None
    parsed = hours_text.parse_hours_text(value)
    for problem in parsed.problems:
        reader.problem(
            "hours", f"line {problem.line + 1}: {problem.message}", problem.severity, problem.line
        )
    return parsed.hours, parsed.notes_text


def _service_area(reader: _Reader) -> dict[str, Any] | None:
    value = reader.text("service_area")
    if value is None:
        return None
    area: dict[str, Any] = {}
    states: list[str] = []
    counties: list[str] = []
    for item in _split(value):
        word = item.casefold()
        if word in (
            "national",
            "nationwide",
            "all states",
            "usa",
            "united states",
            "nacional",
            "todo el país",
            "todo el pais",
            "ee. uu.",
            "estados unidos",
        ):
            area["national"] = True
        elif word in (
            "remote",
            "online",
            "by phone",
            "phone",
            "virtual",
            "remoto",
            "en línea",
            "en linea",
            "por teléfono",
            "por telefono",
        ):
            area["remote"] = True
        elif suggest.state_code(item):
            states.append(suggest.state_code(item))
        elif re.fullmatch(r"[A-Za-z]{2}\s*/\s*\S.*", item) and item[:2].upper() in STATES:
            state, _, county = item.partition("/")
            county = re.sub(r"\s+(county|parish|borough)$", "", county.strip(), flags=re.I)
            counties.append(f"{state.strip().upper()}/{county}")
        else:
            close = suggest.states(item)
            hint = f" (did you mean {suggest.as_fix(close)}?)" if close else ""
            reader.problem(
                "service_area",
                f"'{item}' is not a state code (IL), a county (IL/Cook), 'national' or "
                f"'remote'{hint}",
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
    f["cost"] = reader.choice("cost", "cost")
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
    loc["visibility"] = reader.choice("visibility", "visibility")
    loc["street"] = reader.text("street")
    loc["city"] = reader.text("city")
    loc["state"] = reader.choice("state", None)
    loc["postal_code"] = reader.text("postal_code")
    confirmations = reader.ticked("confirmations")
    if not {NO_STREET_CONFIRMATION, issue_forms_es.NO_STREET_CONFIRMATION} & set(confirmations):
        reader.problem(
            "confirmations",
            "the box confirming that the form holds no confidential street address is not "
            "ticked: read the form for confidential details before converting it",
        )


def _drop_empty(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


#: The texts a translation carries (``translations.<lang>``), and the Markdown body.
TRANSLATED = ("name", "summary", "eligibility", "how_to_apply", "fees")
TRANSLATE_MARK = (
    "# TO TRANSLATE: sent in {language} (translations.{lang}). Write the English {fields}"
    "; 'name' holds the {language} name until then. Delete this line when done."
)


def _answers_in(conv: Conversion, lang: str, new: bool) -> None:
    """Put the texts of a form answered in ``lang`` (not English) where they belong:
    ``translations.<lang>``.  A new listing keeps the name as its English name too (it
    is required; names are rarely translated), and ``conv.untranslated`` lists the
    English texts left for a translator.  A correction leaves the English texts as
    they are."""
    if lang == "en":
        return
    texts = {k: conv.fields.get(k) for k in TRANSLATED if conv.fields.get(k)}
    for key in texts:
        if key != "name" or not new:
            conv.fields.pop(key, None)
    if conv.body:
        texts["description"] = conv.body
        conv.body = None
    if texts:
        conv.fields["translations"] = {lang: texts}
    conv.untranslated = [k for k in (*TRANSLATED, "description") if k in texts]


def translate_mark(conv: Conversion, lang: str) -> str | None:
    """The comment that marks a new listing's English texts as left for a translator."""
    if lang == "en" or not conv.untranslated:
        return None
    fields = [k for k in conv.untranslated if k != "name"] or ["name"]
    language = languages.name(lang, "en")
    return TRANSLATE_MARK.format(language=language, lang=lang, fields=", ".join(fields))


def new_listing(answers: dict[str, Answer], shown: str, lang: str = "en") -> Conversion:
    """The data of a new listing from a "New listing" form answered in ``lang``."""
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
    _answers_in(conv, lang, new=True)
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


def correction(answers: dict[str, Answer], shown: str, lang: str = "en") -> Conversion:
    """The changes a "Correct a listing" form asks for (only the fields filled in); the
    texts of a form answered in another language change that language's translation."""
    reader = _Reader(answers, shown)
    conv = Conversion(lines={k: a.line for k, a in answers.items()})
    _common(reader, conv)
    reference = reader.text("listing")
    if reference:
        conv.listing = listing_id(reference)
        if conv.listing is None:
            reader.problem("listing", f"'{reference}' names no listing: give its page address "
                           "or its file name")  # fmt: skip
    conv.fields["status"] = reader.choice("status", "status")
    removable = set(REMOVABLE)
    for item in _split(reader.text("remove") or ""):
        name = item.strip().strip("`").lower()
        if name in removable:
            conv.remove.append(name)
        else:
            reader.problem("remove", f"'{item}' is not a field that can be removed"
                           + removal_hint(name))  # fmt: skip
    changes_text = reader.text("changes", one_line=False)
    if changes_text:
        conv.changes, wrong = item_edits.parse_changes(changes_text)
        for offset, message in wrong:
            reader.problem("changes", message, offset=offset)
        if conv.fields.get("phones") and any(c.kind == "phone" for c in conv.changes):
            reader.problem("changes", "'Phone numbers' replaces every number and this asks to "
                           "change one: use one or the other")  # fmt: skip
        if conv.fields.get("hours") and any(c.kind == "hours" for c in conv.changes):
            reader.problem("changes", "'Opening hours' replaces all the hours and this asks "
                           "to change one line: use one or the other")  # fmt: skip
    conv.fields = _drop_empty(conv.fields)
    _answers_in(conv, lang, new=False)
    conv.location = _drop_empty(conv.location)
    conv.problems = reader.problems
    return conv


def removal_hint(name: str) -> str:
    """`` (did you mean 'location.transit'?)``: the field paths ending in ``name`` (a
    field written without its group), else close spellings; names a required field as
    such."""
    name = name.strip().lower().replace(" ", "_")
    if name in _REQUIRED or name in ("location.visibility", "location.state", "visibility"):
        return " (it is required: correct it instead of removing it)"
    found = [path for path in REMOVABLE if path.rsplit(".", 1)[-1] == name]
    if not found:
        found = difflib.get_close_matches(name, REMOVABLE, n=2, cutoff=0.75)
        lasts = {path.rsplit(".", 1)[-1]: path for path in REMOVABLE}
        for last in difflib.get_close_matches(name, list(lasts), n=2, cutoff=0.75):
            if lasts[last] not in found:
                found.append(lasts[last])
    return f" (did you mean {suggest.as_fix(found)}?)" if found else ""


def _merged_translations(current: Any, changes: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The listing's translations with the texts a correction changes (others kept)."""
    merged = {k: dict(v) for k, v in (current or {}).items() if isinstance(v, dict)}
    for lang, texts in changes.items():
        merged.setdefault(lang, {}).update(texts)
    return merged


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
        if key == "translations":
            value = _merged_translations(current.get(key), value)
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
