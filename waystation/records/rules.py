"""The record format's rules that relate fields to each other or need a library.

Each rule reads the plain front-matter data of one :class:`SourceFile` and
returns problems at the offending line.  They run whether or not the model
accepted the file, so a contributor sees every problem in one run; each rule
checks the types it relies on and stays quiet when the model already reported
a wrong type.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from email_validator import EmailNotValidError, validate_email

from waystation.gazetteer import centres
from waystation.gazetteer.states import STATES
from waystation.records import languages, phones
from waystation.records.problems import Problem, Severity
from waystation.records.source import SourceFile
from waystation.records.web_address import web_address_problem

W = Severity.WARNING


class Context:
    """What rules need besides the file: today's date and the settings."""

    def __init__(self, today: dt.date, stale_after_days: int = 365) -> None:
        self.today = today
        self.stale_after_days = stale_after_days


Rule = Callable[[SourceFile, dict[str, Any], Context], list[Problem]]


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def location_rules(src: SourceFile, data: dict, ctx: Context) -> list[Problem]:
    loc = data.get("location")
    if not isinstance(loc, dict):
        return []
    out: list[Problem] = []
    visibility = loc.get("visibility")
    if visibility in ("approximate", "hidden"):
        for key in ("street", "street2"):
            if loc.get(key) not in (None, ""):
                out.append(
                    src.problem(
                        ("location", key),
                        f"{_article(visibility)} {visibility} location must not have a street "
                        "address: the repository is public, so a confidential street in a file is "
                        "already "
                        "a leak. Remove the line (and ask a maintainer to purge it from the "
                        "history if it was ever pushed)",
                        rule=f"street_on_{visibility}_location",
                        prefer="key",
                    )
                )
        if loc.get("coordinates") is not None:
            out.append(
                src.problem(
                    ("location", "coordinates"),
                    "an approximate location must not have coordinates: remove them (the map "
                    "shows the ZIP or city area instead)"
                    if visibility == "approximate"
                    else "a hidden location must not have coordinates: remove them "
                    "(hidden listings are never mapped)",
                    rule=f"coordinates_on_{visibility}_location",
                    prefer="key",
                )
            )
    if visibility in ("public", "approximate") and loc.get("city") in (None, ""):
        out.append(
            src.problem(
                ("location",),
                f"a {visibility} location needs a 'city' (e.g. city: Chicago)",
                rule="missing_city",
                prefer="key",
            )
        )
    state = loc.get("state")
    zip_code = loc.get("postal_code")
    if isinstance(zip_code, str) and len(zip_code) >= 5 and zip_code[:5].isdigit():
        if state in STATES:
            actual = centres.zip_state(zip_code[:5])
            if actual is None:
                out.append(
                    src.problem(
                        ("location", "postal_code"),
                        f"'{zip_code}' is not a known US ZIP code: check the digits",
                        rule="unknown_zip",
                    )
                )
            elif actual != state:
                out.append(
                    src.problem(
                        ("location", "postal_code"),
                        f"ZIP {zip_code[:5]} is in {actual}, not {state}: check the ZIP or the "
                        "state",
                        rule="zip_not_in_state",
                    )
                )
    coords = loc.get("coordinates")
    if (
        visibility == "public"
        and isinstance(coords, dict)
        and state in STATES
        and _number(coords.get("lat"))
        and _number(coords.get("lon"))
        and -90 <= coords["lat"] <= 90
        and -180 <= coords["lon"] <= 180
        and not centres.is_in_state(coords["lat"], coords["lon"], state)
    ):
        out.append(
            src.problem(
                ("location", "coordinates"),
                f"({coords['lat']}, {coords['lon']}) is not in {STATES[state]}: check the "
                "numbers (lat is north-south, lon is east-west and negative in the US)",
                W,
                rule="coordinates_outside_state",
                prefer="key",
            )
        )
    return out


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def date_rules(src: SourceFile, data: dict, ctx: Context) -> list[Problem]:
    date = _as_date(data.get("last_verified"))
    if date is None:
        return []
    if date > ctx.today:
        return [
            src.problem(
                ("last_verified",),
                f"{date.isoformat()} is in the future: write the date a person last confirmed "
                "the listing with the provider",
                rule="future_last_verified",
            )
        ]
    age = (ctx.today - date).days
    if age > ctx.stale_after_days and data.get("status") != "inactive":
        # Inactive listings are published nowhere: nobody needs to re-verify them
        # (the same rule as `waystation stale`).
        return [
            src.problem(
                ("last_verified",),
                f"last verified {age} days ago (over {ctx.stale_after_days}): confirm the "
                "listing with the provider and update the date",
                W,
                rule="stale",
            )
        ]
    return []


