#!/usr/bin/env python3
"""Benchmark: a search on a cheap phone (``make bench-phone``).

    python scripts/bench_phone.py [--count 10000] [--repeat 5] [--seed 1] [--work DIR]
                                  [--reuse] [--only sample|synthetic] [--direct]

What a survivor on a cheap Android phone waits for: on the home page, at 360×740, type
a ZIP code, choose "Legal help" and press Search; the time until the first result is
painted on the search page, and the bytes that crossed the network for it.

Headless Debian Chromium through Playwright, every run in a fresh browser context
(cold cache), throttled through the DevTools protocol like Chrome's "Slow 4G" preset
with a low-end phone's CPU:

- ``Emulation.setCPUThrottlingRate`` rate 4 (4× slower CPU);
- ``Network.emulateNetworkConditions``: 562.5 ms round trip, 180,000 B/s down,
  84,375 B/s up (DevTools' "Slow 4G": 150 ms × 3.75, 1.6 Mb/s × 0.9, 750 kb/s × 0.9).

The site is served from 127.0.0.1 with gzip and the ``Cache-Control`` the build's
``_headers`` gives each path (as the hosts of docs/deploy.md send it: the theme's CSS
and scripts a day, pages and data ``no-cache``, the search page five minutes), with an
ETag.  Two sites are measured in the same invocation: the sample directory
(``providers/``, the reference) and N synthetic listings
(``scripts/generate_synthetic.py``, built with the real ``pelican`` command as ``make
bench-search`` does).  For each: the median and range of ``--repeat`` runs of each
search, and the ratio of the synthetic site's median to the sample's.

A person, not a script: the home page loads until the network is idle; they tap the ZIP
code field, type the ZIP code (200 ms a key), choose the need, and the benchmark waits
until the network is idle again before pressing Search, so that what the home page
fetched meanwhile (its prefetch, docs/search.md "Loading") has arrived.  That is
reported, not hidden: the home page's own bytes, the bytes fetched between the first
tap on the form and the tap on Search, and how long after the first tap they were all
in (a person who presses Search sooner gets part of the benefit).  ``--direct`` opens
the search page's address instead (a shared link or bookmark, nothing cached).

Timing: the moment of the click (``Date.now()`` in the home page, just before Playwright
clicks) to the first result painted (a MutationObserver on the result lists, then the
start of the next animation frame after the one that drew it, in the search page, as
``performance.timeOrigin + performance.now()``); each step of the way (the search
page's HTML, the last byte of its CSS, scripts and data files, the page's performance
marks) is printed as a median in ms after the click.  Bytes: from the DevTools
protocol, every response over the network (headers and body as received; none for
what came from the cache), counted by when its request was sent.

Budgets (issue 16): under 2 s and under 150 KB at 10,000 listings.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
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

#: When each step of the search page ended (epoch ms): its HTML, the last byte of each
#: kind of file it loaded (resource timing ``responseEnd``) and its performance marks.
STEPS = """() => {
  const origin = performance.timeOrigin;
  const steps = {};
  const nav = performance.getEntriesByType('navigation')[0];
  if (nav) {
    steps['search page HTML'] = origin + nav.responseEnd;
    steps['search page: DOMContentLoaded'] = origin + nav.domContentLoadedEventStart;
  }
  const kinds = [
    ['CSS', /\\.css/], ['search.js', /search\\.js/], ['manifest', /manifest\\.json/],
    ['ZIP file', /\\/zip\\//], ['rows', /\\/rows\\//], ['cards', /\\/cards\\//],
  ];
  for (const entry of performance.getEntriesByType('resource')) {
    for (const [kind, pattern] of kinds) {
      if (!pattern.test(entry.name)) continue;
      const at = origin + entry.responseEnd;
      const key = kind + ' (first)';
      steps[key] = Math.min(steps[key] || Infinity, at);
      steps[kind + ' (last)'] = Math.max(steps[kind + ' (last)'] || 0, at);
      const asked = kind + ' (asked for)';
      steps[asked] = Math.min(steps[asked] || Infinity, origin + entry.startTime);
    }
  }
  for (const entry of performance.getEntriesByType('mark')) {
    steps['mark ' + entry.name] = origin + entry.startTime;
  }
  return steps;
}"""


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


class Traffic:
    """Every response's bytes over the (throttled) network, from the DevTools protocol.

    ``Network.loadingFinished``'s ``encodedDataLength`` (headers and body as received:
    0 for a response the browser took from its cache), attributed to the moment its
    request was sent (``Network.requestWillBeSent``'s wall time).
    """

    def __init__(self, client) -> None:
        self.sent: dict[str, tuple[float, str]] = {}  # request id -> (epoch ms, url)
        self.received: dict[str, int] = {}
        self.ended: dict[str, float] = {}  # request id -> epoch ms
        self.done: dict[str, bool] = {}
        self.offset: float | None = None  # wall time - monotonic time, seconds
        client.on("Network.requestWillBeSent", self._sent)
        client.on("Network.loadingFinished", self._finished)
        client.on("Network.loadingFailed", self._failed)

    def _sent(self, event) -> None:
        if self.offset is None:
            self.offset = event["wallTime"] - event["timestamp"]
        sent = (event["wallTime"] * 1000, event["request"]["url"])
        self.sent.setdefault(event["requestId"], sent)
        self.done.setdefault(event["requestId"], False)

    def _finished(self, event) -> None:
        self.received[event["requestId"]] = int(event["encodedDataLength"])
        self.ended[event["requestId"]] = (event["timestamp"] + (self.offset or 0.0)) * 1000
        self.done[event["requestId"]] = True

    def _failed(self, event) -> None:
        self.done[event["requestId"]] = True

    def in_flight(self) -> int:
        return sum(1 for done in self.done.values() if not done)

    def between(self, start: float, end: float) -> tuple[int, int]:
        """Bytes and requests (over the network) of the requests sent in [start, end)."""
        ids = [i for i, (at, _) in self.sent.items() if start <= at < end]
        return sum(self.received.get(i, 0) for i in ids), sum(
            1 for i in ids if self.received.get(i, 0) > 0
        )


def throttle(context, page) -> Traffic:
    client = context.new_cdp_session(page)
    client.send("Network.enable")
    client.send("Network.emulateNetworkConditions", SLOW_4G)
    client.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    return Traffic(client)


def wait_network_idle(page, traffic: Traffic, quiet_ms: int = 700) -> None:
    """Until no request has been in flight for ``quiet_ms`` (at most a minute)."""
    quiet = 0
    for _ in range(600):
        page.wait_for_timeout(100)
        quiet = quiet + 100 if traffic.in_flight() == 0 else 0
        if quiet >= quiet_ms:
            return
    sys.exit("the home page never became network-idle")


def now_ms(page) -> float:
    return page.evaluate("() => Date.now()")


def one_run(browser, base: str, code: str, group: str, direct: bool = False) -> dict:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, service_workers="block", is_mobile=True
    )
    context.add_init_script(WATCH_FIRST_PAINT)
    page = context.new_page()
    traffic = throttle(context, page)
    # A person: the home page loads; they tap the ZIP code field and type (about 5 keys
    # a second), choose what they need, and by the time they press Search whatever the
    # page fetched meanwhile (its prefetch) has arrived: measured, not hidden.
    started = now_ms(page)
    if direct:
        # --direct: a shared link or a bookmark, opened with nothing in the cache.
        page.goto("about:blank")
        focused = prefetch_done = clicked = now_ms(page)
        page.goto(f"{base}/search/?near={code}&need={group}", wait_until="commit")
    else:
        page.goto(base + "/")
        wait_network_idle(page, traffic)
        focused = now_ms(page)
        page.click("#home-near")
        page.type("#home-near", code, delay=200)
        page.select_option("#home-need", group)
        wait_network_idle(page, traffic)
        prefetch_done = max(
            [traffic.ended.get(i, at) for i, (at, _) in traffic.sent.items() if at >= focused],
            default=focused,
        )
        clicked = now_ms(page)
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
    steps = page.evaluate(STEPS)
    steps = {name: at - clicked for name, at in steps.items()}
    steps["first result painted"] = painted - clicked
    wait_network_idle(page, traffic)  # the summaries, after the first results
    home_bytes, _ = traffic.between(started, focused)
    prefetch_bytes, prefetch_requests = traffic.between(focused, clicked)
    total, requests = traffic.between(clicked, float("inf"))
    context.close()
    return {
        "ms": painted - clicked,
        "bytes": total,
        "shown": shown,
        "requests": requests,
        "steps": steps,
        "home_bytes": home_bytes,
        "prefetch_bytes": prefetch_bytes,
        "prefetch_requests": prefetch_requests,
        "prefetch_ms": prefetch_done - focused if prefetch_requests else 0.0,
    }


def cache_rules(site: Path) -> list[tuple[str, str]]:
    """``[(path pattern, Cache-Control)]`` of the build's ``_headers`` (docs/deploy.md)."""
    rules: list[tuple[str, str]] = []
    pattern = None
    headers = site / "_headers"
    for line in headers.read_text(encoding="utf-8").splitlines() if headers.is_file() else []:
        if line.startswith("/"):
            pattern = line.strip()
        elif pattern and line.strip().lower().startswith("cache-control:"):
            rules.append((pattern, line.split(":", 1)[1].strip()))
    return rules


def cache_control(rules: list[tuple[str, str]], path: str) -> str | None:
    """The ``Cache-Control`` of the longest rule matching ``path`` (as Netlify matches)."""
    best = None
    for pattern, value in rules:
        if pattern.endswith("*"):
            matches = path.startswith(pattern[:-1])
        else:
            matches = path == pattern
        if matches and (best is None or len(pattern) > len(best[0])):
            best = (pattern, value)
    return best[1] if best else None


def handler_class(site: Path):
    """The benchmark's static server, with the ``Cache-Control`` the site's hosts send
    (the build's ``_headers``): the theme's CSS and scripts are reused from the home page's
    visit, pages and data are revalidated (``no-cache``), as on a real host."""
    rules = cache_rules(site)

    class Handler(BENCH_SEARCH["GzipHandler"]):
        def end_headers(self):
            path = self.path.split("?", 1)[0].split("#", 1)[0]
            value = cache_control(rules, path)
            if value:
                self.send_header("Cache-Control", value)
            # A validator, as every static host sends (an ETag from the file's bytes).
            file = Path(self.translate_path(path))
            file = file / "index.html" if file.is_dir() else file
            if file.is_file():
                digest = hashlib.sha256(file.read_bytes()).hexdigest()[:16]
                self.send_header("ETag", f'"{digest}"')
            super().end_headers()

    return functools.partial(Handler, directory=str(site))


def measure(site: Path, repeat: int, direct: bool = False) -> dict[str, list[dict]]:
    from playwright.sync_api import sync_playwright

    handler = handler_class(site)
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
                    run = one_run(browser, base, code, group, direct)
                    runs[f"{code} {group}"].append(run)
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
            f"({min(ms):.0f}–{max(ms):.0f}); after the tap: median "
            f"{statistics.median(kb):6.1f} KB ({min(kb):.1f}–{max(kb):.1f}) in "
            f"{statistics.median([r['requests'] for r in rs]):.0f} requests; "
            f"results shown {rs[0]['shown']}"
        )
    every = [r for rs in runs.values() for r in rs]
    home = statistics.median([r["home_bytes"] for r in every]) / 1024
    pre = [r["prefetch_bytes"] / 1024 for r in every]
    pre_ms = [r["prefetch_ms"] for r in every]
    print(
        f"  before the tap: the home page {home:.1f} KB; from the first tap on its form "
        f"to the tap on Search: median {statistics.median(pre):.1f} KB "
        f"({min(pre):.1f}–{max(pre):.1f}) in "
        f"{statistics.median([r['prefetch_requests'] for r in every]):.0f} requests, "
        f"done {statistics.median(pre_ms):.0f} ms after that first tap (median; max "
        f"{max(pre_ms):.0f})"
    )
    names = sorted(
        {name for rs in runs.values() for r in rs for name in r["steps"]},
        key=lambda name: statistics.median(
            [r["steps"][name] for rs in runs.values() for r in rs if name in r["steps"]]
        ),
    )
    print("  steps, ms after the click (median over all searches and runs):")
    for name in names:
        values = [r["steps"][name] for rs in runs.values() for r in rs if name in r["steps"]]
        print(f"    {statistics.median(values):7.0f}  {name}")
    return statistics.median(all_ms), statistics.median(all_bytes)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument(
        "--only",
        choices=("sample", "synthetic"),
        help="measure one of the two sites (for trying changes; the report needs both)",
    )
    parser.add_argument(
        "--direct",
        action="store_true",
        help="open the search page's address directly (a shared link or bookmark, cold "
        "cache) instead of searching from the home page",
    )
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
    print("building the sample site …", flush=True)
    sample = build_sample(work)
    if args.only == "sample":
        pass
    elif args.reuse and (synthetic / "search").is_dir():
        # The synthetic site's listings are kept, its static files copied in again (a
        # template or data change needs a full run).
        shutil.copytree(ROOT / "theme" / "static", synthetic / "theme", dirs_exist_ok=True)
        print(f"reusing the {args.count} synthetic listings built in {work}")
    else:
        print(f"building {args.count} synthetic listings …", flush=True)
        synthetic, seconds = BENCH_SEARCH["build"](work, args.count, args.seed)
        print(f"  (built in {seconds:.0f} s)")
    if args.only != "synthetic":
        print("sample directory (reference):")
        ref_ms, ref_bytes = summary(measure(sample, args.repeat, args.direct))
    if args.only == "sample":
        return 0
    print(f"{args.count} synthetic listings:")
    big_ms, big_bytes = summary(measure(synthetic, args.repeat, args.direct))
    if args.only is None:
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
