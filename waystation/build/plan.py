"""The plan of the whole site: the site's own pages and the features' pages.

:func:`plan` turns a :class:`~waystation.directory.Directory` into a list of
:class:`~waystation.site.pages.PageSpec` for every language in ``LANGUAGES``: the
listing pages first (:func:`plan_listings`: the renderer writes their search copies
first), then the browse, search, coverage and 404 pages (:func:`plan_others`, planned while the
search copies are written).  The map pages are written by their post-build step
(:mod:`waystation.maps.steps`).
"""

from __future__ import annotations

from waystation.coverage import page as coverage_page
from waystation.directory import Directory
from waystation.search import page as search_page
from waystation.site.pages import (
    PageSpec,
    SiteData,
    browse_pages,
    listing_pages,
    not_found_pages,
)


def plan(directory: Directory) -> tuple[SiteData, list[PageSpec]]:
    """Every page of the site: :func:`plan_listings`, then :func:`plan_others`."""
    data, pages = plan_listings(directory)
    return data, pages + plan_others(data)


def plan_listings(directory: Directory) -> tuple[SiteData, list[PageSpec]]:
    """The listing pages, in every language: what the renderer writes first (their search
    copies), while the build plans the other pages (:func:`plan_others`)."""
    settings = directory.settings
    langs = list(settings["LANGUAGES"])
    data = SiteData(directory, langs, langs[0])
    pages: list[PageSpec] = []
    for lang in langs:
        pages.extend(listing_pages(data, lang))
    return data, pages


def plan_others(data: SiteData) -> list[PageSpec]:
    """The browse pages in every language, the search, coverage and 404 pages."""
    pages: list[PageSpec] = []
    for lang in data.languages:
        pages.extend(browse_pages(data, lang))
    pages.extend(search_page.pages(data))
    pages.extend(coverage_page.pages(data))
    pages.extend(not_found_pages(data))
    return pages
