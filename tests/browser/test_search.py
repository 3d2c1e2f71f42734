"""The search page in Debian's Chromium, on the built sample site.

Expected results are computed here, independently of the page's script: from the
listing records (service area, filters, hours), the published points
(``publish.public_point``) and the ZIP centroids of the ``zipcodes`` package, with a
haversine written in this file.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from functools import cache
from pathlib import Path
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import pytest
import zipcodes

import waystation
from waystation import settings as settings_mod
from waystation.directory import build_directory
from waystation.gazetteer.states import STATES
from waystation.places.service_area import service_area
from waystation.publish import public_point
from waystation.search import zip_shards
from waystation.site import hours as site_hours

ROOT = Path(waystation.__file__).resolve().parent.parent
PAGE_SIZE = 20
DONE = "#search-app[data-state=done]"
NATIONAL = ("northstar-national-helpline", "capitol-survivor-legal-network")
#: A fixed moment for "open now": Tuesday 2 December 2026, 15:30 UTC (09:30 in Chicago).
FIXED_NOW = dt.datetime(2026, 12, 1, 15, 30, tzinfo=dt.UTC)
LEGAL = ("legal-civil", "legal-immigration", "legal-criminal")


# ---- independent expectations ----------------------------------------------------


@pytest.fixture(scope="module")
def directory():
    values = settings_mod.load(ROOT / "pelicanconf.py")
    return build_directory(values, ROOT, dt.date(2026, 12, 1), with_history=False)


def haversine_km(lat1, lon1, lat2, lon2):
    r = 6371.0088
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * r * math.asin(math.sqrt(a))


@cache
def zip_row(code: str) -> dict:
    (row,) = zipcodes.matching(code)
    return row


def serves(listing, state: str, county: str | None) -> bool:
    """The record format's service area, with counties when the place is known."""
    area = service_area(listing)
    if not area.serves(state):
        return False
    if area.national or county is None:
        return True
    counties = [zip_shards.county_key(c) for c in area.counties if c.startswith(state + "/")]
    return not counties or county in counties


def is_open(listing, when: dt.datetime) -> bool:
    record = listing.record
    if record.status == "temporarily-closed":
        return False
    if record.hours is None:
        return "24-7" in (record.features or [])
    if record.hours == "24/7":
        return True
    local = when.astimezone(ZoneInfo(site_hours.time_zone(record.location.state)))
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    today, yesterday = days[local.weekday()], days[(local.weekday() - 1) % 7]
    minutes = local.hour * 60 + local.minute

    def m(text):
        h, mm = text.split(":")
        return int(h) * 60 + int(mm)

    for span in record.hours:
        opens, closes = m(span.opens), m(span.closes)
        if span.overnight:
            if (today in span.days and minutes >= opens) or (
                yesterday in span.days and minutes < closes
            ):
                return True
        elif today in span.days and opens <= minutes < closes:
            return True
    return False


FILTERS = {
    "service=legal-immigration": lambda r: "legal-immigration" in r.services,
    "service=emergency-shelter&service=crisis-hotline": lambda r: bool(
        {"emergency-shelter", "crisis-hotline"} & set(r.services)
    ),
    "population=minors": lambda r: r.populations is None or "minors" in r.populations,
    "language=es": lambda r: "es" in (r.languages or []),
    "feature=no-id-required&feature=any-immigration-status": lambda r: (
        {
            "no-id-required",
            "any-immigration-status",
        }
        <= set(r.features or [])
    ),
    "type=labor": lambda r: "labor" in r.trafficking_types,
    "cost=free": lambda r: r.cost == "free",
    "h24=1": lambda r: r.hours == "24/7" or "24-7" in (r.features or []),
    # A service group: any of its services (legal help = civil + immigration + criminal).
    "need=legal-help": lambda r: bool(set(LEGAL) & set(r.services)),
}


