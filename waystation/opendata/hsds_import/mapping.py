"""One joined HSDS record -> a draft listing: front matter, body, TODOs, confidentiality.

What maps is written (see the table in docs/open-data.md); what a person must decide is
written as ``"TODO"``, which ``waystation validate`` names at its line until it is
replaced: ``services`` (when no taxonomy term maps), ``trafficking_types`` (unless a
term says sex or labor trafficking), ``last_verified`` (always: the 211's own check is
not Waystation's; its date is in the file's header comment), the location's ``state``
when the data gives none, and a phone when the data gives no contact at all.
Everything else that cannot be used is reported through :class:`.findings.Findings`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pycountry

from waystation.gazetteer import centres
from waystation.gazetteer.states import STATES
from waystation.opendata.hsds_import.confidential import street_reasons, word_reasons
from waystation.opendata.hsds_import.findings import Findings
from waystation.opendata.hsds_import.joins import Joined
from waystation.opendata.hsds_import.taxonomy import OUTPUTS, Mapping, term_label, words
from waystation.records import languages as language_codes
from waystation.records import phones as phone_numbers
from waystation.records import vocabulary
from waystation.records.listing_writer import FIELD_ORDER, clean_text

TODO = "TODO"
Row = dict[str, Any]

PHONE_TYPES = {
    "voice": "voice",
    "text": "text",
    "sms": "text",
    "fax": "fax",
    "tty": "tty",
    "textphone": "tty",
    "cell": "voice",
    "mobile": "voice",
    "hotline": "hotline",
    "whatsapp": "whatsapp",
    "main": "voice",
    "work": "voice",
    "": "voice",
}
BYDAY = {"MO": "mon", "TU": "tue", "WE": "wed", "TH": "thu", "FR": "fri", "SA": "sat", "SU": "sun"}
WEEK = list(BYDAY.values())
STATE_BY_NAME = {name.casefold(): code for code, name in STATES.items()}
ACCESSIBILITY = (
    ("wheelchair", "wheelchair"),
    ("ramp", "wheelchair"),
    ("restroom", "accessible-restroom"),
    ("bathroom", "accessible-restroom"),
    ("elevator", "elevator"),
    ("sign language", "asl"),
    ("asl", "asl"),
    ("braille", "braille"),
    ("large print", "large-print"),
    ("service animal", "service-animals"),
)
_TIME = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?(?::\d{2})?\s*([ap])?\.?\s*m?\.?", re.I)
_WEBSITE = re.compile(r"^https?://[^\s/]+\.[^\s]+$", re.I)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ZIP = re.compile(r"[0-9]{5}(-?[0-9]{4})?")
ORDER = ("name", "source_id", *FIELD_ORDER[1:])


@dataclass
class Draft:
    """A listing file to write, and what the report says about it."""

    source_id: str
    front_matter: dict[str, Any]
    body: str
    todo: list[str] = field(default_factory=list)
    confidential: list[str] = field(default_factory=list)  # reasons
    comments: list[str] = field(default_factory=list)
    mapped: dict[str, list[str]] = field(default_factory=dict)
    terms: list[Row] = field(default_factory=list)
    unmapped_terms: list[str] = field(default_factory=list)


def text(value: Any) -> str | None:
    if value is None:
        return None
    cleaned = clean_text(str(value))
    return cleaned or None


def state_code(value: Any) -> str | None:
    raw = str(value or "").strip()
    if raw.upper() in STATES:
        return raw.upper()
    return STATE_BY_NAME.get(raw.casefold().replace(".", ""))


@lru_cache(maxsize=4096)
def _hhmm(value: str) -> str | None:
    match = _TIME.match(value)
    if not match:
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.lower() == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


def hhmm(value: Any) -> str | None:
    """``HH:MM`` of a time as 211 data writes it (``09:00``, ``9:00 AM``, ``17:00:00``)."""
    return _hhmm(str(value or ""))


def language_code(value: str) -> str | None:
    """An ISO 639 code for a code or a name ('Spanish', 'spa', 'ES', 'Español')."""
    raw = value.strip()
    lowered = raw.lower()
    if len(lowered) in (2, 3) and language_codes.is_known(lowered):
        record = pycountry.languages.get(alpha_3=lowered) if len(lowered) == 3 else None
        alpha_2 = getattr(record, "alpha_2", None) if record else None
        return alpha_2 or lowered
    if len(lowered) == 3:  # an ISO 639-2 bibliographic code ("fre", "chi")
        try:
            record = pycountry.languages.get(bibliographic=lowered)
        except (KeyError, LookupError):
            record = None
        if record is not None:
            return getattr(record, "alpha_2", None) or record.alpha_3
    return language_codes.suggest(raw) or language_codes.suggest(raw.title())


def _languages(rows: list[Row], findings: Findings) -> list[str]:
    codes: list[str] = []

    def add(value: str, where: str) -> bool:
        code = language_code(value)
        if code and code not in codes:
            codes.append(code)
        return code is not None

    for row in rows:
        if row.get("code") or row.get("name"):  # 3.0: a code and a name of one language
            if not any(add(str(row[k]), row["_where"]) for k in ("code", "name") if row.get(k)):
                findings.warn(
                    "language that is neither an ISO 639 code nor a known name",
                    f"{row['_where']} ({row.get('code') or row.get('name')!r})",
                )
            continue
        for value in str(row.get("language") or "").split(","):  # 1.x: a list of them
            if value.strip() and not add(value, row["_where"]):
                findings.warn(
                    "language that is neither an ISO 639 code nor a known name",
                    f"{row['_where']} ({value.strip()!r})",
                )
    return codes


def _phones(record: Joined, findings: Findings) -> list[dict[str, Any]]:
    result = []
    for phone in record.phones:
        number = text(phone.get("number"))
        kind = PHONE_TYPES.get(str(phone.get("type") or "").strip().lower())
        where = phone["_where"]
        if not number:
            findings.drop("phone row without a number", where)
            continue
        if kind is None:
            findings.drop(f"phone of type {phone.get('type')!r}: no Waystation type", where)
            continue
        extension = text(phone.get("extension"))
        if extension:
            extension = extension.removesuffix(".0")  # a spreadsheet's number column
        full = f"{number} ext. {extension}" if extension else number
        # the number alone (the validator's fast path), and an extension of digits
        valid = phone_numbers.is_valid(number) and (not extension or extension.isdigit())
        if not (valid or (kind == "text" and phone_numbers.is_short_code(number))):
            findings.drop("phone number that does not parse (not written)", f"{where} ({full!r})")
            continue
        entry: dict[str, Any] = {"number": full, "type": kind}
        label = text(phone.get("description")) or text(phone.get("department"))
        if label:
            entry["label"] = label[:200]
        spoken = _languages(record.phone_languages.get(phone.get("id", ""), []), findings)
        if phone.get("language"):
            spoken += [
                c
                for c in _languages([{"language": phone["language"], "_where": where}], findings)
                if c not in spoken
            ]
        if spoken:
            entry["languages"] = spoken
        if entry not in result:
            result.append(entry)
    return result


def _hours(record: Joined, today: dt.date, findings: Findings) -> tuple[Any, str | None]:
    spans: dict[tuple[str, str, bool], list[str]] = {}
    notes = []
    for schedule in record.schedules:
        where = schedule["_where"]
        valid_to = str(schedule.get("valid_to") or schedule.get("until") or "")[:10]
        if valid_to and valid_to < today.isoformat():
            findings.drop("schedule that ended (valid_to in the past)", where)
            continue
        days = [BYDAY.get(d.strip().upper()) for d in str(schedule.get("byday") or "").split(",")]
        opens, closes = hhmm(schedule.get("opens_at")), hhmm(schedule.get("closes_at"))
        weekly = str(schedule.get("freq") or "WEEKLY").upper() == "WEEKLY"
        if not weekly or not days or not all(days) or not opens or not closes:
            description = text(schedule.get("description"))
            if description:
                notes.append(description)
            findings.warn(
                "schedule that is not a weekly rule with opening times: its "
                "description (if any) goes to hours_notes",
                where,
            )
            continue
        overnight = closes <= opens and not (opens == "00:00" and closes in ("00:00", "23:59"))
        key = (opens, "23:59" if closes == "00:00" and opens == "00:00" else closes, overnight)
        for day in days:
            if day not in spans.setdefault(key, []):
                spans[key].append(day)
    if (
        list(spans) == [("00:00", "23:59", False)]
        and sorted(spans[list(spans)[0]], key=WEEK.index) == WEEK
    ):
        return "24/7", None
    hours = []
    for (opens, closes, overnight), days in sorted(
        spans.items(), key=lambda i: (WEEK.index(min(i[1], key=WEEK.index)), i[0])
    ):
        entry: dict[str, Any] = {
            "days": sorted(days, key=WEEK.index),
            "opens": opens,
            "closes": closes,
        }
        if overnight:
            entry["overnight"] = True
        hours.append(entry)
    return hours or None, ("; ".join(dict.fromkeys(notes)) if notes else None)


def _accessibility(rows: list[Row], findings: Findings) -> list[str]:
    terms = []
    for row in rows:
        value = " ".join(str(row.get(k) or "") for k in ("accessibility", "description", "details"))
        found = [
            term
            for needle, term in ACCESSIBILITY
            if f" {needle} " in words(value) or needle in words(value)
        ]
        if not found:
            findings.warn("accessibility that matches no Waystation term", f"{row['_where']}")
        for term in found:
            if term not in terms:
                terms.append(term)
    return terms


def _location(record: Joined, confidential_terms: list[str], findings: Findings, draft: Draft):
    service, org, loc = record.service, record.organization or {}, record.location or {}
    addresses = record.addresses
    physical = [
        a for a in addresses if str(a.get("address_type") or "physical").lower() == "physical"
    ]
    postal = [a for a in addresses if a not in physical]
    address = physical[0] if physical else (postal[0] if postal else None)
    reasons = list(confidential_terms)
    reasons += word_reasons(
        {
            "service name": service.get("name"),
            "service description": service.get("description"),
            "organization name": org.get("name"),
            "location name": loc.get("name"),
            "location description": loc.get("description"),
        }
    )
    if address is not None:
        reasons += street_reasons(address.get("address_1"))
        if not physical:
            reasons.append("only a postal (mailing) address is given")
    if len(physical) > 1:
        findings.warn(
            "location with several physical addresses: the first is used", physical[1]["_where"]
        )
    state = state_code(address.get("state_province")) if address else None
    if address is not None and state is None:
        findings.warn(
            "address whose state_province is not a US state or territory",
            f"{address['_where']} ({address.get('state_province')!r})",
        )
    if state is None:
        for area in record.service_areas:  # a phone or online service: its state
            state = state_code(area.get("extent") or area.get("service_area") or area.get("name"))
            if state:
                break
    city = text(address.get("city")) if address else None
    postal_code = str(address.get("postal_code") or "").strip() if address else ""
    data: dict[str, Any] = {}
    if reasons:
        draft.confidential = list(dict.fromkeys(reasons))
        data["visibility"] = "approximate" if city and state else "hidden"
    elif address is not None and text(address.get("address_1")) and city:
        data["visibility"] = "public"
        data["street"] = text(address["address_1"])
        if text(address.get("address_2")):
            data["street2"] = text(address["address_2"])
    elif city:
        data["visibility"] = "approximate"  # no street: nothing to pin precisely
        draft.comments.append("no street address in the data: imported approximate")
    else:
        data["visibility"] = "hidden"
    if data["visibility"] != "hidden" and city:
        data["city"] = city
    if state is None:
        data["state"] = TODO
        draft.todo.append("location.state")
    else:
        data["state"] = state
    if data["visibility"] != "hidden" and _ZIP.fullmatch(postal_code):
        if state and centres.zip_state(postal_code) not in (None, state):
            findings.warn(
                "ZIP code that belongs to another state: not written",
                f"{address['_where']} ({postal_code} in {state})",
            )
        else:
            data["postal_code"] = postal_code
    if data["visibility"] == "public":
        try:
            lat, lon = float(loc.get("latitude")), float(loc.get("longitude"))
            if -90 <= lat <= 90 and -180 <= lon <= 180 and (lat, lon) != (0.0, 0.0):
                data["coordinates"] = {"lat": lat, "lon": lon}
        except (TypeError, ValueError):
            pass
    terms = _accessibility(record.accessibility, findings)
    if terms:
        data["accessibility"] = terms
    if data["visibility"] == "public" and text(loc.get("transportation")):
        data["transit"] = text(loc["transportation"])
    return data


def draft(
    record: Joined,
    mapping: Mapping,
    ancestors: dict[str, list[Row]],
    today: dt.date,
    source_label: str,
    findings: Findings,
) -> Draft:
    service, org = record.service, record.organization or {}
    name = text(service.get("name")) or text(org.get("name")) or f"Service {service['id']}"
    result = Draft(record.source_id, {}, "")
    fm = result.front_matter
    fm["name"] = name[:150]
    if len(name) > 150:
        findings.warn(
            "name longer than 150 characters: cut (shorten it by hand)", service["_where"]
        )
    fm["source_id"] = record.source_id
    org_name = text(org.get("name"))
    if org_name and org_name != name:
        fm["organization"] = org_name
    if text(service.get("alternate_name")):
        fm["alternate_name"] = text(service["alternate_name"])
    # taxonomy
    found: dict[str, list[str]] = {v: [] for v in OUTPUTS}
    confidential_terms = []
    for term in record.terms:
        entries = mapping.entries(term, ancestors.get(term.get("id", ""), []))
        if not entries:
            result.unmapped_terms.append(term_label(term))
        for entry in entries:
            for vocab in OUTPUTS:
                for term_id in entry.terms.get(vocab, ()):
                    if term_id not in found[vocab]:
                        found[vocab].append(term_id)
            if entry.confidential:
                confidential_terms.append(f"shelter-type taxonomy term {term_label(term)!r}")
    for vocab in OUTPUTS:  # the vocabulary's order, not the export's
        found[vocab].sort(key=vocabulary.get(vocab).ids.index)
    result.mapped = found
    result.terms = record.terms
    fm["services"] = found["services"] or [TODO]
    fm["trafficking_types"] = found["trafficking_types"] or [TODO]
    for vocab in ("populations", "features"):
        if found[vocab]:
            fm[vocab] = found[vocab]
    result.todo += [v for v in ("services", "trafficking_types") if not found[v]]
    # location
    fm["location"] = _location(record, list(dict.fromkeys(confidential_terms)), findings, result)
    # contact
    phones = _phones(record, findings)
    if phones:
        fm["phones"] = phones
        if record.organization_phone:
            result.comments.append("phones are the organization's (the service gives none)")
    email = text(service.get("email")) or text(org.get("email"))
    if email and "@" in email:
        fm["email"] = email
    website = text(service.get("url")) or text(org.get("url")) or text(org.get("website"))
    if website and website.lower().startswith("www."):
        website = "https://" + website
    if website and _WEBSITE.match(website):
        fm["website"] = website
    elif website:
        findings.warn(
            "website that is not an http(s) address: not written",
            f"{service['_where']} ({website!r})",
        )
    if not any(k in fm for k in ("phones", "email", "website")):
        fm["phones"] = [{"number": TODO, "type": "voice"}]
        result.todo.append("phones (no contact in the data)")
    spoken = _languages(record.languages, findings)
    if spoken:
        fm["languages"] = spoken
    # texts
    eligibility = [text(service.get("eligibility_description")) or text(service.get("eligibility"))]
    eligibility += [text(r.get("eligibility") or r.get("description")) for r in record.eligibility]
    if any(eligibility):
        fm["eligibility"] = "; ".join(dict.fromkeys(e for e in eligibility if e))
    fees = [text(service.get("fees_description")) or text(service.get("fees"))]
    fees += [text(r.get("fee")) for r in record.fees]
    if any(fees):
        fm["fees"] = "; ".join(dict.fromkeys(f for f in fees if f))
    if text(service.get("application_process")):
        fm["how_to_apply"] = text(service["application_process"])
    ages = {}
    for hsds_field, ours in (("minimum_age", "min"), ("maximum_age", "max")):
        try:
            number = int(float(service[hsds_field])) if service.get(hsds_field) else None
        except ValueError:
            number = None
        if number is not None and 0 <= number <= 120:
            ages[ours] = number
    if ages and ages.get("min", 0) <= ages.get("max", 120):
        fm["ages"] = ages
    if any(str(c.get("amount")).strip() in ("0", "0.0", "0.00") for c in record.cost_options):
        fm["cost"] = "free"
    hours, notes = _hours(record, today, findings)
    if hours:
        fm["hours"] = hours
    if notes:
        fm["hours_notes"] = notes
    states = []
    for area in record.service_areas:
        value = area.get("extent") or area.get("service_area") or area.get("name")
        code = state_code(value)
        if code and code not in states:
            states.append(code)
        elif not code:
            findings.warn(
                "service area that is not a US state (counties: add them by hand)",
                f"{area['_where']} ({value!r})",
            )
    if states:
        fm["service_area"] = {"states": states}
    status = str(service.get("status") or "active").strip().lower()
    fm["status"] = {
        "temporarily closed": "temporarily-closed",
        "inactive": "inactive",
        "defunct": "inactive",
    }.get(status, "active")
    fm["last_verified"] = TODO
    result.todo.append("last_verified")
    assured = str(service.get("assured_date") or service.get("last_modified") or "")[:10]
    if _DATE.fullmatch(assured):
        result.comments.append(f"the 211 data says it was last checked on {assured}")
    fm["source"] = source_label
    body = [text(service.get("description"))]
    if text(org.get("description")) and text(org.get("description")) not in body:
        body.append(text(org.get("description")))
    result.body = "\n\n".join(b for b in body if b)
    if fm["location"]["visibility"] != "public":
        _remove_streets(record, result, findings)
    result.front_matter = {k: fm[k] for k in ORDER if k in fm}
    return result


def _remove_streets(record: Joined, result: Draft, findings: Findings) -> None:
    """A non-public place's street must not reach the file through a text: a description
    that says "we are at 12 Harbor Rd" has it removed (and reported by place only)."""
    streets = {
        str(a.get(k)).strip()
        for a in record.addresses
        for k in ("address_1", "address_2")
        if a.get(k) and any(c.isdigit() for c in str(a.get(k))) and len(str(a.get(k))) >= 6
    }
    if not streets:
        return
    pattern = re.compile(
        "|".join(re.escape(s) for s in sorted(streets, key=len, reverse=True)), re.I
    )
    removed = False

    def clean(value: Any) -> Any:
        nonlocal removed
        if isinstance(value, str) and pattern.search(value):
            removed = True
            return pattern.sub("[address removed]", value)
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return value

    result.front_matter = {k: clean(v) for k, v in result.front_matter.items()}
    result.body = clean(result.body)
    if removed:
        result.comments.append("the street of this confidential place was removed from its texts")
        findings.warn(
            "a confidential place's street was in its texts: removed", record.service["_where"]
        )
