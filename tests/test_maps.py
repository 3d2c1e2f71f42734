"""Map pages, map data and folium output: local assets, stable ids, confidentiality."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from open_data_fixtures import small_directory

from waystation import settings
from waystation.gazetteer import centres
from waystation.maps import local_folium as maps_folium
from waystation.maps.steps import write_maps

CDN = re.compile(r"jquery|bootstrap|font-?awesome|awesome-markers|cdn\.|cdnjs|unpkg|jsdelivr", re.I)


@pytest.fixture(scope="module")
def maps_directory(tmp_path_factory):
    return small_directory(tmp_path_factory.mktemp("maps"), leaky_resolver=False)


@pytest.fixture(scope="module")
def site(maps_directory, tmp_path_factory):
    out = tmp_path_factory.mktemp("maps-output")
    write_maps(maps_directory, out, maps_directory.settings)
    return out


def test_folium_ids_are_deterministic_and_seeded():
    values = settings.resolve({})

    def script(seed: str) -> str:
        with maps_folium.deterministic_ids(seed):
            fmap = maps_folium.new_map(values, "overview", [39, -98], 4)
            maps_folium.add_cluster(fmap, "overview")
            return maps_folium.render(fmap).script

    assert script("a") == script("a")
    assert script("a") != script("b")
    # Outside the block, branca is random again.
    from branca.element import Element

    assert Element()._id != Element()._id


def test_folium_assets_are_the_vendored_files_only():
    values = settings.resolve({})
    with maps_folium.deterministic_ids("x"):
        fmap = maps_folium.new_map(values, "overview", [39, -98], 4)
        maps_folium.add_cluster(fmap, "overview")
        rendered = maps_folium.render(fmap)
    static = Path(__file__).resolve().parent.parent / "theme" / "static"
    for path in rendered.js + rendered.css:
        assert (static / path).is_file(), path
    assert not CDN.search(" ".join(rendered.js + rendered.css))


def test_map_data_has_pins_circles_and_no_hidden_listing(site):
    data = json.loads((site / "map" / "listings.geojson").read_text("utf-8"))
    features = {f["properties"]["i"]: f for f in data["features"]}
    assert set(features) == {"lakeside-public-center", "prairie-approximate-shelter"}
    assert "r" not in features["lakeside-public-center"]["properties"]
    approximate = features["prairie-approximate-shelter"]
    lat, lon = centres.zip_centre("62701")
    assert approximate["geometry"]["coordinates"] == [round(lon, 5), round(lat, 5)]
    assert approximate["properties"]["r"] > 0
    assert data["terms"]["services"][features["lakeside-public-center"]["properties"]["v"][0]] in (
        "case-management", "legal-immigration")  # fmt: skip


def test_spanish_map_data_uses_spanish_names(site):
    assert (site / "es" / "map" / "listings.geojson").is_file()


def _map_slot(directory, listing_id: str) -> dict[str, str] | None:
    """The listing page's map slot (partials/listing_map.html), as its attributes."""
    from waystation.publish import public_point
    from waystation.site import render as site_render

    listing = next(item for item in directory.listings if item.id == listing_id)
    point = public_point(listing, directory.place(listing))
    theme = Path(__file__).resolve().parent.parent / "theme" / "templates"
    env = site_render.make_environment([theme])
    env.globals.update(settings.resolve({}))
    html = env.get_template("partials/listing_map.html").render(
        listing={"id": listing_id}, point=point, SITEURL="../..", lang="en"
    )
    slot = re.search(r'<div class="listing-map-slot"([^>]*)>', html)
    return dict(re.findall(r'\s([a-z-]+)="([^"]*)"', slot.group(1))) if slot else None