def expected(directory, state: str, county: str | None, keep=lambda record: True):
    return {
        item.id for item in directory.listings if serves(item, state, county) and keep(item.record)
    }


# ---- reading the page ----------------------------------------------------------


def goto(page, site_url, path):
    page.goto(site_url + path)
    page.wait_for_selector(DONE, state="attached")


def _listing_id(href: str) -> str:
    return urlsplit(href).path.rstrip("/").rsplit("/", 1)[-1]


def results(page, which: str) -> list[dict]:
    items = page.locator(f"#search-list-{which} > li")
    found = []
    for i in range(items.count()):
        item = items.nth(i)
        href = item.locator("h3 a").get_attribute("href")
        text = item.inner_text()
        match = re.search(r"([\d.,]+)\s*mi\b", text)
        miles = float(match.group(1).replace(",", ".")) if match else None
        found.append({"id": _listing_id(href), "href": href, "text": text, "miles": miles})
    return found


def show_all(page):
    for which in ("near", "area"):
        button = page.locator(f"#search-more-{which}")
        while button.is_visible():
            before = page.locator(f"#search-list-{which} > li").count()
            button.click()
            page.locator(f"#search-list-{which} > li").nth(before).wait_for()


def all_ids(page) -> set[str]:
    show_all(page)
    return {r["id"] for r in results(page, "near") + results(page, "area")}


def counted(page, selector: str) -> int:
    text = page.locator(selector).text_content() or ""
    return int(text.strip("()") or 0)


def _near_and_area(directory, code: str) -> tuple[dict[str, float], set[str]]:
    """Miles to each listing serving ``code`` that has a published point; the ids of
    those without one (computed here, not by the page)."""
    row = zip_row(code)
    lat, lon, state = float(row["lat"]), float(row["long"]), row["state"]
    county = zip_shards.county_key(row["county"])
    near, area = {}, set()
    for item in directory.listings:
        if not serves(item, state, county):
            continue
        point = public_point(item, directory.place(item))
        if point:
            near[item.id] = haversine_km(lat, lon, point["lat"], point["lon"]) / 1.609344
        else:
            area.add(item.id)
    return near, area


# ---- tests ---------------------------------------------------------------------


@pytest.mark.parametrize("code", ["60601", "10001", "78205", "94110"])
def test_zip_search_lists_nearest_listings_in_order_with_correct_distances(
    page, site_url, directory, code
):
    goto(page, site_url, f"/search/?near={code}")
    show_all(page)
    near, area = results(page, "near"), results(page, "area")
    want_near, want_area = _near_and_area(directory, code)
    assert {r["id"] for r in near} == set(want_near)
    # Nearest first, by the distances computed here.
    order = [want_near[r["id"]] for r in near]
    assert all(a <= b + 1e-9 for a, b in zip(order, order[1:])), [r["id"] for r in near]
    for r in near:
        miles = want_near[r["id"]]
        tolerance = 0.051 if miles < 10 else 0.51
        assert r["miles"] == pytest.approx(miles, abs=tolerance), r
    assert {r["id"] for r in area} == want_area
    assert all(r["miles"] is None for r in area)
    assert page.locator("#search-results-heading").inner_text().startswith("Nearest to " + code)
    status = page.locator("#search-status").inner_text()
    assert f"{len(want_near) + len(want_area)} listing" in status


