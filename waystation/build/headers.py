"""The HTTP header files every host needs: ``_headers`` and ``nginx-headers.conf``.

A page's ``<meta>`` Content-Security-Policy (written by :mod:`waystation.site.csp`)
cannot say who may show the page in a frame (``frame-ancestors``), nor set
``Referrer-Policy`` or the cache headers: only the web server can.  This post-build
step (:func:`write_header_files`, the last of :data:`waystation.build.postbuild.STEPS`)
writes, from the settings and the built output:

- ``output/_headers``: the header rules of Netlify and Cloudflare Pages (both read
  this file from the published folder and never serve it);
- ``output/nginx-headers.conf``: the same headers for nginx, to ``include`` in the
  site's ``server`` block (docs/deploy.md).  nginx serves it like any file; it holds
  only the headers every response carries anyway, so serving it reveals nothing.

Every page may never be framed (``frame-ancestors 'none'``) **except** the embeddable
map of every language (:func:`waystation.maps.pages.embed_map_path`), which the site
itself and the origins of ``EMBED_ALLOWED_ORIGINS`` (or any site, ``'*'``) may frame.

The header policy is the pages' own (:func:`waystation.site.csp.policy`, for a page
that loads the search) with ``'unsafe-inline'`` added for scripts and styles: a
browser enforces both policies, so the pages' hashes still decide which inline code
runs, and the header adds what only a header can (``frame-ancestors``) and a safety
net for files served without a policy.

**One value per header and path.**  Netlify lets the last matching rule win for a
header; Cloudflare Pages joins the values of every matching rule with a comma, which
for two Content-Security-Policy values means two policies, both enforced (so a
site-wide ``frame-ancestors 'none'`` would still refuse the embed).  So the rules
that carry the headers whose value depends on the path (the policy and
``Cache-Control``) never overlap: the output's folders are listed (``/providers/*``,
``/es/states/*``, ``/embed/map/*`` …) instead of one ``/*`` with exceptions.  Only
the headers that are the same everywhere are on ``/*``.  A path that is not in the
build (a 404) therefore gets only those, and the 404 page's own ``<meta>`` policy.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from waystation.exc import ConfigurationError
from waystation.maps.pages import embed_map_path
from waystation.search import page as search_page
from waystation.settings import embed_origin_errors
from waystation.site.csp import PageScan, policy, tile_source

HEADERS_FILE = "_headers"
NGINX_FILE = "nginx-headers.conf"

#: Headers whose value is the same on every path.
COMMON_HEADERS: tuple[tuple[str, str], ...] = (
    ("Referrer-Policy", "no-referrer"),
    (
        "Permissions-Policy",
        "geolocation=(self), camera=(), microphone=(), payment=(), usb=(), "
        "interest-cohort=(), browsing-topics=()",
    ),
    ("X-Content-Type-Options", "nosniff"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
#: Sent only by a site served over HTTPS (``SITEURL`` starting with ``https://``).
HSTS = ("Strict-Transport-Security", "max-age=63072000; includeSubDomains")

#: ``Cache-Control`` of pages and data: listings change, a survivor must see today's
#: phone number (the browser still revalidates its copy).
CACHE_PAGES = "no-cache"
#: ``Cache-Control`` of the theme's files (changed only by a new version of the site).
CACHE_THEME = "public, max-age=86400"
#: ``Cache-Control`` of the search index (rebuilt with the listings).
CACHE_SEARCH_INDEX = "public, max-age=3600"
#: ``Cache-Control`` of the search page (``/search/``, ``/es/search/``): a form with no
#: listing's phone or address in it but a few national services' for visitors without
#: JavaScript (the listings come from search-data/, ``no-cache``).  Reusable for five
#: minutes, so that the copy the home page's form asks the browser to fetch while the
#: visitor types (js/home-search.js) is used when they press Search, instead of one
#: more round trip (docs/search.md, "Loading"); a deploy reaches it within five minutes.
CACHE_SEARCH_PAGE = "public, max-age=300"

#: Cloudflare Pages reads at most this many rules from ``_headers``.
MAX_RULES = 100
#: What a name in a ``_headers`` URL pattern cannot hold (``*`` and ``:name`` are
#: patterns, ``#`` starts a comment, a blank or line break ends the rule).
_UNRULY = re.compile(r"[\s*:#\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Area:
    """A part of the site with its own policy and cache: ``prefix`` is a folder path
    relative to the root, ending in ``/`` (``"es/embed/map/"``)."""

    prefix: str
    frameable: bool = False
    cache: str = CACHE_PAGES


@dataclass(frozen=True)
class Rule:
    """One ``_headers`` rule: a URL pattern (``*`` at the end matches anything) and its
    area's headers."""

    pattern: str
    area: Area


