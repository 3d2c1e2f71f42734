#!/usr/bin/env python3
"""Benchmark: a search on a cheap phone (``make bench-phone``).

    python scripts/bench_phone.py [--count 10000] [--repeat 5] [--seed 1] [--work DIR] [--reuse]

What a survivor on a cheap Android phone waits for: on the home page, at 360×740, type
a ZIP code, choose "Legal help" and press Search; the time until the first result is
painted on the search page, and the bytes that crossed the network for it.

Headless Debian Chromium through Playwright, every run in a fresh browser context
(cold cache), throttled through the DevTools protocol like Chrome's "Slow 4G" preset
with a low-end phone's CPU:

- ``Emulation.setCPUThrottlingRate`` rate 4 (4× slower CPU);
- ``Network.emulateNetworkConditions``: 562.5 ms round trip, 180,000 B/s down,
  84,375 B/s up (DevTools' "Slow 4G": 150 ms × 3.75, 1.6 Mb/s × 0.9, 750 kb/s × 0.9).

The site is served from 127.0.0.1 with gzip, as a static host serves it
(``scripts/bench_search.py``'s handler).  Two sites are measured in the same
invocation: the sample directory (``providers/``, the reference) and N synthetic
listings (``scripts/generate_synthetic.py``, built with the real ``pelican`` command
as ``make bench-search`` does).  For each: the median and maximum of ``--repeat`` runs
of each search, and the ratio of the synthetic site's median to the sample's.

Timing: the moment of the click (``Date.now()`` in the home page, just before Playwright
clicks) to the first result painted (a MutationObserver on the result lists, then the
start of the next animation frame after the one that drew it, in the search page, as
``performance.timeOrigin + performance.now()``): navigation, the search page's HTML,
CSS and scripts, the ZIP code's file, the state's rows and the first cards.  Bytes:
every response after the click (bodies as transferred, plus headers).

Budgets (issue 16): under 2 s and under 150 KB at 10,000 listings.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import runpy
import shutil
import statistics
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_SEARCH = runpy.run_path(str(ROOT / "scripts" / "bench_search.py"), run_name="bench_search")
BUDGET_MS = 2000.0
BUDGET_BYTES = 150 * 1024
#: DevTools' "Slow 4G" preset.
SLOW_4G = {
    "offline": False,
    "latency": 562.5,
    "downloadThroughput": 180_000,
    "uploadThroughput": 84_375,
}
CPU_SLOWDOWN = 4
#: (ZIP code, service group) of each measured search (each has results in the sample:
#: a national listing offers legal and crisis help).
SEARCHES = (("60623", "legal-help"), ("78205", "crisis-help"), ("10001", "legal-help"))

#: Added to every document before its own scripts (an init script: not subject to the
#: page's Content-Security-Policy); on the search page it notes when the first result is
#: painted.
WATCH_FIRST_PAINT = """
window.__firstResultPainted = null;
document.addEventListener('DOMContentLoaded', () => {
  if (!location.pathname.includes('/search/')) return;
  const lists = ['search-list-near', 'search-list-area']
    .map((id) => document.getElementById(id)).filter(Boolean);
  const seen = () => lists.some((list) => list.firstElementChild);
  const record = () => requestAnimationFrame(() => requestAnimationFrame(() => {
    window.__firstResultPainted = performance.timeOrigin + performance.now();
  }));
  if (seen()) { record(); return; }
  const observer = new MutationObserver(() => {
    if (seen()) { observer.disconnect(); record(); }
  });
  lists.forEach((list) => observer.observe(list, {childList: true}));
});
"""


def build_sample(work: Path) -> Path:
    """The sample site (providers/), built with this project's pelicanconf.py."""
    output = work / "sample-output"
    command = [sys.executable, "-m", "pelican", "content", "-o", str(output)]
    command += ["-s", str(ROOT / "pelicanconf.py"), "-e", f'CACHE_PATH="{work / "cache"}"']
    command += ["LOAD_CONTENT_CACHE=false"]
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not (output / "search" / "index.html").is_file():
        sys.exit(f"the sample build failed:\n{(proc.stdout + proc.stderr)[-4000:]}")
    return output


def throttle(context, page) -> None:
    client = context.new_cdp_session(page)
    client.send("Network.enable")
    client.send("Network.emulateNetworkConditions", SLOW_4G)
    client.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})


