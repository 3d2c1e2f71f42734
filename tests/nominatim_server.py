"""A local stand-in for Nominatim's ``/search`` endpoint, for tests.

A real threaded HTTP server on 127.0.0.1 and a random port, answering with
JSON in the shape Nominatim returns (``format=json``).  By default it
answers every query with a house-level match a few hundred metres from the
centre of the ZIP code found in the query (from the ``zipcodes`` data), or
with ``[]`` when the query has no known ZIP.  Tests script the next
requests with :meth:`NominatimServer.script`, one :class:`Reply` per
request, in order:

* ``Reply("delay", delay=2)``: answer normally after 2 s (a timeout);
* ``Reply("429", retry_after=3)``: HTTP 429 with ``Retry-After: 3``;
* ``Reply("500")``: HTTP 500;
* ``Reply("malformed")``: HTTP 200 with a body that is not JSON;
* ``Reply("wrong_city", lat=.., lon=..)``: a match somewhere else;
* ``Reply("area")``: a match of a whole town, not the street;
* ``Reply("empty")``: ``[]`` (nothing found).

Every request is recorded (arrival time, query, User-Agent) in
:attr:`NominatimServer.requests`.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from waystation.gazetteer import centres

LICENCE = "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright"


@dataclass
class Reply:
    kind: str = "ok"
    delay: float = 0.0
    retry_after: int | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass
class Request:
    time: float
    path: str
    query: str
    params: dict[str, str]
    user_agent: str


@dataclass
class NominatimServer:
    default: Reply = field(default_factory=Reply)
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._script: list[Reply] = []
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._httpd: ThreadingHTTPServer | None = None

    # -- control -----------------------------------------------------------------
    def start(self) -> NominatimServer:
        centres.zip_centre("60601")  # load the ZIP data now, not during the first answer
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                server._handle(self)

            def log_message(self, *args) -> None:
                pass

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        httpd.daemon_threads = True
        httpd.block_on_close = False
        self._httpd = httpd
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> NominatimServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None
        return self._httpd.server_address[1]

    @property
    def domain(self) -> str:
        return f"127.0.0.1:{self.port}"

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._script.extend(replies)

    def queries(self) -> list[str]:
        with self._lock:
            return [r.query for r in self.requests]

    def times(self) -> list[float]:
        with self._lock:
            return [r.time for r in self.requests]

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> bool:
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.requests) >= count, timeout)

    # -- answering ---------------------------------------------------------------
    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        request = Request(
            time=time.monotonic(),
            path=parts.path,
            query=params.get("q", ""),
            params=params,
            user_agent=handler.headers.get("User-Agent", ""),
        )
        with self._arrived:
            self.requests.append(request)
            reply = self._script.pop(0) if self._script else self.default
            self._arrived.notify_all()
        # The client may have given up waiting (a timeout test).
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._respond(handler, parts.path, request.query, reply)

    def _respond(self, handler, path: str, query: str, reply: Reply) -> None:
        if reply.delay:
            time.sleep(reply.delay)
        if path.rstrip("/") != "/search":
            return _send(handler, 404, b'{"error": "not found"}')
        if reply.kind == "429":
            headers = {"Retry-After": str(reply.retry_after)} if reply.retry_after else {}
            return _send(handler, 429, b"Too Many Requests", headers, "text/plain")
        if reply.kind == "500":
            return _send(handler, 500, b"<html>Internal Server Error</html>", {}, "text/html")
        if reply.kind == "malformed":
            return _send(handler, 200, b'[{"place_id": 1, "lat": "41.8', {}, "application/json")
        if reply.kind == "empty":
            return _send(handler, 200, b"[]")
        point = self._point(query, reply)
        if point is None:
            return _send(handler, 200, b"[]")
        rank = 16 if reply.kind == "area" else 30
        return _send(handler, 200, json.dumps([_place(query, point, rank)]).encode())

    @staticmethod
    def _point(query: str, reply: Reply) -> tuple[float, float] | None:
        if reply.lat is not None and reply.lon is not None:
            return (reply.lat, reply.lon)
        if reply.kind == "wrong_city":
            return (39.7990, -89.6440)  # Springfield, IL: a "Main St" is everywhere
        codes = re.findall(r"\b(\d{5})\b", query)
        centre = centres.zip_centre(codes[-1]) if codes else None
        if centre is None:
            return None
        return (centre[0] + 0.002, centre[1] - 0.003)


def _place(query: str, point: tuple[float, float], rank: int) -> dict:
    lat, lon = point
    return {
        "place_id": 297104532,
        "licence": LICENCE,
        "osm_type": "way" if rank == 30 else "relation",
        "osm_id": 5102863,
        "lat": f"{lat:.7f}",
        "lon": f"{lon:.7f}",
        "class": "building" if rank == 30 else "boundary",
        "type": "yes" if rank == 30 else "administrative",
        "place_rank": rank,
        "importance": 0.00000999999999995449,
        "addresstype": "building" if rank == 30 else "city",
        "name": "",
        "display_name": f"{query} (test server)",
        "boundingbox": [f"{lat - 0.0001:.7f}", f"{lat + 0.0001:.7f}", f"{lon - 0.0001:.7f}",
                        f"{lon + 0.0001:.7f}"],
    }  # fmt: skip


def _send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    headers: dict[str, str] | None = None,
    content_type: str = "application/json; charset=utf-8",
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)
    handler.wfile.flush()