@pytest.mark.parametrize("where", ["near=10001", "state=CA", "near=Chicago%2C%20IL"])
@pytest.mark.parametrize("query", list(FILTERS))
def test_each_filter_narrows_the_results(page, site_url, directory, where, query):
    if where.startswith("near=1"):
        state, county = "NY", zip_shards.county_key(zip_row("10001")["county"])
    elif where.startswith("state="):
        state, county = "CA", None
    else:
        state, county = "IL", None  # a city spans counties: checked below
    everything = expected(directory, state, county)
    want = expected(directory, state, county, FILTERS[query])
    goto(page, site_url, f"/search/?{where}&{query}")
    got = all_ids(page)
    if county is None and where.startswith("near=Chicago"):
        # Chicago's ZIP codes lie in Cook and DuPage: county-limited listings elsewhere
        # in Illinois are left out; all others must match exactly.
        assert got <= want
        assert want - got <= {i.id for i in directory.listings if service_area(i).counties}
    else:
        assert got == want
    assert got < everything or got == everything == want
    # The ticked boxes reflect the address.
    for name, value in (pair.split("=") for pair in query.split("&")):
        if name == "need":
            assert page.locator("#search-need").input_value() == value
            continue
        assert page.locator(
            f"#f-{name}-{value}" if name not in ("h24", "open") else f"#f-{name}"
        ).is_checked()


def test_open_now_uses_each_listings_own_clock(new_page, site_url, directory):
    page = new_page()
    page.clock.set_fixed_time(FIXED_NOW)
    goto(page, site_url, "/search/?state=NY&open=1")
    want = {i.id for i in directory.listings if serves(i, "NY", None) and is_open(i, FIXED_NOW)}
    assert all_ids(page) == want
    goto(page, site_url, "/search/?state=NY")
    assert counted(page, "[data-count='open:1']") == len(want)


def test_counts_next_to_each_choice_are_the_results_it_gives(page, site_url, directory):
    goto(page, site_url, "/search/?near=10001")
    state, county = "NY", zip_shards.county_key(zip_row("10001")["county"])
    for term in ("case-management", "legal-immigration", "emergency-shelter", "dental-care"):
        want = expected(directory, state, county, lambda r, t=term: t in r.services)
        assert counted(page, f"[data-count='service:{term}']") == len(want), term
    want = expected(directory, state, county, lambda r: r.cost == "free")
    assert counted(page, "[data-count='cost:free']") == len(want)
    # Ticking a service: other services still count as alternatives, costs narrow.
    page.locator("#search-filters summary").click()
    page.locator("#f-service-legal-immigration").check()
    page.wait_for_url(re.compile(r"service=legal-immigration"))
    page.wait_for_selector(DONE, state="attached")
    want_any = expected(directory, state, county, lambda r: "dental-care" in r.services)
    assert counted(page, "[data-count='service:dental-care']") == len(want_any)
    want = expected(
        directory, state, county, lambda r: r.cost == "free" and "legal-immigration" in r.services
    )
    assert counted(page, "[data-count='cost:free']") == len(want)


def _zip_in(state: str) -> str:
    rows = [
        r
        for r in zipcodes.filter_by(state=state)
        if r["zip_code_type"] == "STANDARD" and r["lat"] not in ("", "0.0")
    ]
    rows = rows or [r for r in zipcodes.filter_by(state=state) if r["zip_code_type"] != "MILITARY"]
    return sorted(r["zip_code"] for r in rows)[0]


def test_a_national_listing_appears_for_every_state(page, site_url):
    goto(page, site_url, "/search/")
    missing = []
    for state in STATES:
        code = _zip_in(state)
        page.fill("#search-near", code)
        page.press("#search-near", "Enter")
        page.wait_for_url(re.compile(rf"near={code}"))
        page.wait_for_selector(DONE, state="attached")
        show_all(page)
        ids = {r["id"] for r in results(page, "near") + results(page, "area")}
        for national in NATIONAL:
            if national not in ids:
                missing.append(f"{national} not found from {code} ({state})")
    assert not missing


