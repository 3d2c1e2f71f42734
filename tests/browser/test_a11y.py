"""axe-core (the current npm release, ``package.json``; never the older copy bundled
with axe-playwright-python) finds no violation on any page type.

Every kind of page the site has (home, search with results and open filters, listing,
each browse page, service group, content pages, map, 404), in English and in Spanish,
at 360 px (a cheap phone) and at 1280 px, with every rule axe runs by default.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_npm import axe_version, axe_violations, report

PAGES = {
    "home": "/",
    "search": "/search/?near=60623&need=legal-help",
    "search-empty": "/search/?near=60623&need=legal-help&open=1&h24=1&cost=sliding-scale",
    "listing": "/providers/harbor-light-chicago-pilsen/",
    "states": "/states/",
    "state": "/states/il/",
    "city": "CITY",
    "services": "/services/",
    "service": "SERVICE",
    "service-group": "/services/groups/legal-help/",
    "populations": "/populations/",
    "population": "POPULATION",
    "content": "/safety-and-privacy/",
    "quick-exit": "/quick-exit/",
    "hotlines": "/hotlines/",
    "map": "/map/",
    "state-map": "/states/il/map/",
    "not-found": "/no-such-page/",
}
WIDTHS = (360, 1280)


def _first(site_dir: Path, pattern: str) -> str:
    found = sorted(p.parent.relative_to(site_dir).as_posix() for p in site_dir.glob(pattern))
    assert found, f"the sample site has no page {pattern}"
    return f"/{found[0]}/"


def _path(site_dir: Path, kind: str) -> str:
    path = PAGES[kind]
    if path == "CITY":
        # states/<st>/<city>/index.html, not states/<st>/map/.
        cities = [p for p in site_dir.glob("states/*/*/index.html") if p.parent.name != "map"]
        assert cities, "the sample site has no city page"
        return "/" + sorted(c.parent.relative_to(site_dir).as_posix() for c in cities)[0] + "/"
    if path == "SERVICE":
        return _first(site_dir, "services/[!g]*/index.html")
    if path == "POPULATION":
        return _first(site_dir, "populations/*/index.html")
    return path


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("kind", list(PAGES))
def test_no_axe_violations(new_page, site_url, site_dir, kind, lang):
    path = _path(site_dir, kind)
    if lang != "en":
        path = f"/{lang}{path}"
    page = new_page()
    response = page.goto(site_url + path)
    assert response is not None
    assert response.status == (404 if kind == "not-found" else 200), path
    page.wait_for_load_state("load")
    if kind.startswith("search"):
        page.wait_for_selector("#search-app[data-state=done]", state="attached")
        page.locator("#search-filters summary").click()
    if kind.endswith("map"):
        page.wait_for_selector("#map-app[data-ready='true']")
    assert page.evaluate("() => document.documentElement.lang") == lang
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 740})
        violations = axe_violations(page)
        assert not violations, f"{path} at {width} px\n{report(violations)}"
    assert tuple(int(p) for p in axe_version(page).split(".")[:2]) >= (4, 14)


def test_hotline_text_link_says_what_it_shows(page, site_url):
    """WCAG 2.5.3: the SMS link's accessible name starts with its visible text."""
    page.goto(site_url + "/es/")
    link = page.locator(".hotline__text").first
    visible = link.inner_text().strip()
    name = link.get_attribute("aria-label")
    assert visible and name.startswith(visible), (visible, name)


@pytest.mark.parametrize("path", ["/", "/es/providers/harbor-light-chicago-pilsen/"])
def test_focus_is_visible(new_page, site_url, path):
    """Every focusable element shows a visible change when focused (keyboard)."""
    page = new_page()
    page.goto(site_url + path)
    changed = []
    for _ in range(12):
        page.keyboard.press("Tab")
        changed.append(
            page.evaluate(
                """() => {
                    const el = document.activeElement;
                    const s = getComputedStyle(el);
                    const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2)
                        || s.boxShadow !== 'none';
                    return [el.tagName, el.getAttribute('href'), ring];
                }"""
            )
        )
    missing = [c for c in changed if not c[2]]
    assert not missing, f"focus not visible on: {missing}"
