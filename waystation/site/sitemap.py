"""``sitemap.xml`` and ``robots.txt``.

The sitemap lists every page of every language (never the 404 page, never an
``inactive`` listing: those have no page), sorted by URL.  A listing's
``lastmod`` is its ``last_verified`` date, never the build time, so that two
builds of the same listings are byte-identical.  Sitemaps need absolute URLs:
with ``SITEURL`` empty (development) the locations are site-absolute paths.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape


def sitemap_xml(entries: Iterable[tuple[str, str | None]], site_url: str) -> str:
    """``entries``: (path, lastmod or None); paths as in :mod:`waystation.site.urls`."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for path, lastmod in sorted(set(entries)):
        lines.append("  <url>")
        lines.append(f"    <loc>{escape(f'{site_url.rstrip(chr(47))}/{path}')}</loc>")
        if lastmod:
            lines.append(f"    <lastmod>{escape(lastmod)}</lastmod>")
        lines.append("  </url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots_txt(site_url: str) -> str:
    lines = ["User-agent: *", "Allow: /", "Disallow: /404.html"]
    if site_url:
        lines.append(f"Sitemap: {site_url.rstrip('/')}/sitemap.xml")
    return "\n".join(lines) + "\n"


def write(output: Path, entries: Iterable[tuple[str, str | None]], site_url: str) -> None:
    (output / "sitemap.xml").write_text(sitemap_xml(entries, site_url), encoding="utf-8")
    (output / "robots.txt").write_text(robots_txt(site_url), encoding="utf-8")
