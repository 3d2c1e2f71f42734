"""axe-core (bundled with axe-playwright-python, never fetched) finds no violation.

Home, a listing, a browse page, a content page and the 404 page, in English and in
Spanish, at 360 px, with every axe rule axe runs by default (WCAG 2.0/2.1 A and AA
and best practices).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

PAGES = {
    "home": "/",
    "listing": "LISTING",
    "browse-state": "/states/",
    "browse-service": "SERVICE",
    "content": "/safety-and-privacy/",
    "quick-exit": "/quick-exit/",
    "not-found": "/no-such-page/",
}


def _first(site_dir: Path, folder: str) -> str:
    found = sorted(p.parent.name for p in (site_dir / folder).glob("*/index.html"))
    assert found, f"the sample site has no pages under {folder}/"
    return found[0]


def _path(site_dir: Path, kind: str) -> str:
    path = PAGES[kind]
    if path == "LISTING":
        # A public listing with a map, hours and phones exercises the most markup.
        return "/providers/harbor-light-chicago-pilsen/"
    if path == "SERVICE":
        return f"/services/{_first(site_dir, 'services')}/"
    return path


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("kind", list(PAGES))
def test_no_axe_violations(new_page, site_url, site_dir, axe, kind, lang):
    path = _path(site_dir, kind)
    if lang != "en":
        path = f"/{lang}{path}"
    page = new_page()
    response = page.goto(site_url + path)
    assert response is not None
    assert response.status == (404 if kind == "not-found" else 200), path
    page.wait_for_load_state("load")
    assert page.evaluate("() => document.documentElement.lang") == lang
    results = axe.run(page)
    assert results.violations_count == 0, f"{path}\n{results.generate_report()}"


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