def test_hidden_listings_never_show_a_distance(page, site_url, directory):
    checked = 0
    for listing in directory.listings:
        if listing.visibility != "hidden":
            continue
        area = service_area(listing)
        if area.counties:
            st, county = area.counties[0].split("/", 1)
            key = zip_shards.county_key(county)
            codes = sorted(
                r["zip_code"]
                for r in zipcodes.filter_by(state=st)
                if zip_shards.county_key(r["county"]) == key and r["zip_code_type"] == "STANDARD"
            )
            code = codes[0]
        else:
            code = _zip_in(listing.record.location.state if area.national is False else "IL")
        goto(page, site_url, f"/search/?near={code}")
        show_all(page)
        near = {r["id"] for r in results(page, "near")}
        area_rows = {r["id"]: r for r in results(page, "area")}
        assert listing.id not in near
        assert listing.id in area_rows, (listing.id, code)
        assert area_rows[listing.id]["miles"] is None
        assert " mi" not in area_rows[listing.id]["text"]
        checked += 1
    assert checked >= 3


def test_spanish_search_by_words_and_place(page, site_url, directory):
    goto(page, site_url, "/es/search/?q=refugio")
    assert page.locator("html").get_attribute("lang") == "es"
    ids = all_ids(page)
    shelters = {i.id for i in directory.listings if "emergency-shelter" in i.record.services}
    assert shelters <= ids  # "Refugio de emergencia" is the service's Spanish name
    for r in results(page, "area"):
        assert urlsplit(r["href"]).path.startswith("/es/providers/")
    goto(page, site_url, "/es/search/?near=60601&service=legal-immigration")
    near = results(page, "near")
    assert near and near[0]["id"] == "harbor-light-chicago-loop"
    assert all(urlsplit(r["href"]).path.startswith("/es/providers/") for r in near)


def test_words_narrow_a_place_search(page, site_url, directory):
    goto(page, site_url, "/search/?near=60601")
    everything = all_ids(page)
    goto(page, site_url, "/search/?near=60601&q=immigration")
    narrowed = all_ids(page)
    assert narrowed and narrowed < everything
    assert "harbor-light-chicago-loop" in narrowed


def test_no_request_leaves_the_site_during_a_search(page, site_url):
    failed = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    goto(page, site_url, "/search/")
    page.fill("#search-near", "60601")
    page.fill("#search-q", "safety")
    page.press("#search-q", "Enter")
    page.wait_for_url(re.compile("near=60601"))
    page.wait_for_selector(DONE, state="attached")
    page.locator("#search-filters summary").click()
    page.locator("#f-cost-free").check()
    page.wait_for_url(re.compile("cost=free"))
    page.wait_for_selector(DONE, state="attached")
    assert page.locator("#search-list-near > li").count() > 0
    assert page.request_log, "the request log is empty"
    off_site = [u for u in page.request_log if not u.startswith(site_url + "/")]
    assert off_site == []
    assert any("/pagefind/" in u for u in page.request_log)
    assert [u for u in failed if not u.endswith("/favicon.ico")] == []
    assert errors == []


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("near=00000", "We don't know the ZIP code 00000"),
        ("near=99999", "We don't know the ZIP code 99999"),
        ("near=asdfgh", "Add the state after the city"),
        ("near=Springfield%2C%20ZZ", "is not a ZIP code or a city and state"),
        ("near=123", "is not a ZIP code or a city and state"),
        ("near=Atlantis%2C%20IL", "We couldn't find “Atlantis” in Illinois"),
        ("q=zzqxvwj", "No listings mention “zzqxvwj”"),
        ("near=", "Type a ZIP code, a city and state, or words to search for"),
        ("near=60601&service=dental-care&cost=fee", "match “Dental care” and “Fee”"),
    ],
)
def test_bad_input_gets_a_helpful_message(page, site_url, query, says):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    goto(page, site_url, f"/search/?{query}")
    message = page.locator("#search-message")
    assert message.is_visible()
    assert says in message.inner_text()
    assert says in page.locator("#search-status").inner_text()
    assert errors == []


def test_denied_geolocation_says_what_to_do(new_page, site_url):
    page = new_page()  # no geolocation permission granted: the browser denies it
    goto(page, site_url, "/search/")
    page.locator("#search-geolocate").click()
    message = page.locator("#search-message")
    message.wait_for()
    assert "did not share your location" in message.inner_text()


