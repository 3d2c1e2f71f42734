"""Embeds under the generated header files, in Chromium, from another origin.

The site is served with its ``_headers`` applied (a Python host that reads them as
Cloudflare Pages does) and by Debian's nginx with the generated ``nginx-headers.conf``;
a partner page on another origin (another port) frames it.  The embed map renders; any
other page is refused; the "Embed this map" preview renders.  Then the partner's
quick-exit script: Shift pressed three times inside the frame replaces the partner's
whole page, and Back does not return to it.

Issue 19: the deploy docs' headers refused every frame, and Shift×3 inside a frame
blanked only the frame, leaving the partner's page about trafficking services on screen.
"""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import header_rules
import pytest
from browserkit import StaticServer

NEUTRAL_HTML = "<!DOCTYPE html><html lang='en'><title>Weather</title><h1>Weather</h1></html>"
SANDBOX = (
    "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox "
    "allow-top-navigation-by-user-activation"
)


@pytest.fixture(scope="module", params=["_headers", "nginx"])
def served(request, site_dir):
    """The built site behind a host that applies the generated header files."""
    if request.param == "nginx":
        if header_rules.nginx_binary() is None:
            message = "nginx is not installed (apt-get install nginx-light)"
            if header_rules.require_nginx():
                pytest.fail(message + " — WAYSTATION_REQUIRE_NGINX=1 requires it")
            pytest.skip(message)
        server = header_rules.NginxServer(site_dir)
    else:
        server = header_rules.HeaderServer(site_dir)
    yield server.url
    server.close()


def _listing(site_dir: Path) -> str:
    ids = sorted(p.parent.name for p in site_dir.glob("providers/*/index.html"))
    return f"/providers/{ids[0]}/"


@pytest.fixture
def partner(tmp_path):
    """Pages of a partner site on 127.0.0.1 at another port: ``make(name, body)``."""
    servers = []
    stack = contextlib.ExitStack()

    def make(name: str, body: str) -> str:
        (tmp_path / name).write_text(
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>Partner: {name}</title></head><body><h1>Partner site</h1>{body}</body></html>",
            encoding="utf-8",
        )
        if not servers:
            servers.append(stack.enter_context(StaticServer(tmp_path)))
        return f"{servers[0].url}/{name}"

    with stack:
        yield make


def _frame(src: str) -> str:
    return (
        f"<iframe id='framed' src='{src}' title='Map' width='900' height='700' "
        f"referrerpolicy='no-referrer' sandbox='{SANDBOX}'></iframe>"
    )


def _framed_content(page) -> str:
    """The framed document's heading text, "" when the browser refused the frame."""
    frame = page.frame_locator("#framed")
    inner = next((f for f in page.frames if f != page.main_frame), None)
    if inner is None or inner.url.startswith("chrome-error:"):
        return ""
    try:
        return frame.locator("h1").first.inner_text(timeout=3000)
    except Exception:  # noqa: BLE001 - a refused frame has no heading to read
        return ""


def test_the_embed_renders_in_a_partner_page(new_page, served, partner):
    url = partner("embed.html", _frame(served + "/embed/map/?states=IL,IN"))
    page = new_page(width=1024, height=900)
    page.goto(url)
    frame = page.frame_locator("#framed")
    frame.locator("#map-app[data-ready='true']").wait_for()
    assert frame.locator("#map-results li").count() >= 1
    # Several preset states are named in the filter, not "Any state".
    first = frame.locator("#map-filter-state option").first.inner_text()
    assert "Illinois" in first and "Indiana" in first and "Any state" not in first


def test_the_spanish_embed_renders_in_a_partner_page(new_page, served, partner):
    url = partner("embed-es.html", _frame(served + "/es/embed/map/?states=IL,IN"))
    page = new_page(width=1024, height=900)
    page.goto(url)
    frame = page.frame_locator("#framed")
    frame.locator("#map-app[data-ready='true']").wait_for()
    assert frame.locator("#map-filter-state option").first.inner_text().startswith("Cualquiera de")


