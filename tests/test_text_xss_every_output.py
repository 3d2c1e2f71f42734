"""Untrusted listing text never becomes live markup, in any output, nor runs in a browser.

A corpus of XSS payloads (``tests/fixtures/xss/payloads.txt``, one per line) is placed in
every free-text field and in the Markdown body of test listings, one listing per payload
(its Spanish translation too), and the real site is built from them.  Then:

- every output file is parsed: HTML pages hold no element, attribute, event handler or
  script URL a payload made, and no payload appears unescaped; JSON/GeoJSON parse and
  hold payloads as data only; CSV cells cannot run as formulas; XML sitemaps parse;
- the listings' ``source`` never reaches any output;
- in Chromium (when available), every page that shows these listings is opened with the
  page's own CSP switched off (so this tests the escaping alone) and must open no dialog
  and never call the ``xss()`` flag function the payloads call.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import re
import sys
import threading
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PAYLOADS_FILE = ROOT / "tests" / "fixtures" / "xss" / "payloads.txt"
SOURCE_MARKER = "confidential-source-marker"
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster", "cite"}
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "application/geo+json"}
#: A payload holding "<" must never appear as is in HTML: it would be parsed as a tag.
#: (Quotes in text are harmless; in an attribute they would make attributes, which the
#: parser check catches; "&" entities in Markdown are Markdown's own escapes.)


def load_payloads() -> list[str]:
    lines = PAYLOADS_FILE.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip()]


PAYLOADS = load_payloads()


def _root_conftest():
    spec = importlib.util.spec_from_file_location(
        "waystation_root_conftest", ROOT / "tests" / "conftest.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


def listing_for(index: int, payload: str) -> str:
    """A valid listing carrying ``payload`` in every free-text field and its body."""
    one_line = payload.replace("\n", " ")
    name = f"X{index} {one_line}"[:150]
    # A backslash in a web address is refused (browsers read it as '/'): percent-encoded,
    # as in any address that carries one.
    website_tail = re.sub(r"\s+", "/", payload).replace("\\", "%5C")
    front = {
        "name": name,
        "organization": payload,
        "alternate_name": payload,
        "summary": one_line[:200],
        "services": ["legal-immigration", "case-management"],
        "trafficking_types": ["sex", "labor"],
        "populations": ["adults"],
        "languages": ["en", "es"],
        "features": ["walk-ins"],
        "cost": "free",
        "fees": payload,
        "eligibility": payload,
        "how_to_apply": payload,
        "phones": [
            {
                "number": f"312-555-{index % 10000:04d}",
                "type": "voice",
                "label": payload,
                "hours": payload,
            },
            {"number": "233733", "type": "text", "label": payload},
        ],
        "email": f"xss{index}@example.org",
        "website": f"https://example.org/{index}?q={website_tail}",
        "hours": [{"days": ["mon", "tue"], "opens": "09:00", "closes": "17:00"}],
        "hours_notes": payload,
        "location": {
            "visibility": "public",
            "street": payload,
            "street2": payload,
            "city": "Chicago",
            "state": "IL",
            "postal_code": "60608",
            "transit": payload,
        },
        "service_area": {"states": ["IL"], "remote": True},
        "tags": [payload, f"tag {one_line}"],
        "translations": {
            "es": {
                "name": f"ES{index} {one_line}"[:150],
                "summary": one_line[:200],
                "eligibility": payload,
                "how_to_apply": payload,
                "fees": payload,
                "description": f"{payload}\n\n## {payload}\n\n[{payload}](https://example.org)\n",
            }
        },
        "last_verified": "2026-10-01",
        "source": f"{SOURCE_MARKER}-{index} {payload}",
    }
    body = (
        f"{payload}\n\n"
        f"## {payload}\n\n"
        f"- {payload}\n\n"
        f"[link text {index}]({payload})\n\n"
        f"<div>{payload}</div>\n\n"
        f"`{payload}`\n\n"
        f"> {payload}\n"
    )
    text = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{text}---\n\n{body}"


@pytest.fixture(scope="module")
def xss_site(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("xss")
    providers = base / "providers"
    providers.mkdir()
    for index, payload in enumerate(PAYLOADS, start=1):
        (providers / f"xss-{index:02d}.md").write_text(listing_for(index, payload), "utf-8")
    conftest = _root_conftest()
    build = conftest.run_pelican(base / "output", base / "cache", providers)
    if build.returncode != 0:
        pytest.fail(f"the site build with the XSS listings failed:\n{build.log[-6000:]}")
    return build.output


def test_corpus_is_large_and_varied():
    assert len(PAYLOADS) >= 40
    assert len(set(PAYLOADS)) == len(PAYLOADS)
    assert all("xss" in p.lower() for p in PAYLOADS)


def test_every_payload_listing_was_published(xss_site):
    pages = sorted((xss_site / "providers").glob("xss-*/index.html"))
    assert len(pages) == len(PAYLOADS)
    assert len(sorted((xss_site / "es" / "providers").glob("xss-*/index.html"))) == len(PAYLOADS)


# ---- Static checks of every output file ----------------------------------------------


class _LiveMarkup(HTMLParser):
    """Collects what a payload would have made live in one HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script: dict | None = None
        self._style = False

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = [name for name, _ in attrs]
        where = f"<{tag} {' '.join(names)}>"
        if "xss" in tag:
            self.problems.append(f"element made by a payload: {where}")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event handler {name}= in {where}")
            if "xss" in name:
                self.problems.append(f"attribute made by a payload: {name} in {where}")
            if name == "srcdoc":
                self.problems.append(f"srcdoc in {where}")
            if value is None or name not in URL_ATTRIBUTES:
                continue
            scheme = re.sub(r"[\x00-\x20]+", "", value).lower().split(":", 1)
            if len(scheme) == 2 and scheme[0] in ("javascript", "vbscript"):
                self.problems.append(f"{scheme[0]}: URL in {name}= of {where}")
            if (
                len(scheme) == 2
                and scheme[0] == "data"
                and not (tag == "img" and value.startswith("data:image/"))
            ):
                self.problems.append(f"data: URL in {name}= of {where}")
            host = urlsplit(value.strip()).hostname or ""
            if host == "evil.example" and tag != "a":
                self.problems.append(f"third-party resource {value} in {where}")
        if tag == "meta" and dict(attrs).get("http-equiv", "").lower() == "refresh":
            self.problems.append(f"meta refresh: {where}")
        if tag == "base":
            self.problems.append(f"<base> element: {where}")
        if tag == "script":
            kind = (dict(attrs).get("type") or "").lower()
            self._script = {"data": kind in DATA_SCRIPT_TYPES, "text": []}
        if tag == "style":
            self._style = True

    def handle_starttag(self, tag, attrs):
        self._tag(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._tag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            text = "".join(self._script["text"])
            if not self._script["data"] and re.search(r"xss\(|alert\(", text):
                self.problems.append(f"script element running payload code: {text[:80]!r}")
            self._script = None
        if tag == "style":
            self._style = False

    def handle_data(self, data):
        if self._script is not None:
            self._script["text"].append(data)
        if self._style and ("xss" in data or "evil.example" in data):
            self.problems.append(f"style element from a payload: {data[:80]!r}")


def _output_files(site: Path, suffixes: tuple[str, ...]) -> list[Path]:
    return [
        p
        for p in sorted(site.rglob("*"))
        if p.is_file()
        and p.name.endswith(suffixes)
        and not p.relative_to(site).as_posix().startswith(("theme/", "pagefind/"))
    ]


def test_html_has_no_live_markup_from_listings(xss_site):
    problems = []
    raw_payloads = [p for p in PAYLOADS if "<" in p]
    files = _output_files(xss_site, (".html", ".htm"))
    assert len(files) > 2 * len(PAYLOADS)
    for path in files:
        text = path.read_text(encoding="utf-8")
        checker = _LiveMarkup()
        checker.feed(text)
        checker.close()
        rel = path.relative_to(xss_site).as_posix()
        problems += [f"{rel}: {p}" for p in checker.problems]
        problems += [f"{rel}: payload unescaped: {p!r}" for p in raw_payloads if p in text]
    assert not problems, "\n".join(problems[:60])


def test_payloads_are_shown_as_text(xss_site):
    """The escaping is not a deletion: a payload reads back as the text it was."""
    page = (xss_site / "providers" / "xss-01" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;xss(1)&lt;/script&gt;" in page
    es = (xss_site / "es" / "providers" / "xss-08" / "index.html").read_text(encoding="utf-8")
    assert "ES8 &lt;img src=x onerror=xss(8)&gt;" in es


def _keys(value) -> list[str]:
    if isinstance(value, dict):
        return [k for k in value] + [k for v in value.values() for k in _keys(v)]
    if isinstance(value, list):
        return [k for v in value for k in _keys(v)]
    return []


def test_json_and_geojson_hold_payloads_as_data(xss_site):
    files = _output_files(xss_site, (".json", ".geojson"))
    assert files, "the build wrote no JSON/GeoJSON"
    found_payload = False
    for path in files:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)  # a payload that broke the JSON would fail here
        bad_keys = [k for k in _keys(data) if "xss" in k.lower()]
        assert not bad_keys, f"{path}: keys made from listing text: {bad_keys[:5]}"
        found_payload = found_payload or "xss(8)" in text
    assert found_payload, "no JSON output carries the listings (nothing was checked)"


def test_csv_cells_cannot_run_as_formulas(xss_site):
    files = _output_files(xss_site, (".csv",))
    assert files, "the build wrote no CSV"
    formulas = []
    for path in files:
        for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))):
            for cell in row:
                if "xss" in cell.lower() and cell.startswith(("=", "+", "-", "@", "\t", "\r")):
                    formulas.append(f"{path.relative_to(xss_site)}: {cell[:60]!r}")
    assert not formulas, "cells a spreadsheet would run as formulas (prefix them with '):\n" + (
        "\n".join(sorted(set(formulas)))
    )