def test_geolocation_searches_near_the_closest_zip(new_page, site_url):
    lat, lon = 41.8790, -87.6360  # the Loop, Chicago
    rows = [r for r in zipcodes.filter_by(state="IL") if r["zip_code_type"] != "MILITARY"]
    closest = min(rows, key=lambda r: haversine_km(lat, lon, float(r["lat"]), float(r["long"])))[
        "zip_code"
    ]
    page = new_page(permissions=["geolocation"], geolocation={"latitude": lat, "longitude": lon})
    goto(page, site_url, "/search/")
    entries = page.evaluate("() => history.length")
    page.locator("#search-geolocate").click()
    page.locator("#search-message").get_by_text(closest).wait_for()
    page.wait_for_selector(DONE, state="attached")
    assert results(page, "near")[0]["id"].startswith("harbor-light-chicago")
    # The place found never enters the address, the search box or the history: neither
    # the coordinates nor the ZIP code.
    assert urlsplit(page.url).query == ""
    assert page.locator("#search-near").input_value() == ""
    assert page.evaluate("() => history.length") == entries
    # Choosing a filter searches near the same place, still without putting it anywhere.
    page.select_option("#search-need", "legal-help")
    page.wait_for_url(re.compile(r"\?need=legal-help$"))
    page.wait_for_selector(DONE, state="attached")
    assert closest in page.locator("#search-results-heading").inner_text()


def test_the_address_holds_the_search_in_one_history_entry(page, site_url):
    page.goto(site_url + "/")
    goto(page, site_url, "/search/")
    entries = page.evaluate("() => history.length")
    page.fill("#search-near", "10001")
    page.press("#search-near", "Enter")
    page.wait_for_url(re.compile(r"\?near=10001$"))
    page.wait_for_selector(DONE, state="attached")
    total = len(results(page, "near")) + len(results(page, "area"))
    page.locator("#search-filters summary").click()
    page.locator("#f-service-legal-immigration").check()
    page.wait_for_url(re.compile(r"near=10001&service=legal-immigration"))
    page.wait_for_selector(DONE, state="attached")
    narrowed = len(results(page, "near")) + len(results(page, "area"))
    assert narrowed < total
    shared = page.url
    # The searches rewrote the one entry: Back leaves the search page altogether.
    assert page.evaluate("() => history.length") == entries
    page.go_back()
    assert urlsplit(page.url).path == "/", page.url
    # The shared address opens the same search in a new tab.
    other = page.context.new_page()
    other.goto(shared)
    other.wait_for_selector(DONE, state="attached")
    assert other.locator("#f-service-legal-immigration").is_checked()
    assert other.locator("#search-near").input_value() == "10001"
    assert len(results(other, "near")) + len(results(other, "area")) == narrowed


def test_keyboard_and_screen_reader(page, site_url):
    goto(page, site_url, "/search/")
    page.locator("#search-near").focus()
    page.keyboard.type("60601")
    page.keyboard.press("Enter")
    page.wait_for_selector(DONE, state="attached")
    heading = page.locator("#search-results-heading")
    assert heading.evaluate("node => node === document.activeElement")
    status = page.locator("#search-status")
    assert status.get_attribute("role") == "status"
    assert status.get_attribute("aria-live") == "polite"
    assert re.search(r"\d+ listings? found", status.inner_text())
    page.keyboard.press("Tab")
    first = page.locator("#search-list-near > li h3 a").first
    assert first.evaluate("node => node === document.activeElement")
    # Every control is labelled.
    for control in page.locator("#search-form input, #search-form select").all():
        control_id = control.get_attribute("id")
        assert page.locator(f"label[for='{control_id}']").count() == 1, control_id


