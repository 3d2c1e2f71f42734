"""The coverage page in Chromium: axe, no JavaScript, the map, no third party.

At 360 px, in English and Spanish: axe-core finds no violation with the map drawn;
without JavaScript every figure is in the tables and the map stays hidden; with it,
the map draws the gap regions of the chosen kind of help from the site's own files,
and no request leaves the site but the configured tiles.
"""

from __future__ import annotations

import pytest
from axe_npm import axe_violations, report
from browserkit import off_site_requests

PATHS = {"en": "/coverage/", "es": "/es/coverage/"}


def _circles(page) -> int:
    return page.locator("#coverage-map path.leaflet-interactive").count()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_no_axe_violations_with_the_map_drawn(new_page, site_url, lang):
    page = new_page()
    response = page.goto(site_url + PATHS[lang])
    assert response is not None and response.status == 200
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "() => document.querySelectorAll('#coverage-map path.leaflet-interactive').length > 0"
    )
    assert page.evaluate("() => document.documentElement.lang") == lang
    violations = axe_violations(page)
    assert not violations, report(violations)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_without_javascript_the_tables_carry_every_figure(new_page, site_url, lang):
    page = new_page(javascript=False)
    assert page.goto(site_url + PATHS[lang]).status == 200
    assert page.locator("#quick-exit").is_visible()
    assert page.locator("h1").count() == 1
    assert page.locator("#coverage-map").is_hidden()
    assert page.locator("#coverage-map-group").is_hidden()
    assert page.locator(".needs-js").is_visible()
    # The summary and each kind of help's states and regions are plain tables.
    assert page.locator("#coverage-summary-caption").is_visible()
    assert page.locator("#gap-legal-help table").count() >= 1
    assert page.locator("#gap-legal-help tbody tr").count() > 1
    assert page.locator("#coverage-method").is_visible()
    # Nothing is wider than the screen: wide tables scroll inside their own box.
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, width


def test_the_map_draws_the_chosen_kind_of_help_with_nothing_from_a_third_party(
    new_page, site_url, tile_origin
):
    page = new_page()
    page.goto(site_url + PATHS["en"])
    page.wait_for_function(
        "() => document.querySelectorAll('#coverage-map path.leaflet-interactive').length > 0"
    )
    assert page.locator("#coverage-map").is_visible()
    first = _circles(page)
    counts = {}
    for value in page.locator("#coverage-map-group option").evaluate_all(
        "options => options.map(o => o.value)"
    ):
        page.select_option("#coverage-map-group", value)
        counts[value] = _circles(page)
    assert first > 0 and len(set(counts.values())) > 1, counts
    page.wait_for_load_state("networkidle")
    assert any(url.endswith("/coverage/regions.json") for url in page.request_log)
    assert off_site_requests(page, tile_origin) == []
    assert not [m for m in page.console_log if "Content Security Policy" in m]