def one_run(browser, base: str, code: str, group: str) -> dict:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, service_workers="block", is_mobile=True
    )
    context.add_init_script(WATCH_FIRST_PAINT)
    page = context.new_page()
    throttle(context, page)
    page.goto(base + "/")
    page.fill("#home-near", code)
    page.select_option("#home-need", group)
    finished: list = []
    page.on("requestfinished", lambda request: finished.append(request))
    clicked = page.evaluate("() => Date.now()")
    page.locator(".search-form--home button[type=submit]").click()
    page.wait_for_selector("#search-app[data-state=done]", state="attached", timeout=60_000)
    painted = None
    for _ in range(600):
        painted = page.evaluate("() => window.__firstResultPainted")
        if painted:
            break
        page.wait_for_timeout(100)
    if not painted:
        sys.exit(f"no result was painted for {code} {group} within a minute")
    shown = page.locator("#search-list-near > li, #search-list-area > li").count()
    # Sizes are read once the page is done (not inside the event: it would wait on itself).
    total = 0
    for request in finished:
        sizes = request.sizes()
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    context.close()
    return {"ms": painted - clicked, "bytes": total, "shown": shown, "requests": len(finished)}


def measure(site: Path, repeat: int) -> dict[str, list[dict]]:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(BENCH_SEARCH["GzipHandler"], directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    runs: dict[str, list[dict]] = {f"{c} {g}": [] for c, g in SEARCHES}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
                headless=True,
            )
            for _ in range(repeat):
                for code, group in SEARCHES:
                    runs[f"{code} {group}"].append(one_run(browser, base, code, group))
            browser.close()
    finally:
        server.shutdown()
    return runs


def summary(runs: dict[str, list[dict]]) -> tuple[float, float]:
    all_ms = [r["ms"] for rs in runs.values() for r in rs]
    all_bytes = [r["bytes"] for rs in runs.values() for r in rs]
    for search, rs in runs.items():
        ms = [r["ms"] for r in rs]
        kb = [r["bytes"] / 1024 for r in rs]
        print(
            f"  {search:22} first result painted: median {statistics.median(ms):7.0f} ms "
            f"(max {max(ms):.0f}); transferred: median {statistics.median(kb):6.1f} KB "
            f"(max {max(kb):.1f}); results shown {rs[0]['shown']}"
        )
    return statistics.median(all_ms), statistics.median(all_bytes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="rebuild the sample but reuse the synthetic site an earlier run built in --work "
        "(its static files are copied in again: script and style changes are measured)",
    )
    args = parser.parse_args()
    work = args.work or ROOT / ".bench" / f"phone-{args.count}"
    work.mkdir(parents=True, exist_ok=True)
    print(
        f"Chromium, 360×740, CPU ÷{CPU_SLOWDOWN}, Slow 4G "
        f"({SLOW_4G['latency']} ms, {SLOW_4G['downloadThroughput']} B/s down); "
        f"median of {args.repeat} per search, cold cache"
    )
    synthetic = work / "output"
    if args.reuse and (synthetic / "search").is_dir():
        # The sample is rebuilt (seconds); the synthetic site's listings are kept, its
        # static files copied in again (a template change needs a full run).
        print("building the sample site …", flush=True)
        sample = build_sample(work)
        shutil.copytree(ROOT / "theme" / "static", synthetic / "theme", dirs_exist_ok=True)
        print(f"reusing the {args.count} synthetic listings built in {work}")
    else:
        print("building the sample site …", flush=True)
        sample = build_sample(work)
        print(f"building {args.count} synthetic listings …", flush=True)
        synthetic, seconds = BENCH_SEARCH["build"](work, args.count, args.seed)
        print(f"  (built in {seconds:.0f} s)")
    print("sample directory (reference):")
    ref_ms, ref_bytes = summary(measure(sample, args.repeat))
    print(f"{args.count} synthetic listings:")
    big_ms, big_bytes = summary(measure(synthetic, args.repeat))
    print(
        f"median over all searches: sample {ref_ms:.0f} ms / {ref_bytes / 1024:.1f} KB; "
        f"{args.count} listings {big_ms:.0f} ms / {big_bytes / 1024:.1f} KB "
        f"(ratio {big_ms / ref_ms:.2f} time, {big_bytes / ref_bytes:.2f} bytes)"
    )
    ok = big_ms < BUDGET_MS and big_bytes < BUDGET_BYTES
    print(
        f"budget: < {BUDGET_MS:.0f} ms and < {BUDGET_BYTES // 1024} KB at {args.count} "
        f"listings: {'met' if ok else 'NOT MET'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