@pytest.mark.parametrize("address", ["LISTING", "/es/", "/embed/"])
def test_any_other_page_is_refused_in_a_frame(new_page, served, partner, site_dir, address):
    target = _listing(site_dir) if address == "LISTING" else address
    url = partner("other.html", _frame(served + target))
    page = new_page(width=1024, height=900)
    page.goto(url)
    page.wait_for_timeout(500)
    assert _framed_content(page) == ""


def test_without_the_headers_the_same_page_would_be_framed(new_page, site_url, partner, site_dir):
    """The control: what refuses the frames above is the header files, nothing else."""
    url = partner("control.html", _frame(site_url + _listing(site_dir)))
    page = new_page(width=1024, height=900)
    page.goto(url)
    page.frame_locator("#framed").locator("h1").first.wait_for()
    assert _framed_content(page) != ""


def test_the_builder_preview_renders_on_the_site_itself(new_page, served):
    page = new_page(width=1024, height=900)
    page.goto(served + "/embed/?states=IL,IN&zoom=6")
    preview = page.frame_locator("#embed-preview-frame")
    preview.locator("#map-app[data-ready='true']").wait_for()
    chosen = page.eval_on_selector(
        "#embed-states", "s => Array.from(s.selectedOptions).map(o => o.value)"
    )
    assert chosen == ["IL", "IN"]
    assert "states=IL,IN" in page.input_value("#embed-code")
    assert "zoom=6" in page.input_value("#embed-code")


def _exit_route(page, exit_url: str) -> None:
    page.route(
        re.compile("^" + re.escape(exit_url)),
        lambda route: route.fulfill(status=200, content_type="text/html", body=NEUTRAL_HTML),
    )


def _press_shift_three_times_inside(page) -> None:
    frame = page.frame_locator("#framed")
    frame.locator("#map-app[data-ready='true']").wait_for()
    frame.locator("#map-filter-service").focus()
    for _ in range(3):
        page.keyboard.press("Shift")


def test_shift_three_times_in_the_frame_replaces_the_partner_page(
    new_page, served, partner, site_settings
):
    exit_url = site_settings["EXIT_URL"]
    script = (
        f"<script src='{served}/theme/js/embed-quick-exit.js' "
        "referrerpolicy='no-referrer' defer></script>"
    )
    start = partner("start.html", "<p>Earlier page of the partner site.</p>")
    url = partner("with-script.html", _frame(served + "/embed/map/") + script)
    page = new_page(width=1024, height=900)
    _exit_route(page, exit_url)
    page.goto(start)
    page.goto(url)
    _press_shift_three_times_inside(page)
    page.wait_for_url(re.compile("^" + re.escape(exit_url)))
    assert page.locator("h1").inner_text() == "Weather"
    page.go_back()
    page.wait_for_load_state()
    # The partner's page is gone from the history: Back lands on the page before it.
    assert page.url == start


def test_without_the_partner_script_shift_three_times_leaves_only_the_frame(
    new_page, served, partner, site_settings
):
    """What docs/embedding.md warns about: the partner page stays on screen."""
    exit_url = site_settings["EXIT_URL"]
    url = partner("without-script.html", _frame(served + "/embed/map/"))
    page = new_page(width=1024, height=900)
    _exit_route(page, exit_url)
    page.goto(url)
    _press_shift_three_times_inside(page)
    inner = next(f for f in page.frames if f != page.main_frame)
    page.wait_for_function("() => true")
    for _ in range(50):
        if inner.url.startswith(exit_url):
            break
        page.wait_for_timeout(100)
    assert inner.url.startswith(exit_url)
    assert page.url == url
    assert page.locator("h1").inner_text() == "Partner site"


def test_the_partner_script_ignores_messages_from_other_origins(
    new_page, served, partner, site_settings
):
    script = (
        f"<script src='{served}/theme/js/embed-quick-exit.js' "
        "referrerpolicy='no-referrer' defer></script>"
    )
    url = partner("forged.html", script)
    page = new_page(width=1024, height=900)
    page.goto(url)
    page.wait_for_load_state()
    # A message from the partner's own origin (or any other): not the directory's.
    page.evaluate(
        "() => window.postMessage({waystation: 'quick-exit', url: 'https://evil.example/'}, '*')"
    )
    page.wait_for_timeout(300)
    assert page.url == url
    assert page.locator("h1").inner_text() == "Partner site"
