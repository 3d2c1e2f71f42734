"""The search page (``/search/``, ``/es/search/``): its path and template context.

The page itself is a form and an empty results region; the filtering,
sorting and distances happen in the browser (``theme/static/js/search.js``)
over the files of :mod:`waystation.search.data` and Pagefind's index.  The
context gives the template what it renders server-side: the filter choices
(terms in vocabulary order, languages staff speak, states with how many
listings serve each) and where the data lives.
"""

from __future__ import annotations

from typing import Any

from waystation.directory import Directory
from waystation.gazetteer.states import STATES
from waystation.records import vocabulary
from waystation.search import data as search_data
from waystation.search import zip_shards
from waystation.site import urls as site_urls
from waystation.site.pages import national_entries, page_spec, state_rows

SLUG = "search"
#: How many national services the page lists for visitors without JavaScript (then a
#: link to all of them on the home page; each state's page lists them too): every
#: search page carries this list, so at 10,000 listings (800 national ones) listing
#: them all made the page six times heavier (46 KB compressed instead of 8).
NOJS_NATIONAL = 10

#: Filter groups: URL parameter, vocabulary, how values of a group combine.
GROUPS = (
    ("service", "services", "any"),
    ("population", "populations", "any"),
    ("language", None, "any"),
    ("feature", "features", "all"),
    ("type", "trafficking_types", "any"),
    ("cost", "cost", "any"),
)


def path(lang: str, default_lang: str) -> str:
    return site_urls.content_page(SLUG, lang, default_lang)


def context(
    directory: Directory,
    lang: str,
    settings: dict[str, Any],
    counts: dict[str, int] | None = None,
) -> dict[str, Any]:
    """What ``search.html`` needs besides the site's usual context."""
    if counts is None:
        counts = search_data.shard_counts(directory)
    data_path = settings.get("SEARCH_DATA_PATH", "search-data").strip("/") + "/"
    return {
        # The first choice, "what do you need": a service group stands for all its terms.
        "need": [
            {"id": g.id, "label": g.label_in(lang), "terms": list(g.terms)}
            for g in vocabulary.service_groups()
        ],
        "groups": [
            {
                "param": param,
                "vocab": vocab,
                "mode": mode,
                "values": list(vocabulary.get(vocab).ids)
                if vocab
                else search_data.spoken_languages(directory),
            }
            for param, vocab, mode in GROUPS
        ],
        "states": [{"code": code, "count": counts.get(code, 0)} for code in STATES],
        "national_count": counts.get(search_data.NATIONAL, 0),
        "data_path": data_path,
        # For the head's preloads (docs/search.md, "Loading"): the state of each ZIP
        # prefix, and the shards that have a rows file.
        "zip_states": zip_shards.prefix_states(),
        "shards": sorted(name for name, n in counts.items() if n),
        "pagefind_path": "pagefind/pagefind.js",
        "page_size": int(settings.get("SEARCH_PAGE_SIZE", 20)),
    }


def pages(site_data: Any) -> list[Any]:
    """One :class:`waystation.site.pages.PageSpec` per language (add them to the plan).

    Without JavaScript the page shows, first, the states (each state's browse page) and
    the listings that serve the whole country (the first :data:`NOJS_NATIONAL`, then a
    link to all): the home form's ZIP code cannot be read without a script, so the
    visitor chooses the state in one more tap.
    """
    directory = site_data.directory
    settings = directory.settings
    counts = search_data.shard_counts(directory)
    specs = []
    for lang in site_data.languages:
        national = national_entries(site_data, lang)
        specs.append(
            page_spec(
                site_data.languages,
                site_data.default_lang,
                lang,
                "search.html",
                path,
                search=context(directory, lang, settings, counts),
                states=state_rows(site_data, lang),
                national=national[:NOJS_NATIONAL],
                national_total=len(national),
            )
        )
    return specs