def test_xml_files_parse(xss_site):
    for path in _output_files(xss_site, (".xml",)):
        root = ET.fromstring(path.read_bytes())
        assert not [el.tag for el in root.iter() if "xss" in el.tag.lower()]


def test_listing_source_is_never_published(xss_site):
    leaks = []
    for path in sorted(xss_site.rglob("*")):
        if path.is_file() and path.suffix not in (".png", ".gz", ".wasm", ".pf_fragment"):
            try:
                text = path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue
            if SOURCE_MARKER in text:
                leaks.append(path.relative_to(xss_site).as_posix())
    assert not leaks, f"the listings' `source` was published in: {leaks[:10]}"


# ---- In the browser ---------------------------------------------------------------------

FLAG_SCRIPT = """
window.__xssFired = [];
window.xss = function (n) {
  window.__xssFired.push(String(n));
  document.documentElement.setAttribute('data-xss-fired', String(n));
  console.log('XSS-FIRED ' + n);
};
"""


def _browser_pages(site: Path) -> list[str]:
    pages = []
    for lang in ("", "es/"):
        for path in sorted((site / lang / "providers").glob("xss-*/index.html")):
            pages.append(f"/{lang}providers/{path.parent.name}/")
        for extra in ("", "states/il/", "states/il/chicago/", "services/legal-immigration/"):
            if (site / lang / extra / "index.html").exists():
                pages.append(f"/{lang}{extra}")
        for candidate in ("map/", "states/il/map/", "search/", "embed/map/"):
            if (site / lang / candidate / "index.html").exists():
                pages.append(f"/{lang}{candidate}")
    return pages


