"""Quick exit ("Exit this page"): by button, by Shift pressed three times, without JavaScript.

The exit lands on the configured neutral site (EXIT_URL), answered here by a local
stand-in page so nothing reaches the network; Back must not return to the page left.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

NEUTRAL_HTML = "<!DOCTYPE html><html lang='en'><title>Weather</title><h1>Weather</h1></html>"


def _listing_path(site_dir: Path) -> str:
    listings = sorted(p.parent.name for p in (site_dir / "providers").glob("*/index.html"))
    assert listings, "the sample site has no listing pages"
    return f"/providers/{listings[0]}/"


def _route_neutral(page, exit_url: str):
    """Answer the neutral site with a local stand-in page."""
    page.route(
        re.compile("^" + re.escape(exit_url)),
        lambda route: route.fulfill(status=200, content_type="text/html", body=NEUTRAL_HTML),
    )


def _hold_back_neutral(page, exit_url: str) -> list:
    """Cancel navigations to the neutral site (as a stopped load), recording each one.

    A cancelled navigation commits nothing, so the exited page stays the current
    document and what it left on screen can be read afterwards."""
    asked: list = []

    def cancel(route):
        asked.append(route.request.url)
        route.abort("aborted")

    page.route(re.compile("^" + re.escape(exit_url)), cancel)
    return asked


@pytest.fixture
def exit_url(site_settings) -> str:
    return site_settings["EXIT_URL"]


@pytest.mark.parametrize("path", ["/", "LISTING", "/es/", "/es/states/"])
def test_button_blanks_the_page_then_replaces_it_with_the_neutral_site(
    new_page, site_url, site_dir, exit_url, path
):
    page = new_page()
    target = _listing_path(site_dir) if path == "LISTING" else path
    asked = _hold_back_neutral(page, exit_url)
    page.goto(site_url + target)
    assert page.locator("#quick-exit").is_visible()
    page.click("#quick-exit", no_wait_after=True)
    page.wait_for_function("() => document.title === ''")
    for _ in range(100):
        if asked:
            break
        page.wait_for_timeout(50)
    # The neutral site was asked for, and nothing of this page was left on screen or in
    # the title while it loaded.
    assert asked and asked[0].startswith(exit_url)
    assert page.evaluate("() => [document.title, document.body.innerText.trim()]") == ["", ""]

    # Let the neutral site answer: the tab goes there, replacing the page exited from.
    page.unroute_all()
    _route_neutral(page, exit_url)
    page.goto(site_url + target)
    with page.expect_navigation(url=re.compile("^" + re.escape(exit_url))):
        page.click("#quick-exit")
    assert page.url.startswith(exit_url)
    page.go_back()
    # location.replace: the page that was exited from is gone from the tab's history.
    assert not page.url.startswith(site_url), page.url


def test_shift_three_times_exits(new_page, site_url, site_dir, exit_url):
    page = new_page()
    _route_neutral(page, exit_url)
    page.goto(site_url + _listing_path(site_dir))
    with page.expect_navigation(url=re.compile("^" + re.escape(exit_url))):
        for _ in range(3):
            page.keyboard.press("Shift")
    page.go_back()
    assert not page.url.startswith(site_url), page.url


def test_two_presses_or_slow_presses_do_not_exit(new_page, site_url, exit_url):
    page = new_page()
    _route_neutral(page, exit_url)
    page.goto(site_url + "/")
    page.keyboard.press("Shift")
    page.keyboard.press("Shift")
    page.wait_for_timeout(1200)
    page.keyboard.press("Shift")
    page.wait_for_timeout(300)
    # Typing capitals (Shift then a letter) never counts either.
    for key in ("Shift+A", "Shift+B", "Shift+C"):
        page.keyboard.press(key)
    page.wait_for_timeout(300)
    assert page.url == site_url + "/"
    assert page.locator("h1").count() == 1


def test_without_javascript_the_button_is_a_link_to_the_neutral_site(
    new_page, site_url, site_dir, exit_url
):
    page = new_page(javascript=False)
    _route_neutral(page, exit_url)
    page.goto(site_url + _listing_path(site_dir))
    button = page.locator("#quick-exit")
    assert button.get_attribute("href") == exit_url
    with page.expect_navigation():
        button.click()
    assert page.url.startswith(exit_url)


def test_skip_link_reaches_the_button_first(new_page, site_url):
    page = new_page()
    page.goto(site_url + "/")
    page.keyboard.press("Tab")
    first = page.evaluate("() => document.activeElement.getAttribute('href')")
    assert first == "#quick-exit"
    assert page.locator(".skip-link").first.is_visible()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => [document.activeElement.id, document.activeElement.getAttribute('href')]"
    )
    # After the skip link, focus continues from the exit button.
    assert focused[0] != "quick-exit"
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("() => document.activeElement.id") == "quick-exit"


def _button_is_on_top(page) -> bool:
    return page.evaluate(
        """() => {
            const b = document.getElementById('quick-exit');
            const r = b.getBoundingClientRect();
            if (r.width === 0 || r.top < 0 || r.bottom > window.innerHeight) return false;
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return hit === b || b.contains(hit);
        }"""
    )


@pytest.mark.parametrize("lang", ["", "/es"])
def test_button_stays_visible_and_uncovered_while_scrolling(new_page, site_url, site_dir, lang):
    page = new_page()
    page.goto(site_url + lang + _listing_path(site_dir))
    page.wait_for_load_state("load")
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height > 740, "the listing page should be longer than one 360x740 screen"
    for y in range(0, height, 500):
        page.evaluate(f"() => window.scrollTo(0, {y})")
        page.wait_for_timeout(30)
        assert _button_is_on_top(page), f"covered or off screen at scrollY={y}"
    page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
    assert _button_is_on_top(page)
