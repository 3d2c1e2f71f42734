"""The theme: safety bar on every page, a small self-contained stylesheet, page weight, QR codes."""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from waystation import settings as declared
from waystation.site import qr

ROOT = Path(__file__).resolve().parent.parent
CSS = ROOT / "theme" / "static" / "css"
JS = ROOT / "theme" / "static" / "js" / "quick-exit.js"
#: The budget of a listing page: HTML + CSS + JS it loads, gzip-compressed, before map tiles.
LISTING_BUDGET = 30 * 1024


@pytest.fixture(scope="module")
def sample_settings() -> dict:
    return declared.load(ROOT / "pelicanconf.py")


class _Safety(HTMLParser):
    def __init__(self):
        super().__init__()
        self.first_link: str | None = None
        self.exit_href: str | None = None
        self.exit_role: str | None = None
        self.tel: list[str] = []
        self.scripts: list[str] = []
        self.stylesheets: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a":
            if self.first_link is None:
                self.first_link = a.get("href")
            if a.get("id") == "quick-exit":
                self.exit_href, self.exit_role = a.get("href"), a.get("role")
            if (a.get("href") or "").startswith("tel:"):
                self.tel.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
        elif tag == "link" and a.get("rel") == "stylesheet":
            self.stylesheets.append((a.get("href") or "", a.get("media") or "all"))


def _html_pages(site: Path) -> list[Path]:
    return [
        p
        for p in sorted(site.rglob("*.html"))
        if not p.relative_to(site).as_posix().startswith("theme/")
    ]


@pytest.mark.slow
def test_every_page_has_the_quick_exit_and_emergency_line(built_site, sample_settings):
    problems = []
    pages = _html_pages(Path(built_site))
    emergency = "tel:" + str(sample_settings["EMERGENCY_NUMBER"])
    hotline = "tel:" + sample_settings["HOTLINES"][0]["phone"].replace(" ", "")
    for page in pages:
        parsed = _Safety()
        parsed.feed(page.read_text(encoding="utf-8"))
        rel = page.relative_to(built_site).as_posix()
        if parsed.first_link != "#quick-exit":
            problems.append(f"{rel}: the first link is {parsed.first_link!r}, not the skip link")
        if parsed.exit_href != sample_settings["EXIT_URL"] or parsed.exit_role != "button":
            problems.append(f"{rel}: no quick-exit button to EXIT_URL ({parsed.exit_href!r})")
        if not any(s.endswith("js/quick-exit.js") for s in parsed.scripts):
            problems.append(f"{rel}: quick-exit.js is not loaded")
        if emergency not in parsed.tel or hotline not in parsed.tel:
            problems.append(f"{rel}: emergency or hotline number missing ({parsed.tel[:3]})")
    assert len(pages) > 50
    assert not problems, "\n".join(problems[:30])


def test_stylesheets_load_nothing_from_elsewhere():
    for path in sorted(CSS.glob("*.css")):
        text = path.read_text(encoding="utf-8")
        assert "@import" not in text, path
        assert "@font-face" not in text, f"{path}: web fonts are not used (system fonts only)"
        urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", text)
        assert not [u for u in urls if re.match(r"(https?:)?//", u)], f"{path}: {urls}"


def test_stylesheet_essentials():
    css = (CSS / "site.css").read_text(encoding="utf-8")
    assert "system-ui" in css  # system font stack
    assert ":focus-visible" in css  # visible focus
    bar = re.search(r"\.safety-bar \{(.*?)\}", css, re.S).group(1)
    assert "position: sticky" in bar and "top: 0" in bar
    # Above Leaflet's panes and controls (z-index up to 1000): never covered by a map.
    assert int(re.search(r"z-index: (\d+)", bar).group(1)) > 1000
    print_css = (CSS / "print.css").read_text(encoding="utf-8")
    for hidden in (".safety-bar", ".site-nav", ".leaflet-container", ".site-footer"):
        assert hidden in print_css
    assert ".print-only" in print_css


def test_quick_exit_script_is_small_and_self_contained():
    code = JS.read_text(encoding="utf-8")
    assert "location.replace" in code
    assert "localStorage" not in code and "document.cookie" not in code
    assert "http" not in re.sub(r"/\*.*?\*/", "", code, flags=re.S)  # no address of its own
    assert len(gzip.compress(JS.read_bytes())) < 2048


def page_weight(page: Path) -> dict[str, int]:
    """Gzip-compressed bytes of a page and every CSS/JS file it loads (not images, tiles)."""
    html = page.read_bytes()
    parsed = _Safety()
    parsed.feed(html.decode("utf-8"))
    weights = {page.name: len(gzip.compress(html, 9))}
    for ref in parsed.scripts + [href for href, _media in parsed.stylesheets]:
        target = (page.parent / ref.split("?")[0]).resolve()
        weights[ref] = len(gzip.compress(target.read_bytes(), 9))
    return weights


@pytest.mark.slow
def test_listing_pages_fit_the_budget(built_site):
    site = Path(built_site)
    heaviest = (0, "", {})
    for page in sorted((site / "providers").glob("*/index.html")) + sorted(
        (site / "es" / "providers").glob("*/index.html")
    ):
        weights = page_weight(page)
        total = sum(weights.values())
        if total > heaviest[0]:
            heaviest = (total, page.relative_to(site).as_posix(), weights)
    total, name, weights = heaviest
    detail = "\n".join(f"  {v:>7} B  {k}" for k, v in sorted(weights.items(), key=lambda i: -i[1]))
    print(f"\nheaviest listing page: {name}: {total} B gzip\n{detail}")
    assert total <= LISTING_BUDGET, (
        f"{name} loads {total} B (gzip) of HTML, CSS and JS, over {LISTING_BUDGET} B:\n{detail}"
    )


@pytest.mark.slow
def test_listing_pages_have_a_print_stylesheet(built_site):
    page = Path(built_site) / "providers" / "harbor-light-chicago-pilsen" / "index.html"
    parsed = _Safety()
    parsed.feed(page.read_text(encoding="utf-8"))
    assert any(h.endswith("css/print.css") and m == "print" for h, m in parsed.stylesheets), (
        parsed.stylesheets
    )


# ---- QR codes ------------------------------------------------------------------------


def test_qr_code_of_the_absolute_listing_url():
    make = qr.make_listing_qr({"SITEURL": "https://help.example.org"})
    figure = make("es/providers/x/", "Scan <me>")
    assert figure.startswith('<figure class="listing-qr print-only"><svg ')
    assert 'aria-hidden="true"' in figure
    assert "<figcaption>Scan &lt;me&gt;<br>https://help.example.org/es/providers/x/" in figure
    assert "<path" in figure and "<script" not in figure and "style=" not in figure
    # Deterministic: the same URL, the same bytes.
    assert qr.qr_svg("https://help.example.org/a/") == qr.qr_svg("https://help.example.org/a/")
    assert qr.qr_svg("https://help.example.org/a/") != qr.qr_svg("https://help.example.org/b/")


def test_no_qr_code_without_an_absolute_site_url():
    assert qr.make_listing_qr({"SITEURL": ""})("providers/x/") == ""
    assert qr.make_listing_qr({"SITEURL": "../.."})("providers/x/") == ""
