"""The site's URL scheme: one function per kind of page.

Every page lives in a folder of its own (``providers/<id>/index.html``) so
any static host serves it at a "pretty" URL ending in ``/``.  The default
language (the first in ``LANGUAGES``) lives at the root; every other one
under ``/<code>/`` (``/es/providers/<id>/``).

Functions return *paths*: relative to the site's root, without a leading
slash, ending in ``/`` (the home page is ``""``).  :func:`save_as` turns a
path into the file to write; :func:`root_for` gives the relative way back to
the root from a page, which is how ``RELATIVE_URLS`` lets the site live under
any sub-path.
"""

from __future__ import annotations

import re
import unicodedata


def lang_prefix(lang: str, default_lang: str) -> str:
    return "" if lang == default_lang else f"{lang}/"


def home(lang: str, default_lang: str) -> str:
    return lang_prefix(lang, default_lang)


def listing(listing_id: str, lang: str, default_lang: str) -> str:
    return f"{lang_prefix(lang, default_lang)}providers/{listing_id}/"


def states_index(lang: str, default_lang: str) -> str:
    return f"{lang_prefix(lang, default_lang)}states/"


def state(code: str, lang: str, default_lang: str) -> str:
    return f"{lang_prefix(lang, default_lang)}states/{code.lower()}/"


def city(code: str, city_slug: str, lang: str, default_lang: str) -> str:
    return f"{lang_prefix(lang, default_lang)}states/{code.lower()}/{city_slug}/"


def services_index(lang: str, default_lang: str) -> str:
    return f"{lang_prefix(lang, default_lang)}services/"


def service(term: str, lang: str, default_lang: str) -> str:
    return f"{lang_prefix(lang, default_lang)}services/{term}/"


def service_group(group_id: str, lang: str, default_lang: str) -> str:
    """A service group's page (every listing of its services): ``services/groups/legal-help/``."""
    return f"{lang_prefix(lang, default_lang)}services/groups/{group_id}/"


def populations_index(lang: str, default_lang: str) -> str:
    return f"{lang_prefix(lang, default_lang)}populations/"


def population(term: str, lang: str, default_lang: str) -> str:
    return f"{lang_prefix(lang, default_lang)}populations/{term}/"


def coverage(lang: str, default_lang: str) -> str:
    """The coverage-gap report (``waystation.coverage.page``)."""
    return f"{lang_prefix(lang, default_lang)}coverage/"


def content_page(slug: str, lang: str, default_lang: str) -> str:
    """A Pelican page from ``content/pages`` (see PAGE_URL in pelicanconf.py)."""
    return f"{lang_prefix(lang, default_lang)}{slug}/"


def save_as(path: str) -> str:
    """The file that serves ``path``: ``providers/x/`` -> ``providers/x/index.html``."""
    return f"{path}index.html"


def root_for(path: str) -> str:
    """The relative way from the page at ``path`` back to the site's root.

    ``""`` -> ``"."``; ``"es/providers/x/"`` -> ``"../../.."``.
    """
    depth = path.count("/")
    return "/".join([".."] * depth) if depth else "."


def site_root(path: str, settings: dict) -> str:
    """What templates prefix to every link (Pelican's ``SITEURL`` convention)."""
    if settings.get("RELATIVE_URLS"):
        return root_for(path)
    return settings.get("SITEURL", "")


def slug(text: str) -> str:
    """A URL-safe ASCII slug: ``"San Juan"`` -> ``"san-juan"``, ``"Mayagüez"`` -> ``"mayaguez"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return value or "place"
