"""The GitHub issue forms, and reading the issues people file with them.

The forms in ``.github/ISSUE_TEMPLATE/`` are generated from the definitions
here and the vocabularies (``python scripts/generate_issue_forms.py``; a test
fails when the committed files are out of date), so their options always
match ``waystation/data/vocabularies.yaml`` and the parser below always knows
every label.

GitHub turns a filled form into a Markdown issue body: one ``### Label``
heading per field, then the answer; ``_No response_`` for an empty field;
ticked boxes as ``- [X] option``.  :func:`parse_body` reads that back into
answers by field id.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from waystation.contribute import issue_forms_es as es
from waystation.gazetteer.states import STATES
from waystation.records import vocabulary

NO_RESPONSE = "_No response_"
SAFETY_NOTE = (
    "**Everything you write here is public.** Never write the street address of a shelter "
    "or of any place that must stay confidential, nor anything that could identify a "
    "survivor. For a confidential place, give only the city (or only the state) and choose "
    "*approximate* or *hidden* below."
)


@dataclass(frozen=True)
class FormField:
    id: str
    kind: str  # input | textarea | dropdown | checkboxes | markdown
    label: str = ""
    description: str = ""
    placeholder: str = ""
    required: bool = False
    options: tuple[str, ...] = ()
    required_options: tuple[str, ...] = ()  # checkboxes that must be ticked

    def as_yaml_data(self) -> dict[str, Any]:
        if self.kind == "markdown":
            return {"type": "markdown", "attributes": {"value": self.description}}
        attributes: dict[str, Any] = {"label": self.label}
        if self.description:
            attributes["description"] = self.description
        if self.placeholder and self.kind in ("input", "textarea"):
            attributes["placeholder"] = self.placeholder
        if self.kind == "dropdown":
            attributes["options"] = list(self.options)
        if self.kind == "checkboxes":
            attributes["options"] = [
                {"label": option, "required": True}
                if option in self.required_options
                else {"label": option}
                for option in self.options
            ]
        data: dict[str, Any] = {"type": self.kind, "id": self.id, "attributes": attributes}
        if self.required and self.kind != "checkboxes":
            data["validations"] = {"required": True}
        return data


@dataclass(frozen=True)
class Form:
    key: str  # new-listing | correct-a-listing | report-a-problem (+ "-es": in Spanish)
    name: str
    description: str
    title: str
    labels: tuple[str, ...]
    fields: tuple[FormField, ...] = field(default_factory=tuple)
    lang: str = "en"  # the language the form asks in, and its answers are written in

    @property
    def kind(self) -> str:
        """``new-listing``, ``correct-a-listing`` or ``report-a-problem``, in any language."""
        return self.key.removesuffix(f"-{self.lang}") if self.lang != "en" else self.key

    @property
    def filename(self) -> str:
        return f"{self.key}.yml"

    @property
    def questions(self) -> tuple[FormField, ...]:
        return tuple(f for f in self.fields if f.kind != "markdown")

    def as_yaml_data(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "title": self.title,
            "labels": list(self.labels),
            "body": [f.as_yaml_data() for f in self.fields],
        }


# -- options from the vocabularies ---------------------------------------------------------

_CHECKBOX_ID = re.compile(r"\(`([A-Za-z0-9-]+)`\)\s*$")


def checkbox_option(label: str, term_id: str) -> str:
    return f"{label} (`{term_id}`)"


def dropdown_option(term_id: str, text: str) -> str:
    return f"{term_id} — {text}"


def option_id(option: str) -> str:
    """The term id an option stands for (``Food (`food`)`` and ``food — Food`` give food)."""
    found = _CHECKBOX_ID.search(option)
    if found:
        return found.group(1)
    return option.split(" — ", 1)[0].strip()


def _vocab_checkboxes(name: str, lang: str = "en") -> tuple[str, ...]:
    return tuple(checkbox_option(t.label_in(lang), t.id) for t in vocabulary.get(name).terms)


def _vocab_dropdown(name: str, with_description: bool = False, lang: str = "en") -> tuple[str, ...]:
    return tuple(
        dropdown_option(
            t.id,
            f"{t.label_in(lang)}: {t.description_in(lang)}"
            if with_description
            else t.label_in(lang),
        )
        for t in vocabulary.get(name).terms
    )


def _state_options() -> tuple[str, ...]:
    return tuple(dropdown_option(code, name) for code, name in STATES.items())


NO_STREET_CONFIRMATION = (
    "This form contains no street address of a shelter or other confidential place, "
    "and nothing that could identify a survivor."
)
VERIFIED_CONFIRMATION = "I confirmed this information with the provider on the date given above."


def _listing_fields(correction: bool) -> tuple[FormField, ...]:
    keep = " Leave empty to keep what the listing says." if correction else ""
    tick = (
        " Tick boxes only to replace the whole list; leave all unticked to keep it."
        if correction
        else ""
    )
    return (
        FormField(
            "name",
            "input",
            "Name of the program or site",
            "The name survivors will see (3 to 150 characters)." + keep,
            "Harbor Light Survivor Services – Loop Office",
            required=not correction,
        ),
        FormField(
            "organization",
            "input",
            "Parent organization",
            "If the organization has several sites, its name (the same on every site)." + keep,
            "Harbor Light Survivor Services",
        ),
        FormField(
            "summary",
            "input",
            "One-line summary",
            "One sentence (at most 200 characters) shown in search results." + keep,
            "Emergency shelter and case management for adult survivors.",
        ),
        FormField(
            "services",
            "checkboxes",
            "Services",
            ("What the provider does. Tick at least one." if not correction else "") + tick,
            options=_vocab_checkboxes("services"),
        ),
        FormField(
            "trafficking_types",
            "checkboxes",
            "Kinds of trafficking served",
            ("Tick one or both." if not correction else "") + tick,
            options=_vocab_checkboxes("trafficking_types"),
        ),
        FormField(
            "populations",
            "checkboxes",
            "Who is served",
            ("Leave all unticked if everyone is served." if not correction else "") + tick,
            options=_vocab_checkboxes("populations"),
        ),
        FormField(
            "features",
            "checkboxes",
            "How the provider works",
            ("Tick what is true." if not correction else "") + tick,
            options=_vocab_checkboxes("features"),
        ),
        FormField(
            "visibility",
            "dropdown",
            "How much of the location may be shown",
            "public: offices, clinics, legal aid. approximate: only city and ZIP are shown. "
            "hidden: confidential shelters; no place is shown at all." + keep,
            required=not correction,
            options=_vocab_dropdown("visibility", with_description=True),
        ),
        FormField(
            "street",
            "input",
            "Street address (public locations only)",
            "ONLY if the location above is public. Leave empty for approximate or hidden "
            "locations: this form is public." + keep,
            "123 Example Street, Suite 100",
        ),
        FormField(
            "city",
            "input",
            "City",
            "Required for public and approximate locations; may be left empty for hidden "
            "ones." + keep,
            "Chicago",
        ),
        FormField(
            "state",
            "dropdown",
            "State or territory",
            "Where the provider is." + keep,
            required=not correction,
            options=_state_options(),
        ),
        FormField(
            "postal_code",
            "input",
            "ZIP code",
            "5 digits (or ZIP+4)." + keep,
            "60604",
        ),
        FormField(
            "phones",
            "textarea",
            "Phone numbers",
            "One number per line: number | type | label | hours. Type is one of "
            + ", ".join(vocabulary.get("phone_types").ids)
            + ". Label and hours are optional. Numbers outside the US start with + and "
            "the country code." + (" Filling this in replaces every number." if correction else ""),
            "312-555-0100 | voice | Front desk | Mon–Fri 9:00–17:00\n"
            "312-555-0199 | hotline | 24-hour line | 24/7",
        ),
        FormField(
            "website",
            "input",
            "Website",
            "The full address, starting with https://" + keep,
            "https://example.org",
        ),
        FormField(
            "email", "input", "Email", "An address people can write to." + keep, "help@example.org"
        ),  # fmt: skip
        FormField(
            "languages",
            "input",
            "Languages staff speak",
            "Names or codes, separated by commas." + keep,
            "English, Spanish, Haitian Creole",
        ),
        FormField(
            "cost",
            "dropdown",
            "Cost",
            "What survivors pay." + keep,
            options=_vocab_dropdown("cost"),
        ),
        FormField(
            "how_to_apply",
            "textarea",
            "How to get help",
            "The next step a survivor takes." + keep,
            "Call the intake line and ask for an advocate.",
        ),
        FormField(
            "eligibility",
            "textarea",
            "Who can get help",
            "Any conditions." + keep,
            "Adults who have experienced sex or labor trafficking.",
        ),
        FormField(
            "hours",
            "textarea",
            "Opening hours",
            "Write 24/7, or one line per group of days, as you would say it: Mon-Fri "
            "9am-5pm, Sat 10:00-14:00. Use am/pm or 24-hour times ('9-5' could be 9 in the "
            "evening); for a place open overnight write e.g. 'Fri 9pm-7am'. Other notes "
            "(holidays, appointments) on their own lines." + keep,
            "Mon-Fri 9am-5pm\nSat 10am-2pm\nClosed on federal holidays.",
        ),
        FormField(
            "service_area",
            "input",
            "Area served",
            "State codes and counties (STATE/County), or 'national'; add 'remote' if the "
            "provider also helps by phone or online. Leave empty for the location's state." + keep,
            "IL, IN, IL/Cook, remote",
        ),
        FormField(
            "description",
            "textarea",
            "Description",
            "Two to four short paragraphs: what the provider does, who it helps, and what "
            "happens when someone gets in touch." + keep,
        ),
        FormField(
            "last_verified",
            "input",
            "Date confirmed with the provider",
            "The date (YYYY-MM-DD) a person last confirmed this information with the provider."
            + (
                " Leave empty if you have not confirmed the correction with them."
                if correction
                else ""
            ),  # fmt: skip
            "2026-03-14",
            required=not correction,
        ),
        FormField(
            "source",
            "input",
            "Where this information comes from",
            "Not published. For example: phone call with the program director.",
            "Phone call with the program director",
        ),
    )


def _confirmations() -> FormField:
    return FormField(
        "confirmations",
        "checkboxes",
        "Safety and accuracy",
        options=(NO_STREET_CONFIRMATION, VERIFIED_CONFIRMATION),
        required_options=(NO_STREET_CONFIRMATION,),
    )


NEW_LISTING = Form(
    key="new-listing",
    name="New listing",
    description="Add a service for survivors of trafficking to the directory.",
    title="New listing: ",
    labels=("listing", "new-listing"),
    fields=(
        FormField(
            "intro",
            "markdown",
            description="Thank you for helping survivors find services. A maintainer will "
            "call the provider to confirm the information, then add the listing. You can also "
            "add it yourself with a pull request: see CONTRIBUTING.md.\n\n" + SAFETY_NOTE,
        ),
        *_listing_fields(correction=False),
        _confirmations(),
    ),
)

CORRECT_A_LISTING = Form(
    key="correct-a-listing",
    name="Correct a listing",
    description="Fix information in a listing: a new phone number, new hours, a closure.",
    title="Correction: ",
    labels=("listing", "correction"),
    fields=(
        FormField(
            "intro",
            "markdown",
            description="Fill in only what changes; leave the rest empty.\n\n" + SAFETY_NOTE,
        ),
        FormField(
            "listing",
            "input",
            "Listing to correct",
            "The address of the listing's page, or its file name (providers/….md).",
            "https://help.example.org/providers/harbor-light-chicago-loop/",
            required=True,
        ),
        FormField(
            "what_changed",
            "textarea",
            "What is wrong, and what is right",
            "In your own words. Not copied into the listing.",
            required=True,
        ),
        FormField(
            "status",
            "dropdown",
            "Is the service open?",
            "Only if this changes.",
            options=_vocab_dropdown("status", with_description=True),
        ),
        *_listing_fields(correction=True),
        FormField(
            "remove",
            "input",
            "Fields to remove",
            "Names of fields that no longer apply, separated by commas (for example: email, "
            "location.transit).",
            "email, hours",
        ),
        FormField(
            "changes",
            "textarea",
            "Add, change or remove one item",
            "One change per line: add, change or remove one phone, service, language or "
            "line of hours; everything else in the listing stays as it is. Phones are "
            "written number | type | label | hours.",
            "add phone: 312-555-0199 | fax | Fax line\n"
            "change phone 312-555-0142: 312-555-0143\n"
            "remove service: clothing\n"
            "add language: Haitian Creole\n"
            "add hours: Sat 10am-2pm",
        ),
        _confirmations(),
    ),
)

REPORT_A_PROBLEM = Form(
    key="report-a-problem",
    name="Report a problem",
    description="Tell us about a listing that is wrong, closed, or unsafe, or about the site.",
    title="Problem: ",
    labels=("problem-report",),
    fields=(
        FormField(
            "intro",
            "markdown",
            description="**If you are in danger, call 911.** For help now, call the National "
            "Human Trafficking Hotline at 1-888-373-7888 or text 233733.\n\n"
            "This report is public. Do not include your name, a survivor's details, or the "
            "address of a confidential place. If the problem is that a confidential address "
            "is visible, write only the listing's name and *confidential location shown*: do "
            "not repeat the address. Maintainers will remove it.",
        ),
        FormField(
            "listing",
            "input",
            "Listing",
            "The address of the listing's page or its name (leave empty if the problem is "
            "with the site itself).",
            "https://help.example.org/providers/harbor-light-chicago-loop/",
        ),
        FormField(
            "problem",
            "dropdown",
            "What is the problem?",
            required=True,
            options=(
                "The phone number or contact does not work",
                "The service has closed or moved",
                "Some information is wrong",
                "A confidential location is shown",
                "I had a bad or unsafe experience with this provider",
                "The website does not work for me",
                "Something else",
            ),
        ),
        FormField(
            "details",
            "textarea",
            "Details",
            "What you saw, and what would be right. Please do not include personal details.",
            required=True,
        ),
        FormField(
            "confirmations",
            "checkboxes",
            "Safety",
            options=(
                "This report contains no confidential address and no personal details about "
                "me or a survivor.",
            ),
            required_options=(
                "This report contains no confidential address and no personal details about "
                "me or a survivor.",
            ),
        ),
    ),
)


# -- the Spanish forms: the same questions, asked in Spanish ---------------------------------

_CHECKBOX_VOCABULARIES = ("services", "trafficking_types", "populations", "features")
_DROPDOWN_VOCABULARIES = {"visibility": True, "cost": False, "status": True}  # with description
_CONFIRMATIONS_ES = {
    NO_STREET_CONFIRMATION: es.NO_STREET_CONFIRMATION,
    VERIFIED_CONFIRMATION: es.VERIFIED_CONFIRMATION,
}


def _in_spanish(form: Form, listing_ids: frozenset[str]) -> Form:
    correction = form.key == "correct-a-listing"
    report = form.key == "report-a-problem"
    fields = []
    for f in form.fields:
        if f.kind == "markdown":
            fields.append(dataclasses.replace(f, description=es.FORMS[form.key][3]))
            continue
        label, description, placeholder = es.FIELDS[f.id]
        if report and f.id == "listing":
            label, description = es.PROBLEM_LISTING
            placeholder = f.placeholder
        if correction and f.id in listing_ids:
            if f.kind == "checkboxes":
                description = es.TICK.strip()
            elif f.id == "last_verified":
                description += " Déjelo vacío si no confirmó la corrección con el proveedor."
            elif f.id == "phones":
                description += " Si lo completa, reemplaza todos los números."
            elif f.id != "source":
                description += es.KEEP
        options = f.options
        if f.id in _CHECKBOX_VOCABULARIES:
            options = _vocab_checkboxes(f.id, "es")
        elif f.id in _DROPDOWN_VOCABULARIES:
            options = _vocab_dropdown(f.id, _DROPDOWN_VOCABULARIES[f.id], "es")
        elif f.id == "problem":
            options = es.PROBLEMS
        elif f.id == "confirmations" and report:
            options = (es.PROBLEM_SAFETY,)
        elif f.id == "confirmations":
            options = tuple(_CONFIRMATIONS_ES[o] for o in f.options)
        required = tuple(options[f.options.index(o)] for o in f.required_options)
        fields.append(
            dataclasses.replace(
                f,
                label=label,
                description=description,
                placeholder=placeholder,
                options=options,
                required_options=required,
            )  # fmt: skip
        )
    name, description, title, _intro = es.FORMS[form.key]
    return Form(
        key=f"{form.key}-es", name=name, description=description, title=title,
        labels=(*form.labels, "es"), fields=tuple(fields), lang="es",
    )  # fmt: skip


_LISTING_IDS = frozenset(f.id for f in _listing_fields(correction=True))
NEW_LISTING_ES = _in_spanish(NEW_LISTING, _LISTING_IDS)
CORRECT_A_LISTING_ES = _in_spanish(CORRECT_A_LISTING, _LISTING_IDS)
REPORT_A_PROBLEM_ES = _in_spanish(REPORT_A_PROBLEM, _LISTING_IDS)

FORMS: tuple[Form, ...] = (
    NEW_LISTING, CORRECT_A_LISTING, REPORT_A_PROBLEM,
    NEW_LISTING_ES, CORRECT_A_LISTING_ES, REPORT_A_PROBLEM_ES,
)  # fmt: skip
#: What each kind of form is recognised by: the label of a question only it asks.
_TELLING_FIELD = {"correct-a-listing": "listing", "report-a-problem": "problem",
                  "new-listing": "name"}  # fmt: skip


def issue_config(repository: str) -> dict[str, Any]:
    """``.github/ISSUE_TEMPLATE/config.yml`` for the repository at ``repository`` (its web
    address: see :func:`waystation.contribute.repository.repository_url`)."""
    return {
        "blank_issues_enabled": False,
        "contact_links": [
            {
                "name": "Need help now? National Human Trafficking Hotline",
                "url": "https://humantraffickinghotline.org/en/contact",
                "about": "Call 1-888-373-7888 or text 233733, 24 hours a day. "
                "In an emergency call 911.",
            },
            {
                "name": "Report a confidential address or a security problem privately",
                "url": f"{repository.rstrip('/')}/security/advisories/new",
                "about": "Never in a public issue: this private report reaches the maintainers "
                "only.",
            },
        ],
    }


# -- reading an issue body -----------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    id: str
    label: str
    text: str | None  # None when empty ("_No response_")
    line: int  # line of the answer in the issue body (1-based)
    ticked: tuple[str, ...] = ()  # checkboxes: the ticked options

    @property
    def empty(self) -> bool:
        return self.text is None and not self.ticked


# Only the start of a line is matched by a pattern; the rest is stripped by hand, so the
# time is linear in the line's length (a lazy group before "\s*#*\s*$" was cubic).
_HEADING_START = re.compile(r"###\s+")
_CHECKBOX_START = re.compile(r"\s*[-*]\s+\[([ xX])\]\s+")


def _heading(line: str) -> str | None:
    """``### Label ##`` -> ``Label``: the text after ``###`` and spaces, without closing
    spaces and '#'s; None if the line is no heading."""
    start = _HEADING_START.match(line)
    if not start:
        return None
    return line[start.end() :].rstrip().rstrip("#").rstrip() or None


def _checkbox(line: str) -> tuple[str, str] | None:
    """``- [x] Text`` -> (``x``, ``Text``); None if the line is no checkbox."""
    start = _CHECKBOX_START.match(line)
    if not start:
        return None
    return start.group(1), line[start.end() :].rstrip()


def detect_form(body: str) -> Form | None:
    """Which form an issue body was written with (by its own headings), or None."""
    headings = {h.casefold() for line in _lines(body) if (h := _heading(line))}
    for kind in ("correct-a-listing", "report-a-problem", "new-listing"):
        for form in (f for f in FORMS if f.kind == kind):
            telling = next(q for q in form.questions if q.id == _TELLING_FIELD[kind])
            if telling.label.casefold() in headings:
                return form
    return None


def _lines(body: str) -> list[str]:
    return body.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def parse_body(body: str, form: Form) -> dict[str, Answer]:
    """Answers by field id.  A ``### heading`` starts a field only if it is the label of a
    field later in the form, so headings inside an answer stay part of it."""
    questions = form.questions
    order = {q.label.casefold(): index for index, q in enumerate(questions)}
    lines = _lines(body)
    sections: list[tuple[int, int, list[str]]] = []  # (question index, first line, lines)
    current = -1
    for number, line in enumerate(lines, start=1):
        found = _heading(line)
        index = order.get(found.casefold()) if found else None
        if index is not None and index > current:
            current = index
            sections.append((index, number + 1, []))
        elif sections:
            sections[-1][2].append(line)
    answers: dict[str, Answer] = {}
    for index, first, content in sections:
        question = questions[index]
        while content and not content[0].strip():
            content.pop(0)
            first += 1
        text = "\n".join(content).strip()
        if question.kind == "checkboxes":
            ticked = []
            for line in content:
                box = _checkbox(line)
                if box and box[0] in "xX":
                    ticked.append(box[1])
            answers[question.id] = Answer(question.id, question.label, None, first, tuple(ticked))
            continue
        if not text or text == NO_RESPONSE:
            answers[question.id] = Answer(question.id, question.label, None, first)
        else:
            answers[question.id] = Answer(question.id, question.label, text, first)
    return answers


def render_body(form: Form, values: dict[str, Any]) -> str:
    """An issue body as GitHub writes it for ``values`` (for tests and documentation).

    ``values`` maps field ids to text, or for checkboxes to the ticked term ids or options.
    """
    parts: list[str] = []
    for question in form.questions:
        value = values.get(question.id)
        if question.kind == "checkboxes":
            chosen = set(value or ())
            lines = [
                f"- [{'X' if option in chosen or option_id(option) in chosen else ' '}] {option}"
                for option in question.options
            ]
            parts.append(f"### {question.label}\n\n" + "\n".join(lines))
        elif question.kind == "dropdown" and value:
            match = next((o for o in question.options if option_id(o) == value), value)
            parts.append(f"### {question.label}\n\n{match}")
        else:
            parts.append(f"### {question.label}\n\n{value if value else NO_RESPONSE}")
    return "\n\n".join(parts) + "\n"


# -- writing the form files ----------------------------------------------------------------

GENERATED_HEADER = (
    "# Generated by `python scripts/generate_issue_forms.py`"
    " from waystation/contribute/issue_forms.py\n"
    "# and waystation/data/vocabularies.yaml (links: REPOSITORY_URL or the git remote).\n"
    "# Do not edit by hand: change those and rerun.\n"
)
FORMS_FOLDER = ".github/ISSUE_TEMPLATE"


def _dump(data: Any) -> str:
    import yaml

    class _Dumper(yaml.SafeDumper):
        pass

    def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    _Dumper.add_representer(str, _str)
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def form_files(repository: str) -> dict[str, str]:
    """``{file name: text}`` of every file in ``.github/ISSUE_TEMPLATE/``; links point at
    ``repository`` (the repository's web address)."""
    files = {form.filename: GENERATED_HEADER + _dump(form.as_yaml_data()) for form in FORMS}
    files["config.yml"] = GENERATED_HEADER + _dump(issue_config(repository))
    return files
