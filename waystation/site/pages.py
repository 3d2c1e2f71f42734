"""The pages Waystation writes, each with its template and context.

:func:`plan` turns a :class:`~waystation.directory.Directory` into a list of
:class:`PageSpec` (path, template, context), for every language in
``LANGUAGES``: one page per published listing, the browse pages (states,
cities, services, populations, with their indexes), the home page and the 404
page.  Nothing here knows Pelican; :mod:`waystation.site.write` renders and
writes the plan.

Listing data reaches templates only through
:func:`waystation.publish.public_listing` (the confidentiality choke point).
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import quote

from waystation.directory import Directory
from waystation.gazetteer.states import STATES, state_name
from waystation.publish import public_history
from waystation.records import history, vocabulary
from waystation.records.model import Listing
from waystation.site import browse as site_browse
from waystation.site import hours as site_hours
from waystation.site import urls as site_urls


@dataclass
class PageSpec:
    path: str  # "providers/x/" (see site_urls)
    template: str
    context: dict[str, Any]
    lastmod: str | None = None  # ISO date for the sitemap
    in_sitemap: bool = True

    @property
    def save_as(self) -> str:
        return (
            site_urls.save_as(self.path) if self.path.endswith("/") or not self.path else self.path
        )


@dataclass
class SiteData:
    """What every page of one build shares, computed once."""

    directory: Directory
    languages: list[str]
    default_lang: str
    by_id: dict[str, Listing] = field(init=False)

    def __post_init__(self) -> None:
        self.by_id = {item.id: item for item in self.directory.listings}
        self._sort_keys: dict[str, dict[str, tuple]] = {}
        self._entry_facts: dict[tuple[str, str], tuple[tuple[str, ...], str, bool]] = {}
        #: Per listing: the parts of its page context that are the same in every language.
        self.language_independent: dict[str, dict[str, Any]] = {}

    @cached_property
    def browse(self) -> site_browse.Browse:
        return site_browse.group(self.directory.listings)

    def public(self, listing_id: str, lang: str) -> dict[str, Any]:
        return self.directory.public(self.by_id[listing_id], lang)

    def sorted_ids(self, ids: list[str], lang: str) -> list[str]:
        keys = self._sort_keys.get(lang)
        if keys is None:
            keys = self._sort_keys[lang] = site_browse.sort_keys(self.by_id, lang)
        return sorted(ids, key=keys.__getitem__)

    def entry_facts(self, listing_id: str, lang: str) -> tuple[tuple[str, ...], str, bool]:
        """What marks a listing on every browse page: (marks, home state, national)."""
        key = (listing_id, lang)
        facts = self._entry_facts.get(key)
        if facts is None:
            public = self.public(listing_id, lang)
            area = public["service_area"]
            marks = []
            if public["status"] == "temporarily-closed":
                marks.append("temporarily-closed")
            if area["national"]:
                marks.append("national")
            if area["remote"]:
                marks.append("remote")
            home = self.by_id[listing_id].record.location.state
            facts = self._entry_facts[key] = (tuple(marks), home, bool(area["national"]))
        return facts


def repository_path(listing: Listing, settings: dict[str, Any]) -> str:
    """The listing file's path in the repository (``providers/x.md``)."""
    folder = settings.get("PROVIDERS_PATH") or "providers"
    if os.path.isabs(folder):
        folder = "providers"
    return f"{folder.strip('/')}/{os.path.basename(listing.source_path)}"


def edit_url(listing: Listing, settings: dict[str, Any]) -> str:
    return settings["EDIT_URL"].format(
        repository=settings["REPOSITORY_URL"].rstrip("/"),
        path=repository_path(listing, settings),
    )


def report_url(listing: Listing, settings: dict[str, Any]) -> str:
    return settings["REPORT_URL"].format(
        repository=settings["REPOSITORY_URL"].rstrip("/"),
        title=quote(f"Problem with {listing.id}", safe=""),
        id=quote(listing.id, safe=""),
        path=quote(repository_path(listing, settings), safe="/"),
    )


def is_stale(listing: Listing, today: dt.date, stale_after_days: int) -> bool:
    return (today - listing.record.last_verified).days > stale_after_days


def page_spec(
    langs: list[str], default_lang: str, lang: str, template: str, make_path, **context: Any
) -> PageSpec:
    """The ``lang`` version of a page that exists in every language of ``langs``.

    ``make_path(code, default_lang)`` gives each version's path; the context gets what
    every template reads: ``lang``, ``alternates`` (path per language), ``page_path``
    and ``page_template``.
    """
    alternates = {code: make_path(code, default_lang) for code in langs}
    path = alternates[lang]
    context.update(
        lang=lang,
        alternates=alternates,
        page_path=path,
        # One string for every page of a template, not one each (96,000 listing pages).
        page_template=sys.intern(template.removesuffix(".html")),
    )
    return PageSpec(path, template, context)


