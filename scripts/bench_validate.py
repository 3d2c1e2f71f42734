"""Benchmark: validate N synthetic listings (target: under 3 s for 10,000).

Generates a deterministic synthetic directory, then times, in fresh
processes, `python -m waystation validate` on it (the whole command: start-up,
reading, model, rules and cross-file checks) and, as a reference in the same
process tree, a bare read-and-parse of the same files with PyYAML's C loader.
Prints the median of several runs of each and their ratio.

    python scripts/bench_validate.py --count 10000 [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

REFERENCE = """
import sys, yaml
from pathlib import Path
for path in sorted(Path(sys.argv[1]).glob('*.md')):
    text = path.read_text(encoding='utf-8')
    yaml.load(text.split('---\\n')[1], Loader=yaml.CSafeLoader)
"""


def timed(cmd: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    return time.perf_counter() - start, proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="waystation-bench-") as tmp:
        folder = Path(tmp) / "providers"
        subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "generate_synthetic.py"), "--count",
             str(args.count), "--seed", str(args.seed), "--out", str(folder)],
            check=True, capture_output=True,
        )  # fmt: skip
        validate = [sys.executable, "-m", "waystation", "validate", str(folder),
                    "--today", "2026-11-30"]  # fmt: skip
        reference = [sys.executable, "-c", REFERENCE, str(folder)]
        timed(validate)  # warm the file cache and the derived ZIP index
        ours, refs = [], []
        for _ in range(args.runs):
            seconds, code = timed(validate)
            if code not in (0, 1):
                print(f"validate failed with exit code {code}", file=sys.stderr)
                return 1
            ours.append(seconds)
            refs.append(timed(reference)[0])
    med, ref = statistics.median(ours), statistics.median(refs)
    print(f"listings:                    {args.count}")
    runs = ", ".join(f"{t:.2f}" for t in ours)
    print(f"waystation validate, median: {med:.2f} s  (runs: {runs})")
    print(f"bare YAML parse, median:     {ref:.2f} s")
    print(f"ratio validate / bare parse: {med / ref:.2f}")
    target = 3.0 * args.count / 10_000
    print(f"target: under {target:.1f} s -> {'met' if med < target else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
