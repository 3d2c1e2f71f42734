"""The map pages: overview, one per state, the embeddable map and its builder.

:func:`write_maps` (the post-build step, via :mod:`waystation.opendata.steps`)
writes, for every language (the default at the root, others under
``/<lang>/``):

- ``map/listings.geojson``: the marker data (:mod:`waystation.maps.markers`);
- ``map/``: the overview map; ``states/<st>/map/``: one map per state that
  has mapped listings; ``embed/map/``: the map for partner sites (just the map,
  the list and the quick exit); ``embed/``: the "Embed this map" page;
- next to each map page, ``map-setup.js``: folium's script for that map
  (never inline: the site's Content-Security-Policy allows no inline script);

and, once, ``map/listing-<kind>-<zoom>.js`` for each kind of listing map in use
(a pin at a street's zoom, a circle at a ZIP code's or city's): folium's script
for the small map of a listing page, reading the point from the page
(``partials/listing_map.html`` loads it).

Pages are rendered with the site's own templates and Jinja environment
(:mod:`waystation.site.write`), so they share its layout, safety bar and
translations.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import folium

from waystation.gazetteer.states import STATES, state_name
from waystation.maps import local_folium as maps_folium
from waystation.maps import markers as maps_data
from waystation.publish import public_point
from waystation.records import languages, vocabulary
from waystation.site import listing_map
from waystation.site import urls as site_urls
from waystation.site.i18n import N_, gettext_for
from waystation.site.pages import PageSpec, SiteData, page_spec

DATA_FILE = "listings.geojson"
SETUP_FILE = "map-setup.js"

#: The zoom levels the embed's ``zoom`` parameter accepts (js/map.js clamps to them),
#: offered by the embed builder and documented in docs/embedding.md: one range, checked
#: by tests/test_maps_embed_builder.py.
EMBED_ZOOM_RANGE = (2, 18)
#: The title of the embed snippet's ``<iframe>`` (screen readers announce it), given in
#: the language of the map it shows.
EMBED_TITLE = N_("Map of services for survivors of human trafficking")


# ---------- paths (site_urls style: relative to the root, ending in "/") ----------


def overview_path(lang: str, default: str) -> str:
    return f"{site_urls.lang_prefix(lang, default)}map/"


def state_map_path(code: str, lang: str, default: str) -> str:
    return f"{site_urls.state(code, lang, default)}map/"


def embed_map_path(lang: str, default: str) -> str:
    return f"{site_urls.lang_prefix(lang, default)}embed/map/"


def embed_builder_path(lang: str, default: str) -> str:
    return f"{site_urls.lang_prefix(lang, default)}embed/"


def data_path(lang: str, default: str) -> str:
    return overview_path(lang, default) + DATA_FILE


def listings_base(lang: str, default: str) -> str:
    """Listing pages are ``<listings_base><id>/``."""
    return site_urls.listing("", lang, default).removesuffix("/")


# ---------- helpers ----------


def template_dirs(settings: dict[str, Any]) -> list[Path]:
    theme = settings.get("THEME")
    if theme and (Path(theme) / "templates").is_dir():
        return [Path(theme) / "templates"]
    return [Path(__file__).resolve().parents[2] / "theme" / "templates"]


def _bounds(features: list[dict[str, Any]]) -> list[list[float]] | None:
    if not features:
        return None
    lons = [f["geometry"]["coordinates"][0] for f in features]
    lats = [f["geometry"]["coordinates"][1] for f in features]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def _seed(directory, name: str) -> str:
    return f"{name}|{_listings_digest(directory)}"


def _listings_digest(directory) -> str:
    ids = ",".join(item.id for item in directory.listings)
    return f"{len(ids)}|{hash_text(ids)}"


def hash_text(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()[:16]


def build_cluster_map(
    directory,
    settings: dict[str, Any],
    key: str,
    bounds: list[list[float]] | None,
    digest: str | None = None,
) -> maps_folium.RenderedMap:
    """``digest``: ``_listings_digest(directory)``, if already known (it reads every id)."""
    seed = f"{key}|{digest}" if digest is not None else _seed(directory, key)
    with maps_folium.deterministic_ids(seed):
        fmap = maps_folium.new_map(settings, key, settings["MAP_CENTER"], int(settings["MAP_ZOOM"]))
        maps_folium.add_cluster(fmap, key)
        if bounds is not None:
            fmap.fit_bounds(bounds, padding=(24, 24), max_zoom=12)
        return maps_folium.render(fmap)


#: Stand-in values folium renders into a listing map's script, then replaced by the
#: point the page gives (listing-map.js sets ``window.waystationListingPoint``).
_LAT, _LON, _RADIUS = 11.1111111, 22.2222222, 33333
_POINT = "window.waystationListingPoint"


def listing_map_js(kind: str, zoom: int, settings: dict[str, Any]) -> str:
    """folium's script for every listing map of ``kind`` ("point" or "area") and ``zoom``.

    folium renders the map once, with stand-in numbers; they become references to the
    point the page gives, so one script serves 10,000 listing pages.
    """
    with maps_folium.deterministic_ids(f"listing|{kind}|{zoom}"):
        location = [_LAT, _LON]
        fmap = maps_folium.new_map(settings, "listing", location, zoom)
        fmap.options["scrollWheelZoom"] = False
        if kind == "area":
            folium.Circle(
                location=location,
                radius=_RADIUS,
                color="#0b4f9c",
                weight=2,
                fill=True,
                fill_opacity=0.15,
                interactive=False,
            ).add_to(fmap)
        else:
            folium.Marker(location=location, keyboard=False, interactive=False).add_to(fmap)
        maps_folium.Registration("listing").add_to(fmap)
        script = maps_folium.render(fmap).script
    # The map's centre and the pin or circle: two of each.
    radius = f'"radius": {_RADIUS}'
    if (
        script.count(repr(_LAT)) != 2
        or script.count(repr(_LON)) != 2
        or script.count(radius) != (1 if kind == "area" else 0)
    ):
        raise RuntimeError("folium's listing map changed shape: update maps_pages")
    script = script.replace(repr(_LAT), f"{_POINT}.lat").replace(repr(_LON), f"{_POINT}.lon")
    return script.replace(radius, f'"radius": {_POINT}.radius')


def _filters(features: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    codes = sorted({code for f in features for code in f["properties"].get("l", [])})
    language_options = sorted(
        ((code, languages.name(code, lang)) for code in codes), key=lambda p: p[1].casefold()
    )
    return {
        "services": list(vocabulary.get("services").ids),
        "populations": list(vocabulary.get("populations").ids),
        "languages": [{"code": c, "name": n} for c, n in language_options],
        "states": sorted(STATES, key=lambda c: state_name(c, lang).casefold()),
    }


def _entry(feature: dict[str, Any], lang: str, default: str) -> dict[str, Any]:
    props = feature["properties"]
    return {
        "id": props["i"],
        "name": props["n"],
        "city": props.get("c"),
        "state": props["s"],
        "approximate": "r" in props,
        "path": site_urls.listing(props["i"], lang, default),
    }


def embed_titles(langs: list[str]) -> dict[str, str]:
    """The embed snippet's title in each language: ``{"en": "Map of …", "es": "Mapa …"}``."""
    return {lang: gettext_for(lang)(EMBED_TITLE) for lang in langs}


