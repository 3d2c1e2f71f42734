"""folium maps, made fit for the site: local assets, stable ids, no inline script.

folium writes a page that loads Leaflet, jQuery, Bootstrap and Font Awesome
from CDNs, gives every element a random id and inlines its script.  Here:

- :class:`LocalMap` and :class:`LocalMarkerCluster` load Leaflet and
  Leaflet.markercluster from ``theme/static/vendor/`` (and nothing else: no
  jQuery, Bootstrap or icon fonts, which these maps never use);
- :func:`deterministic_ids` makes branca's element ids a hash of a seed and a
  counter, so the same map is the same bytes on every build;
- :func:`render` returns the map's ``<div>`` id and its script, which the
  caller writes to a ``.js`` file loaded with ``<script src>`` (the site's
  Content-Security-Policy allows no inline script).

The markers of the overview, state and embed maps are not in the folium
script: ``theme/static/js/map.js`` loads them once from the compact GeoJSON
of :mod:`waystation.maps.markers` into the cluster layer that
:class:`Registration` hands it.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import folium
from branca.element import CssLink, Element, JavascriptLink, MacroElement
from folium.plugins import MarkerCluster
from jinja2 import Template

#: Theme static files (relative to the theme's static folder) that replace folium's CDN links.
LEAFLET_JS = ("leaflet", "vendor/leaflet/leaflet.js")
LEAFLET_CSS = ("leaflet_css", "vendor/leaflet/leaflet.css")
CLUSTER_JS = ("markerclusterjs", "vendor/leaflet.markercluster/leaflet.markercluster.js")
CLUSTER_CSS = (
    ("markerclustercss", "vendor/leaflet.markercluster/MarkerCluster.css"),
    ("markerclusterdefaultcss", "vendor/leaflet.markercluster/MarkerCluster.Default.css"),
)

_ID_LOCK = threading.Lock()


class LocalMap(folium.Map):
    """folium's Map with Leaflet from the site and without jQuery/Bootstrap/Font Awesome."""

    default_js = [LEAFLET_JS]
    default_css = [LEAFLET_CSS]


class LocalMarkerCluster(MarkerCluster):
    default_js = [CLUSTER_JS]
    default_css = list(CLUSTER_CSS)


class Registration(MacroElement):
    """Hands the map (and its cluster layer) to ``map.js``: ``window.waystationMaps[key]``."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "window.waystationMaps = window.waystationMaps || {};\n"
        "window.waystationMaps[{{ this.key|tojson }}] = {map: {{ this._parent.get_name() }}"
        "{% if this.cluster %}, cluster: {{ this.cluster.get_name() }}{% endif %}};\n"
        "{% endmacro %}"
    )

    def __init__(self, key: str, cluster: Element | None = None) -> None:
        super().__init__()
        self._name = "Registration"
        self.key = key
        self.cluster = cluster


@contextmanager
def deterministic_ids(seed: str) -> Iterator[None]:
    """Within the block, branca element ids are ``sha256(seed:n)`` instead of random."""
    counter = itertools.count()

    def generate(cls) -> str:
        return hashlib.sha256(f"{seed}:{next(counter)}".encode()).hexdigest()[:32]

    with _ID_LOCK:
        original = Element.__dict__["_generate_id"]
        Element._generate_id = classmethod(generate)  # type: ignore[method-assign]
        try:
            yield
        finally:
            Element._generate_id = original  # type: ignore[method-assign]


@dataclass(frozen=True)
class RenderedMap:
    div_id: str
    script: str
    js: tuple[str, ...]  # theme static paths, in load order
    css: tuple[str, ...]


def new_map(
    settings: dict[str, Any],
    name: str,
    center: list[float] | tuple[float, float],
    zoom: int,
) -> LocalMap:
    """A map with the configured tile layer; its div id is ``map_<name>``."""
    fmap = LocalMap(
        location=list(center),
        zoom_start=zoom,
        tiles=None,
        control_scale=True,
        max_zoom=int(settings["TILE_MAX_ZOOM"]),
        world_copy_jump=True,
    )
    fmap._id = name
    folium.TileLayer(
        tiles=settings["TILE_URL"],
        attr=settings["TILE_ATTRIBUTION"],
        max_zoom=int(settings["TILE_MAX_ZOOM"]),
        name="tiles",
        subdomains="abc",
    ).add_to(fmap)
    return fmap


def add_cluster(fmap: LocalMap, key: str) -> LocalMarkerCluster:
    cluster = LocalMarkerCluster(
        name="listings",
        control=False,
        options={
            "showCoverageOnHover": False,
            "chunkedLoading": True,
            "maxClusterRadius": 50,
            # From a neighbourhood's zoom on, every pin and area is drawn on its own.
            "disableClusteringAtZoom": 12,
        },
    )
    cluster.add_to(fmap)
    Registration(key, cluster).add_to(fmap)
    return cluster


def render(fmap: LocalMap) -> RenderedMap:
    """The map's div id, script and assets; fails if folium asks for anything off-site."""
    figure = fmap.get_root()
    figure.render()
    js: list[str] = []
    css: list[str] = []
    for element in figure.header._children.values():
        if isinstance(element, JavascriptLink):
            js.append(element.url)
        elif isinstance(element, CssLink):
            css.append(element.url)
    remote = [u for u in js + css if "//" in u]
    if remote:
        raise RuntimeError(f"folium asked for off-site assets: {remote}")
    script = "\n".join(
        line.rstrip() for line in figure.script.render().splitlines() if line.strip()
    )
    return RenderedMap(fmap.get_name(), script + "\n", tuple(js), tuple(css))
