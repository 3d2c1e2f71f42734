#!/usr/bin/env python3
"""Benchmark: the Waystation build of N listings against Hugo + Pagefind and plain Pelican.

    python scripts/bench_build.py --count 10000 [--seed 1] [--repeat 1] [--work DIR]
                                  [--references hugo,plain] [--no-incremental] [--edits 3]
                                  [--incremental-only]

1. writes N synthetic listings (scripts/generate_synthetic.py --count N --seed S);
2. writes the same listings' text for the references: for Hugo, one Markdown page per
   listing and language (name as title, summary, description; the Spanish page from the
   listing's ``translations.es`` where it has them) with a minimal template (one
   ``<html lang>`` page per listing, a ``data-pagefind-body`` block, a list page per
   language), generated into ``work/hugo``; for plain Pelican, N ordinary Markdown
   articles of the same size (each holds its listing's description and, as a code
   block, its front matter);
3. builds them, alternately, ``--repeat`` times, each in its own process, each into a
   new output folder (after ``sync`` and a short pause, so that none pays for disk work
   left by the last, and with nothing deleted before it: see :func:`set_aside`):
   Waystation with this project's pelicanconf.py (every listing page in every language,
   browse pages, sitemap, post-build steps; the content cache off, a cold build); Hugo
   (Debian's ``hugo``, installed with apt-get when missing) then Pagefind (the
   ``pagefind`` binary of the ``pagefind[bin]`` package) over Hugo's output; plain
   Pelican with its default settings and theme;
4. then the incremental cases, with Waystation's caches on, into one output folder built
   once beforehand: nothing changed (a fresh ``pelican`` run, ``make html``), then, under
   one ``scripts/devserver.py --no-serve`` (what ``make devserver`` runs: it keeps the
   last build in memory), one listing's summary edited (``--edits`` times) and one
   template edited (a copy of the theme, so the repository's is never touched).  For
   each edit it prints the time from the file saved until the edited listing's page
   holds the new text (what the devserver serves while the search index is still being
   made) and until the devserver prints ``build done`` (index, search data, maps and
   open data included); Hugo's rebuild after the same listing edit is timed beside it;
5. prints the median wall time of each, Waystation / (Hugo + Pagefind) as the ratio of
   the medians, plain Pelican's ratio on a second line, and each build's peak memory:
   the sum over the build's whole process tree (the build, its workers, Pagefind …) of
   each process's proportional set size (PSS, ``/proc/<pid>/smaps_rollup``: a page
   shared by k processes counts 1/k in each, so shared pages count once), plus what the
   build added to the tmpfs ``/dev/shm`` (its scratch files there are memory too),
   sampled every 250 ms (:data:`SAMPLE_SECONDS`).

The work folder (default: .bench/build-N) is kept for inspection, with the last output
of each build; the earlier outputs are deleted once every build is timed.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-12-01"
#: How often the process tree's memory is sampled.  Reading a process's smaps_rollup
#: walks its page tables under its memory lock: every 50 ms, over a build's five or six
#: processes, it slowed the 10,000-listing build from 33.5-35.3 s to 37.8-39.4 s (two
#: runs each, same machine), and found no higher peak than every 250 ms.
SAMPLE_SECONDS = 0.25

PLAIN_CONF = """\
SITENAME = "Plain Pelican benchmark"
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
"""

HUGO_CONFIG = """\
baseURL = "http://example.org/"
title = "Hugo benchmark"
defaultContentLanguage = "en"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
[languages.en]
contentDir = "content/en"
weight = 1
[languages.es]
contentDir = "content/es"
weight = 2
[markup.goldmark.renderer]
unsafe = false
"""

HUGO_BASEOF = """\
<!DOCTYPE html>
<html lang="{{ .Site.Language.Lang }}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{{ .Title }}</title></head>
<body><main>{{ block "main" . }}{{ end }}</main></body>
</html>
"""

HUGO_SINGLE = """\
{{ define "main" }}<article data-pagefind-body>
<h1>{{ .Title }}</h1>
<p>{{ .Params.summary }}</p>
{{ .Content }}
</article>{{ end }}
"""

HUGO_LIST = """\
{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
{{ end }}
"""


#: Memory-backed folder the build keeps its scratch files in (search copies, Pagefind's
#: index before it is copied): what it holds is memory too, owned by no process.
TMPFS = "/dev/shm"


def _tmpfs_used() -> int:
    """KiB used in :data:`TMPFS` (0 where there is none)."""
    try:
        found = os.statvfs(TMPFS)
    except OSError:
        return 0
    return (found.f_blocks - found.f_bfree) * found.f_frsize // 1024


class PeakMemory:
    """Samples a process tree every :data:`SAMPLE_SECONDS`: the peak of the sum of its
    processes' PSS (``/proc/<pid>/smaps_rollup``) and of what the tmpfs :data:`TMPFS`
    holds beyond what it held when the build began, in KiB."""

    def __init__(self, pid: int):
        self.pid, self.peak = pid, 0
        self._tmpfs = _tmpfs_used()
        #: At the peak: PSS in KiB by process name (``/proc/<pid>/comm``), summed.
        self.at_peak: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self) -> list[int]:
        """The process and its descendants (``/proc/<pid>/task/<tid>/children``: no walk
        over every process of the machine at every sample)."""
        tree, todo = [], [self.pid]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            try:
                tasks = os.listdir(f"/proc/{pid}/task")
            except OSError:
                continue
            for tid in tasks:
                try:
                    with open(f"/proc/{pid}/task/{tid}/children", "rb") as file:
                        todo.extend(int(child) for child in file.read().split())
                except OSError:
                    continue
        return tree

    @staticmethod
    def _pss(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as file:
                for line in file:
                    if line.startswith(b"Pss:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    @staticmethod
    def _name(pid: int) -> str:
        try:
            with open(f"/proc/{pid}/comm", encoding="utf-8", errors="replace") as file:
                return file.read().strip()
        except OSError:
            return "?"

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            sizes = [(pid, self._pss(pid)) for pid in self._tree()]
            tmpfs = max(0, _tmpfs_used() - self._tmpfs)
            total = sum(size for _, size in sizes) + tmpfs
            if total > self.peak:
                self.peak, self.at_peak = total, {}
                for pid, size in sizes:
                    name = self._name(pid)
                    self.at_peak[name] = self.at_peak.get(name, 0) + size
                if tmpfs:
                    self.at_peak[TMPFS] = tmpfs

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


#: What :func:`run` measured of the last command besides what it returns: ``cpu``, the
#: CPU seconds (user + system) of its whole process tree; ``at_peak``, the PSS in KiB of
#: each kind of process at the peak (:attr:`PeakMemory.at_peak`); and what
#: :func:`run_incremental` measured besides: ``edits_to_done``, each devserver edit's
#: seconds to ``build done``, in order.
LAST: dict[str, object] = {}


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(
    command: list[str], cwd: Path, env: dict[str, str], watch=None
) -> tuple[float, int, str, float | None]:
    """Run ``command``; return (seconds, peak summed PSS in KiB, output, seconds until
    ``watch()`` first returned true, polled every 20 ms, or None).  Its CPU time and the
    processes at its peak are left in :data:`LAST`."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    memory = PeakMemory(proc.pid)
    seen: list[float] = []
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            if watch():
                seen.append(time.perf_counter() - started)
                return
            time.sleep(0.02)

    poller = threading.Thread(target=poll, daemon=True) if watch else None
    if poller:
        poller.start()
    output = proc.communicate()[0]
    seconds = time.perf_counter() - started
    done.set()
    if poller:
        poller.join()
    peak = memory.stop()
    LAST.update(cpu=_children_cpu() - cpu_before, at_peak=dict(memory.at_peak))
    text = output.decode("utf-8", "replace")
    if proc.returncode != 0:
        sys.exit(f"build failed ({' '.join(command)}):\n{text[-4000:]}")
    return seconds, peak, text, (seen[0] if seen else None)


def settle() -> None:
    """Let the disk finish what earlier runs left (deleted folders, dirty pages) so that
    no build pays for it: each starts from a flushed, quiet disk."""
    os.sync()
    time.sleep(2)


def set_aside(folder: Path, trash: Path) -> None:
    """Move ``folder`` into ``trash``, to be deleted after the timed builds.

    On ext4 without a journal (as on this project's build machines) the kernel keeps a
    deleted inode out of reuse for one to six minutes (``recently_deleted()`` in
    fs/ext4/ialloc.c), and every file created meanwhile first walks past those
    inodes: after deleting a 60,000-file output, creating a file cost 0.3-0.6 ms of
    system time instead of 0.03 ms.  Deleting the last run's output just before a
    timed build made that build pay for the deletion, not for its own work.
    """
    if folder.exists():
        trash.mkdir(parents=True, exist_ok=True)
        folder.rename(trash / f"{len(list(trash.iterdir()))}-{folder.name}")


def split_listing(text: str) -> tuple[dict, str]:
    _, front, body = text.split("---\n", 2)
    return YAML(typ="safe").load(front) or {}, body.strip()


def write_articles(providers: Path, content: Path) -> int:
    """One article per listing, of the same size; return the total bytes."""
    content.mkdir(parents=True, exist_ok=True)
    total = 0
    for index, path in enumerate(sorted(providers.glob("*.md"))):
        text = path.read_text(encoding="utf-8")
        _, front, body = text.split("---\n", 2)
        article = (
            f"Title: Article {index}\nDate: 2026-01-01 10:00\nCategory: c{index % 20}\n"
            f"Tags: t{index % 50}, u{index % 7}\nSlug: article-{index}\n\n"
            f"{body.strip()}\n\n```\n{front}```\n"
        )
        (content / f"article-{index:05d}.md").write_text(article, encoding="utf-8")
        total += len(article.encode("utf-8"))
    return total


def hugo_page(front: dict, body: str, lang: str) -> str:
    text = dict(front.get("translations", {}).get(lang) or {}) if lang != "en" else {}
    title = text.get("name") or front.get("name", "")
    summary = text.get("summary") or front.get("summary", "")
    description = text.get("description") or body
    head = json.dumps({"title": title, "summary": summary}, ensure_ascii=False, sort_keys=True)
    return f"{head}\n\n{description}\n"


def write_hugo_site(providers: Path, site: Path) -> None:
    """The listings' text in English and Spanish as a minimal Hugo site."""
    (site / "layouts" / "_default").mkdir(parents=True, exist_ok=True)
    (site / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    layouts = site / "layouts" / "_default"
    layouts.joinpath("baseof.html").write_text(HUGO_BASEOF, encoding="utf-8")
    layouts.joinpath("single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    layouts.joinpath("list.html").write_text(HUGO_LIST, encoding="utf-8")
    (site / "layouts" / "index.html").write_text(
        HUGO_BASEOF.replace('{{ block "main" . }}{{ end }}', "<h1>{{ .Title }}</h1>"),
        encoding="utf-8",
    )
    for lang in ("en", "es"):
        folder = site / "content" / lang / "providers"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "_index.md").write_text('{"title": "Providers"}\n', encoding="utf-8")
    for path in sorted(providers.glob("*.md")):
        front, body = split_listing(path.read_text(encoding="utf-8"))
        for lang in ("en", "es"):
            target = site / "content" / lang / "providers" / path.name
            target.write_text(hugo_page(front, body, lang), encoding="utf-8")


def hugo_executable() -> str:
    """Debian's ``hugo``, installed first when missing (the machine is Debian)."""
    found = shutil.which("hugo")
    if found:
        return found
    print("hugo is missing: apt-get install hugo", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "hugo"], check=True, env=env)
    found = shutil.which("hugo")
    if not found:
        sys.exit("hugo could not be installed: install Debian's hugo package and run again")
    return found


def pagefind_executable() -> str:
    from pagefind.service import get_executable

    found = get_executable()
    if found is None:
        sys.exit("pagefind is missing: pip install 'pagefind[bin]' (make install does)")
    return str(found)


def edit_listing(providers: Path, marker: str) -> tuple[Path, str]:
    """Change one listing's summary (the first file's); return it and the new summary."""
    path = sorted(providers.glob("*.md"))[0]
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    for number, line in enumerate(lines):
        if line.startswith("summary:"):
            summary = f"Edited for the benchmark {marker}: open every weekday."
            lines[number] = f"summary: {json.dumps(summary)}\n"
            path.write_text("".join(lines), encoding="utf-8")
            return path, summary
    sys.exit(f"{path}: no summary line to edit")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each build (median)")
    parser.add_argument("--work", type=Path, help="work folder (default .bench/build-N)")
    parser.add_argument(
        "--references",
        default="hugo,plain",
        help="comma-separated references to build beside Waystation: hugo, plain",
    )
    parser.add_argument(
        "--no-incremental", action="store_true", help="skip the incremental rebuilds"
    )
    parser.add_argument(
        "--edits", type=int, default=3, help="listing edits under the devserver (median)"
    )
    parser.add_argument(
        "--incremental-only", action="store_true", help="no cold builds: the rebuilds only"
    )
    parser.add_argument(
        "--providers",
        type=Path,
        help="use these listings (written before by generate_synthetic.py with the same "
        "--count and --seed) instead of writing them again; the incremental cases edit one",
    )
    args = parser.parse_args(argv)
    refs = [r for r in args.references.split(",") if r]
    unknown = set(refs) - {"hugo", "plain"}
    if unknown:
        parser.error(f"--references: unknown {', '.join(sorted(unknown))} (use hugo, plain)")
    work = (args.work or ROOT / ".bench" / f"build-{args.count}").resolve()
    providers = args.providers.resolve() if args.providers else work / "providers"
    plain = work / "plain"
    hugo_site = work / "hugo"
    trash = work.parent / f".{work.name}-deleted-after-timing"
    set_aside(work, trash)
    work.mkdir(parents=True)
    if args.providers is not None:
        found = len(list(providers.glob("*.md")))
        if found != args.count:
            sys.exit(f"--providers {providers}: {found} listings, not --count {args.count}")
    else:
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "scripts" / "generate_synthetic.py"),
                "--count",
                str(args.count),
                "--seed",
                str(args.seed),
                "--out",
                str(providers),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    listing_bytes = sum(p.stat().st_size for p in providers.glob("*.md"))
    article_bytes = 0
    if "plain" in refs:
        article_bytes = write_articles(providers, plain / "content")
        (plain / "pelicanconf.py").write_text(PLAIN_CONF, encoding="utf-8")
    hugo = pagefind = ""
    if "hugo" in refs:
        hugo, pagefind = hugo_executable(), pagefind_executable()
        write_hugo_site(providers, hugo_site)

    env = {**os.environ, "WAYSTATION_TODAY": TODAY, "PYTHONHASHSEED": "0"}

    def waystation_cmd(output: Path, **extra) -> list[str]:
        settings = {
            "PROVIDERS_PATH": str(providers),
            "CACHE_PATH": str(work / "cache"),
            "LOAD_CONTENT_CACHE": False,
            "CACHE_CONTENT": False,
            **extra,
        }
        return [
            sys.executable, "-m", "pelican", str(ROOT / "content"),
            "-o", str(output), "-s", str(ROOT / "pelicanconf.py"),
            "-e", *(f"{k}={json.dumps(v)}" for k, v in sorted(settings.items())),
        ]  # fmt: skip

    plain_cmd = [
        sys.executable, "-m", "pelican", "content", "-o", str(work / "output-plain"),
        "-s", "pelicanconf.py",
    ]  # fmt: skip
    hugo_cmd = [hugo, "--quiet", "--destination", str(work / "output-hugo")]
    pagefind_cmd = [pagefind, "--site", str(work / "output-hugo"), "--quiet"]
    hugo_env = {k: v for k, v in env.items() if not k.upper().startswith(("HUGO", "PAGEFIND"))}
    times: dict[str, list[float]] = {"waystation": [], "hugo": [], "pagefind": [], "plain": []}
    cpus: dict[str, list[float]] = {name: [] for name in times}
    peaks: dict[str, int] = dict.fromkeys(times, 0)
    at_peak: dict[str, dict[str, int]] = {}
    for attempt in range(0 if args.incremental_only else args.repeat):
        builds = [("waystation", waystation_cmd(work / "output-waystation"), ROOT, env)]
        if "hugo" in refs:
            builds += [("hugo", hugo_cmd, hugo_site, hugo_env)]
            builds += [("pagefind", pagefind_cmd, hugo_site, hugo_env)]
        if "plain" in refs:
            builds += [("plain", plain_cmd, plain, env)]
        for name, command, cwd, run_env in builds:
            if name != "pagefind":  # Pagefind reads what Hugo just wrote
                set_aside(work / f"output-{name}", trash)
            settle()
            seconds, peak, _, _ = run(command, cwd, run_env)
            times[name].append(seconds)
            cpus[name].append(float(LAST["cpu"]))
            if peak >= peaks[name]:
                peaks[name], at_peak[name] = peak, dict(LAST["at_peak"])
            print(
                f"run {attempt + 1}: {name:<10} {seconds:8.2f} s  cpu {LAST['cpu']:7.1f} s  "
                f"peak {peak / 1024:7.0f} MiB (PSS + tmpfs; {_biggest(LAST['at_peak'])})  "
                f"load {os.getloadavg()[0]:.1f}",
                flush=True,
            )

    incremental: list[tuple[str, float, float | None, int]] = []
    hugo_edit: float | None = None
    if not args.no_incremental:
        incremental, hugo_edit = run_incremental(
            work, providers, hugo_site if "hugo" in refs else None, hugo_cmd, env, hugo_env,
            waystation_cmd, trash, args.edits,
        )  # fmt: skip

    shutil.rmtree(trash, ignore_errors=True)
    if args.incremental_only:
        for name, seconds, to_page, peak in incremental:
            page = f"{to_page:6.2f} s to the edited page" if to_page is not None else " " * 27
            print(f"rebuild, {name:<19}: {seconds:6.2f} s to done  {page}  "
                  f"peak {peak / 1024:.0f} MiB")  # fmt: skip
        if hugo_edit is not None:
            print(f"hugo rebuild, one listing edited: {hugo_edit:6.2f} s (Hugo alone)")
        return 0
    pages = sum(1 for _ in (work / "output-waystation").rglob("*.html"))
    waystation = statistics.median(times["waystation"])
    print()
    print(f"listings: {args.count} ({listing_bytes / 1e6:.1f} MB), seed {args.seed}, "
          f"medians of {args.repeat} run(s); peak memory: the sum of PSS over each build's "
          f"process tree and what it added to {TMPFS}, sampled every "
          f"{SAMPLE_SECONDS * 1000:.0f} ms")  # fmt: skip
    print(f"waystation build   : {waystation:8.2f} s  {pages} HTML pages, "
          f"cpu {statistics.median(cpus['waystation']):.1f} s, "
          f"peak {peaks['waystation'] / 1024:.0f} MiB "
          f"({_biggest(at_peak.get('waystation', {}))})")  # fmt: skip
    if "hugo" in refs:
        hugo_s, find_s = statistics.median(times["hugo"]), statistics.median(times["pagefind"])
        hugo_pages = sum(1 for _ in (work / "output-hugo").rglob("*.html"))
        print(f"hugo               : {hugo_s:8.2f} s  {hugo_pages} HTML pages, "
              f"cpu {statistics.median(cpus['hugo']):.1f} s, "
              f"peak {peaks['hugo'] / 1024:.0f} MiB")  # fmt: skip
        print(f"pagefind over hugo : {find_s:8.2f} s  "
              f"cpu {statistics.median(cpus['pagefind']):.1f} s, "
              f"peak {peaks['pagefind'] / 1024:.0f} MiB")  # fmt: skip
        print(f"ratio              : {waystation / (hugo_s + find_s):8.2f}  "
              f"Waystation / (Hugo + Pagefind), ratio of medians (lower is faster)")  # fmt: skip
        cpu_ref = statistics.median(cpus["hugo"]) + statistics.median(cpus["pagefind"])
        print(f"cpu ratio          : {statistics.median(cpus['waystation']) / cpu_ref:8.2f}  "
              f"the same, of CPU seconds (less sensitive to other load)")  # fmt: skip
        if args.repeat > 1:
            paired = [
                w / (h + f)
                for w, h, f in zip(
                    times["waystation"], times["hugo"], times["pagefind"], strict=True
                )
            ]
            print(f"paired ratios      : {', '.join(f'{r:.2f}' for r in paired)}")
    if "plain" in refs:
        reference = statistics.median(times["plain"])
        plain_pages = sum(1 for _ in (work / "output-plain").rglob("*.html"))
        print(f"plain Pelican      : {reference:8.2f} s  {plain_pages} HTML pages, "
              f"peak {peaks['plain'] / 1024:.0f} MiB "
              f"({article_bytes / 1e6:.1f} MB articles)")  # fmt: skip
        print(f"ratio              : {waystation / reference:8.2f}  Waystation / plain Pelican")
    for name, seconds, to_page, peak in incremental:
        page = f"{to_page:6.2f} s to the edited page" if to_page is not None else " " * 27
        how = "make html" if to_page is None else "devserver"
        print(f"rebuild, {name:<19}: {seconds:6.2f} s to done  {page}  "
              f"peak {peak / 1024:.0f} MiB ({how})")  # fmt: skip
        if name == "one listing edited" and len(LAST.get("edits_to_done") or []) > 1:
            # The median hides the first edit, which indexes every part of the search
            # index (the devserver keeps them for the next edits): each, in order.
            edits = ", ".join(f"{value:.2f}" for value in LAST["edits_to_done"])
            print(f"  each edit in order   : {edits} s to done")
    if hugo_edit is not None:
        print(f"hugo rebuild, one listing edited: {hugo_edit:6.2f} s (Hugo alone, no Pagefind)")
    return 0