@pytest.mark.parametrize(
    "path",
    [
        "/search/?near=60601",
        "/es/search/?near=10001&q=legal",
        "/search/?near=00000",
        "/search/",
        "/es/search/?near=79101",  # nothing near: the distance notice and its button
    ],
)
def test_search_page_passes_axe(page, site_url, path):
    from axe_npm import axe_violations, report

    goto(page, site_url, path)
    if "near" in path:
        page.locator("#search-filters summary").click()
    violations = axe_violations(page)
    assert not violations, report(violations)


def test_without_javascript_the_page_offers_the_browse_pages(new_page, site_url):
    page = new_page(javascript=False)
    page.goto(site_url + "/search/?near=" + quote("60601"))
    notice = page.locator(".search-nojs")
    assert notice.is_visible()
    # Every state's page first, then the national services, then the other indexes.
    states = notice.locator(".browse-list--states a")
    assert states.count() == len(STATES)
    assert re.search(r"/states/[a-z]{2}/$", states.first.get_attribute("href"))
    assert notice.locator(".listing-list > li").count() == len(NATIONAL)
    assert notice.locator('a[href$="services/"]').count() == 1
    # The search form, which needs the script, is not shown.
    assert not page.locator("#search-form").is_visible()


def test_home_page_form_goes_to_the_search(page, site_url):
    page.goto(site_url + "/")
    page.fill("#home-near", "60601")
    page.select_option("#home-need", "legal-help")
    page.locator("#home-near").press("Enter")
    page.wait_for_url(re.compile(r"/search/\?near=60601&need=legal-help"))
    page.wait_for_selector(DONE, state="attached")
    assert page.locator("#search-need").input_value() == "legal-help"
    assert results(page, "near")[0]["id"] == "harbor-light-chicago-loop"


# ---- loading on a slow network (docs/search.md, "Loading") ------------------------


def _data_requests(page, site_url: str, part: str) -> list[str]:
    return [u for u in page.request_log if u.startswith(site_url + "/search-data/") and part in u]


def test_the_head_asks_for_the_states_rows_and_each_file_is_fetched_once(page, site_url, directory):
    """The page's head preloads the ZIP code's file and its state's and the national
    rows (its state from the ZIP prefix table); search.js takes those responses instead
    of asking again, and paints the results from the rows, summaries filled in after."""
    goto(page, site_url, "/search/?near=60623")
    preloaded = page.eval_on_selector_all(
        "link[rel=preload][as=fetch]", "links => links.map((l) => l.getAttribute('href'))"
    )
    assert sorted(h.rsplit("search-data/", 1)[1] for h in preloaded) == [
        "en/rows/IL.json",
        "en/rows/national.json",
        "manifest.json",
        "zip/606.json",
    ]
    for part in ("/rows/IL.json", "/rows/national.json", "/zip/606.json", "/manifest.json"):
        assert len(_data_requests(page, site_url, part)) == 1, (part, page.request_log)
    assert not _data_requests(page, site_url, "/cards/")
    first = results(page, "near")[0]
    listing = next(item for item in directory.listings if item.id == first["id"])
    assert listing.record.summary and listing.record.summary in first["text"]


def test_a_zip_prefix_that_crosses_a_state_line_still_finds_the_zip_codes_state(page, site_url):
    """06390 (Fishers Island) is New York's, in a prefix of Connecticut's: the table's
    guess is wrong, and the ZIP code's own file puts it right (one more round trip)."""
    goto(page, site_url, "/search/?near=06390")
    heading = page.locator("#search-results-heading").inner_text()
    assert "06390 (Fishers Island, NY)" in heading
    assert _data_requests(page, site_url, "/rows/NY.json")
    assert any("Serves the whole country" in r["text"] for r in results(page, "near"))


def test_rows_of_another_version_than_the_manifest_are_asked_for_again(page, site_url):
    """A deploy between the manifest and the rows (or a stale copy): the page asks for
    both again instead of reading the rows with another version's term lists."""
    served = []

    def stale_once(route):
        served.append(route.request.url)
        if len(served) > 1:
            route.continue_()
            return
        response = route.fetch()
        body = response.json()
        body["version"] = "0000000000000000"
        route.fulfill(response=response, json=body)

    page.route(re.compile(r"/search-data/en/rows/IL\.json"), stale_once)
    goto(page, site_url, "/search/?near=60623")
    assert len(served) == 2
    assert results(page, "near")
    assert "listing" in page.locator("#search-status").inner_text()


