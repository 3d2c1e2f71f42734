"""``waystation new``: write a new listing file from a few answers, then validate it.

Asks for the required fields (or takes them as options, for scripts), writes
``providers/<id>.md`` with every string safely quoted, and runs the validator
on it, so a contributor starts from a file that is already valid.
"""

from __future__ import annotations

import sys
from pathlib import Path

from waystation import settings as settings_mod
from waystation.commands.validate import parse_today
from waystation.contribute.issue_listing import new_id
from waystation.exc import UsageError
from waystation.records import vocabulary
from waystation.records.hours_text import is_always_open, parse_hours_text
from waystation.records.listing_writer import render_listing
from waystation.records.problems import Severity, format_report
from waystation.records.source import ID_PATTERN
from waystation.records.validation import load_listings

NAME = "new"
HELP = "write a new listing file from a few answers (or options), then validate it"

BODY = (
    "Describe what the provider offers survivors, who it serves and how to reach it, "
    "in a few short paragraphs. Do not write a confidential address here."
)


def add_arguments(parser) -> None:
    parser.add_argument("--name", help="the listing's name (3-150 characters)")
    parser.add_argument("--organization", help="the parent organization, if any")
    parser.add_argument(
        "--services", help="comma-separated terms, e.g. case-management,legal-immigration"
    )
    parser.add_argument("--trafficking-types", help="sex, labor, or sex,labor")
    parser.add_argument("--visibility", choices=vocabulary.get("visibility").ids)
    parser.add_argument("--city")
    parser.add_argument("--state", help="two-letter USPS code, e.g. IL")
    parser.add_argument("--postal-code", help="5-digit ZIP code")
    parser.add_argument("--phone", help="main phone number, e.g. 312-555-0142")
    parser.add_argument("--website", help="https:// address")
    parser.add_argument("--email")
    parser.add_argument(
        "--hours",
        help="opening hours as you would say them, e.g. 'Mon-Fri 9am-5pm; Sat 10am-2pm', "
        "'lunes a viernes de 9 a 17' or '24/7'",
    )
    parser.add_argument("--id", help="file name without .md (default: from name and city)")
    parser.add_argument("--out", type=Path, help="folder to write into (default: providers)")
    parser.add_argument(
        "--today", help="the last_verified date to write (default: today), YYYY-MM-DD"
    )


def _ask(prompt: str, current: str | None, interactive: bool, required: bool = True) -> str:
    if current:
        return current.strip()
    if not interactive:
        if required:
            raise UsageError(f"missing --{prompt.split(' (')[0].lower().replace(' ', '-')}")
        return ""
    while True:
        value = input(f"{prompt}: ").strip()
        if value or not required:
            return value
        print("  (required)")


def _terms(text: str) -> list[str]:
    return [t.strip() for t in text.replace(";", ",").split(",") if t.strip()]


def _hours(text: str) -> tuple[object, str | None]:
    """Structured hours from ``text`` (the shared parser); a line it cannot read without
    guessing stops here with the parser's suggestion, before any file is written."""
    if not text:
        return None, None
    parsed = parse_hours_text(text.replace(";", "\n") if not is_always_open(text) else text)
    errors = [p for p in parsed.problems if p.severity is Severity.ERROR]
    if errors:
        raise UsageError("--hours: " + "; ".join(p.message for p in errors))
    for problem in parsed.problems:
        print(f"note: --hours: {problem.message}")
    return parsed.hours, parsed.notes_text


def run(args) -> int:
    conf = settings_mod.load(args.config)
    interactive = sys.stdin.isatty()
    if interactive:
        print("New listing. Press Enter to skip an optional question.")
        print(f"Services: {', '.join(vocabulary.get('services').ids)}")
    today = parse_today(args.today)
    name = _ask("Name", args.name, interactive)
    services = _terms(_ask("Services (comma-separated)", args.services, interactive))
    kinds = _ask("Trafficking types (sex, labor)", args.trafficking_types, interactive)
    visibility = _ask("Visibility (public, approximate, hidden)", args.visibility, interactive)
    state = _ask("State (USPS code)", args.state, interactive).upper()
    city = _ask("City", args.city, interactive, required=visibility != "hidden")
    postal = ""
    if visibility != "hidden":
        postal = _ask("Postal code (ZIP)", args.postal_code, interactive, required=False)
    phone = _ask("Phone", args.phone, interactive, required=False)
    website = _ask("Website", args.website, interactive, required=False)
    email = _ask("Email", args.email, interactive, required=False)
    hours, hours_notes = _hours(_ask("Opening hours", args.hours, interactive, required=False))
    organization = args.organization or ""
    location: dict[str, object] = {"visibility": visibility, "state": state}
    if city:
        location["city"] = city
    if postal:
        location["postal_code"] = postal
    data: dict[str, object] = {
        "name": name,
        "organization": organization or None,
        "services": services,
        "trafficking_types": _terms(kinds),
        "location": location,
        "phones": [{"number": phone, "type": "voice"}] if phone else None,
        "website": website or None,
        "email": email or None,
        "hours": hours,
        "hours_notes": hours_notes,
        "last_verified": today,
    }
    listing_id = args.id or new_id(data)
    if not ID_PATTERN.fullmatch(listing_id):
        raise UsageError(
            f"--id '{listing_id}' is not a valid id: use 3-80 lowercase letters, digits and '-'"
        )
    folder = args.out or Path(conf["PROVIDERS_PATH"])
    target = folder / f"{listing_id}.md"
    if target.exists():
        raise UsageError(f"{target} already exists: choose another --id")
    folder.mkdir(parents=True, exist_ok=True)
    target.write_text(render_listing(data, BODY), encoding="utf-8")
    print(f"wrote {target}")
    result = load_listings([target], today=today, stale_after_days=conf["STALE_AFTER_DAYS"])
    print(format_report(result.problems, "text", result.files))
    if result.errors:
        print("Fix the errors above in the file (it is kept so you can edit it).")
    else:
        print("Now add a summary, languages, hours and a description, then validate again.")
    return 1 if result.errors else 0
