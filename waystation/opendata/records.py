"""One flat, publishable record per listing: the rows of ``providers.csv`` and
the properties of ``providers.geojson``.

Built from :func:`waystation.publish.public_listing` only (never the record),
so an approximate listing carries its city, ZIP and area centre and a hidden
one its state alone.  Text is plain (Markdown reduced to text).

:func:`export_views` makes each listing's :class:`ExportView` (its public data
and its description as plain text) once, for every open-data file: rendering a
description's Markdown is most of an export's work.
"""

from __future__ import annotations

import multiprocessing as mp
from dataclasses import dataclass
from typing import Any

from waystation.publish import public_listing
from waystation.runtime import workers as worker_limits
from waystation.runtime.workers import worker_count
from waystation.site import urls as site_urls
from waystation.text.plain import markdown_to_text

LANG = "en"

#: Columns of providers.csv, in order (the GeoJSON has the same properties).
COLUMNS = (
    "id", "name", "organization", "alternate_name", "summary", "description", "status",
    "services", "populations", "trafficking_types", "languages", "features", "cost", "fees",
    "eligibility", "how_to_apply", "ages_min", "ages_max", "phones", "email", "website",
    "hours", "hours_notes", "visibility", "street", "street2", "city", "state", "postal_code",
    "accessibility", "transit", "latitude", "longitude", "precision", "area_radius_m",
    "service_area_national", "service_area_states", "service_area_counties",
    "service_area_remote", "last_verified", "url",
)  # fmt: skip


def listing_url(listing_id: str, settings: dict[str, Any]) -> str:
    langs = settings.get("LANGUAGES") or ["en"]
    path = site_urls.listing(listing_id, langs[0], langs[0])
    site = (settings.get("SITEURL") or "").rstrip("/")
    return f"{site}/{path}" if site else f"/{path}"


def _hours(hours: Any) -> str:
    if hours is None:
        return ""
    if isinstance(hours, str):
        return hours
    parts = []
    for entry in hours:
        closes = entry["closes"] + ("+1" if entry.get("overnight") else "")
        parts.append(f"{','.join(entry['days'])} {entry['opens']}-{closes}")
    return "; ".join(parts)


def _phones(phones: list[dict[str, Any]]) -> str:
    return "; ".join(
        f"{p['type']}: {p['number']}" + (f" ({p['label']})" if p.get("label") else "")
        for p in phones
    )


@dataclass(frozen=True)
class ExportView:
    """What the open-data files may say about one listing, worked out once."""

    listing: Any
    #: ``public_listing(listing, place, "en")``: shared, never to be changed.
    data: dict[str, Any]
    #: ``markdown_to_text(data.get("description"))``.
    description: str


def export_view(listing, place) -> ExportView:
    data = public_listing(listing, place, LANG)
    return ExportView(listing, data, markdown_to_text(data.get("description")))


_TEXTS: list[str | None] = []


def _texts_share(bounds: tuple[int, int]) -> list[str]:
    return [markdown_to_text(text) for text in _TEXTS[bounds[0] : bounds[1]]]


def descriptions_as_text(texts: list[str | None], settings: dict[str, Any]) -> list[str]:
    """``markdown_to_text`` of each text, in forked workers when there are many."""
    unique = list(dict.fromkeys(texts))
    workers = worker_count(settings, len(unique), worker_limits.PARALLEL_MIN_LISTINGS)
    if workers == 1:
        converted = [markdown_to_text(text) for text in unique]
    else:
        size = -(-len(unique) // workers)
        shares = [(start, min(start + size, len(unique))) for start in range(0, len(unique), size)]
        _TEXTS[:] = unique
        try:
            with mp.get_context("fork").Pool(workers) as pool:
                converted = [text for part in pool.map(_texts_share, shares) for text in part]
        finally:
            _TEXTS.clear()
    by_text = dict(zip(unique, converted, strict=True))
    return [by_text[text] for text in texts]


def export_views(directory) -> list[ExportView]:
    """Every listing's :class:`ExportView`, in the directory's order."""
    datas = [directory.public(item, LANG) for item in directory.listings]
    texts = descriptions_as_text([d.get("description") for d in datas], directory.settings)
    return [
        ExportView(item, data, text)
        for item, data, text in zip(directory.listings, datas, texts, strict=True)
    ]


def flat_record(listing, place, settings: dict[str, Any]) -> dict[str, Any]:
    """Plain values (str, int, float, bool, lists of str) for one listing."""
    return view_record(export_view(listing, place), settings)


def view_record(view: ExportView, settings: dict[str, Any]) -> dict[str, Any]:
    """:func:`flat_record` of an :class:`ExportView`."""
    listing, data = view.listing, view.data
    loc = data["location"]
    point = data.get("point") or {}
    area = data["service_area"]
    ages = data.get("ages") or {}
    record = {
        "id": data["id"],
        "name": data["name"],
        "organization": data.get("organization"),
        "alternate_name": data.get("alternate_name"),
        "summary": data.get("summary"),
        "description": view.description,
        "status": data["status"],
        "services": data["services"],
        "populations": data["populations"],
        "trafficking_types": data["trafficking_types"],
        "languages": data["languages"],
        "features": data["features"],
        "cost": data.get("cost"),
        "fees": data.get("fees"),
        "eligibility": data.get("eligibility"),
        "how_to_apply": data.get("how_to_apply"),
        "ages_min": ages.get("min"),
        "ages_max": ages.get("max"),
        "phones": data["phones"],
        "email": data.get("email"),
        "website": data.get("website"),
        "hours": data.get("hours"),
        "hours_notes": data.get("hours_notes"),
        "visibility": loc["visibility"],
        "street": loc.get("street"),
        "street2": loc.get("street2"),
        "city": loc.get("city"),
        "state": loc["state"],
        "postal_code": loc.get("postal_code"),
        "accessibility": loc.get("accessibility", []),
        "transit": loc.get("transit"),
        "latitude": point.get("lat"),
        "longitude": point.get("lon"),
        "precision": point.get("precision"),
        "area_radius_m": point.get("radius_m"),
        "service_area_national": bool(area["national"]),
        "service_area_states": [] if area["national"] else area["states"],
        "service_area_counties": [] if loc["visibility"] == "hidden" else area["counties"],
        "service_area_remote": bool(area["remote"]),
        "last_verified": data["last_verified"],
        "url": listing_url(listing.id, settings),
    }
    return record


def csv_row(record: dict[str, Any]) -> dict[str, str]:
    """Strings for the CSV: lists joined with "; ", booleans as true/false."""
    row = {}
    for column in COLUMNS:
        value = record[column]
        if column == "phones":
            value = _phones(value)
        elif column == "hours":
            value = _hours(value)
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, list):
            value = "; ".join(value)
        elif value is None:
            value = ""
        row[column] = str(value)
    return row
