"""Small hand-built directories for the maps and open-data tests.

Three listings in Illinois, one per visibility, with values that must never
leak (the hidden listing's city and ZIP; a street and precise coordinates of
the non-public ones if a resolver ever produced them).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import textwrap
from pathlib import Path

from waystation import settings as declared
from waystation.directory import build_directory
from waystation.places.coordinates import ResolvedPlace

TODAY = dt.date(2026, 12, 1)

PUBLIC = """\
    ---
    name: "Lakeside Public Center"
    summary: "Case management <b>and</b> legal help."
    services: [case-management, legal-immigration]
    trafficking_types: [sex, labor]
    populations: [adults, women]
    languages: [en, es]
    cost: free
    phones:
      - {number: "312-555-0100", type: voice, languages: [es]}
      - {number: "233733", type: text}
    website: "https://example.org/lakeside"
    hours:
      - {days: [mon, tue, wed], opens: "09:00", closes: "17:00"}
    location:
      visibility: public
      street: "100 North Main Street"
      city: Chicago
      state: IL
      postal_code: "60601"
      coordinates: {lat: 41.88512, lon: -87.62163}
      accessibility: [wheelchair]
      transit: "Red line to Lake"
    service_area: {states: [IL], counties: ["IL/Cook"]}
    last_verified: 2026-10-01
    ---

    Lakeside helps survivors. <script>alert("x")</script>
    """

APPROXIMATE = """\
    ---
    name: "Prairie Approximate Shelter"
    services: [emergency-shelter]
    trafficking_types: [sex]
    phones:
      - {number: "217-555-0101", type: hotline, hours: "24/7"}
    hours: "24/7"
    location:
      visibility: approximate
      city: Springfield
      state: IL
      postal_code: "62701"
    last_verified: 2026-09-01
    ---

    A shelter.
    """

HIDDEN = """\
    ---
    name: "Northshore Hidden Refuge"
    services: [emergency-shelter, safety-planning]
    trafficking_types: [labor]
    phones:
      - {number: "847-555-0102", type: hotline}
    location:
      visibility: hidden
      city: Evanston
      state: IL
      postal_code: "60201"
    service_area: {states: [IL, WI], counties: ["IL/Cook"]}
    last_verified: 2026-08-01
    ---

    A confidential refuge.
    """

#: Strings that must appear in no output file.
SECRETS = ("Evanston", "60201", "41.77777", "-88.33333", "42.04444", "-87.69999")


def write_providers(root: Path) -> Path:
    providers = root / "providers"
    providers.mkdir(parents=True)
    for name, text in (
        ("lakeside-public-center", PUBLIC),
        ("prairie-approximate-shelter", APPROXIMATE),
        ("northshore-hidden-refuge", HIDDEN),
    ):
        (providers / f"{name}.md").write_text(textwrap.dedent(text), encoding="utf-8")
    return providers


def settings_for(root: Path) -> dict:
    values = declared.resolve({"SITENAME": "Test Directory", "RELATIVE_URLS": True})
    values["PROVIDERS_PATH"] = "providers"
    values["GEOCODE_CACHE"] = "geocode-cache.json"
    values["THEME"] = str(Path(__file__).resolve().parent.parent / "theme")
    values["THEME_STATIC_DIR"] = "theme"
    return values


def small_directory(root: Path, leaky_resolver: bool = True):
    """The three listings; with ``leaky_resolver`` the non-public ones get precise places,
    as a buggy geocoder might produce, to prove the exports never use them."""
    write_providers(root)
    directory = build_directory(settings_for(root), root, TODAY, with_history=False)
    if leaky_resolver:
        places = dict(directory.places)
        places["prairie-approximate-shelter"] = ResolvedPlace(41.77777, -88.33333, "address")
        places["northshore-hidden-refuge"] = ResolvedPlace(42.04444, -87.69999, "address")
        directory = dataclasses.replace(directory, places=places)
    return directory
