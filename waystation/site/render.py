"""The Jinja environment of the site's pages, usable without Pelican.

One :class:`jinja2.Environment` renders every listing and browse page
(autoescape on for everything); :func:`install` adds the same globals and
filters to Pelican's own environment so that ``base.html`` and the partials
work for Pelican's content pages too.

Translation: every UI string in a template is ``_("…")`` (or
``ngettext(singular, plural, n)``); both pick the page's language from the
render context: the ``lang`` variable (set for Waystation's pages) or
``page.lang`` (Pelican's pages).  Placeholders are ``%(name)s`` keyword
arguments: ``_("%(count)s listings", count=3)``.  Results are plain strings,
so autoescape escapes them like any other text.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from babel.dates import format_date, get_timezone, get_timezone_name
from markupsafe import Markup

from waystation.gazetteer import states as geography
from waystation.records import languages, vocabulary
from waystation.site import hours as site_hours
from waystation.site import i18n, listing_map, template_messages
from waystation.site import phones as site_phones
from waystation.site import urls as site_urls
from waystation.text.markup import cached_markdown

DEFAULT_LANG = "en"


def current_lang(ctx: Any) -> str:
    lang = ctx.get("lang")
    if isinstance(lang, str) and lang:
        return lang
    page = ctx.get("page") or ctx.get("article")
    page_lang = getattr(page, "lang", None)
    if isinstance(page_lang, str) and page_lang:
        return page_lang
    return ctx.get("DEFAULT_LANG") or DEFAULT_LANG


def _format(text: str, variables: dict[str, Any]) -> str:
    return text % variables if variables else text


@jinja2.pass_context
def gettext(ctx: Any, message: str, **variables: Any) -> str:
    return _format(i18n.gettext_for(current_lang(ctx))(message), variables)


@jinja2.pass_context
def ngettext(ctx: Any, singular: str, plural: str, n: int, **variables: Any) -> str:
    variables.setdefault("num", n)
    return _format(i18n.ngettext_for(current_lang(ctx))(singular, plural, n), variables)


@jinja2.pass_context
def term_label(ctx: Any, term: str, vocab: str) -> str:
    return vocabulary.get(vocab).label(term, current_lang(ctx))


@jinja2.pass_context
def labels(ctx: Any, terms: list[str], vocab: str) -> str:
    """``listing.services|labels('services')``: the terms' labels, joined with ", " (what
    ``|map('label', vocab)|join(', ')`` gives, without a filter call per term)."""
    lang, found = current_lang(ctx), vocabulary.get(vocab)
    return ", ".join([found.label(term, lang) for term in terms])


@lru_cache(maxsize=4096)
def _service_words(terms: tuple[str, ...], lang: str) -> str:
    services = vocabulary.get("services")
    words: list[str] = []
    groups = []
    for term in terms:
        found = services.get(term)
        if found is not None:
            words.extend(found.words.get(lang, ()))
        group = vocabulary.group_of(term)
        if group is not None and group not in groups:
            groups.append(group)
    for group in groups:
        words.append(group.label_in(lang))
        words.extend(group.words.get(lang, ()))
    return ". ".join(dict.fromkeys(words))


@jinja2.pass_context
def service_words(ctx: Any, terms: list[str]) -> str:
    """``listing.services|service_words``: the everyday words people type for the
    services and their groups ("abogado", "refugio"), in the page's language, each once;
    what the search copy adds so that Pagefind finds a listing by them.  Listings share
    few combinations of services: the words are worked out once per combination."""
    return _service_words(tuple(terms or ()), current_lang(ctx))


@jinja2.pass_context
def language_names(ctx: Any, codes: list[str]) -> str:
    """``listing.languages|language_names``: the languages' names, joined with ", "."""
    lang = current_lang(ctx)
    return ", ".join([languages.name(code, lang) for code in codes])


@jinja2.pass_context
def state_names(ctx: Any, codes: list[str]) -> str:
    """``area.states|state_names``: the states' names, joined with ", "."""
    lang = current_lang(ctx)
    return ", ".join([geography.state_name(code, lang) for code in codes])


@jinja2.pass_context
def term_description(ctx: Any, term: str, vocab: str) -> str:
    found = vocabulary.get(vocab).get(term)
    return found.description_in(current_lang(ctx)) if found else ""


@jinja2.pass_context
def language_name(ctx: Any, code: str) -> str:
    return languages.name(code, current_lang(ctx))


@jinja2.pass_context
def state_name(ctx: Any, code: str) -> str:
    return geography.state_name(code, current_lang(ctx))


@lru_cache(maxsize=512)
def _format_date(iso: str, lang: str) -> str:
    return format_date(dt.date.fromisoformat(iso), format="long", locale=lang)


@lru_cache(maxsize=512)
def _time_zone_name(zone: str, lang: str) -> str:
    return get_timezone_name(get_timezone(zone), width="long", locale=lang)