def frame_ancestors(origins: Sequence[str]) -> str:
    """``frame-ancestors`` of the embeddable map: any site, or the site itself and
    ``origins``."""
    if "*" in origins:
        return "*"
    return " ".join(["'self'", *sorted(dict.fromkeys(origins))])


def header_policy(settings: Mapping[str, Any], frameable: bool) -> str:
    """The Content-Security-Policy header of a page (of the embeddable map if
    ``frameable``), derived from the pages' own policy."""
    tiles = tile_source(str(settings.get("TILE_URL", "")))
    directives = []
    for directive in policy(PageScan(wasm=True), tiles).split("; "):
        name, _, sources = directive.partition(" ")
        if name in ("script-src", "style-src"):
            sources = sources.replace("'self'", "'self' 'unsafe-inline'", 1)
        directives.append(f"{name} {sources}")
    ancestors = (
        frame_ancestors(list(settings.get("EMBED_ALLOWED_ORIGINS", ["*"])))
        if frameable
        else "'none'"
    )
    directives.append(f"frame-ancestors {ancestors}")
    if _https(settings):
        directives.append("upgrade-insecure-requests")
    return "; ".join(directives)


def _https(settings: Mapping[str, Any]) -> bool:
    return str(settings.get("SITEURL", "")).startswith("https://")


def base_path(settings: Mapping[str, Any]) -> str:
    """The site's path on its host, ``/`` or ``/directory/`` (from ``SITEURL``)."""
    parts = urlsplit(str(settings.get("SITEURL", "")))
    if parts.scheme in ("http", "https") and parts.path.strip("/"):
        return "/" + parts.path.strip("/") + "/"
    return "/"


def areas(settings: Mapping[str, Any]) -> list[Area]:
    """The parts of the site whose headers differ from a page's, longest prefix first."""
    langs = list(settings.get("LANGUAGES") or ["en"])
    default = langs[0]
    found = [Area(embed_map_path(lang, default), frameable=True) for lang in langs]
    theme = str(settings.get("THEME_STATIC_DIR") or "theme").strip("/")
    found.append(Area(f"{theme}/", cache=CACHE_THEME))
    found.append(Area("pagefind/", cache=CACHE_SEARCH_INDEX))
    found += [Area(search_page.path(lang, default), cache=CACHE_SEARCH_PAGE) for lang in langs]
    return sorted(found, key=lambda area: (-len(area.prefix), area.prefix))


def rules(output: Path, settings: Mapping[str, Any]) -> list[Rule]:
    """Non-overlapping rules covering every file of ``output`` and every area."""
    special = areas(settings)
    page = Area("")
    found: list[Rule] = [Rule(area.prefix + "*", area) for area in special]

    def walk(folder: str) -> None:
        found.append(Rule(folder, page))  # the folder's own address (its index.html)
        with os.scandir(output / folder) as entries:
            names = sorted((entry.name, entry.is_dir()) for entry in entries)
        for name, is_dir in names:
            if folder == "" and name in (HEADERS_FILE, NGINX_FILE):
                continue
            if _UNRULY.search(name):
                raise ConfigurationError(
                    f"output/{folder}{name}: a name with blanks, control characters, '*', "
                    "':' or '#' cannot be written as a header rule; rename it (letters, "
                    "digits, '-', '_' and '.')"
                )
            if not is_dir:
                found.append(Rule(folder + name, page))
                continue
            path = folder + name + "/"
            if any(area.prefix == path for area in special):
                continue
            if any(area.prefix.startswith(path) for area in special):
                walk(path)
            else:
                found.append(Rule(path + "*", page))

    walk("")
    return sorted(found, key=lambda rule: rule.pattern)


