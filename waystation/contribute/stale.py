"""The listings due for re-verification, with the contacts a volunteer needs to call.

A published listing (active or temporarily closed; never inactive) is stale
when its ``last_verified`` date is more than ``STALE_AFTER_DAYS`` days ago,
the same rule as the validator's warning.  The report lists the oldest first,
as plain text or as a Markdown checklist for the weekly issue.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from waystation.contribute.github_markdown import code_span, printable
from waystation.records import vocabulary
from waystation.records.model import Listing

MARKER = "<!-- waystation-stale-listings -->"
MAX_MARKDOWN = 60_000


@dataclass(frozen=True)
class StaleListing:
    listing: Listing
    age_days: int

    @property
    def last_verified(self) -> dt.date:
        return self.listing.record.last_verified


def stale_listings(listings: list[Listing], today: dt.date, days: int) -> list[StaleListing]:
    """Published listings verified more than ``days`` days before ``today``, oldest first."""
    found = [
        StaleListing(listing, (today - listing.record.last_verified).days)
        for listing in listings
        if listing.published and (today - listing.record.last_verified).days > days
    ]
    return sorted(found, key=lambda s: (s.last_verified, s.listing.id))


def _contacts(listing: Listing) -> list[tuple[str, str]]:
    """(kind, value) pairs: phones (with type, label and hours), email, website."""
    record = listing.record
    types = vocabulary.get("phone_types")
    out: list[tuple[str, str]] = []
    for phone in record.phones or []:
        extra = ", ".join(x for x in (phone.label, phone.hours) if x)
        value = phone.number + (f" ({extra})" if extra else "")
        out.append((types.label(phone.type), value))
    if record.email:
        out.append(("Email", record.email))
    if record.website:
        out.append(("Website", record.website))
    return out


def _status_note(listing: Listing) -> str:
    return " (temporarily closed)" if listing.record.status == "temporarily-closed" else ""


def format_text(items: list[StaleListing], today: dt.date, days: int) -> str:
    if not items:
        return f"No listing is due for re-verification (none verified more than {days} days ago)."
    lines = [
        f"{len(items)} listing(s) last verified more than {days} days before "
        f"{today.isoformat()}, oldest first:",
        "",
    ]
    for item in items:
        listing = item.listing
        name, path = printable(listing.record.name), printable(listing.source_path)
        lines.append(f"{name}{_status_note(listing)}  [{path}]")
        lines.append(f"  last verified {item.last_verified.isoformat()} ({item.age_days} days ago)")
        for kind, value in _contacts(listing):
            lines.append(f"  {kind}: {printable(value)}")
        lines.append("")
    lines.append(
        "Call or write to each provider, confirm every field, then update last_verified "
        "(and anything that changed) in the listing file."
    )
    return "\n".join(lines)


def format_markdown(items: list[StaleListing], today: dt.date, days: int) -> str:
    lines = [MARKER, f"## Listings to re-verify ({today.isoformat()})", ""]
    if not items:
        lines.append(f"No listing was last verified more than {days} days ago. Thank you!")
        return "\n".join(lines) + "\n"
    lines += [
        f"{len(items)} published listing(s) were last confirmed with the provider more than "
        f"{days} days ago. For each one: call or write to the provider, check every field, "
        "then open a pull request that updates `last_verified` (and anything that changed), "
        "and tick the box here. Oldest first.",
        "",
    ]
    size = sum(len(line) + 1 for line in lines)
    for shown, item in enumerate(items):
        listing = item.listing
        block = [
            f"- [ ] **{code_span(listing.record.name, 150)}**{_status_note(listing)} "
            f"({code_span(listing.source_path)}): last verified "
            f"{item.last_verified.isoformat()}, {item.age_days} days ago",
            *(f"  - {kind}: {code_span(value)}" for kind, value in _contacts(listing)),
        ]
        size += sum(len(line) + 1 for line in block)
        if size > MAX_MARKDOWN:  # GitHub refuses issue bodies over 65536 characters
            lines.append(
                f"- … and {len(items) - shown} more: run `waystation stale` to see them all."
            )
            break
        lines.extend(block)
    lines += [
        "",
        "This issue is updated every week by the *Weekly maintenance* workflow; "
        "it is closed when no listing is due.",
    ]
    return "\n".join(lines) + "\n"


def format_json(items: list[StaleListing], today: dt.date, days: int) -> str:
    return json.dumps(
        {
            "today": today.isoformat(),
            "stale_after_days": days,
            "listings": [
                {
                    "id": item.listing.id,
                    "file": item.listing.source_path,
                    "name": item.listing.record.name,
                    "status": item.listing.record.status,
                    "last_verified": item.last_verified.isoformat(),
                    "age_days": item.age_days,
                    "contacts": [{"kind": k, "value": v} for k, v in _contacts(item.listing)],
                }
                for item in items
            ],
        },
        indent=2,
        sort_keys=True,
        ensure_ascii=False,
    )