@jinja2.pass_context
def time_zone_name(ctx: Any, zone: str) -> str:
    """``America/Chicago`` -> ``Central Time`` / ``hora central``."""
    return _time_zone_name(zone, current_lang(ctx))


@jinja2.pass_context
def long_date(ctx: Any, value: str | dt.date) -> str:
    iso = value.isoformat() if isinstance(value, dt.date) else str(value)
    return _format_date(iso, current_lang(ctx))


#: Untrusted listing Markdown as sanitized HTML (cached: same text, same HTML).
markdown = cached_markdown


# Only the last description is kept: a listing's pages in every language are rendered
# one after the other, and their search blocks hold the same text.
@lru_cache(maxsize=1)
def markdown_text(text: str | None) -> str:
    """``text|markdown|striptags``: the description's words, for the search block."""
    return markdown(text).striptags()


SEARCH_BLOCK = "partials/search_meta.html"
#: The search blocks of this build's listing pages rendered already: {page path: (file,
#: offset, size)} of their UTF-8 bytes in files the search copies' writers kept.
_SEARCH_BLOCKS: dict[str, tuple[str, int, int]] = {}
#: Those files, opened in this process: {file: descriptor}.
_BLOCK_FILES: dict[str, int] = {}


@jinja2.pass_context
def search_block(ctx: Any) -> Markup:
    """The listing page's hidden search block (``partials/search_meta.html``).

    The page renderer renders each one once, for the page's search copy, before it
    writes the pages, and hands the processes that write them where it is
    (:func:`use_search_blocks`); otherwise it is rendered here.
    """
    found = _SEARCH_BLOCKS.get(ctx.get("page_path") or "")
    if found is None:
        html = ctx.environment.get_template(SEARCH_BLOCK).render(ctx.get_all())
        return Markup(html)  # noqa: S704 - rendered by an autoescaping template
    name, offset, size = found
    descriptor = _BLOCK_FILES.get(name)
    if descriptor is None:
        descriptor = _BLOCK_FILES[name] = os.open(name, os.O_RDONLY)
    # Written from an autoescaping template's output (site/write.py:SearchCopyWriter).
    return Markup(os.pread(descriptor, size, offset).decode("utf-8"))  # noqa: S704


def use_search_blocks(blocks: dict[str, tuple[str, int, int]]) -> None:
    """Where the search blocks of the build now running are (``{page path: (file,
    offset, size)}``), replacing any of an earlier build in this process.

    Kept in files, not in memory: at 50,000 listings the 96,000 blocks are about
    0.4 GB, which the build's process held and each page renderer copied half of (a
    forked process copies each memory page whose objects it reads)."""
    _SEARCH_BLOCKS.clear()
    _SEARCH_BLOCKS.update(blocks)
    for descriptor in _BLOCK_FILES.values():
        os.close(descriptor)
    _BLOCK_FILES.clear()


@jinja2.pass_context
def url(ctx: Any, path: str) -> str:
    """A link to a site path (``"providers/x/"``), relative or absolute as configured."""
    root = ctx.get("SITEURL") or ""
    return f"{root}/{path}" if root else f"/{path}"


@jinja2.pass_context
def static(ctx: Any, path: str) -> str:
    """A link to a file of theme/static (``"css/site.css"``)."""
    theme_dir = ctx.get("THEME_STATIC_DIR") or "theme"
    return url(ctx, f"{theme_dir}/{path}")


def phone_link(number: str, kind: str) -> site_phones.PhoneLink:
    return site_phones.phone_link(number, kind)


@jinja2.pass_context
def hours_rows(ctx: Any, hours: Any) -> list[dict[str, Any]]:
    return site_hours.hours_rows(hours, current_lang(ctx))


@jinja2.pass_context
def lang_alternates(ctx: Any) -> list[dict[str, str]]:
    """The page in every language: ``[{lang, name, url, current}]``.

    Waystation's pages pass ``alternates`` (lang -> path); for Pelican's pages
    the list comes from ``page.translations``.
    """
    lang = current_lang(ctx)
    items: list[tuple[str, str]] = []
    given = ctx.get("alternates")
    if isinstance(given, dict) and given:
        items = [(code, url(ctx, path)) for code, path in given.items()]
    else:
        page = ctx.get("page")
        if page is not None and getattr(page, "url", None) is not None:
            items = [(page.lang, url(ctx, page.url))]
            items += [(t.lang, url(ctx, t.url)) for t in getattr(page, "translations", [])]
    order = list(ctx.get("LANGUAGES") or [DEFAULT_LANG])
    items.sort(key=lambda item: (order.index(item[0]) if item[0] in order else 99, item[0]))
    return [
        {"lang": code, "name": languages.name(code, code), "url": href, "current": code == lang}
        for code, href in items
    ]


