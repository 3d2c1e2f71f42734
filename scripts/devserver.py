"""Rebuild the site whenever a listing, page, template or setting changes, and serve it.

Pelican's own ``--autoreload`` watches only ``content/``, the theme and the
settings file; listings live in ``providers/``, so this watches those too.
Each rebuild runs Pelican in a fresh process with its caches on, so the build is
incremental (``waystation/build/incremental.py``): an edit re-reads only the changed
listing file, renders only the pages whose inputs changed, and writes only files whose
bytes changed.  The server keeps serving the output folder while a rebuild runs: each
page is served as soon as it is written, before the search index and the exports
(post-build steps) are done; "pages written" is printed at that point.

    python scripts/devserver.py [--port 8000] [--output output] [--settings pelicanconf.py]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import watchfiles

ROOT = Path(__file__).resolve().parent.parent
WATCHED = ("content", "theme", "providers", "waystation/data", "waystation/locale",
           "pelicanconf.py", "geocode-cache.json")  # fmt: skip


def build(output: str, settings: str) -> bool:
    """One incremental build; prints when the pages are written and when it is done."""
    cmd = [sys.executable, "-m", "pelican", "content", "-o", output, "-s", settings, "-v"]
    started = time.perf_counter()
    env = {**os.environ, "COLUMNS": "1000"}  # one log record a line: no wrapping
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if "pages in" in line and "unchanged" in line:
            print(f"pages written ({time.perf_counter() - started:.1f} s): being served now")
        elif "INFO" not in line and "Writing" not in line and "Copying" not in line:
            print(line, end="")
    proc.wait()
    outcome = "done" if proc.returncode == 0 else "FAILED: fix the messages above"
    print(f"build {outcome} ({time.perf_counter() - started:.1f} s)")
    return proc.returncode == 0


def serve(output: str, port: int) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(ROOT / output))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"serving {output}/ on http://127.0.0.1:{port}/ (Ctrl-C to stop)")
    return server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--output", default="output")
    parser.add_argument("--settings", default="pelicanconf.py")
    args = parser.parse_args()
    build(args.output, args.settings)
    try:
        server = serve(args.output, args.port)
    except OSError as error:
        print(f"cannot serve on port {args.port} ({error.strerror}): try --port 8001")
        return 1
    paths = [str(ROOT / p) for p in WATCHED if (ROOT / p).exists()]
    try:
        for changes in watchfiles.watch(*paths):
            names = sorted({Path(path).name for _change, path in changes})
            print(f"changed: {', '.join(names[:5])}{' …' if len(names) > 5 else ''}")
            build(args.output, args.settings)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