@pytest.mark.parametrize("lang", ["", "/es"])
def test_the_home_form_prefetches_the_search_page_and_never_sends_the_place(page, site_url, lang):
    """Once the form is used (not before: no data spent on visitors who browse), the
    browser fetches the search page and its scripts; the search itself goes in the
    address's fragment, so the ZIP code typed is never sent to the site."""
    page.goto(f"{site_url}{lang}/")
    page.wait_for_load_state("networkidle")
    search_page = f"{site_url}{lang}/search/"
    assert search_page not in page.request_log
    page.click("#home-near")
    page.wait_for_function(
        "(href) => [...document.querySelectorAll('link[rel=prefetch]')]"
        ".some((l) => l.href === href)",
        arg=search_page,
    )
    page.fill("#home-near", "60623")
    page.select_option("#home-need", "legal-help")
    page.locator(".search-form--home button[type=submit]").click()
    page.wait_for_url(re.compile(r"/search/\?near=60623&need=legal-help$"))
    page.wait_for_selector(DONE, state="attached")
    assert search_page in page.request_log
    assert results(page, "near")
    for url in page.request_log:
        parts = urlsplit(url)
        assert "60623" not in parts.path + parts.query, url


@pytest.mark.parametrize("code", ["79101", "77550"])
def test_nothing_near_says_so_counts_the_wider_circle_and_offers_the_statewide_ones(
    page, site_url, directory, code
):
    """Amarillo and Galveston: the sample's nearest listing is over 25 miles away."""
    near, area = _near_and_area(directory, code)
    nearest = min(near.values())
    assert nearest > 25, f"{code}: the sample has a listing {nearest:.1f} mi away"
    within = sum(1 for miles in near.values() if miles <= 100)
    goto(page, site_url, f"/search/?near={code}")
    notice = page.locator("#search-message")
    assert notice.is_visible()
    text = notice.inner_text()
    assert f"Nothing within 25 miles of {code}" in text, text
    shown = float(re.search(r"nearest is ([\d.]+) mi away", text).group(1))
    assert shown == pytest.approx(nearest, abs=0.51)
    if within:
        assert f"{within} listing{'s' if within != 1 else ''} within 100 miles." in text
    else:
        assert "within 100 miles" not in text
    # Right after the focused heading and the count, before the first result.
    order = page.evaluate(
        "[...document.querySelectorAll('#search-results-heading, #search-status,"
        " #search-message, #search-list-near')].map((n) => n.id)"
    )
    assert order == [
        "search-results-heading",
        "search-status",
        "search-message",
        "search-list-near",
    ]
    # One tap to the listings that serve the whole state from afar.
    button = notice.get_by_role("button")
    assert button.inner_text().startswith(f"See the {len(area)} listing")
    button.click()
    assert page.evaluate("document.activeElement.id") == "search-area-heading"
    # The first result is still in the first screen on a phone.
    page.set_viewport_size({"width": 360, "height": 740})
    goto(page, site_url, f"/search/?near={code}")
    box = page.locator("#search-list-near > li").first.bounding_box()
    assert box is not None and box["y"] + 40 < 740, box


def test_a_near_result_gets_no_distance_notice_and_spanish_gets_its_own(page, site_url):
    goto(page, site_url, "/search/?near=60623")
    assert page.locator("#search-message").is_hidden()
    goto(page, site_url, "/es/search/?near=79101")
    text = page.locator("#search-message").inner_text()
    assert "Nada a menos de 25 millas de 79101" in text, text
    assert page.locator("#search-message button").inner_text().startswith("Ver ")