def _page(data: SiteData, lang: str, template: str, make_path, **context: Any) -> PageSpec:
    return page_spec(data.languages, data.default_lang, lang, template, make_path, **context)


#: How many of a listing's most recent changes its page lists (as many as are read).
HISTORY_ENTRIES = history.ENTRIES


def listing_pages(data: SiteData, lang: str, only: set[str] | None = None) -> list[PageSpec]:
    """The pages of every listing in ``lang`` (of the listings ``only`` names, when given:
    the listings an edit changed, for ``make devserver``)."""
    settings = data.directory.settings
    today = data.directory.today
    stale_days = settings["STALE_AFTER_DAYS"]
    pages = []
    for listing in data.directory.listings:
        if only is not None and listing.id not in only:
            continue
        public = data.public(listing.id, lang)
        state = listing.record.location.state
        same = data.language_independent.get(listing.id)
        if same is None:  # the same for every language: worked out once per listing
            same = data.language_independent[listing.id] = {
                "stale": is_stale(listing, today, stale_days),
                "edit_url": edit_url(listing, settings),
                "report_url": report_url(listing, settings),
                "history": public_history(data.directory.history(listing))[:HISTORY_ENTRIES],
                "time_zone": site_hours.time_zone(state),
                # Opening hours are data, not text: the same in every language.
                "hours_json": site_hours.hours_json(public.get("hours"), state),
            }

        def make_path(code, default, _id=listing.id):
            return site_urls.listing(_id, code, default)

        page = _page(
            data,
            lang,
            "listing.html",
            make_path,
            listing=public,
            point=public.get("point"),
            state_path=site_urls.state(state, lang, data.default_lang),
            **same,
        )
        page.lastmod = public["last_verified"]
        pages.append(page)
    return pages


class BrowseEntries(Sequence):
    """The listings on a browse page, in order, each read as an entry
    ``{"id", "marks", "based_in"}`` made when it is read.

    Only the ids are kept: a listing is on some twenty browse pages per language, and a
    dict per entry held about 0.3 GB at 50,000 listings in the build's process (and
    again in each page renderer, which touches them); the ids cost 8 bytes an entry.
    What marks an entry comes from :meth:`SiteData.entry_facts`, worked out once per
    listing and language.  The page renderer reads :meth:`items`; a template reads it as
    a list (``|length``, a slice, a loop); equal entries compare equal.
    """

    __slots__ = ("ids", "lang", "page_state", "_facts")

    def __init__(self, data: SiteData, ids: list[str], lang: str, page_state: str | None):
        self.ids, self.lang, self.page_state = ids, lang, page_state
        self._facts = data.entry_facts

    def _item(self, listing_id: str) -> tuple[str, tuple[str, ...], str | None]:
        marks, home, national = self._facts(listing_id, self.lang)
        state = self.page_state
        return listing_id, marks, home if state and home != state and not national else None

    def items(self) -> Iterator[tuple[str, tuple[str, ...], str | None]]:
        """``(id, marks, based_in)`` of each entry, in order."""
        return map(self._item, self.ids)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for listing_id, marks, based_in in self.items():
            yield {"id": listing_id, "marks": list(marks), "based_in": based_in}

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            found = copy.copy(self)
            found.ids = self.ids[index]
            return found
        listing_id, marks, based_in = self._item(self.ids[index])
        return {"id": listing_id, "marks": list(marks), "based_in": based_in}

    def __eq__(self, other: object) -> bool:
        if isinstance(other, BrowseEntries):
            return list(self.items()) == list(other.items())
        return isinstance(other, list) and list(self) == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"BrowseEntries({list(self)!r})"


def _entries(data: SiteData, ids: list[str], lang: str, page_state: str | None = None):
    return BrowseEntries(data, data.sorted_ids(ids, lang), lang, page_state)