def contact_rules(src: SourceFile, data: dict, ctx: Context) -> list[Problem]:
    out: list[Problem] = []
    if not any(data.get(k) for k in ("phones", "website", "email")):
        out.append(
            src.problem(
                (),
                "a listing needs at least one way to reach the provider: 'phones', 'website' "
                "or 'email'",
                rule="no_contact",
            )
        )
    phones = data.get("phones")
    if isinstance(phones, list):
        for index, phone in enumerate(phones):
            if isinstance(phone, dict):
                out.extend(_phone(src, index, phone))
    email = data.get("email")
    if isinstance(email, str) and email and not _plain_valid_email(email):
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError as error:
            out.append(
                src.problem(
                    ("email",),
                    f"'{email}' is not a valid e-mail address: {error}",
                    rule="bad_email",
                )
            )
    website = data.get("website")
    if isinstance(website, str) and website:
        out.extend(_website(src, website))
    return out


#: An unquoted ASCII local part (RFC 5322 dot-atom), at most 64 characters.
_LOCAL_PART = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")


def _plain_valid_email(email: str) -> bool:
    """A common address accepted without email-validator's full parse (its domain
    check, the costly part, is done once per domain)."""
    local, at, domain = email.rpartition("@")
    if not at or len(local) > 64 or not _LOCAL_PART.match(local):
        return False
    return _valid_email_domain(domain)


