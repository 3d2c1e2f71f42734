"""Without JavaScript the home, browse and listing pages are fully usable."""

from __future__ import annotations

import re

import pytest


def _follow(page, selector: str) -> None:
    link = page.locator(selector).first
    assert link.count() == 1, f"no link {selector} on {page.url}"
    with page.expect_navigation():
        link.click()
    assert page.url.startswith("http://127.0.0.1"), page.url


@pytest.mark.parametrize("lang", ["", "/es"])
@pytest.mark.parametrize(
    "index, section",
    [("states", 'main a[href*="states/"]'), ("services", 'main a[href*="services/"]'),
     ("populations", 'main a[href*="populations/"]')],
)  # fmt: skip
def test_home_to_a_listing_by_links_alone(new_page, site_url, lang, index, section):
    page = new_page(javascript=False)
    response = page.goto(f"{site_url}{lang}/")
    assert response.status == 200
    assert page.evaluate("() => document.documentElement.lang") == (lang.strip("/") or "en")
    assert page.locator("h1").count() == 1
    # The quick exit and the emergency line are there without JavaScript.
    assert page.locator("#quick-exit").is_visible()
    assert page.locator('.safety-bar a[href^="tel:"]').is_visible()
    _follow(page, f'.site-nav a[href$="{index}/"]')
    assert page.locator("h1").count() == 1
    _follow(page, section)  # one state / service / population
    _follow(page, 'main a[href*="providers/"]')  # one listing
    assert re.search(r"/providers/[a-z0-9-]+/$", page.url), page.url
    assert page.locator("h1").is_visible()
    # The next step and a way to make contact are on screen, not behind a script.
    contact = page.locator('main a[href^="tel:"], main a[href^="mailto:"], main a[href^="http"]')
    assert contact.count() >= 1
    assert contact.first.is_visible()


@pytest.mark.parametrize("path", ["/providers/harbor-light-chicago-pilsen/", "/es/states/il/"])
def test_pages_show_their_content_without_javascript(new_page, site_url, path):
    with_js = new_page()
    with_js.goto(site_url + path)
    without = new_page(javascript=False)
    without.goto(site_url + path)
    text_js = with_js.locator("main").inner_text()
    text_nojs = without.locator("main").inner_text()
    # Scripts may add (an "open now" line, a map) but nothing essential is missing without
    # them; only the <noscript> notes ("the map needs JavaScript") are extra.
    notes = "\n".join(without.locator("main noscript").all_inner_texts())
    for line in text_nojs.splitlines():
        assert line in text_js or line in notes, line
    assert len(text_nojs) > 0.8 * len(text_js), "much of the page needs JavaScript"
    assert without.locator("main a").count() >= 3