_PATHS = {
    "home": site_urls.home,
    "listing": site_urls.listing,
    "states": site_urls.states_index,
    "state": site_urls.state,
    "city": site_urls.city,
    "services": site_urls.services_index,
    "service": site_urls.service,
    "service_group": site_urls.service_group,
    "populations": site_urls.populations_index,
    "population": site_urls.population,
    "page": site_urls.content_page,
    "coverage": site_urls.coverage,
}


@jinja2.pass_context
def site_path(ctx: Any, kind: str, *args: str) -> str:
    """A page's path in the current language: ``site_path("state", "IL")`` -> ``es/states/il/``."""
    default = ctx.get("DEFAULT_LANG") or DEFAULT_LANG
    return _PATHS[kind](*args, current_lang(ctx), default)


@jinja2.pass_context
def link(ctx: Any, kind: str, *args: str) -> str:
    """``url(site_path(kind, *args))``: the link to a page in the current language."""
    return url(ctx, site_path(ctx, kind, *args))


def url_origin(value: str) -> str:
    """``https://tile.example.org/{z}/{x}/{y}.png`` -> ``https://tile.example.org``."""
    parts = urlsplit(value or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


@jinja2.pass_context
def partial(ctx: Any, name: str) -> Markup:
    """Include a page-independent partial, rendered once per language and link root.

    For partials whose output depends only on the language, ``SITEURL`` and the
    settings (the safety bar, the CSP meta tag): ``{{ partial("partials/csp.html") }}``.
    """
    return cached(ctx, name)


_CACHED_LIMIT = 50_000


@jinja2.pass_context
def cached(ctx: Any, name: str, *key: Any) -> Markup:
    """Include ``name`` rendered once per language, link root and ``key``.

    For a part of a page that reads nothing but the values passed as ``key`` (and the
    settings): ``{{ cached("partials/listing_hours.html", hours_json, time_zone, …) }}``.
    Listings that share it (the same opening hours) then share one rendering.
    """
    env = ctx.environment
    cache = env.__dict__.setdefault("waystation_cached", {})
    full_key = (name, current_lang(ctx), ctx.get("SITEURL") or "", key)
    found = cache.get(full_key)
    if found is None:
        if len(cache) >= _CACHED_LIMIT:
            cache.clear()
        html = env.get_template(name).render(ctx.get_all())
        found = cache[full_key] = Markup(html)  # noqa: S704 - rendered by an autoescaping template
    return found


GLOBALS = {
    "partial": partial,
    "cached": cached,
    "site_path": site_path,
    "link": link,
    "_": gettext,
    "gettext": gettext,
    "ngettext": ngettext,
    "url": url,
    "static": static,
    "phone_link": phone_link,
    "lang_alternates": lang_alternates,
    "current_lang": jinja2.pass_context(current_lang),
    "listing_map_script": listing_map.listing_map_script,
    "search_block": search_block,
}

FILTERS = {
    "label": term_label,
    "labels": labels,
    "service_words": service_words,
    "language_names": language_names,
    "state_names": state_names,
    "term_description": term_description,
    "language_name": language_name,
    "state_name": state_name,
    "long_date": long_date,
    "time_zone_name": time_zone_name,
    "markdown": markdown,
    "markdown_text": markdown_text,
    "hours_rows": hours_rows,
    "url_origin": url_origin,
}


def install(env: jinja2.Environment) -> jinja2.Environment:
    env.globals.update(GLOBALS)
    env.filters.update(FILTERS)
    return env


class PageEnvironment(jinja2.Environment):
    """A Jinja environment whose templates read the environment's globals directly.

    Jinja layers each template's globals over the environment's in a ChainMap, and
    copies that into every context it makes (each page, include and macro call);
    with the ~150 settings the templates can read, walking the ChainMap in Python
    cost a third of a millisecond per context.  Set the globals before loading
    templates (as :func:`make_environment`'s callers do).
    """

    def make_globals(self, d):
        if d:
            return super().make_globals(d)
        return self.globals

    def getattr(self, obj: Any, attribute: str) -> Any:
        # ``listing.name`` on a dict: Jinja tries the attribute first and catches the
        # AttributeError, which costs more than the lookup.  The item first gives the
        # same result for every name that is not a dict method.
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


_DICT_ATTRIBUTES = frozenset(dir(dict))


def make_environment(template_dirs: list[Path], lang: str | None = None) -> jinja2.Environment:
    """The environment for Waystation's pages: the theme's templates, autoescape on.

    With ``lang``, the templates' constant messages are translated into it when they
    are compiled (:mod:`waystation.site.template_messages`): the environment must then render
    only pages in that language.
    """
    env = PageEnvironment(
        loader=jinja2.FileSystemLoader([str(p) for p in template_dirs]),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        extensions=[template_messages.ConstantMessages],
    )
    env.messages_lang = lang  # type: ignore[attr-defined]
    return install(env)
