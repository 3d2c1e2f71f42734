"""Browser fixtures: Debian's Chromium driven by Playwright, on a local copy of the site.

Shared by every browser test (theme, search, maps):

- ``chromium_path``: ``/usr/bin/chromium``; the tests skip when it is missing, unless
  ``WAYSTATION_REQUIRE_BROWSER=1`` (CI), where a missing browser FAILS.
- ``site_dir`` / ``site_url``: the session's sample build (``built_site`` from
  ``tests/conftest.py``) served by a static HTTP server on ``127.0.0.1`` at a random
  port.  Unknown paths get the site's ``404.html`` (``es/404.html`` under ``/es/``)
  with status 404, as a static host configured for the site would.
- ``browser``: one Chromium for the session (never a Playwright browser download).
- ``new_page(javascript=True, width=360, height=740)``: a page in a fresh context (no
  shared cookies or storage) whose requests are logged in ``page.request_log`` (URLs),
  console messages in ``page.console_log`` and dialogs (accepted/dismissed at once) in
  ``page.dialogs``.  Nothing reaches the network: requests to the tile server
  (``TILE_URL``) are answered with a local 1x1 PNG, and every other request off
  127.0.0.1 is aborted, but both still appear in ``page.request_log`` so tests can
  assert on them (``browserkit.off_site_requests(page, tile_origin)``).
- ``page``: ``new_page()`` with the defaults.

Routing extra origins (e.g. the quick exit's neutral page) is per test:
``page.route(pattern, handler)`` before navigating.  Plain helpers (``StaticServer``,
``CHROMIUM_ARGS``, ``is_local``, ``off_site_requests``, ``TILE_PNG``) live in
``browserkit.py`` (``from browserkit import ...``), importable from any test.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browserkit import CHROMIUM_ARGS, TILE_PNG, StaticServer, is_local

CHROMIUM = Path("/usr/bin/chromium")
VIEWPORT = {"width": 360, "height": 740}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _require_browser() -> bool:
    return os.environ.get("WAYSTATION_REQUIRE_BROWSER") == "1"


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
        if _require_browser():
            pytest.fail(message + " — WAYSTATION_REQUIRE_BROWSER=1 requires it")
        pytest.skip(message)
    return CHROMIUM


def output_dir_of(built) -> Path:
    """The output folder of a build fixture's result (a path or an object with one)."""
    for attr in ("output", "output_path", "output_dir", "path"):
        value = getattr(built, attr, None)
        if value is not None:
            return Path(value)
    if isinstance(built, dict):
        for key in ("output", "output_path"):
            if key in built:
                return Path(built[key])
    return Path(built)


def settings_of(built) -> dict:
    """The settings a build fixture's result was built with (the sample's if unknown)."""
    settings = getattr(built, "settings", None)
    if isinstance(settings, dict):
        return settings
    from waystation import settings as declared

    root = Path(__file__).resolve().parents[2]
    return declared.load(root / "pelicanconf.py")


@pytest.fixture(scope="session")
def site_dir(built_site) -> Path:
    return output_dir_of(built_site)


@pytest.fixture(scope="session")
def site_settings(built_site) -> dict:
    return settings_of(built_site)


@pytest.fixture(scope="session")
def site_url(site_dir):
    """Base URL (no trailing slash) of the sample site on 127.0.0.1."""
    with StaticServer(site_dir) as server:
        yield server.url


@pytest.fixture(scope="session")
def tile_origin(site_settings) -> str:
    """``scheme://host[:port]`` of the configured tile server ("" if tiles are on-site)."""
    parts = urlsplit(str(site_settings.get("TILE_URL", "")))
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return ""


@pytest.fixture(scope="session")
def playwright_instance(chromium_path):
    from playwright.sync_api import sync_playwright

    manager = sync_playwright()
    instance = manager.start()
    try:
        yield instance
    finally:
        instance.stop()


@pytest.fixture(scope="session")
def browser(playwright_instance, chromium_path):
    browser = playwright_instance.chromium.launch(
        executable_path=str(chromium_path), args=CHROMIUM_ARGS, headless=True
    )
    try:
        yield browser
    finally:
        browser.close()


@pytest.fixture
def new_page(browser, tile_origin):
    """Factory: ``new_page(javascript=True, width=360, height=740)``."""
    contexts = []

    def make(javascript: bool = True, width: int = 360, height: int = 740, **context_options):
        context = browser.new_context(
            viewport={"width": width, "height": height},
            java_script_enabled=javascript,
            service_workers="block",
            **context_options,
        )
        contexts.append(context)
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.request_log = []
        page.console_log = []
        page.dialogs = []
        page.on("request", lambda request: page.request_log.append(request.url))
        page.on("console", lambda message: page.console_log.append(message.text))

        def on_dialog(dialog):
            page.dialogs.append(f"{dialog.type}: {dialog.message}")
            with contextlib.suppress(Exception):  # the page may be gone already
                dialog.dismiss()

        page.on("dialog", on_dialog)

        def route(route):
            url = route.request.url
            if is_local(url):
                route.continue_()
            elif tile_origin and url.startswith(tile_origin + "/"):
                route.fulfill(status=200, content_type="image/png", body=TILE_PNG)
            else:
                route.abort("blockedbyclient")

        context.route("**/*", route)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()
