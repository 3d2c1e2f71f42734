"""The embeddable map inside a partner's page served from another origin (another port)."""

from __future__ import annotations

import pytest
from browserkit import StaticServer
from test_map import map_site, map_url  # noqa: F401  (fixtures)


@pytest.fixture
def partner(tmp_path, map_url):  # noqa: F811
    page = tmp_path / "index.html"
    page.write_text(
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Partner</title>"
        "</head><body><h1>Partner site</h1>"
        f"<iframe id='waystation' src='{map_url}/embed/map/?states=IL&services=legal-immigration"
        "&lang=es' title='Map' width='100%' height='700' referrerpolicy='no-referrer' "
        "sandbox='allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox "
        "allow-top-navigation-by-user-activation'></iframe></body></html>",
        encoding="utf-8",
    )
    with StaticServer(tmp_path) as server:  # another port: another origin
        yield server.url


def test_embed_renders_and_filters_inside_a_partner_page(new_page, partner, map_url):  # noqa: F811
    assert partner.split(":")[-1] != map_url.split(":")[-1]  # another origin
    page = new_page(width=1024, height=900)
    page.goto(partner + "/")
    frame = page.frame_locator("#waystation")
    frame.locator("#map-app[data-ready='true']").wait_for()
    # lang=es moved the frame to the Spanish embed, keeping the filters.
    inner = next(f for f in page.frames if "/embed/map/" in f.url)
    assert "/es/embed/map/" in inner.url and "states=IL" in inner.url
    assert inner.evaluate("document.documentElement.lang") == "es"
    items = frame.locator("#map-results li")
    assert items.count() >= 1
    for text in items.all_inner_texts():
        assert ", IL" in text
    link = frame.locator("#map-results li a").first
    assert link.get_attribute("target") == "_blank"
    assert frame.locator(".leaflet-marker-icon, path.leaflet-interactive").count() >= 1
    assert frame.locator("#quick-exit").is_visible()
    # The partner's filter: changing it in the frame narrows further or keeps IL only.
    frame.locator("#map-filter-language").select_option(index=1)
    for text in frame.locator("#map-results li").all_inner_texts():
        assert ", IL" in text
