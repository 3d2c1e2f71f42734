"""A survivor on a cheap phone (360×740) finds help in one screen (issue 16).

Home → ZIP code + "legal help" → the first result is on screen without scrolling, in
English and Spanish; "abogado" finds the legal listings; without JavaScript the home
form lands on the states' pages in one step; Exit → Back never shows what was searched,
by button or by Shift pressed three times, after several searches.  Expected listings
are computed from the records (test_search.py's independent helpers), not read back
from the page's data.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from test_search import DONE, LEGAL, ROOT, all_ids, expected

from waystation import settings as settings_mod
from waystation.directory import build_directory

NEUTRAL_HTML = "<!DOCTYPE html><html lang='en'><title>Weather</title><h1>Weather</h1></html>"
HEIGHT = 740
PLACES = ("60623", "60601", "Chicago, IL")


@pytest.fixture(scope="module")
def directory():
    values = settings_mod.load(ROOT / "pelicanconf.py")
    return build_directory(values, ROOT, dt.date(2026, 12, 1), with_history=False)


def _box(page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    return box


def _safety_bar_bottom(page) -> float:
    return _box(page, ".safety-bar")["y"] + _box(page, ".safety-bar")["height"]


def _in_first_screen(page, selector: str) -> None:
    box = _box(page, selector)
    assert box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT, (selector, box)


@pytest.mark.parametrize("lang", ["", "/es"])
def test_home_shows_the_place_and_the_need_in_the_first_screen(page, site_url, lang):
    page.goto(f"{site_url}{lang}/")
    assert page.evaluate("() => scrollY") == 0
    for selector in (
        "#home-near",
        "#home-need",
        'label[for="home-near"]',
        'label[for="home-need"]',
    ):
        _in_first_screen(page, selector)
    _in_first_screen(page, ".search-form--home button[type=submit]")
    # "What do you need" offers the service groups and "anything", in the page's language.
    options = page.locator("#home-need option")
    assert options.first.get_attribute("value") == ""
    values = [options.nth(i).get_attribute("value") for i in range(options.count())]
    assert "legal-help" in values and "housing" in values
    label = page.locator('#home-need option[value="legal-help"]').inner_text()
    assert label == ("Ayuda legal" if lang else "Legal help")


@pytest.mark.parametrize("lang", ["", "/es"])
def test_zip_and_legal_help_show_the_first_result_without_scrolling(
    page, site_url, directory, lang
):
    page.goto(f"{site_url}{lang}/")
    page.fill("#home-near", "60623")
    page.select_option("#home-need", "legal-help")
    page.locator(".search-form--home button[type=submit]").click()
    page.wait_for_url(re.compile(r"/search/\?near=60623&need=legal-help$"))
    page.wait_for_selector(DONE, state="attached")
    first = "#search-list-near > li"
    box = _box(page, first)
    # Inside the viewport, below the sticky safety bar, with no scrolling by the test.
    assert box["y"] >= _safety_bar_bottom(page) - 1, box
    assert box["y"] + min(box["height"], 120) <= HEIGHT, box
    status = _box(page, "#search-status")
    assert status["y"] >= _safety_bar_bottom(page) - 1 and status["y"] + status["height"] <= HEIGHT
    # Focus is on the results heading; the count is announced politely.
    assert page.evaluate("() => document.activeElement.id") == "search-results-heading"
    assert page.locator("#search-status").get_attribute("aria-live") == "polite"
    # The filters are one closed line that says how many are on.
    assert page.locator("#search-filters").get_attribute("open") is None
    # Legal help = any legal service, serving Illinois (county-limited ones in Cook).
    want = expected(directory, "IL", "cook", lambda r: bool(set(LEGAL) & set(r.services)))
    assert want and all_ids(page) == want


def test_abogado_in_spanish_finds_the_legal_listings(page, site_url, directory):
    page.goto(site_url + "/es/")
    page.fill("#home-near", "60623")
    page.locator(".search-form__more summary").click()
    page.fill("#home-q", "abogado")
    page.locator(".search-form--home button[type=submit]").click()
    page.wait_for_url(re.compile(r"/es/search/\?near=60623&q=abogado$"))
    page.wait_for_selector(DONE, state="attached")
    got = all_ids(page)
    legal = expected(directory, "IL", "cook", lambda r: bool(set(LEGAL) & set(r.services)))
    # No listing's own text says "abogado": the everyday words of its services found them.
    assert legal and legal <= got, legal - got
    assert page.locator("#search-message").is_hidden()
    _in_first_screen(page, "#search-list-near > li, #search-list-area > li")


@pytest.mark.parametrize("words", ["lawyer", "shelter"])
def test_everyday_english_words_find_their_services(page, site_url, directory, words):
    terms = {"lawyer": LEGAL, "shelter": ("emergency-shelter",)}[words]
    page.goto(f"{site_url}/search/?near=60623&q={words}")
    page.wait_for_selector(DONE, state="attached")
    want = expected(directory, "IL", "cook", lambda r: bool(set(terms) & set(r.services)))
    assert want and want <= all_ids(page)


def test_an_empty_result_says_why_and_widens_in_one_tap(page, site_url, directory):
    page.goto(site_url + "/search/?near=60623&need=legal-help&h24=1")
    page.wait_for_selector(DONE, state="attached")
    assert all_ids(page) == set()
    message = page.locator("#search-message").inner_text()
    # It names the filters that are on and the place, and no filter that is off.
    assert "Legal help" in message and "Open 24/7" in message and "60623" in message
    assert "Open now" not in message and "Free" not in message
    assert "Filters (1 selected)" in page.locator("#search-filters summary").inner_text()
    widen = page.locator(".search-message__widen button")
    without_24 = widen.filter(has_text="Open 24/7")
    assert without_24.count() == 1
    n = int(re.search(r"(\d+) listings?", without_24.inner_text()).group(1))
    without_24.click()
    page.wait_for_url(re.compile(r"\?near=60623&need=legal-help$"))
    page.wait_for_selector(DONE, state="attached")
    assert len(all_ids(page)) == n > 0


@pytest.mark.parametrize("lang", ["", "/es"])
def test_without_javascript_the_home_form_reaches_the_states_in_one_step(new_page, site_url, lang):
    page = new_page(javascript=False)
    page.goto(f"{site_url}{lang}/")
    page.fill("#home-near", "60623")
    page.select_option("#home-need", "legal-help")
    with page.expect_navigation():
        page.locator(".search-form--home button[type=submit]").click()
    assert "/search/?near=60623" in page.url
    states = page.locator(".search-nojs .browse-list--states a")
    assert states.count() >= 50
    # The state list starts in the first screen, under the page's heading.
    _in_first_screen(page, ".search-nojs .browse-list--states li")
    illinois = states.filter(has_text="Illinois")
    with page.expect_navigation():
        illinois.click()
    assert urlsplit(page.url).path == f"{lang}/states/il/"
    assert page.locator("main a[href*='providers/']").count() > 0


def _search_several_times(page, site_url):
    page.goto(site_url + "/")
    page.fill("#home-near", PLACES[0])
    page.select_option("#home-need", "legal-help")
    page.locator(".search-form--home button[type=submit]").click()
    page.wait_for_selector(DONE, state="attached")
    for place in PLACES[1:]:
        page.fill("#search-near", place)
        page.press("#search-near", "Enter")
        page.wait_for_function(
            "(place) => document.getElementById('search-results-heading').textContent"
            ".includes(place.split(',')[0])",
            arg=place,
        )
        page.wait_for_selector(DONE, state="attached")
    page.select_option("#search-need", "housing")
    page.wait_for_url(re.compile(r"need=housing"))
    page.wait_for_selector(DONE, state="attached")


def _nothing_searched_shows(page, site_url) -> None:
    url = page.url
    if url.startswith(site_url):
        assert urlsplit(url).query == "", url
        assert "/search/" not in url, url
        text = page.locator("body").inner_text()
        for place in PLACES:
            assert place not in text, place
        for field in page.locator("input[type=text], input[type=search]").all():
            assert field.input_value() == ""
        for select in page.locator("select").all():
            assert select.input_value() == ""


@pytest.mark.parametrize("how", ["button", "shift"])
def test_exit_then_back_never_shows_a_search(page, site_url, site_settings, how):
    exit_url = site_settings["EXIT_URL"]
    page.route(
        re.compile("^" + re.escape(exit_url)),
        lambda route: route.fulfill(status=200, content_type="text/html", body=NEUTRAL_HTML),
    )
    _search_several_times(page, site_url)
    with page.expect_navigation(url=re.compile("^" + re.escape(exit_url))):
        if how == "button":
            page.click("#quick-exit")
        else:
            page.locator("body").click(position={"x": 5, "y": 700})
            for _ in range(3):
                page.keyboard.press("Shift")
    # Back, as far as the tab's history goes: the home page, empty; never a search.
    for _ in range(3):
        page.go_back()
        page.wait_for_load_state("load")
        _nothing_searched_shows(page, site_url)
        if page.url == "about:blank":
            break
