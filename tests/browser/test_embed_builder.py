"""The "Embed this map" page in Chromium (issue 19): the snippet's title follows the
language chosen for the map, the zoom range is the map's, presets from the address."""

from __future__ import annotations

from waystation.maps.pages import EMBED_ZOOM_RANGE


def test_choosing_spanish_gives_a_spanish_title_and_the_spanish_map(new_page, site_url):
    page = new_page(width=1024, height=900)
    page.goto(site_url + "/embed/")
    assert 'title="Map of services for survivors of human trafficking"' in page.input_value(
        "#embed-code"
    )
    page.select_option("#embed-lang", "es")
    code = page.input_value("#embed-code")
    assert 'title="Mapa de servicios para sobrevivientes de la trata de personas"' in code
    assert "/es/embed/map/" in code
    assert "/theme/js/embed-quick-exit.js" in code


def test_the_zoom_range_is_the_maps(new_page, site_url):
    low, high = EMBED_ZOOM_RANGE
    page = new_page(width=1024, height=900)
    page.goto(site_url + "/es/embed/")
    page.fill("#embed-zoom", str(low))
    assert f"zoom={low}" in page.input_value("#embed-code")
    page.fill("#embed-zoom", str(high + 1))
    assert "zoom=" not in page.input_value("#embed-code")


def test_states_in_the_address_are_chosen_and_kept(new_page, site_url):
    page = new_page(width=1024, height=900)
    page.goto(site_url + "/embed/?states=il,IN&services=legal-immigration&lang=es")
    chosen = page.eval_on_selector(
        "#embed-states", "s => Array.from(s.selectedOptions).map(o => o.value)"
    )
    assert chosen == ["IL", "IN"]
    code = page.input_value("#embed-code")
    assert "states=IL,IN" in code and "services=legal-immigration" in code
    assert "/es/embed/map/" in code