def _chromium() -> Path:
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        if os.environ.get("WAYSTATION_REQUIRE_BROWSER") == "1":
            pytest.fail("/usr/bin/chromium is missing and WAYSTATION_REQUIRE_BROWSER=1")
        pytest.skip("/usr/bin/chromium is missing: install Debian's chromium")
    return chromium


@pytest.mark.browser
@pytest.mark.parametrize("csp", ["page-policy-off", "page-policy-on"])
def test_no_payload_runs_in_chromium(xss_site, csp):
    """No dialog, no call of the xss() flag, on every page showing the listings.

    With the page's CSP off this tests the escaping alone; with it on, the two defences
    together (and that the policy does not break the pages: no CSP report either)."""
    chromium = _chromium()
    sys.path.insert(0, str(ROOT / "tests" / "browser"))
    from browserkit import CHROMIUM_ARGS, TILE_PNG, StaticServer, is_local
    from playwright.sync_api import sync_playwright

    pages = _browser_pages(xss_site)
    assert len(pages) > 2 * len(PAYLOADS)
    fired: list[str] = []
    dialogs: list[str] = []
    console: list[str] = []

    def drive() -> None:
        # Playwright's sync API refuses to start in a thread whose asyncio loop is
        # already running (the browser tests' session keeps one): use a thread of its own.
        with StaticServer(xss_site) as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
            context = browser.new_context(
                viewport={"width": 360, "height": 740}, bypass_csp=(csp == "page-policy-off")
            )
            context.add_init_script(FLAG_SCRIPT)

            def route(route):
                if is_local(route.request.url):
                    route.continue_()
                elif route.request.resource_type == "image":
                    route.fulfill(status=200, content_type="image/png", body=TILE_PNG)
                else:
                    route.abort("blockedbyclient")

            context.route("**/*", route)
            page = context.new_page()
            page.on("console", lambda message: console.append(message.text))

            def on_dialog(dialog):
                dialogs.append(f"{page.url}: {dialog.type} {dialog.message}")
                dialog.dismiss()

            page.on("dialog", on_dialog)
            for path in pages:
                page.goto(server.url + path, wait_until="load")
                if "/map/" in path or path.endswith("search/"):
                    page.wait_for_timeout(300)
                    # Open a few map popups: their content comes from the listings too.
                    markers = page.locator(".leaflet-marker-icon, .leaflet-interactive")
                    for i in range(min(markers.count(), 4)):
                        try:
                            markers.nth(i).click(timeout=1000, force=True)
                        except Exception:  # a marker hidden in a cluster
                            continue
                search = page.locator('input[type="search"]')
                if search.count() and search.first.is_visible():
                    search.first.fill("xss")
                    search.first.press("Enter")
                    page.wait_for_timeout(500)
                flag = page.evaluate("() => (window.__xssFired || []).join(',')")
                if flag:
                    fired.append(f"{path}: xss({flag})")
            browser.close()

    errors: list[BaseException] = []

    def guarded() -> None:
        try:
            drive()
        except BaseException as error:  # re-raised below, in the test's thread
            errors.append(error)

    worker = threading.Thread(target=guarded)
    worker.start()
    worker.join()
    if errors:
        raise errors[0]
    console_flags = [m for m in console if m.startswith("XSS-FIRED")]
    assert not fired and not dialogs and not console_flags, "\n".join(
        fired + dialogs + console_flags
    )
