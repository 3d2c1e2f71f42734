"""Benchmark: the listing history of N synthetic listings changed over C commits.

Builds a deterministic git repository (N fictional listings, then C
commits that each change the summary or ``last_verified`` of a tenth of them), then
times, in the same process, :func:`waystation.records.history.repository_histories`
(one ``git log --raw`` for every file, one ``git cat-file --batch`` for the old
versions, each version parsed and compared) against, as the reference, the single
``git log --name-only`` call the history made before it read changed fields (it kept
commit titles, which could name a confidential place).  Also times a rebuild with the
history cache a build keeps in ``CACHE_PATH``.  Prints the median of several runs of
each and their ratios.

    python scripts/bench_history.py --count 2000 --commits 20 [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from waystation.records.history import repository_histories  # noqa: E402
from waystation.records.listing_writer import render_listing  # noqa: E402

ENV = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
       "GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
       "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.org"}  # fmt: skip


def git(root: Path, *args: str, date: str | None = None) -> None:
    env = dict(ENV)
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{date}T12:00:00+00:00"
    subprocess.run(["git", "-C", str(root), *args], env=env, check=True, capture_output=True)


def make_repository(root: Path, count: int, commits: int, seed: int) -> None:
    folder = root / "providers"
    folder.mkdir(parents=True)
    paths = []
    for index in range(count):
        fields = {
            "name": f"Synthetic Service {index}",
            "summary": "Case management for survivors (a fictional listing).",
            "services": ["case-management", "legal-immigration"],
            "trafficking_types": ["sex", "labor"],
            "languages": ["en", "es"],
            "phones": [{"number": f"312-555-01{index % 100:02d}", "type": "voice"}],
            "location": {"visibility": ("public", "approximate", "hidden")[index % 3],
                         "city": "Chicago", "state": "IL", "postal_code": "60601"},
            "last_verified": "2025-01-01",
            "source": "Synthetic benchmark listing",
        }  # fmt: skip
        path = folder / f"synthetic-{index:05d}.md"
        path.write_text(render_listing(fields, f"Synthetic listing {index}."), encoding="utf-8")
        paths.append(path)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Synthetic directory", date="2025-01-01")
    rng = random.Random(seed)
    for number in range(commits):
        for path in rng.sample(paths, max(1, count // 10)):
            text = Path(path).read_text(encoding="utf-8")
            if rng.random() < 0.5:
                text = re.sub(r"(?m)^summary: .*$", f"summary: Updated summary {number}.", text)
            else:
                text = re.sub(
                    r"(?m)^last_verified: .*$",
                    f"last_verified: 2025-02-{number % 28 + 1:02d}",
                    text,
                )  # noqa: E501
            Path(path).write_text(text, encoding="utf-8")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", f"Change {number}", date=f"2025-02-{number % 28 + 1:02d}")


def reference(root: Path) -> None:
    subprocess.run(
        ["git", "-C", str(root), "log", "--no-merges", "--date=short",
         "--format=\x1e%H\x1f%ad\x1f%s", "--name-only", "--no-renames", "--", "providers"],
        capture_output=True, check=True,
    )  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--commits", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="waystation-bench-history-") as tmp:
        root = Path(tmp) / "directory"
        make_repository(root, args.count, args.commits, args.seed)
        histories = repository_histories(root, "providers")  # warm the file caches
        entries = sum(len(found) for found in histories.values())
        cache = Path(tmp) / "cache" / "waystation-history.json"
        assert repository_histories(root, "providers", cache_file=cache) == histories
        ours, warm, refs = [], [], []
        for _ in range(args.runs):
            start = time.perf_counter()
            repository_histories(root, "providers")
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            repository_histories(root, "providers", cache_file=cache)
            warm.append(time.perf_counter() - start)
            start = time.perf_counter()
            reference(root)
            refs.append(time.perf_counter() - start)
    ours_median, ref_median = statistics.median(ours), statistics.median(refs)
    print(f"{args.count} listings, {args.commits} commits of changes, {entries} history entries")
    print(f"history from changed fields (log + cat-file + parse): median {ours_median:.3f} s")
    warm_median = statistics.median(warm)
    print(f"the same, rebuild with the history cache (CACHE_PATH): median {warm_median:.3f} s")
    print(f"reference: one git log of commit titles:               median {ref_median:.3f} s")
    print(
        f"ratio: {ours_median / ref_median:.1f}x without the cache, "
        f"{warm_median / ref_median:.1f}x with it"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