def browse_pages(data: SiteData, lang: str) -> list[PageSpec]:
    browse = data.browse
    d = data.default_lang
    pages: list[PageSpec] = []
    state_rows = []
    for code in STATES:
        group = browse.states[code]
        # A city with one listing links straight to that listing's page: its own
        # page would repeat one card of the state page and cost a tap.
        cities = [
            {
                "name": city.name,
                "path": (
                    site_urls.city(code, city.slug, lang, d)
                    if len(city.ids) > 1
                    else site_urls.listing(city.ids[0], lang, d)
                ),
                "count": len(city.ids),
            }
            for city in group.cities.values()
        ]
        pages.append(
            _page(
                data,
                lang,
                "state.html",
                lambda lg, df, c=code: site_urls.state(c, lg, df),
                state=code,
                count=group.count,
                local=_entries(data, group.local, lang, code),
                elsewhere=_entries(data, group.elsewhere, lang, code),
                national=_entries(data, group.national, lang, code),
                cities=cities,
            )
        )
        for city in group.cities.values():
            if len(city.ids) < 2:
                continue
            pages.append(
                _page(
                    data,
                    lang,
                    "city.html",
                    lambda lg, df, c=code, s=city.slug: site_urls.city(c, s, lg, df),
                    state=code,
                    city=city.name,
                    count=len(city.ids),
                    entries=_entries(data, city.ids, lang, code),
                    state_path=site_urls.state(code, lang, d),
                )
            )
        state_rows.append(
            {
                "code": code,
                "name": state_name(code, lang),
                "path": site_urls.state(code, lang, d),
                "count": group.count,
                "local": len(group.local),
            }
        )
    state_rows.sort(key=lambda row: (row["name"].casefold(), row["code"]))
    pages.append(_page(data, lang, "states.html", site_urls.states_index, states=state_rows))
    service_rows = []
    for term in vocabulary.get("services").ids:
        ids = browse.services[term]
        pages.append(
            _page(
                data,
                lang,
                "service.html",
                lambda lg, df, t=term: site_urls.service(t, lg, df),
                term=term,
                count=len(ids),
                entries=_entries(data, ids, lang),
            )
        )
        service_rows.append(
            {"term": term, "path": site_urls.service(term, lang, d), "count": len(ids)}
        )
    group_rows = []
    for group in vocabulary.service_groups():
        ids = sorted({i for term in group.terms for i in browse.services[term]})
        terms = [row for row in service_rows if row["term"] in group.terms]
        pages.append(
            _page(
                data,
                lang,
                "service_group.html",
                lambda lg, df, g=group.id: site_urls.service_group(g, lg, df),
                group=group.id,
                label=group.label_in(lang),
                description=group.description_in(lang),
                terms=terms,
                count=len(ids),
                entries=_entries(data, ids, lang),
            )
        )
        group_rows.append(
            {
                "group": group.id,
                "label": group.label_in(lang),
                "path": site_urls.service_group(group.id, lang, d),
                "count": len(ids),
                "terms": terms,
            }
        )
    pages.append(
        _page(
            data,
            lang,
            "services.html",
            site_urls.services_index,
            services=service_rows,
            groups=group_rows,
        )
    )
    population_rows = []
    for term in vocabulary.get("populations").ids:
        group = browse.populations[term]
        pages.append(
            _page(
                data,
                lang,
                "population.html",
                lambda lg, df, t=term: site_urls.population(t, lg, df),
                term=term,
                count=group.count,
                specific=_entries(data, group.specific, lang),
                everyone=_entries(data, group.everyone, lang),
            )
        )
        population_rows.append(
            {
                "term": term,
                "path": site_urls.population(term, lang, d),
                "count": group.count,
                "specific": len(group.specific),
            }
        )
    pages.append(
        _page(
            data,
            lang,
            "populations.html",
            site_urls.populations_index,
            populations=population_rows,
        )
    )
    pages.append(
        _page(
            data,
            lang,
            "index.html",
            site_urls.home,
            total=browse.total,
            states=state_rows,
            services=service_rows,
            groups=group_rows,
            populations=population_rows,
            national=_entries(data, browse.national, lang),
        )
    )
    return pages


def state_rows(data: SiteData, lang: str) -> list[dict[str, Any]]:
    """Every state with its browse page and how many listings serve it, by name."""
    d = data.default_lang
    rows = [
        {
            "code": code,
            "name": state_name(code, lang),
            "path": site_urls.state(code, lang, d),
            "count": data.browse.states[code].count,
            "local": len(data.browse.states[code].local),
        }
        for code in STATES
    ]
    rows.sort(key=lambda row: (row["name"].casefold(), row["code"]))
    return rows


def national_entries(data: SiteData, lang: str) -> BrowseEntries:
    """The listings serving the whole country, as browse-page entries."""
    return _entries(data, data.browse.national, lang)


def not_found_pages(data: SiteData) -> list[PageSpec]:
    """``404.html`` at the root and ``<lang>/404.html``: links start from the site root."""
    pages = []
    for lang in data.languages:
        page = _page(data, lang, "404.html", site_urls.home)
        page.path = f"{site_urls.lang_prefix(lang, data.default_lang)}404.html"
        page.context["page_path"] = page.path
        page.context["alternates"] = {}
        page.in_sitemap = False
        pages.append(page)
    return pages
