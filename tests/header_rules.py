"""Hosts that apply the generated header files, for the tests (importable as ``header_rules``).

Written from the hosts' documentation, not from ``waystation/build/headers.py``, so the
tests check the generated files the way a host reads them:

- :func:`parse` reads a ``_headers`` file (Netlify and Cloudflare Pages syntax: a URL
  pattern on its own line, ``*`` matching anything, ``:name`` one path segment; indented
  ``Name: value`` lines under it; ``#`` comments);
- :func:`cloudflare` gives a path's headers as Cloudflare Pages does (every matching
  rule applies; a header named by several is sent once with the values joined by ", ");
  :func:`netlify` as Netlify does (every matching rule applies; for a header named by
  several, the last rule's value wins);
- :class:`HeaderServer`: a static server of a built site on 127.0.0.1 that sends, with
  every answer (404s included), the headers Cloudflare Pages would send;
- :class:`NginxServer`: Debian's nginx serving a built site on 127.0.0.1 with the
  generated ``nginx-headers.conf`` included in its ``server`` block, as docs/deploy.md
  says (``nginx_binary()`` is None when nginx is not installed).
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlsplit

Rule = tuple[str, list[tuple[str, str]]]


def parse(text: str) -> list[Rule]:
    rules: list[Rule] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            rules.append((line.strip(), []))
            continue
        if not rules:
            raise ValueError(f"_headers:{number}: a header before any URL pattern")
        name, sep, value = line.strip().partition(":")
        if not sep or not name.strip() or name.strip().startswith("!"):
            raise ValueError(f"_headers:{number}: not 'Name: value': {line!r}")
        rules[-1][1].append((name.strip(), value.strip()))
    return rules


def _pattern(pattern: str) -> re.Pattern:
    parts = re.split(r"(\*|:[A-Za-z]\w*)", pattern)
    regex = "".join(
        ".*" if part == "*" else "[^/]+" if part.startswith(":") else re.escape(part)
        for part in parts
    )
    return re.compile(regex)


def matching(rules: list[Rule], path: str) -> list[Rule]:
    return [rule for rule in rules if _pattern(rule[0]).fullmatch(path)]


def cloudflare(rules: list[Rule], path: str) -> dict[str, str]:
    found: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for _, headers in matching(rules, path):
        for name, value in headers:
            names.setdefault(name.lower(), name)
            found.setdefault(name.lower(), []).append(value)
    return {names[key]: ", ".join(values) for key, values in found.items()}


def netlify(rules: list[Rule], path: str) -> dict[str, str]:
    found: dict[str, tuple[str, str]] = {}
    for _, headers in matching(rules, path):
        for name, value in headers:
            found[name.lower()] = (name, value)
    return dict(found.values())


class _Handler(http.server.SimpleHTTPRequestHandler):
    rules: list[Rule] = []

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass

    def end_headers(self):
        path = unquote(urlsplit(self.path).path)
        for name, value in cloudflare(self.rules, path).items():
            self.send_header(name, value)
        super().end_headers()

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        return None


class HeaderServer:
    """A built site on 127.0.0.1 (random port) with its ``_headers`` applied."""

    def __init__(self, folder: Path):
        rules = parse((Path(folder) / "_headers").read_text(encoding="utf-8"))
        handler = type("Handler", (_Handler,), {"rules": rules})
        self.httpd = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(handler, directory=str(folder))
        )
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


NGINX_CONF = """\
worker_processes 1;
{user}
pid {run}/nginx.pid;
error_log {run}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {run}/body;
    proxy_temp_path {run}/proxy;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        index index.html;
        error_page 404 /404.html;
        include {root}/nginx-headers.conf;
        location / {{
            try_files $uri $uri/ =404;
        }}
    }}
}}
"""


class NginxServer:
    """Debian's nginx serving ``folder`` on 127.0.0.1 with its generated snippet."""

    def __init__(self, folder: Path):
        binary = nginx_binary()
        if binary is None:
            raise RuntimeError("nginx is not installed")
        self.run = Path(tempfile.mkdtemp(prefix="waystation-nginx-"))
        port = _free_port()
        conf = self.run / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                user="user root;" if os.geteuid() == 0 else "",
                run=self.run,
                port=port,
                root=Path(folder).resolve(),
            ),
            encoding="utf-8",
        )
        self.process = subprocess.Popen(
            [binary, "-p", str(self.run), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 10
        while True:
            if self.process.poll() is not None:
                output = self.process.stdout.read().decode(errors="replace")
                raise RuntimeError(f"nginx did not start:\n{output}")
            try:
                urllib.request.urlopen(self.url + "/", timeout=1).close()
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.monotonic() > deadline:
                    self.close()
                    raise RuntimeError("nginx did not answer within 10 s") from None
                time.sleep(0.05)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()
        shutil.rmtree(self.run, ignore_errors=True)


def fetch_headers(url: str) -> tuple[int, dict[str, str]]:
    """``(status, {lower-case name: value})`` of a GET (404s included)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}


def directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy as ``{directive: [sources]}``."""
    found: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            found[words[0].lower()] = words[1:]
    return found


def require_nginx() -> bool:
    """CI sets WAYSTATION_REQUIRE_NGINX=1: a missing nginx then fails the tests."""
    return os.environ.get("WAYSTATION_REQUIRE_NGINX") == "1"
