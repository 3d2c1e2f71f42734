#!/usr/bin/env python3
"""Benchmark: the Waystation build of N listings against plain Pelican.

    python scripts/bench_build.py --count 10000 [--seed 1] [--repeat 1] [--work DIR]

1. writes N synthetic listings (scripts/generate_synthetic.py --count N --seed S);
2. writes N ordinary Markdown articles of the same size for plain Pelican (each
   holds its listing's description and, as a code block, its front matter);
3. builds both, alternately, ``--repeat`` times, each in its own process with
   the real ``pelican`` command, each into a new output folder (after ``sync`` and
   a short pause, so that neither pays for disk work left by the last, and with
   nothing deleted before it: see :func:`set_aside`): Waystation with this project's pelicanconf.py
   (every listing page in every language, browse pages, sitemap, post-build
   steps; the content cache off, a cold build), plain Pelican with its default
   settings and theme;
4. prints the median wall time of each, the ratio, and each build's peak
   memory (maximum resident set size of the build process); with ``--repeat``,
   also each run's ratio to the plain run right after it.

The work folder (default: .bench/build-N) is kept for inspection, with the
last output of each build; the earlier outputs and the last run's work folder are
deleted once every build is timed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-12-01"

PLAIN_CONF = """\
SITENAME = "Plain Pelican benchmark"
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
"""


def run(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, int, str]:
    """Run ``command``; return (seconds, peak RSS in KiB, output)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    output = b""
    assert proc.stdout is not None
    for chunk in iter(lambda: proc.stdout.read(65536), b""):
        output += chunk
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    text = output.decode("utf-8", "replace")
    if proc.returncode != 0:
        sys.exit(f"build failed ({' '.join(command)}):\n{text[-4000:]}")
    return seconds, usage.ru_maxrss, text


def settle() -> None:
    """Let the disk finish what earlier runs left (deleted folders, dirty pages) so that
    neither build pays for it: both start from a flushed, quiet disk."""
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each build (median)")
    parser.add_argument("--work", type=Path, help="work folder (default .bench/build-N)")
    args = parser.parse_args(argv)
    work = (args.work or ROOT / ".bench" / f"build-{args.count}").resolve()
    providers = work / "providers"
    plain = work / "plain"
    trash = work.parent / f".{work.name}-deleted-after-timing"
    set_aside(work, trash)
    work.mkdir(parents=True)
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
    article_bytes = write_articles(providers, plain / "content")
    (plain / "pelicanconf.py").write_text(PLAIN_CONF, encoding="utf-8")

    env = {**os.environ, "WAYSTATION_TODAY": TODAY, "PYTHONHASHSEED": "0"}
    settings = {
        "PROVIDERS_PATH": str(providers),
        "CACHE_PATH": str(work / "cache"),
        "LOAD_CONTENT_CACHE": False,
        "CACHE_CONTENT": False,
    }
    waystation_cmd = [
        sys.executable, "-m", "pelican", str(ROOT / "content"),
        "-o", str(work / "output-waystation"), "-s", str(ROOT / "pelicanconf.py"),
        "-e", *(f"{k}={json.dumps(v)}" for k, v in sorted(settings.items())),
    ]  # fmt: skip
    plain_cmd = [
        sys.executable, "-m", "pelican", "content", "-o", str(work / "output-plain"),
        "-s", "pelicanconf.py",
    ]  # fmt: skip
    times: dict[str, list[float]] = {"waystation": [], "plain": []}
    peaks: dict[str, int] = {"waystation": 0, "plain": 0}
    for attempt in range(args.repeat):
        for name, command, cwd in (
            ("waystation", waystation_cmd, ROOT),
            ("plain", plain_cmd, plain),
        ):
            output = work / f"output-{name}"
            set_aside(output, trash)
            settle()
            seconds, peak, _ = run(command, cwd, env)
            times[name].append(seconds)
            peaks[name] = max(peaks[name], peak)
            print(f"run {attempt + 1}: {name:<10} {seconds:8.2f} s  peak {peak / 1024:7.0f} MiB")
    shutil.rmtree(trash, ignore_errors=True)
    pages = sum(1 for _ in (work / "output-waystation").rglob("*.html"))
    plain_pages = sum(1 for _ in (work / "output-plain").rglob("*.html"))
    waystation = statistics.median(times["waystation"])
    reference = statistics.median(times["plain"])
    print()
    print(f"listings: {args.count} ({listing_bytes / 1e6:.1f} MB); articles: {args.count} "
          f"({article_bytes / 1e6:.1f} MB)")  # fmt: skip
    print(f"waystation build : {waystation:8.2f} s  (median of {args.repeat}), "
          f"{pages} HTML pages, peak {peaks['waystation'] / 1024:.0f} MiB")  # fmt: skip
    print(f"plain Pelican    : {reference:8.2f} s  (median of {args.repeat}), "
          f"{plain_pages} HTML pages, peak {peaks['plain'] / 1024:.0f} MiB")  # fmt: skip
    print(f"ratio            : {reference / waystation:8.2f}x faster than plain Pelican")
    if args.repeat > 1:
        # Each run against the plain run right after it: less exposed to a host whose
        # speed drifts between runs than the ratio of the medians.
        paired = [p / w for w, p in zip(times["waystation"], times["plain"], strict=True)]
        print(f"paired ratios    : {', '.join(f'{r:.2f}x' for r in paired)} "
              f"(median {statistics.median(paired):.2f}x)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