def _biggest(at_peak: dict[str, int]) -> str:
    """The PSS of the three largest kinds of process at a peak (by name, summed)."""
    ranked = sorted(at_peak.items(), key=lambda item: -item[1])
    return ", ".join(f"{name} {size / 1024:.0f}" for name, size in ranked[:3]) + " MiB"


class Devserver:
    """``scripts/devserver.py --no-serve`` as a maintainer runs it (``make devserver``):
    every line it prints, with the time it was read."""

    def __init__(self, command: list[str], cwd: Path, env: dict[str, str]):
        self.proc = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, bufsize=1,
        )  # fmt: skip
        self.lines: queue.Queue[tuple[float, str]] = queue.Queue()
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.log.append(line)
            self.lines.put((time.perf_counter(), line))
            if line.startswith(("changed:", "pages written", "build ", "state kept", "ready:")):
                print(f"  devserver says: {line.strip()}", flush=True)
        self.lines.put((time.perf_counter(), ""))  # ended

    def wait_for(self, *prefixes: str, timeout: float = 1800) -> tuple[float, str]:
        """The time and text of the next line starting with one of ``prefixes``."""
        deadline = time.perf_counter() + timeout
        while True:
            try:
                at, line = self.lines.get(timeout=max(0.1, deadline - time.perf_counter()))
            except queue.Empty:
                line, at = None, 0.0
            if line == "" or line is None or time.perf_counter() > deadline:
                self.stop()
                sys.exit("devserver ended or stalled:\n" + "".join(self.log[-60:]))
            if line.startswith(prefixes):
                if line.startswith("build FAILED"):
                    self.stop()
                    sys.exit("devserver build failed:\n" + "".join(self.log[-60:]))
                return at, line.strip()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def wait_until(check, timeout: float = 1800) -> float:
    """The time ``check()`` first returned true, polled every 20 ms."""
    deadline = time.perf_counter() + timeout
    while not check():
        if time.perf_counter() > deadline:
            sys.exit("timed out waiting for the edited page")
        time.sleep(0.02)
    return time.perf_counter()


