"""QR codes of listing addresses for the printed handout, made at build time.

A listing prints as a one-page handout (``theme/static/css/print.css``); its QR
code lets someone open the listing on a phone later without typing the
address.  The code is drawn as inline SVG by segno (pure Python, no network,
deterministic): no image request, nothing for the CSP to allow.

Templates get :func:`listing_qr` through a Jinja global made by
:func:`make_listing_qr` (the site's real ``SITEURL`` is needed: a QR code of a
relative link is useless on paper)::

    env.globals["listing_qr"] = qr.make_listing_qr(settings)
    {{ listing_qr(listing_path) }}   {# "" when SITEURL is not an absolute URL #}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

import segno
from markupsafe import Markup, escape

#: Fixed mask and error level: choosing the "best" of 8 masks costs 5x the time
#: of making the code, and any mask is valid for every reader.  Level M survives
#: a creased or smudged printout.
_OPTIONS = {"error": "m", "mask": 0, "boost_error": False, "micro": False}


def is_absolute(url: str) -> bool:
    return url.startswith(("https://", "http://"))


@lru_cache(maxsize=8192)
def qr_svg(url: str) -> Markup:
    """An inline ``<svg>`` QR code of ``url`` (hidden from screen readers: the URL is
    printed next to it as text)."""
    code = segno.make(url, **_OPTIONS)
    svg = code.svg_inline(scale=1, border=2, omitsize=True, svgclass="qr-code", lineclass=None)
    svg = svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)
    return Markup(svg)  # noqa: S704 - segno's own markup: numbers and fixed attributes only


def absolute_url(site_url: str, path: str) -> str:
    """``SITEURL`` + a site path (``"es/providers/x/"``); "" when SITEURL is not absolute."""
    if not is_absolute(site_url or ""):
        return ""
    return f"{site_url.rstrip('/')}/{path.lstrip('/')}"


def make_listing_qr(settings: Mapping[str, Any]) -> Callable[[str], Markup]:
    """A Jinja-callable ``listing_qr(path)``: the handout's QR figure for a listing page.

    Returns a ``<figure class="listing-qr print-only">`` with the code and the
    printed address, or an empty string when the site has no absolute address
    (development builds with ``RELATIVE_URLS``).
    """
    site_url = str(settings.get("SITEURL") or "")

    def listing_qr(path: str, caption: str = "") -> Markup:
        url = absolute_url(site_url, path)
        if not url:
            return Markup("")
        label = escape(caption) + Markup("<br>") if caption else Markup("")
        return Markup(
            '<figure class="listing-qr print-only">{svg}<figcaption>{label}{url}</figcaption>'
            "</figure>"
        ).format(svg=qr_svg(url), label=label, url=url)

    return listing_qr