class _Pages:
    """Collects page specs and the files to write next to them."""

    def __init__(self, directory, settings: dict[str, Any]):
        self.directory = directory
        self.settings = settings
        self.langs = list(settings["LANGUAGES"])
        self.default = self.langs[0]
        self.specs: list[PageSpec] = []
        self.files: dict[str, str] = {}

    def page(self, lang: str, template: str, make_path, **context: Any) -> PageSpec:
        spec = page_spec(self.langs, self.default, lang, template, make_path, **context)
        spec.in_sitemap = False
        self.specs.append(spec)
        return spec


def _map_context(rendered: maps_folium.RenderedMap, page_path: str) -> dict[str, Any]:
    return {
        "div_id": rendered.div_id,
        "setup": page_path + SETUP_FILE,
        "js": list(rendered.js),
        "css": list(rendered.css),
    }


def plan(directory, settings: dict[str, Any]) -> _Pages:
    pages = _Pages(directory, settings)
    default = pages.default
    # The overview map and the state maps are the same in every language but
    # their page; build each once.
    located: dict[str, list[dict[str, Any]]] = defaultdict(list)
    collections = {lang: maps_data.map_collection(directory, lang) for lang in pages.langs}
    for feature in collections[default]["features"]:
        located[feature["properties"]["s"]].append(feature)
    # The listings map_feature() left out (no public place, or hidden).
    mapped = {feature["properties"]["i"] for feature in collections[default]["features"]}
    unmapped: dict[str, int] = defaultdict(int)
    for listing in directory.listings:
        if listing.id not in mapped:
            unmapped[listing.record.location.state] += 1
    digest = _listings_digest(directory)
    overview = build_cluster_map(directory, settings, "overview", None, digest)
    embed = build_cluster_map(directory, settings, "embed", None, digest)
    state_maps = {
        code: build_cluster_map(
            directory, settings, f"state_{code.lower()}", _bounds(located[code]), digest
        )
        for code in sorted(located)
    }
    for lang in pages.langs:
        collection = collections[lang]
        features = collection["features"]
        pages.files[data_path(lang, default)] = maps_data.map_json(collection)
        filters = _filters(features, lang)
        by_state: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for feature in features:
            by_state[feature["properties"]["s"]].append(feature)
        state_rows = sorted(
            (
                {
                    "code": code,
                    "name": state_name(code, lang),
                    "count": len(items),
                    "map_path": state_map_path(code, lang, default),
                }
                for code, items in by_state.items()
            ),
            key=lambda row: row["name"].casefold(),
        )
        spec = pages.page(
            lang,
            "map.html",
            overview_path,
            kind="overview",
            map=_map_context(overview, overview_path(lang, default)),
            data_path=data_path(lang, default),
            listings_base=listings_base(lang, default),
            total=len(features),
            states=state_rows,
            entries=[],
            filters=filters,
            embed_path=embed_builder_path(lang, default),
        )
        pages.files[spec.path + SETUP_FILE] = overview.script
        for code, rendered in state_maps.items():
            path = state_map_path(code, lang, default)
            spec = pages.page(
                lang,
                "map.html",
                lambda lg, df, c=code: state_map_path(c, lg, df),
                kind="state",
                state=code,
                map=_map_context(rendered, path),
                data_path=data_path(lang, default),
                listings_base=listings_base(lang, default),
                total=len(by_state[code]),
                entries=[_entry(f, lang, default) for f in by_state[code]],
                unmapped=unmapped.get(code, 0),
                state_path=site_urls.state(code, lang, default),
                overview_path=overview_path(lang, default),
                filters=filters,
                embed_path=embed_builder_path(lang, default),
            )
            pages.files[spec.path + SETUP_FILE] = rendered.script
        spec = pages.page(
            lang,
            "embed_map.html",
            embed_map_path,
            kind="embed",
            map=_map_context(embed, embed_map_path(lang, default)),
            data_path=data_path(lang, default),
            listings_base=listings_base(lang, default),
            new_tab=True,
            total=len(features),
            filters=filters,
            overview_path=overview_path(lang, default),
            embed_paths={code: embed_map_path(code, default) for code in pages.langs},
        )
        pages.files[spec.path + SETUP_FILE] = embed.script
        pages.page(
            lang,
            "embed.html",
            embed_builder_path,
            filters=filters,
            embed_map_paths={code: embed_map_path(code, default) for code in pages.langs},
            embed_titles=embed_titles(pages.langs),
            zoom={"min": EMBED_ZOOM_RANGE[0], "max": EMBED_ZOOM_RANGE[1]},
            overview_path=overview_path(lang, default),
        )
    kinds = set()
    for listing in directory.listings:
        # public_listing()'s "point" (the same in every language).
        point = public_point(listing, directory.place(listing))
        if point is not None:
            kinds.add(listing_map.listing_map_kind(point))
    for kind, zoom in sorted(kinds):
        pages.files[listing_map.listing_map_path(kind, zoom)] = listing_map_js(kind, zoom, settings)
    return pages


def write_files(output: Path, files: dict[str, str]) -> None:
    """Write ``{path: text}`` under ``output``; folders are made only when missing
    (a listing's folder usually exists already: its page is written first)."""
    root = os.fspath(output)
    for path, text in sorted(files.items()):
        with _open_for_writing(os.path.join(root, path)) as handle:
            handle.write(text)


def _open_for_writing(target: str):
    try:
        return open(target, "w", encoding="utf-8", newline="\n")
    except FileNotFoundError:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        return open(target, "w", encoding="utf-8", newline="\n")


def write_maps(directory, output: Path, settings: dict[str, Any]) -> None:
    """The post-build step: write the map data, map pages and map scripts into ``output``."""
    from waystation import settings as declared
    from waystation.site import write as site_build

    settings = {**declared.resolve(settings), **settings}
    pages = plan(directory, settings)
    write_files(output, pages.files)
    data = SiteData(directory, pages.langs, pages.default)
    site_build.render_pages(pages.specs, data, output, template_dirs(settings), settings)