def page_holds(page: Path, needle: bytes):
    def check() -> bool:
        try:
            return needle in page.read_bytes()
        except OSError:
            return False

    return check


def run_incremental(
    work, providers, hugo_site, hugo_cmd, env, hugo_env, waystation_cmd, trash, repeat=1
):
    """The rebuilds with Waystation's caches on, into one output folder: nothing changed
    (a fresh ``pelican`` run: ``make html``), then under the devserver (``make
    devserver``, which keeps the last build in memory): one listing edited ``repeat``
    times, one template edited (a copy of the theme, so the repository's is never
    touched).  Returns ([(case, seconds to done, seconds to the edited page, peak KiB)],
    Hugo's rebuild after the same edit)."""
    theme = work / "theme"
    shutil.copytree(ROOT / "theme", theme)
    output = work / "output-incremental"
    set_aside(output, trash)
    caches = {
        "CACHE_PATH": str(work / "cache-incremental"),
        "LOAD_CONTENT_CACHE": True,
        "CACHE_CONTENT": True,
        "THEME": str(theme),
    }
    command = waystation_cmd(output, **caches)
    settle()
    seconds, peak, _, _ = run(command, ROOT, env)
    print(f"incremental: first build (cold, fills the caches) {seconds:8.2f} s", flush=True)
    results = []
    nothing = []
    for _ in range(repeat):
        settle()
        seconds, peak, _, _ = run(command, ROOT, env)
        nothing.append(seconds)
        print(f"incremental: nothing changed (make html) {seconds:8.2f} s", flush=True)
    results.append(("nothing changed", statistics.median(nothing), None, peak))

    settings_args = command[command.index("-e") + 1 :]
    devserver_cmd = [
        sys.executable, str(ROOT / "scripts" / "devserver.py"), "--no-serve",
        "--output", str(output), "--settings", str(ROOT / "pelicanconf.py"),
        *(item for value in settings_args for item in ("--set", value)),
    ]  # fmt: skip
    settle()
    started = time.perf_counter()
    server = Devserver(devserver_cmd, ROOT, env)
    memory = PeakMemory(server.proc.pid)
    at, line = server.wait_for("state kept", "live state not loaded")
    print(f"devserver: first build and state loaded in {at - started:.2f} s ({line})", flush=True)
    server.wait_for("ready:")
    if not line.startswith("state kept"):
        server.stop()
        sys.exit("the devserver did not keep its state:\n" + "".join(server.log[-40:]))

    edited_path = sorted(providers.glob("*.md"))[0]
    page = output / "providers" / edited_path.stem / "index.html"
    to_page, to_done = [], []
    try:
        for attempt in range(repeat):
            settle()
            edited, summary = edit_listing(providers, f"{time.time_ns()}")
            saved = time.perf_counter()
            shown = wait_until(page_holds(page, summary.encode("utf-8")))
            done, line = server.wait_for("build done", "build FAILED")
            to_page.append(shown - saved)
            to_done.append(done - saved)
            print(f"devserver {attempt + 1}: one listing edited: page {shown - saved:6.2f} s, "
                  f"done {done - saved:6.2f} s ({line})", flush=True)  # fmt: skip
        results.append(
            ("one listing edited", statistics.median(to_done), statistics.median(to_page),
             memory.peak)
        )  # fmt: skip
        LAST["edits_to_done"] = list(to_done)

        template = theme / "templates" / "listing.html"
        marker = f"<!-- bench {time.time_ns()} -->"
        source = template.read_text(encoding="utf-8")
        if "{% block content %}" not in source:
            sys.exit(f"{template}: no '{{% block content %}}' to edit")
        settle()
        template.write_text(
            source.replace("{% block content %}", "{% block content %}" + marker, 1),
            encoding="utf-8",
        )
        saved = time.perf_counter()
        shown = wait_until(page_holds(page, marker.encode("utf-8")))
        done, line = server.wait_for("build done", "build FAILED")
        print(f"devserver: one template edited: page {shown - saved:6.2f} s, "
              f"done {done - saved:6.2f} s ({line})", flush=True)  # fmt: skip
        results.append(("one template edited", done - saved, shown - saved, memory.peak))
    finally:
        server.stop()
        memory.stop()

    hugo_edit = None
    if hugo_site is not None:
        front, body = split_listing(edited.read_text(encoding="utf-8"))
        target = hugo_site / "content" / "en" / "providers" / edited.name
        target.write_text(hugo_page(front, body, "en"), encoding="utf-8")
        settle()
        hugo_edit, _, _, _ = run(hugo_cmd, hugo_site, hugo_env)
    return results, hugo_edit


if __name__ == "__main__":
    raise SystemExit(main())
