"""The maps in a real browser: clusters and pins, circles for approximate places, filters
that narrow map and list together, no request off the site but tiles, no axe violation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from browserkit import StaticServer, off_site_requests

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def map_site(site_dir, tmp_path_factory) -> Path:
    """The sample site with the maps; if the build did not run the maps step yet, a copy
    of it with the maps and open data written by the post-build steps themselves."""
    if (site_dir / "map" / "index.html").is_file():
        return site_dir
    from waystation import settings
    from waystation.directory import build_directory
    from waystation.maps.steps import write_maps
    from waystation.opendata.steps import write_open_data

    copy = tmp_path_factory.mktemp("map-site") / "output"
    shutil.copytree(site_dir, copy)
    values = settings.load(ROOT / "pelicanconf.py")
    values.update(RELATIVE_URLS=True, THEME=str(ROOT / "theme"), THEME_STATIC_DIR="theme")
    directory = build_directory(values, ROOT, with_history=False)
    write_open_data(directory, copy, values)
    write_maps(directory, copy, values)
    return copy


@pytest.fixture(scope="session")
def map_url(map_site, site_dir, site_url):
    if map_site == site_dir:
        yield site_url
        return
    with StaticServer(map_site) as server:
        yield server.url


# A function, not an expression: the pages' CSP forbids eval, which expressions use.
COUNT_IS = "(n) => document.querySelectorAll('#map-results li').length === n"


def _ready(page):
    page.wait_for_selector("#map-app[data-ready='true']")


def _data(map_site: Path, lang: str = "en") -> list[dict]:
    prefix = "" if lang == "en" else f"{lang}/"
    path = map_site / prefix / "map" / "listings.geojson"
    return json.loads(path.read_text("utf-8"))["features"]


def test_overview_map_shows_every_mapped_listing(new_page, map_url, map_site, tile_origin):
    features = _data(map_site)
    page = new_page(width=1280, height=900)
    page.goto(map_url + "/map/")
    _ready(page)
    assert page.locator("#map-results li").count() == min(len(features), 50)
    assert f"{len(features)} of {len(features)}" in page.locator("#map-count").inner_text()
    icons = page.locator(".leaflet-marker-icon").count()  # pins and clusters
    assert icons > 0
    assert page.locator(".leaflet-tile").count() > 0  # tiles drawn (from the local stub)
    assert off_site_requests(page, tile_origin) == []


def test_approximate_listing_is_a_circle_never_a_pin(new_page, map_url, map_site):
    approximate = next(f for f in _data(map_site) if "r" in f["properties"])
    name = approximate["properties"]["n"]
    page = new_page(width=1280, height=900)
    page.goto(map_url + "/map/")
    _ready(page)
    item = page.locator("#map-results li", has_text=name).first
    item.get_by_role("button").click()
    page.wait_for_selector(".leaflet-popup-content")
    assert name in page.locator(".leaflet-popup-content").inner_text()
    assert page.locator("path.leaflet-interactive").count() >= 1
    assert page.locator(f".leaflet-marker-icon[title='{name}']").count() == 0
    # The listing's own page: a circle too.
    page.goto(map_url + f"/providers/{approximate['properties']['i']}/")
    # The map (and every tile request) waits until the visitor asks for it.
    assert page.locator("#map_listing").is_hidden()
    page.get_by_role("button", name="Show the map").click()
    page.wait_for_selector("#map_listing path")
    assert page.locator("#map_listing .leaflet-marker-icon").count() == 0


def test_a_public_listing_page_shows_its_pin_at_its_address(new_page, map_url, map_site):
    public = next(f for f in _data(map_site) if "r" not in f["properties"])
    lon, lat = public["geometry"]["coordinates"]
    page = new_page(width=1280, height=900)
    page.goto(map_url + f"/providers/{public['properties']['i']}/")
    page.get_by_role("button", name="Show the map").click()
    page.wait_for_selector("#map_listing .leaflet-marker-icon")
    assert page.locator("#map_listing path.leaflet-interactive").count() == 0
    centre = page.evaluate(
        "() => { const c = window.waystationMaps.listing.map.getCenter(); return [c.lat, c.lng]; }"
    )
    assert centre == pytest.approx([lat, lon], abs=1e-4)


def test_filters_narrow_the_map_and_the_list(new_page, map_url, map_site):
    features = _data(map_site)
    terms = json.loads((map_site / "map" / "listings.geojson").read_text("utf-8"))["terms"]
    index = terms["services"].index("legal-immigration")
    expected = sorted(f["properties"]["n"] for f in features if index in f["properties"]["v"])
    assert 0 < len(expected) < len(features)
    page = new_page(width=1280, height=900)
    page.goto(map_url + "/map/")
    _ready(page)
    page.select_option("#map-filter-service", "legal-immigration")
    page.wait_for_function(COUNT_IS, arg=min(len(expected), 50))
    shown = sorted(page.locator("#map-results li > a").all_inner_texts())
    assert len(shown) == min(len(expected), 50) and set(shown) <= set(expected)
    page.get_by_role("button", name="Clear filters").click()
    page.wait_for_function(COUNT_IS, arg=min(len(features), 50))


def test_state_map_list_works_without_javascript(new_page, map_url):
    page = new_page(javascript=False)
    page.goto(map_url + "/states/il/map/")
    links = page.locator("#map-results li a")
    assert links.count() > 0
    assert page.locator("noscript").count() >= 1


@pytest.mark.parametrize("path", ["/map/", "/es/states/il/map/", "/embed/"])
def test_map_pages_have_no_axe_violations(new_page, map_url, path):
    from axe_npm import axe_violations, report

    page = new_page()
    page.goto(map_url + path)
    if "embed" not in path:
        _ready(page)
    violations = axe_violations(page)
    assert not violations, report(violations)
