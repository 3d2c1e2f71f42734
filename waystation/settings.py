"""Waystation's settings: one declared list, with defaults and help.

Every setting Waystation reads is declared here once.  The values come from
``pelicanconf.py`` (or ``publishconf.py``), the same file Pelican reads, so a
site has one place for its configuration.  ``waystation settings`` prints this
list, ``docs/settings.md`` documents it, and a test checks that both agree.

Like MkDocs' ``Config.validate()``, :func:`check` returns errors and warnings
instead of raising, so every problem is reported at once.
"""

from __future__ import annotations

import runpy
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    kind: type | tuple[type, ...]


def _s(name: str, default: Any, help: str, kind: type | tuple[type, ...] | None = None) -> Setting:
    return Setting(name, default, help, kind or type(default))


SETTINGS: tuple[Setting, ...] = (
    _s("SITENAME", "Waystation", "The site's name, shown in every page's header and title."),
    _s(
        "SITEURL",
        "",
        "The public address of the site, without a trailing slash "
        "(e.g. `https://help.example.org`). Empty during development.",
    ),
    _s(
        "PROVIDERS_PATH",
        "providers",
        "Folder of listing files, relative to the project root.",
    ),
    _s(
        "REPOSITORY_URL",
        "https://github.com/example/waystation",
        "The public repository that holds the listings; used for 'suggest an edit' links.",
    ),
    _s(
        "EDIT_URL",
        "{repository}/edit/main/{path}",
        "Template of the link to edit one listing file in the repository's web editor. "
        "`{repository}` is REPOSITORY_URL and `{path}` the file's path in the repository.",
    ),
    _s(
        "REPORT_URL",
        "{repository}/issues/new?template=report-a-problem.yml&title={title}",
        "Template of the link to report a problem with one listing. "
        "`{title}` is filled with the listing's id, URL-encoded.",
    ),
    _s(
        "CONTACT_EMAIL",
        "corrections@example.org",
        "The address a visitor without a GitHub account writes to about a listing: every "
        "listing page offers a `mailto:` link to it, with the listing's name and id in the "
        "subject. Use an inbox someone reads; it is public.",
    ),
    _s(
        "HOTLINES",
        [
            {
                "name": "National Human Trafficking Hotline",
                "phone": "1-888-373-7888",
                "text": "233733",
                "hours": "24/7",
            },
        ],
        "Hotlines shown on every page and on the hotlines page: a list of mappings with "
        "`name`, `phone`, optional `text` (SMS number) and `hours`.",
        list,
    ),
    _s("EMERGENCY_NUMBER", "911", "The emergency number shown on every page."),
    _s(
        "EXIT_URL",
        "https://www.google.com/search?q=weather",
        "Where the quick-exit button sends the visitor: a neutral, common page.",
    ),
    _s(
        "TILE_URL",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "The map tile server: the only third party any page contacts. Point it at your own "
        "tile server to make no third-party request at all.",
    ),
    _s(
        "TILE_ATTRIBUTION",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
        "Attribution HTML the tile server's licence requires, shown on every map.",
    ),
    _s("TILE_MAX_ZOOM", 19, "Highest zoom level the tile server offers."),
    _s(
        "MAP_CENTER",
        [39.8, -98.6],
        "Where the overview map opens, `[latitude, longitude]` (default: the contiguous US).",
        list,
    ),
    _s("MAP_ZOOM", 4, "The overview map's opening zoom level."),
    _s(
        "EMBED_ALLOWED_ORIGINS",
        ["*"],
        "Sites allowed to show the embeddable map (`/embed/map/`, `/<lang>/embed/map/`) in a "
        "frame: `['*']` for any site, or a list of origins such as "
        "`['https://partner.example.org']`. Every other page may never be framed. Written into "
        "the generated header files `_headers` and `nginx-headers.conf` (see docs/deploy.md).",
        list,
    ),
    _s(
        "OPEN_DATA_LICENSE",
        {
            "name": "CC-BY-4.0",
            "title": "Creative Commons Attribution 4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
        },
        "Licence of the open data files (providers.geojson, providers.csv, HSDS export), "
        "as a Frictionless licence: `name` (SPDX id), `title`, `path` (URL).",
        dict,
    ),
    _s(
        "LANGUAGES",
        ["en", "es"],
        "Languages the site is published in. The first is the default and lives at the root; "
        "the others live under `/<code>/`.",
        list,
    ),
    _s(
        "STALE_AFTER_DAYS",
        365,
        "A listing whose `last_verified` is older than this many days is flagged as possibly "
        "out of date (a validation warning, a notice on its page, and the stale report).",
    ),
    _s(
        "GEOCODE_CACHE",
        "geocode-cache.json",
        "The committed geocoding cache, relative to the project root.",
    ),
    _s(
        "GEOCODER",
        "nominatim",
        "Which geopy geocoder `waystation geocode` uses, by geopy's name "
        "(`nominatim`, `photon`, `arcgis`, `googlev3`, …).",
    ),
    _s(
        "GEOCODER_OPTIONS",
        {},
        "Options passed to the geocoder's constructor (e.g. `{'domain': 'nominatim.example.org', "
        "'scheme': 'https'}`).",
        dict,
    ),
    _s(
        "GEOCODER_USER_AGENT",
        "",
        "The User-Agent sent to the geocoder; Nominatim's policy requires one that identifies "
        "your site. `waystation geocode` refuses to run without it.",
    ),
    _s(
        "GEOCODER_API_KEY_ENV",
        "",
        "Name of the environment variable holding the geocoder's API key, if it needs one. "
        "The key itself is never stored in a file.",
    ),
    _s(
        "GEOCODER_MIN_DELAY_SECONDS",
        1.0,
        "Seconds between two geocoder requests (Nominatim's policy: at least 1).",
        (int, float),
    ),
    _s(
        "GEOCODER_TIMEOUT_SECONDS",
        10.0,
        "Seconds to wait for one geocoder answer.",
        (int, float),
    ),
    _s(
        "GEOCODER_MAX_RETRIES",
        3,
        "How many times one address is retried after a timeout, a 429 or a 5xx answer.",
    ),
    _s(
        "SEARCH_DATA_PATH",
        "search-data",
        "Folder of the output (relative to it) where the build writes the search page's data: "
        "listings by state, ZIP and city centres. See docs/search.md.",
    ),
    _s(
        "SEARCH_PAGE_SIZE",
        20,
        "How many results the search page shows at once (a 'Show more' button adds as many).",
    ),
    _s(
        "BUILD_WORKERS",
        0,
        "Processes that check listings, write pages, convert descriptions for the open data "
        "and scan pages for the Content-Security-Policy in a large build; 0 means one per "
        "CPU core this process may use (at most 8). Output is the same whatever the number.",
    ),
    _s(
        "PAGEFIND_PART_PAGES",
        1_250,
        "The most pages of one language Pagefind indexes in one run: a language with more is "
        "indexed in parts, one after the other, and their indexes merged into the one index "
        "a single run writes. Pagefind holds a run's whole index in memory (about 110 KB a "
        "page), so this bounds the build's memory; 0 means no limit.",
    ),
    _s(
        "COVERAGE_REACH_MILES",
        50,
        "The coverage report's reach: a ZIP code area further than this (in miles, great-circle) "
        "from the nearest in-person listing offering a service has a gap in that service.",
        (int, float),
    ),
    _s(
        "COVERAGE_FAR_MILES",
        100,
        "The coverage report's second, wider threshold in miles (the share of ZIP areas even "
        "further away is shown beside the first).",
        (int, float),
    ),
    _s(
        "COVERAGE_POPULATION_CSV",
        "",
        "A CSV file (relative to the project root) of ZIP code populations, with the columns "
        "`zip` and `population`; when set, the coverage report weighs each ZIP area by its "
        "people instead of counting ZIP areas. Empty: every ZIP area counts once.",
    ),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def defaults() -> dict[str, Any]:
    return {s.name: _copy(s.default) for s in SETTINGS}


def _copy(value: Any) -> Any:
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value


def resolve(values: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return every declared setting: the default, overridden by ``values``."""
    result = defaults()
    for name, value in (values or {}).items():
        if name in BY_NAME:
            result[name] = value
    return result


def load(conf_path: str | Path | None = None) -> dict[str, Any]:
    """Read the declared settings from a Pelican configuration file.

    ``conf_path`` defaults to ``pelicanconf.py`` in the current folder; a
    missing file gives the defaults.
    """
    path = Path(conf_path) if conf_path else Path("pelicanconf.py")
    values: dict[str, Any] = {}
    if path.is_file():
        namespace = runpy.run_path(str(path))
        values = {k: v for k, v in namespace.items() if k.isupper()}
    return resolve(values)


def check(values: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """Check settings' types; return ``(errors, warnings)``, never raise."""
    errors: list[str] = []
    warnings: list[str] = []
    for setting in SETTINGS:
        if setting.name not in values:
            continue
        value = values[setting.name]
        if isinstance(value, bool) and setting.kind in (int, float, (int, float)):
            ok = False
        else:
            ok = isinstance(value, setting.kind)
        if not ok:
            expected = (
                " or ".join(k.__name__ for k in setting.kind)
                if isinstance(setting.kind, tuple)
                else setting.kind.__name__
            )
            errors.append(
                f"{setting.name}: expected {expected}, got {type(value).__name__} "
                f"({value!r}); see `waystation settings`"
            )
    langs = values.get("LANGUAGES", ["en"])
    if isinstance(langs, list) and not langs:
        errors.append("LANGUAGES: list at least one language, e.g. ['en', 'es']")
    errors.extend(embed_origin_errors(values.get("EMBED_ALLOWED_ORIGINS", ["*"])))
    part_pages = values.get("PAGEFIND_PART_PAGES", 0)
    if isinstance(part_pages, int) and not isinstance(part_pages, bool) and part_pages < 0:
        errors.append("PAGEFIND_PART_PAGES: a number of pages (0 for no limit), e.g. 2500")
    site_url = values.get("SITEURL", "")
    if isinstance(site_url, str) and site_url.endswith("/"):
        warnings.append("SITEURL: drop the trailing slash, e.g. 'https://help.example.org'")
    tile = values.get("TILE_URL", "")
    if isinstance(tile, str) and tile and not tile.startswith(("https://", "/")):
        warnings.append(
            "TILE_URL: use an https:// tile server (or a path on this site) "
            "so map requests are encrypted"
        )
    return errors, warnings


def embed_origin_errors(origins: Any) -> list[str]:
    """What is wrong with ``EMBED_ALLOWED_ORIGINS`` (one line per entry), or ``[]``."""
    import re

    if not isinstance(origins, list):
        return []  # the type check above reports it
    errors = []
    for index, origin in enumerate(origins):
        if origin == "*":
            continue
        if not isinstance(origin, str) or not re.fullmatch(
            r"https?://(?:\*\.)?[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?", origin
        ):
            errors.append(
                f"EMBED_ALLOWED_ORIGINS[{index}]: {origin!r} is not an origin; write the "
                "partner's scheme and host only, e.g. 'https://partner.example.org' "
                "(no path, no trailing slash, lower case), or '*' for any site"
            )
    return errors