@lru_cache(maxsize=4096)
def _valid_email_domain(domain: str) -> bool:
    try:
        validate_email(f"postmaster@{domain}", check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def _phone(src: SourceFile, index: int, phone: dict) -> list[Problem]:
    number = phone.get("number")
    if not isinstance(number, str) or not number:
        return []
    path = ("phones", index, "number")
    digits = number.strip()
    if phone.get("type") == "text" and phones.is_short_code(digits):
        return []  # an SMS short code, e.g. 233733
    if not phones.is_valid(digits):
        hint = (
            "; a text short code is 5-6 digits with type: text"
            if digits.isdigit() and len(digits) < 7
            else ""
        )
        return [
            src.problem(
                path,
                f"'{number}' is not a valid phone number: {phones.why_invalid(digits)}{hint}",
                rule="bad_phone",
            )
        ]
    return []


def _website(src: SourceFile, website: str) -> list[Problem]:
    problem = web_address_problem(website)
    if problem:
        return [src.problem(("website",), problem, rule="bad_website")]
    if website.lower().startswith("http:"):
        return [
            src.problem(
                ("website",),
                "the website uses http://, which is not encrypted: use https:// if the site "
                "supports it",
                W,
                rule="http_website",
            )
        ]
    return []


def hours_rules(src: SourceFile, data: dict, ctx: Context) -> list[Problem]:
    hours = data.get("hours")
    if not isinstance(hours, list):
        return []
    out: list[Problem] = []
    for index, entry in enumerate(hours):
        if not isinstance(entry, dict):
            continue
        opens, closes = entry.get("opens"), entry.get("closes")
        if not (isinstance(opens, str) and isinstance(closes, str)):
            continue
        if len(opens) != 5 or len(closes) != 5:
            continue
        if closes <= opens and entry.get("overnight") is not True:
            out.append(
                src.problem(
                    ("hours", index, "closes"),
                    f"closes at {closes}, not after it opens at {opens}: fix the times, or add "
                    "'overnight: true' if it closes the next day",
                    rule="closes_before_opens",
                )
            )
    return out


def ages_rules(src: SourceFile, data: dict, ctx: Context) -> list[Problem]:
    ages = data.get("ages")
    if not isinstance(ages, dict):
        return []
    low, high = ages.get("min"), ages.get("max")
    if _number(low) and _number(high) and low > high:
        return [
            src.problem(
                ("ages", "min"),
                f"min ({low}) is greater than max ({high}): swap them",
                rule="ages_min_above_max",
            )
        ]
    return []


def service_area_rules(src: SourceFile, data: dict, ctx: Context) -> list[Problem]:
    area = data.get("service_area")
    if not isinstance(area, dict):
        return []
    out: list[Problem] = []
    if area.get("national") is True and (area.get("states") or area.get("counties")):
        out.append(
            src.problem(
                ("service_area", "national"),
                "'national: true' already covers every state: remove 'states' and 'counties'",
                rule="national_with_states",
                prefer="key",
            )
        )
    if area.get("national") is False and not (area.get("states") or area.get("counties")):
        out.append(
            src.problem(
                ("service_area", "national"),
                "'national: false' says nothing: remove it, or list 'states' or 'counties'",
                rule="empty_service_area",
                prefer="key",
            )
        )
    counties = area.get("counties")
    if isinstance(counties, list):
        for index, county in enumerate(counties):
            if isinstance(county, str) and "/" in county:
                state = county.split("/", 1)[0]
                if state not in STATES:
                    out.append(
                        src.problem(
                            ("service_area", "counties", index),
                            f"'{state}' in '{county}' is not a USPS state code",
                            rule="bad_county",
                        )
                    )
    return out


def language_rules(src: SourceFile, data: dict, ctx: Context) -> list[Problem]:
    out: list[Problem] = []

    def check(path: tuple, code: Any) -> None:
        if isinstance(code, str) and len(code) in (2, 3) and code.isalpha() and code.islower():
            if not languages.is_known(code):
                out.append(
                    src.problem(
                        path,
                        f"'{code}' is not an ISO 639-1 or 639-3 language code "
                        "(e.g. en, es, zh, yue, ase)",
                        rule="unknown_language",
                    )
                )

    for index, code in enumerate(_list(data.get("languages"))):
        check(("languages", index), code)
    for pindex, phone in enumerate(_list(data.get("phones"))):
        if isinstance(phone, dict):
            for index, code in enumerate(_list(phone.get("languages"))):
                check(("phones", pindex, "languages", index), code)
    translations = data.get("translations")
    if isinstance(translations, dict):
        for code in translations:
            check(("translations", code), code)
    return out


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def text_rules(src: SourceFile, data: dict, ctx: Context) -> list[Problem]:
    out: list[Problem] = []
    summary = data.get("summary")
    if isinstance(summary, str) and "\n" in summary.strip():
        out.append(
            src.problem(("summary",), "the summary must be one line", rule="multiline_summary")
        )
    for key in ("services", "populations", "features", "trafficking_types", "languages"):
        values = data.get(key)
        if isinstance(values, list):
            seen: set = set()
            for index, value in enumerate(values):
                if isinstance(value, str) and value in seen:
                    out.append(
                        src.problem(
                            (key, index), f"'{value}' is listed twice", W, rule="duplicate_term"
                        )
                    )
                seen.add(value if isinstance(value, str) else None)
    return out


def completeness_rules(src: SourceFile, data: dict, ctx: Context) -> list[Problem]:
    out: list[Problem] = []
    if not data.get("summary"):
        out.append(
            src.problem(
                (),
                "no 'summary': add one line (at most 200 characters) shown on cards and in "
                "search results",
                W,
                rule="no_summary",
            )
        )
    if not src.body.strip():
        out.append(
            Problem(
                src.path,
                src.body_line,
                1,
                W,
                "description",
                "no description: write a few sentences below the closing '---' about what "
                "the provider offers and how",
                "no_description",
            )
        )
    if not data.get("languages"):
        out.append(
            src.problem(
                (),
                "no 'languages': list the languages staff speak (e.g. languages: [en, es]) so "
                "survivors can find help in theirs",
                W,
                rule="no_languages",
            )
        )
    return out


RULES: tuple[Rule, ...] = (
    location_rules,
    date_rules,
    contact_rules,
    hours_rules,
    ages_rules,
    service_area_rules,
    language_rules,
    text_rules,
    completeness_rules,
)


def apply(src: SourceFile, ctx: Context) -> list[Problem]:
    if not isinstance(src.data, dict):
        return []
    problems: list[Problem] = []
    for rule in RULES:
        problems.extend(rule(src, src.data, ctx))
    return problems