def test_listing_maps_draw_a_pin_or_a_circle(site, maps_directory):
    public_slot = _map_slot(maps_directory, "lakeside-public-center")
    approximate_slot = _map_slot(maps_directory, "prairie-approximate-shelter")
    folder = site / "providers" / "x"  # a listing page's folder: data-map is relative to it
    public = (folder / public_slot["data-map"]).resolve().read_text("utf-8")
    approximate = (folder / approximate_slot["data-map"]).resolve().read_text("utf-8")
    assert public_slot["data-map"] == "../../map/listing-point-15.js"
    assert "L.marker(" in public and "L.circle(" not in public
    assert "L.circle(" in approximate and "L.marker(" not in approximate
    # Each script draws the point its page gives: the address, or the area's centre.
    assert "center: [window.waystationListingPoint.lat, window.waystationListingPoint.lon]" in (
        public
    )
    assert '"radius": window.waystationListingPoint.radius' in approximate
    assert "data-radius" not in public_slot and approximate_slot["data-radius"] == "3000"
    lat, lon = centres.zip_centre("62701")
    assert float(approximate_slot["data-lat"]) == pytest.approx(lat, abs=1e-5)
    assert float(approximate_slot["data-lon"]) == pytest.approx(lon, abs=1e-5)
    assert _map_slot(maps_directory, "northshore-hidden-refuge") is None  # no map, no point
    assert not list(site.rglob("providers/*/map.js"))
    assert "https://tile.openstreetmap.org/{z}/{x}/{y}.png" in public


@pytest.mark.parametrize(
    "page",
    [
        "map/index.html",
        "es/map/index.html",
        "states/il/map/index.html",
        "es/states/il/map/index.html",
        "embed/map/index.html",
        "es/embed/map/index.html",
        "embed/index.html",
        "es/embed/index.html",
    ],
)
def test_map_pages_load_nothing_inline_or_off_site(site, page):
    html = (site / page).read_text("utf-8")
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert scripts and all("src=" in attrs for attrs in scripts), "inline script in " + page
    loaded = re.findall(r'\ssrc="([^"]+)"', html) + re.findall(
        r'<link\b[^>]*\shref="([^"]+)"', html
    )
    assert loaded
    for url in loaded:  # scripts, stylesheets, frames: all from this site
        assert not url.startswith(("http:", "https:", "//")), url
    assert not CDN.search(html)
    assert 'id="quick-exit"' in html


def test_state_map_lists_its_listings_in_html_without_js(site):
    html = (site / "states" / "il" / "map" / "index.html").read_text("utf-8")
    assert "<noscript>" in html
    assert 'data-id="lakeside-public-center"' in html
    assert 'data-id="prairie-approximate-shelter"' in html
    assert "northshore-hidden-refuge" not in html
    assert "Approximate area: Springfield, IL" in html
    setup = (site / "states" / "il" / "map" / "map-setup.js").read_text("utf-8")
    assert "fitBounds" in setup and 'window.waystationMaps["state_il"]' in setup


def test_embed_links_open_in_a_new_tab(site):
    html = (site / "embed" / "map" / "index.html").read_text("utf-8")
    assert 'data-new-tab="true"' in html
    assert 'target="_blank" rel="noopener"' in html
    assert 'class="quick-exit"' in html


def test_listing_partial_loads_the_listing_map(tmp_path):
    from waystation.site import render as site_render

    theme = Path(__file__).resolve().parent.parent / "theme" / "templates"
    env = site_render.make_environment([theme])
    env.globals.update(settings.resolve({}))
    template = env.get_template("partials/listing_map.html")
    html = template.render(listing={"id": "x-y"}, point={"lat": 1, "lon": 2, "precision": "zip",
                           "radius_m": 3000}, SITEURL="../..", lang="en")  # fmt: skip
    assert 'id="map_listing"' in html and 'data-map="../../map/listing-area-12.js"' in html
    assert 'data-lat="1" data-lon="2" data-radius="3000"' in html
    # Leaflet is not loaded with the page: only when the visitor asks for the map.
    assert not re.search(r"<script[^>]*leaflet", html)
    assert "data-leaflet=" in html
    assert "approximate area" in html
    assert template.render(listing={"id": "x"}, point=None, SITEURL=".", lang="en").strip() == ""
