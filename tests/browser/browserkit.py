"""Helpers for the browser tests (importable as ``browserkit``; the fixtures are in conftest)."""

from __future__ import annotations

import base64
import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import urlsplit

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
# A 1x1 transparent PNG: what every "tile" is in tests.
TILE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.hostname == "127.0.0.1"


def off_site_requests(page, tile_origin: str = "", tiles: bool = False) -> list[str]:
    """Requests of ``page`` that left 127.0.0.1 (tile requests only if ``tiles``)."""
    found = []
    for url in page.request_log:
        if is_local(url):
            continue
        if tile_origin and url.startswith(tile_origin + "/") and not tiles:
            continue
        found.append(url)
    return found


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, with the site's 404 page for unknown paths; no logging."""

    def log_message(self, format, *args):  # noqa: A002 - signature from the base class
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def send_error(self, code, message=None, explain=None):
        if code != 404:
            return super().send_error(code, message, explain)
        root = Path(self.directory)
        lang_dir = self.path.lstrip("/").split("/", 1)[0]
        candidates = [root / lang_dir / "404.html", root / "404.html"] if lang_dir else []
        candidates.append(root / "404.html")
        for page in candidates:
            if page.is_file():
                body = page.read_bytes()
                self.send_response(404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)
                return None
        return super().send_error(code, message, explain)


class StaticServer:
    """A threaded static HTTP server of one folder on 127.0.0.1, random port."""

    def __init__(self, directory: Path):
        handler = functools.partial(_SiteHandler, directory=str(directory))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> StaticServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
