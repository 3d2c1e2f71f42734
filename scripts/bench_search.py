#!/usr/bin/env python3
"""Benchmark: search on a synthetic site of N listings (``make bench-search``).

    python scripts/bench_search.py --count 10000 [--seed 1] [--repeat 3] [--work DIR] [--reuse]

1. writes N synthetic listings (scripts/generate_synthetic.py) into the work
   folder (default .bench/search-N) and builds the site with the real
   ``pelican`` command and this project's pelicanconf.py;
2. indexes the same pages ``--repeat`` times each, alternately: Pagefind's own
   crawl (``python -m pagefind --site OUTPUT`` into a scratch folder) and
   Waystation's step (:func:`waystation.search.pagefind.index_site`: the
   ``pagefind`` command over the listing pages only); prints the median of each and
   the ratio (Waystation / Pagefind; the budget is <= 1);
3. times :func:`waystation.search.data.write_search_data` (median);
4. serves the output from 127.0.0.1 with gzip (as any static host does) and, in
   headless Debian Chromium, runs a ZIP + service search for several ZIP codes,
   each in a fresh browser context (cold cache): sums the bytes transferred
   (compressed bodies + headers, every request of the page: HTML, CSS, JS, data)
   and reads the page's performance marks ``search-data-ready`` ->
   ``search-results-rendered`` (the time from the listing data arriving to the
   results on screen).  Prints medians and maxima against the budgets
   (150 KB, 300 ms).

If the search is not yet wired into the site build (the post-build steps in
waystation/build/postbuild.py, the search pages in the site plan, the search_meta
partial in listing.html), the benchmark wires it itself for its own build, the
way docs/search.md tells the site to, and says so.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import json
import os
import runpy
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TODAY = "2026-12-01"
BUDGET_BYTES = 150 * 1024
BUDGET_MS = 300.0
#: ZIP code and service of each measured search: big cities in the biggest states.
SEARCHES = (
    ("78205", "case-management"),  # San Antonio, TX
    ("90012", "legal-immigration"),  # Los Angeles, CA
    ("10001", "emergency-shelter"),  # New York, NY
    ("60601", "mental-health"),  # Chicago, IL
    ("33130", "crisis-hotline"),  # Miami, FL
)
COMPRESSIBLE = {".html", ".css", ".js", ".json", ".svg", ".txt", ".xml"}

# ---- building the site -------------------------------------------------------------

WIRING = """
import sys
from pathlib import Path
sys.path.insert(0, {root!r})
from waystation.build import postbuild
from waystation.search import page as search_page
from waystation.build import plan as build_plan
steps = list(postbuild.STEPS)
wired = any("search_data" in s for s in steps)
if not wired:
    csp = [s for s in steps if "csp" in s]
    steps = [s for s in steps if "csp" not in s]
    steps += ["waystation.search.pagefind:build_pagefind_index",
              "waystation.search.data:write_search_data"] + csp
    postbuild.STEPS = tuple(steps)
    original = build_plan.plan
    def plan(directory):
        data, pages = original(directory)
        if not any(p.template == "search.html" for p in pages):
            pages.extend(search_page.pages(data))
        return data, pages
    build_plan.plan = plan
