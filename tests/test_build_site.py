"""The directory site, built for real with Pelican from the sample listings.

Expected contents are computed here from the listing files (read with the
validator's loader and vocabularies), independently of the site's own modules.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import markdown
import phonenumbers
import pytest
from babel.dates import format_date

from waystation.gazetteer.states import STATES
from waystation.records import languages, vocabulary
from waystation.records.validation import load_listings

ROOT = Path(__file__).resolve().parent.parent
PROVIDERS = ROOT / "providers"
SAMPLE_TODAY = "2026-12-01"  # the same day tests/conftest.py pins the sample build to

pytestmark = pytest.mark.slow

TODAY = dt.date.fromisoformat(SAMPLE_TODAY)
LANGS = ("en", "es")


class Page(HTMLParser):
    """Text, links and elements of one HTML page (stdlib only)."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[tuple[str, str]] = []  # (href, text)
        self.elements: list[tuple[str, dict]] = []
        self.main_links: list[str] = []
        self._in_main = 0
        self._link: list | None = None
        self._skip = 0
        self.feed(text)
        self.text = re.sub(r"\s+", " ", " ".join(self.parts)).strip()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "main":
            self._in_main += 1
        if tag == "a" and attributes.get("href") is not None:
            self._link = [attributes["href"], []]
            if self._in_main:
                self.main_links.append(attributes["href"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        if tag == "main":
            self._in_main -= 1
        if tag == "a" and self._link is not None:
            self.links.append((self._link[0], re.sub(r"\s+", " ", "".join(self._link[1])).strip()))
            self._link = None

    def handle_data(self, data):
        if self._skip:
            return
        self.parts.append(data)
        if self._link is not None:
            self._link[1].append(data)

    def has_class(self, name: str) -> bool:
        return any(name in (a.get("class") or "").split() for _, a in self.elements)

    def hrefs(self) -> set[str]:
        return {href for href, _ in self.links}


def read_page(output: Path, path: str) -> Page:
    target = output / path / "index.html" if not path.endswith(".html") else output / path
    assert target.is_file(), f"missing page {path}"
    return Page(target.read_text(encoding="utf-8"))


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.fixture(scope="module")
def sample():
    result = load_listings([PROVIDERS], today=TODAY)
    assert not result.errors, [p.format_text() for p in result.errors]
    published = [item for item in result.listings if item.published]
    inactive = [item for item in result.listings if not item.published]
    return published, inactive


def prefix(lang: str) -> str:
    return "" if lang == "en" else f"{lang}/"


def label(vocab: str, term: str, lang: str) -> str:
    return vocabulary.get(vocab).label(term, lang)


def listed_ids(page: Page) -> list[str]:
    ids = []
    for href in page.main_links:
        match = re.search(r"providers/([a-z0-9-]+)/$", href)
        if match:
            ids.append(match.group(1))
    return ids


def area_states(listing) -> tuple[bool, set[str]]:
    area = listing.record.service_area
    home = listing.record.location.state
    if area is None:
        return False, {home}
    if area.national:
        return True, set(STATES)
    states = set(area.states or []) | {c.split("/")[0] for c in area.counties or []}
    return False, states or {home}


def text_of(listing, field, lang):
    record = listing.record
    value = listing.body if field == "description" else getattr(record, field)
    if lang != "en" and record.translations and lang in record.translations:
        value = getattr(record.translations[lang], field, None) or value
    return value


# --- listing pages -----------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_every_published_listing_page_shows_each_field(built_site, sample, lang):
    published, _ = sample
    assert published
    for listing in published:
        record = listing.record
        page = read_page(built_site, f"{prefix(lang)}providers/{listing.id}/")
        text = page.text
        where = f"{lang}/{listing.id}"
        for field in ("name", "summary", "how_to_apply", "eligibility", "fees"):
            value = text_of(listing, field, lang)
            if value:
                assert norm(value) in text, f"{where}: {field} {value!r} missing"
        for field in ("organization", "alternate_name", "hours_notes"):
            value = getattr(record, field)
            if value:
                assert norm(value) in text, f"{where}: {field} missing"
        for term in record.services:
            assert label("services", term, lang) in text, f"{where}: service {term}"
        for term in record.populations or []:
            assert label("populations", term, lang) in text, f"{where}: population {term}"
        for term in record.trafficking_types:
            assert label("trafficking_types", term, lang) in text
        for term in record.features or []:
            assert label("features", term, lang) in text, f"{where}: feature {term}"
        for code in record.languages or []:
            assert languages.name(code, lang) in text, f"{where}: language {code}"
        if record.cost:
            assert label("cost", record.cost, lang) in text
        if record.ages:
            for bound in (record.ages.min, record.ages.max):
                if bound is not None:
                    assert str(bound) in page.text
        for phone in record.phones or []:
            if phone.type == "text" and phone.number.isdigit():
                href = f"sms:{phone.number}"
            else:
                e164 = phonenumbers.format_number(
                    phonenumbers.parse(phone.number, "US"), phonenumbers.PhoneNumberFormat.E164
                )
                scheme = {"text": "sms", "fax": None}.get(phone.type, "tel")
                href = f"{scheme}:{e164}" if scheme else None
            if href:
                assert href in page.hrefs(), f"{where}: phone link {href} missing"
                link_text = next(t for h, t in page.links if h == href)
                assert re.search(r"\d", link_text) and link_text.split(":")[0], link_text
            else:
                assert f"tel:{phone.number}" not in page.hrefs()
            assert label("phone_types", phone.type, lang) in text
            if phone.label:
                assert phone.label in text
        if record.email:
            assert f"mailto:{record.email}" in page.hrefs()
        if record.website:
            assert record.website in page.hrefs()
        if isinstance(record.hours, list):
            assert page.has_class("hours-table") and page.has_class("open-now")
            for entry in record.hours:
                assert f"{entry.opens} " in text and f" {entry.closes}" in text
        loc = record.location
        if loc.visibility == "public":
            assert loc.street in text and loc.city in text
            if loc.transit:
                assert norm(loc.transit) in text
        elif loc.visibility == "approximate":
            assert f"{loc.city}, {loc.state}" in text
        else:
            assert page.has_class("location-confidential")
        for term in loc.accessibility or []:
            assert label("accessibility", term, lang) in text
        verified = format_date(record.last_verified, format="long", locale=lang)
        assert verified in text, f"{where}: last verified date missing"
        stale = (TODAY - record.last_verified).days > 365
        assert page.has_class("notice--stale") is stale, f"{where}: stale notice"
        closed = record.status == "temporarily-closed"
        assert page.has_class("banner--closed") is closed, f"{where}: closed banner"
        description = text_of(listing, "description", lang)
        if description:
            rendered = re.sub(r"<[^>]+>", " ", markdown.markdown(description))
            assert norm(html.unescape(rendered)) in text, f"{where}: description"
        edit = f"https://github.com/example/waystation/edit/main/providers/{listing.id}.md"
        assert edit in page.hrefs(), f"{where}: edit link"
        assert any("issues/new" in h and listing.id in h for h in page.hrefs())
        if loc.visibility == "hidden":
            assert not page.has_class("listing__map"), f"{where}: hidden listing with a map"
        html_lang = next(a for t, a in page.elements if t == "html")["lang"]
        assert html_lang == lang


def test_confidential_locations_never_show_street_or_point(built_site, sample):
    published, _ = sample
    for listing in published:
        if listing.record.location.visibility == "public":
            continue
        for lang in LANGS:
            raw = (built_site / f"{prefix(lang)}providers/{listing.id}/index.html").read_text()
            assert 'class="address"' not in raw
            if listing.record.location.visibility == "hidden":
                assert 'class="listing__map"' not in raw


def test_phone_links_state_their_purpose(built_site):
    page = read_page(built_site, "providers/northstar-national-helpline/")
    texts = dict(page.links)
    assert texts["tel:+18885550100"] == "Call the 24/7 hotline: (888) 555-0100"
    assert texts["sms:555011"] == "Send a text message: 555011"
    assert texts["tel:+18885550101"] == "Call by TTY: (888) 555-0101"


def test_open_now_is_left_to_the_browser(built_site):
    raw = (built_site / "providers/harbor-light-chicago-loop/index.html").read_text()
    assert "open-now.js" in raw
    # The verdict is not in the page: only the data and both possible texts.
    match = re.search(r'<p class="open-now" ([^>]*)>', raw)
    assert match and " hidden" in match.group(0)
    assert "America/Chicago" in html.unescape(match.group(1))


def test_untranslated_fields_are_marked(built_site, sample):
    published, _ = sample
    untranslated = next(
        item for item in published if not item.record.translations and item.record.summary
    )
    raw = (built_site / f"es/providers/{untranslated.id}/index.html").read_text()
    assert '<h1 lang="en">' in raw
    assert "not-translated" in raw
    translated = next(item for item in published if item.id == "harbor-light-chicago-loop")
    page = read_page(built_site, f"es/providers/{translated.id}/")
    assert translated.record.translations["es"].name in page.text


# --- browse pages ------------------------------------------------------------------


def expected_state(published, code):
    ids = set()
    for listing in published:
        national, states = area_states(listing)
        if national or code in states or listing.record.location.state == code:
            ids.add(listing.id)
    return ids


@pytest.mark.parametrize("lang", LANGS)
def test_state_pages_list_exactly_the_listings_serving_them(built_site, sample, lang):
    published, _ = sample
    for code in STATES:
        page = read_page(built_site, f"{prefix(lang)}states/{code.lower()}/")
        # The list of cities may link a one-listing city straight to its listing.
        raw = (built_site / f"{prefix(lang)}states/{code.lower()}/index.html").read_text()
        ids = listed_ids(
            Page(re.sub(r'<section aria-labelledby="cities">.*?</section>', "", raw, flags=re.S))
        )
        assert len(ids) == len(set(ids)), f"{code}: a listing appears twice"
        assert set(ids) == expected_state(published, code), code
        assert re.search(rf"\b{len(ids)}\b", page.text.split("Cities")[0]), f"{code}: count"


def test_national_listings_are_on_every_state_page_marked(built_site, sample):
    published, _ = sample
    national = [item for item in published if area_states(item)[0]]
    assert national, "the sample needs a national listing"
    for code in STATES:
        raw = (built_site / f"states/{code.lower()}/index.html").read_text()
        section = raw.split('id="national"', 1)
        assert len(section) == 2, code
        for listing in national:
            assert f"providers/{listing.id}/" in section[1], (code, listing.id)
        assert "mark--national" in section[1]


def test_listings_from_elsewhere_are_marked_with_their_state(built_site, sample):
    published, _ = sample
    for listing in published:
        national, states = area_states(listing)
        home = listing.record.location.state
        for code in sorted(states - {home}) if not national else []:
            raw = (built_site / f"states/{code.lower()}/index.html").read_text()
            part = raw.split('id="elsewhere"', 1)[1].split("</section>", 1)[0]
            assert f"providers/{listing.id}/" in part
            assert f"Based in {STATES[home]}" in html.unescape(part)


def test_city_pages(built_site, sample):
    published, _ = sample
    expected: dict[str, set[str]] = {}
    for listing in published:
        loc = listing.record.location
        if loc.visibility == "hidden":
            continue
        slug = re.sub(r"[^a-z0-9]+", "-", loc.city.lower()).strip("-")
        slug = slug.replace("á", "a")
        expected.setdefault(f"states/{loc.state.lower()}/", set())
        key = f"{loc.state}|{loc.city}"
        expected.setdefault(key, set()).add(listing.id)
    for key, ids in expected.items():
        if "|" not in key:
            continue
        state, city = key.split("|")
        state_page = read_page(built_site, f"states/{state.lower()}/")
        href = next(h for h, t in state_page.links if t == city)
        target = (built_site / f"states/{state.lower()}/" / href / "index.html").resolve()
        if len(ids) == 1:
            # One listing: the city links straight to its page, and has no page of its own.
            (only,) = ids
            assert target == (built_site / "providers" / only / "index.html").resolve(), key
            slug = re.sub(r"[^a-z0-9]+", "-", city.lower()).strip("-")
            assert not (built_site / f"states/{state.lower()}/{slug}").exists(), key
            continue
        assert target.parent.parent.name == state.lower(), key
        page = Page(target.read_text())
        assert set(listed_ids(page)) == ids, key
        assert all(i in ids for i in listed_ids(page))
    assert any(len(ids) > 1 for key, ids in expected.items() if "|" in key)


@pytest.mark.parametrize("lang", LANGS)
def test_service_pages(built_site, sample, lang):
    published, _ = sample
    for term in vocabulary.get("services").ids:
        page = read_page(built_site, f"{prefix(lang)}services/{term}/")
        expected = {item.id for item in published if term in item.record.services}
        ids = listed_ids(page)
        assert len(ids) == len(set(ids)) and set(ids) == expected, term
        assert label("services", term, lang) in page.text
    index = read_page(built_site, f"{prefix(lang)}services/")
    assert len(listed_ids(index)) == 0
    assert len([h for h in index.main_links if "/services/" in h or h.startswith("../")]) >= len(
        vocabulary.get("services").ids
    )


@pytest.mark.parametrize("lang", LANGS)
def test_service_group_pages_list_every_listing_of_their_services(built_site, sample, lang):
    published, _ = sample
    index = read_page(built_site, f"{prefix(lang)}services/")
    for group in vocabulary.service_groups():
        page = read_page(built_site, f"{prefix(lang)}services/groups/{group.id}/")
        expected = {item.id for item in published if set(group.terms) & set(item.record.services)}
        ids = listed_ids(page)
        assert len(ids) == len(set(ids)) and set(ids) == expected, group.id
        assert group.label_in(lang) in page.text
        # The group's own service pages are one tap away, and the index links the group.
        for term in group.terms:
            assert any(h.endswith(f"services/{term}/") for h in page.main_links), term
        assert any(h.endswith(f"services/groups/{group.id}/") for h in index.main_links)
    assert any(len(vocabulary.service_group(g.id).terms) > 1 for g in vocabulary.service_groups())


def test_population_pages_count_listings_for_everyone(built_site, sample):
    published, _ = sample
    everyone = {item.id for item in published if not item.record.populations}
    for term in vocabulary.get("populations").ids:
        page = read_page(built_site, f"populations/{term}/")
        specific = {item.id for item in published if term in (item.record.populations or [])}
        ids = listed_ids(page)
        assert len(ids) == len(set(ids))
        assert set(ids) == specific | everyone, term
        assert f"{len(ids)} service" in page.text


def test_browse_pages_sorted_by_name_open_first(built_site, sample):
    published, _ = sample
    by_id = {item.id: item for item in published}
    for term in vocabulary.get("services").ids:
        ids = listed_ids(read_page(built_site, f"services/{term}/"))
        keys = [
            (by_id[i].record.status == "temporarily-closed", by_id[i].record.name.casefold())
            for i in ids
        ]
        assert keys == sorted(keys), term


def test_home_page_links_browse_pages_with_counts(built_site, sample):
    published, _ = sample
    page = read_page(built_site, "")
    assert f"{len(published)} services" in page.text
    hrefs = page.hrefs()
    assert "./states/il/" in hrefs and "./services/groups/housing/" in hrefs
    assert "./populations/minors/" in hrefs
    es = read_page(built_site, "es/")
    assert any(h.endswith("es/states/il/") for h in es.hrefs())


def test_temporarily_closed_listings_are_shown_with_a_banner(built_site, sample):
    published, _ = sample
    closed = [item for item in published if item.record.status == "temporarily-closed"]
    assert closed
    for listing in closed:
        page = read_page(built_site, f"providers/{listing.id}/")
        assert page.has_class("banner--closed")
        state = read_page(built_site, f"states/{listing.record.location.state.lower()}/")
        assert listing.id in listed_ids(state)


# --- inactive listings, sitemap, static hosting ---------------------------------------


def all_files(output: Path):
    return sorted(p for p in output.rglob("*") if p.is_file())


def test_inactive_listings_appear_nowhere(built_site, sample):
    _, inactive = sample
    assert inactive, "the sample needs an inactive listing"
    for listing in inactive:
        assert not (built_site / "providers" / listing.id).exists()
    needles = [f"providers/{item.id}/" for item in inactive] + [
        item.record.name for item in inactive
    ]
    for path in all_files(built_site):
        if path.suffix not in (".html", ".xml", ".txt", ".json", ".js", ".geojson", ".csv"):
            continue
        text = html.unescape(path.read_text(encoding="utf-8", errors="replace"))
        for needle in needles:
            assert needle not in text, f"{needle} in {path.relative_to(built_site)}"


def test_sitemap_lists_every_page_once_with_lastmod(built_site, sample):
    published, _ = sample
    xml = (built_site / "sitemap.xml").read_text()
    locs = re.findall(r"<loc>([^<]+)</loc>", xml)
    assert len(locs) == len(set(locs)) and locs == sorted(locs)
    for listing in published:
        for lang in LANGS:
            loc = f"/{prefix(lang)}providers/{listing.id}/"
            assert loc in locs
            entry = xml.split(f"<loc>{loc}</loc>", 1)[1].split("</url>", 1)[0]
            assert f"<lastmod>{listing.record.last_verified.isoformat()}</lastmod>" in entry
    assert "/about/" in locs and "/es/about/" in locs and "/es/states/il/" in locs
    assert not any("404" in loc for loc in locs)
    robots = (built_site / "robots.txt").read_text()
    assert "User-agent: *" in robots


def test_every_internal_link_resolves(built_site):
    """Relative links only (RELATIVE_URLS), and each one reaches a file of the site."""
    missing = set()
    for path in all_files(built_site):
        if path.suffix != ".html" or path.name == "404.html":
            continue
        page = Page(path.read_text(encoding="utf-8"))
        refs = [
            a.get("href") or a.get("src")
            for t, a in page.elements
            if t in ("a", "link", "script", "img")
        ]
        for ref in refs:
            if not ref or re.match(r"^(https?:|mailto:|tel:|sms:|#)", ref):
                continue
            assert not ref.startswith("/"), f"{path}: site-absolute link {ref}"
            target = (path.parent / ref.split("#")[0]).resolve()
            if ref.endswith("/") or target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                missing.add(f"{path.relative_to(built_site)} -> {ref}")
    assert not missing, sorted(missing)[:20]


def test_404_pages(built_site):
    for name in ("404.html", "es/404.html"):
        page = read_page(built_site, name)
        assert page.has_class("site-header")
        assert any(h == "/" or h == "/es/" for h in page.hrefs())


def test_content_pages_in_both_languages(built_site):
    for slug in ("about", "add-or-update-a-listing", "hotlines"):
        en = read_page(built_site, f"{slug}/")
        es = read_page(built_site, f"es/{slug}/")
        assert next(a for t, a in en.elements if t == "html")["lang"] == "en"
        assert next(a for t, a in es.elements if t == "html")["lang"] == "es"
        assert f"../es/{slug}/" in en.hrefs()
    hotlines = read_page(built_site, "hotlines/")
    assert "tel:+18883737888" in hotlines.hrefs() and "sms:233733" in hotlines.hrefs()
    assert "tel:911" in hotlines.hrefs()


def test_no_page_links_every_other_page(built_site):
    """DISPLAY_PAGES_ON_MENU stays off: a listing page links a bounded number of pages."""
    page = read_page(built_site, "providers/harbor-light-chicago-loop/")
    assert len(page.links) < 60


# --- failing builds, determinism -------------------------------------------------------


def test_invalid_listing_fails_the_build_with_file_and_line(run_build, tmp_path):
    providers = tmp_path / "providers"
    providers.mkdir()
    for name in ("harbor-light-chicago-loop.md", "northstar-national-helpline.md"):
        shutil.copy(PROVIDERS / name, providers / name)
    bad = providers / "street-on-hidden-location.md"
    text = (PROVIDERS / "northstar-national-helpline.md").read_text()
    text = text.replace("  visibility: hidden\n", "  visibility: hidden\n  street: 1 Secret Road\n")
    bad.write_text(text)
    line = text.splitlines().index("  street: 1 Secret Road") + 1
    build = run_build(providers)
    assert build.returncode != 0
    assert re.search(
        rf"street-on-hidden-location\.md:{line}:\d+: error: location\.street", build.stderr
    ), build.log
    assert "Traceback" not in build.log
    assert not (build.output / "providers").exists()


def test_unreadable_content_page_fails_the_build(run_build, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "pages" / "broken.md").write_text("Slug: broken\nDate: not a date\n\nNo title.\n")
    build = run_build(
        PROVIDERS, {"GEOCODE_CACHE": str(ROOT / "geocode-cache.json")}, content_dir=content
    )
    assert build.returncode != 0, build.log
    assert "pages/broken.md" in build.stderr
    assert "Traceback" not in build.log


def test_two_builds_are_byte_identical(built_site, run_build):
    again = run_build(None)
    assert again.returncode == 0, again.log
    first = {p.relative_to(built_site): p.read_bytes() for p in all_files(built_site)}
    second = {p.relative_to(again.output): p.read_bytes() for p in all_files(again.output)}
    assert sorted(first) == sorted(second)
    differing = [str(k) for k in first if first[k] != second[k]]
    assert not differing, differing[:10]


def _build_after(code: str, output: Path, settings: dict) -> str:
    """Build the sample site into ``output`` in a new Python process that first runs
    ``code`` (to change how the build works); return what it logged."""
    import json
    import subprocess
    import sys

    forced = (
        code
        + "; import sys; from pelican import main; sys.argv = ['pelican'] + sys.argv[1:]; main()"
    )
    values = [f"{key}={json.dumps(value)}" for key, value in sorted(settings.items())]
    command = [sys.executable, "-c", forced, str(ROOT / "content"), "-o", str(output),
               "-s", str(ROOT / "pelicanconf.py"), "-v", "-e", *values]  # fmt: skip
    # The date the session's sample build (built_site) treats as today.
    env = {**os.environ, "WAYSTATION_TODAY": "2026-12-01", "PYTHONHASHSEED": "0", "COLUMNS": "400"}
    build = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert build.returncode == 0, build.stdout + build.stderr
    return build.stdout + build.stderr


def assert_same_files(first_root: Path, second_root: Path) -> None:
    first = {p.relative_to(first_root): p.read_bytes() for p in all_files(first_root)}
    second = {p.relative_to(second_root): p.read_bytes() for p in all_files(second_root)}
    assert sorted(first) == sorted(second)
    differing = [str(k) for k in first if first[k] != second[k]]
    assert not differing, differing[:10]


def test_a_build_done_by_worker_processes_is_byte_identical(built_site, tmp_path):
    """With every threshold at one listing, the build forks what a large directory forks:
    page renderers (taking small chunks of pages in turn), open data and maps started
    while the pages are written, the CSP scan.  The output must be the serial build's,
    byte for byte."""
    output = tmp_path / "output"
    settings = {"CACHE_PATH": str(tmp_path / "cache"), "BUILD_WORKERS": 2}
    forced = (
        "from waystation.runtime import workers; from waystation.site import csp, write;"
        "write.PARALLEL_MIN_PAGES = workers.PARALLEL_MIN_LISTINGS = 1;"
        "write.CHUNK_PAGES = 3; write.CHUNK_OTHER_PAGES = 2;"
        "csp.PARALLEL_MIN_FILES = 1"
    )
    log = _build_after(forced, output, settings)
    assert "write_maps done early" in log
    assert "start_open_data done early" in log
    assert_same_files(built_site, output)


def test_messages_translated_when_templates_compile_are_those_of_run_time(built_site, tmp_path):
    """Waystation's pages translate ``_("literal")`` when a template is compiled, one
    environment per language (template_messages).  A build that translates every message
    at run time instead must write the same files, Spanish pages included."""
    output = tmp_path / "output"
    at_run_time = (
        "from waystation.site import render as site_render; made = site_render.make_environment;"
        "site_render.make_environment = lambda dirs, lang=None: made(dirs)"
    )
    _build_after(at_run_time, output, {"CACHE_PATH": str(tmp_path / "cache")})
    assert_same_files(built_site, output)
    spanish = (output / "es" / "index.html").read_text(encoding="utf-8")
    assert "Salir de esta página" in spanish