def headers_of(area: Area, settings: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The headers that depend on the area: the policy and the cache."""
    return [
        ("Content-Security-Policy", header_policy(settings, area.frameable)),
        ("Cache-Control", area.cache),
    ]


def common_headers(settings: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [*COMMON_HEADERS, *([HSTS] if _https(settings) else [])]


def headers_file(output: Path, settings: Mapping[str, Any]) -> str:
    """The text of ``_headers`` (Netlify and Cloudflare Pages)."""
    base = base_path(settings)
    lines = [
        "# Written by the build (waystation/build/headers.py) from the settings: do not edit.",
        "# Each path matches one rule with a Content-Security-Policy and a Cache-Control,",
        "# plus the headers of /* (the same everywhere). See docs/deploy.md.",
        base + "*",
        *(f"  {name}: {value}" for name, value in common_headers(settings)),
    ]
    for rule in rules(output, settings):
        lines.append(base + rule.pattern)
        lines.extend(f"  {name}: {value}" for name, value in headers_of(rule.area, settings))
    found = sum(1 for line in lines if line.startswith("/"))
    if found > MAX_RULES:
        raise ConfigurationError(
            f"{HEADERS_FILE}: {found} rules, more than the {MAX_RULES} Cloudflare Pages "
            "reads: the output has too many top-level files and folders; move extra "
            "files into a folder (content/extra) or deploy with nginx-headers.conf"
        )
    return "\n".join(lines) + "\n"


_NGINX_UNSAFE = re.compile(r'["\\\n{}]|\$(?!waystation_)')


def _nginx_quote(value: str) -> str:
    """``value`` as an nginx string; refused if nginx would read it otherwise."""
    if _NGINX_UNSAFE.search(value):
        raise ConfigurationError(
            f"{NGINX_FILE}: cannot write {value!r} for nginx; remove quotes, backslashes, "
            "'$', braces and line breaks from the setting it comes from (TILE_URL, "
            "EMBED_ALLOWED_ORIGINS)"
        )
    return '"' + value + '"'


def nginx_file(settings: Mapping[str, Any]) -> str:
    """The text of ``nginx-headers.conf``: ``include`` it in the site's ``server``."""
    base = base_path(settings)
    page, embed = header_policy(settings, False), header_policy(settings, True)
    none_value = "frame-ancestors 'none'"
    assert none_value in page
    embed_value = embed.split("frame-ancestors ", 1)[1].split(";", 1)[0]
    lines = [
        "# Written by the build (waystation/build/headers.py) from the settings: do not edit.",
        "# include it in the site's server { } block (docs/deploy.md). A location block",
        "# with an add_header of its own drops these headers: repeat the include there.",
        "# Served as a file, it shows only the headers every response carries anyway.",
        "set $waystation_frame_ancestors \"'none'\";",
        f"set $waystation_cache {_nginx_quote(CACHE_PAGES)};",
    ]
    for area in reversed(areas(settings)):  # longest prefix last: it wins
        pattern = "^" + re.escape(base + area.prefix)
        if area.frameable:
            value = _nginx_quote(embed_value)
            lines.append(f'if ($uri ~ "{pattern}") {{ set $waystation_frame_ancestors {value}; }}')
        if area.cache != CACHE_PAGES:
            value = _nginx_quote(area.cache)
            lines.append(f'if ($uri ~ "{pattern}") {{ set $waystation_cache {value}; }}')
    csp = page.replace(none_value, "frame-ancestors $waystation_frame_ancestors")
    for name, value in [
        ("Content-Security-Policy", csp),
        ("Cache-Control", "$waystation_cache"),
        *common_headers(settings),
    ]:
        lines.append(f"add_header {name} {_nginx_quote(value)} always;")
    return "\n".join(lines) + "\n"


def check_settings(settings: Mapping[str, Any]) -> None:
    errors = embed_origin_errors(settings.get("EMBED_ALLOWED_ORIGINS", ["*"]))
    if errors:
        raise ConfigurationError("\n".join(errors))


def write_header_files(directory: Any, output: Path, settings: Mapping[str, Any]) -> None:
    """Post-build step: write ``_headers`` and ``nginx-headers.conf`` into ``output``.

    ``directory`` is unused (the headers depend on the settings and the output's
    folders only); the signature is that of every post-build step.
    """
    from waystation import settings as declared

    settings = {**declared.resolve(settings), **settings}
    check_settings(settings)
    output = Path(output)
    text = headers_file(output, settings)
    (output / HEADERS_FILE).write_text(text, encoding="utf-8", newline="\n")
    (output / NGINX_FILE).write_text(nginx_file(settings), encoding="utf-8", newline="\n")