import pelican
pelican.main(sys.argv[1:])
"""


def theme_with_search(work: Path) -> tuple[Path, bool]:
    """The theme to build with, and whether the benchmark had to wire search into it."""
    listing = ROOT / "theme" / "templates" / "listing.html"
    if "search_block()" in listing.read_text(encoding="utf-8"):
        return ROOT / "theme", False
    theme = work / "theme"
    if theme.exists():
        shutil.rmtree(theme)
    shutil.copytree(ROOT / "theme", theme)
    page = theme / "templates" / "listing.html"
    text = page.read_text(encoding="utf-8")
    include = '{% block content %}\n{% include "partials/search_meta.html" %}'
    text = text.replace("{% block content %}", include, 1)
    page.write_text(text, encoding="utf-8")
    return theme, True


def build(work: Path, count: int, seed: int) -> tuple[Path, float]:
    providers = work / "providers"
    if providers.exists():
        shutil.rmtree(providers)
    generate = runpy.run_path(str(ROOT / "scripts" / "generate_synthetic.py"))["generate"]
    generate(count, seed=seed, out_dir=providers)
    theme, wired_here = theme_with_search(work)
    output = work / "output"
    if output.exists():
        shutil.rmtree(output)
    settings = {
        "PROVIDERS_PATH": str(providers),
        "CACHE_PATH": str(work / "cache"),
        "LOAD_CONTENT_CACHE": False,
    }
    command = [sys.executable, "-c", WIRING.format(root=str(ROOT)), "content", "-o", str(output)]
    command += ["-s", str(ROOT / "pelicanconf.py"), "-t", str(theme), "-e"]
    command += [f"{k}={json.dumps(v)}" for k, v in sorted(settings.items())]
    env = {**os.environ, "WAYSTATION_TODAY": TODAY, "PYTHONHASHSEED": "0"}
    if wired_here:
        print("note: search is not wired into the site yet; the benchmark wires it for its build")
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if proc.returncode != 0 or not (output / "search" / "index.html").is_file():
        sys.exit(f"the site build failed:\n{(proc.stdout + proc.stderr)[-4000:]}")
    return output, seconds


# ---- indexing ----------------------------------------------------------------------


def time_pagefind_cli(site: Path) -> float:
    scratch = Path(tempfile.mkdtemp(prefix="pagefind-cli-"))
    try:
        command = [sys.executable, "-m", "pagefind", "--site", str(site)]
        command += ["--output-path", str(scratch / "pagefind")]
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        return time.perf_counter() - started
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def time_waystation_index(site: Path, settings: dict) -> tuple[float, int]:
    from waystation.search import pagefind as pagefind_index

    started = time.perf_counter()
    pages = pagefind_index.index_site(site, pagefind_index.listing_glob(settings))
    return time.perf_counter() - started, pages


def time_search_data(work: Path, output: Path, settings: dict, repeat: int) -> list[float]:
    import datetime as dt

    from waystation.directory import build_directory
    from waystation.search import data as search_data

    values = dict(settings, PROVIDERS_PATH=str(work / "providers"))
    directory = build_directory(values, ROOT, dt.date.fromisoformat(TODAY), with_history=False)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        search_data.write_search_data(directory, output, values)
        times.append(time.perf_counter() - started)
    return times


# ---- the browser -------------------------------------------------------------------


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files; text gzipped when the browser accepts it, like a static host."""

    def log_message(self, format, *args):  # noqa: A002
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if (
            path.suffix in COMPRESSIBLE
            and path.is_file()
            and "gzip" in self.headers.get("Accept-Encoding", "")
        ):
            body = gzip.compress(path.read_bytes(), 6, mtime=0)
            self.send_response(200)
            self.send_header("Content-Type", self.guess_type(str(path)))
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)
        return super().send_head()


