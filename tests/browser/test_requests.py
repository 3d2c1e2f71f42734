"""No request leaves 127.0.0.1 except map tiles; no cookie, no storage.

Every kind of page (one of each folder shape, in every language) is opened with
JavaScript on, scrolled, and (where there is a search box) searched; Playwright's
request log must show only 127.0.0.1 and the configured tile server.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browserkit import off_site_requests


def representative_pages(site_dir: Path) -> list[str]:
    """One page of each kind: the first .html file of each (folder pattern, depth)."""
    seen: dict[tuple, str] = {}
    for path in sorted(site_dir.rglob("*.html")):
        rel = path.relative_to(site_dir).as_posix()
        if rel.startswith("theme/") or "/vendor/" in rel:
            continue
        parts = rel.split("/")
        lang = (
            parts[0] if len(parts[0]) == 2 and (site_dir / parts[0] / "index.html").exists() else ""
        )
        rest = parts[1:] if lang else parts
        key = (lang, rest[0] if len(rest) > 1 else rest[-1], len(rest))
        seen.setdefault(key, rel)
    pages = []
    for rel in sorted(seen.values()):
        pages.append("/" + (rel[: -len("index.html")] if rel.endswith("index.html") else rel))
    return pages


def test_representative_pages_cover_the_site(site_dir):
    pages = representative_pages(site_dir)
    assert "/" in pages and "/es/" in pages
    assert any(p.startswith("/providers/") for p in pages)
    assert any(p.startswith("/es/providers/") for p in pages)


def test_no_third_party_request_cookie_or_storage(new_page, site_url, site_dir, tile_origin):
    """One browsing session through every kind of page, as a visitor would have."""
    problems = []
    page = new_page()
    for path in representative_pages(site_dir):
        start_log, start_console = len(page.request_log), len(page.console_log)
        page.goto(site_url + path)
        page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
        search = page.locator('input[type="search"]')
        if search.count() and search.first.is_visible():
            search.first.fill("legal")
            page.wait_for_timeout(300)
        page.wait_for_load_state("networkidle")
        visited = page.request_log[start_log:]
        for url in off_site_requests(_Log(visited), tile_origin):
            problems.append(f"{path}: request to {url}")
        stored = page.evaluate(
            "() => [localStorage.length, sessionStorage.length, document.cookie]"
        )
        if stored != [0, 0, ""]:
            problems.append(f"{path}: storage used {stored}")
        blocked = [m for m in page.console_log[start_console:] if "Content Security Policy" in m]
        if blocked:
            problems.append(f"{path}: the page's own policy blocked something: {blocked}")
    cookies = page.context.cookies()
    if cookies:
        problems.append(f"cookies were set: {cookies}")
    assert len(page.request_log) > len(representative_pages(site_dir))
    assert not problems, "\n".join(problems)


class _Log:
    def __init__(self, urls):
        self.request_log = urls


@pytest.mark.parametrize("path", ["/", "/es/"])
def test_request_log_sees_everything(new_page, site_url, path):
    """The log is not empty: the page, its stylesheet and the quick-exit script are in it."""
    page = new_page()
    page.goto(site_url + path)
    page.wait_for_load_state("networkidle")
    assert any(url.endswith("/css/site.css") for url in page.request_log)
    assert any(url.endswith("/js/quick-exit.js") for url in page.request_log)