def measure_browser(site: Path, repeat: int) -> list[dict]:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(GzipHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    runs = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
                headless=True,
            )
            for _ in range(repeat):
                for code, service in SEARCHES:
                    context = browser.new_context(service_workers="block")
                    page = context.new_page()
                    requests = []
                    page.on("requestfinished", lambda request, log=requests: log.append(request))
                    page.goto(f"{base}/search/?near={code}&service={service}")
                    page.wait_for_selector("#search-app[data-state=done]", state="attached")
                    timing, render = page.evaluate(
                        """() => {
                          const at = (n) => performance.getEntriesByName(n)[0].startTime;
                          const shown = at('search-results-rendered');
                          const rows = at('search-data-ready');
                          return [shown - rows, shown - at('search-cards-ready')];
                        }"""
                    )
                    total = 0
                    for request in requests:
                        sizes = request.sizes()
                        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
                    shown = page.locator("#search-list-near > li").count()
                    runs.append(
                        {
                            "zip": code,
                            "bytes": total,
                            "ms": timing,
                            "render": render,
                            "requests": len(requests),
                            "shown": shown,
                        }  # fmt: skip
                    )
                    context.close()
            browser.close()
    finally:
        server.shutdown()
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, help="work folder (default .bench/search-N)")
    parser.add_argument("--reuse", action="store_true", help="reuse the work folder's build")
    parser.add_argument(
        "--browser-only", action="store_true", help="skip the indexing timings (with --reuse)"
    )
    args = parser.parse_args()
    work = (args.work or ROOT / ".bench" / f"search-{args.count}").resolve()
    work.mkdir(parents=True, exist_ok=True)
    output = work / "output"
    from waystation import settings as settings_mod

    settings = settings_mod.load(ROOT / "pelicanconf.py")
    if args.reuse and (output / "search" / "index.html").is_file():
        print(f"reusing the build in {output}")
    else:
        print(f"building {args.count} synthetic listings into {output} …", flush=True)
        output, seconds = build(work, args.count, args.seed)
        print(f"site build: {seconds:.1f} s")
    if not args.browser_only:
        measure_indexing(work, output, settings, args.repeat)
    measure_searches(output, args.repeat)
    return 0


def measure_indexing(work: Path, output: Path, settings: dict, repeat: int) -> None:
    pages = sum(1 for _ in output.rglob("*.html"))
    cli, ours, indexed = [], [], 0
    for _ in range(repeat):
        cli.append(time_pagefind_cli(output))
        seconds, indexed = time_waystation_index(output, settings)
        ours.append(seconds)
    data = time_search_data(work, output, settings, repeat)
    cli_median, ours_median = statistics.median(cli), statistics.median(ours)
    print(f"pages in the site: {pages}; listing pages indexed: {indexed}")
    print(f"Pagefind's own crawl (pagefind --site): median {cli_median:.2f} s  {fmt(cli)}")
    print(f"Waystation index step (listing pages): median {ours_median:.2f} s  {fmt(ours)}")
    verdict = "OK" if ours_median <= cli_median else "OVER BUDGET"
    ratio = ours_median / cli_median
    print(f"ratio Waystation / Pagefind crawl: {ratio:.2f} ({verdict}, budget <= 1)")
    print(f"search data step: median {statistics.median(data):.2f} s  {fmt(data)}")


def measure_searches(output: Path, repeat: int) -> None:
    runs = measure_browser(output, repeat)
    for run in runs:
        print(
            f"  ZIP {run['zip']}: {run['bytes'] / 1024:.1f} KB in {run['requests']} requests, "
            f"{run['ms']:.1f} ms listing rows -> results, {run['render']:.1f} ms last card "
            f"file -> results ({run['shown']} shown)"
        )
    sizes = [r["bytes"] for r in runs]
    times = [r["ms"] for r in runs]
    renders = [r["render"] for r in runs]
    print(
        f"transfer (compressed, whole page): median {statistics.median(sizes) / 1024:.1f} KB, "
        f"max {max(sizes) / 1024:.1f} KB (budget {BUDGET_BYTES // 1024} KB: "
        f"{'OK' if max(sizes) <= BUDGET_BYTES else 'OVER'})"
    )
    print(
        f"last data arrived (cards) -> results shown: median {statistics.median(renders):.1f} ms, "
        f"max {max(renders):.1f} ms (budget {BUDGET_MS:.0f} ms: "
        f"{'OK' if max(renders) <= BUDGET_MS else 'OVER'})"
    )
    print(
        f"listing rows arrived -> results shown (incl. fetching the cards): "
        f"median {statistics.median(times):.1f} ms, max {max(times):.1f} ms"
    )


def fmt(values: list[float]) -> str:
    return "[" + ", ".join(f"{v:.2f}" for v in values) + "]"


if __name__ == "__main__":
    raise SystemExit(main())
