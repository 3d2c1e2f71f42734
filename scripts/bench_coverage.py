#!/usr/bin/env python3
"""Benchmark the coverage report: N synthetic listings × every ZIP area × every key.

    python scripts/bench_coverage.py --count 10000 [--runs 3]

Generates ``--count`` synthetic listings (scripts/generate_synthetic.py), loads them
(validation, places, publication: not timed), then reports, each the median of
``--runs`` runs in a fresh forked process:

- the coverage computation (:func:`waystation.coverage.compute.compute`: every ZIP area
  of the gazetteer × every service, service group, population, trafficking type and
  language), its time and the process's peak memory (maximum resident set size, the
  loaded directory included) and how much the computation added to it;
- the files (:func:`waystation.coverage.files.write_files`: CSV, JSON, map data);
- the reference, in the same invocation: a brute-force vectorized numpy nearest
  distance (haversine from every ZIP area to every listing, in chunks) for the service
  groups, against the k-d tree for the same keys: the ratio of the two, and the largest
  difference between their distances (the tree must be exact).

Targets (docs/coverage.md): 10,000 listings in under 10 s and under 500 MB.  Nothing
here touches the network.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import runpy
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from waystation import settings as declared  # noqa: E402
from waystation.coverage.compute import compute, unit_vectors  # noqa: E402
from waystation.coverage.files import write_files  # noqa: E402
from waystation.coverage.sources import sources  # noqa: E402
from waystation.coverage.zip_areas import gazetteer_areas  # noqa: E402
from waystation.directory import build_directory  # noqa: E402
from waystation.gazetteer.centres import EARTH_RADIUS_KM  # noqa: E402
from waystation.records import vocabulary  # noqa: E402

TIME_BUDGET_S = 10.0
MEMORY_BUDGET_MB = 500.0
CHUNK = 2048  # ZIP areas per brute-force block (CHUNK × listings float64 at a time)


def synthetic_generator():
    """``generate`` of scripts/generate_synthetic.py."""
    return runpy.run_path(str(ROOT / "scripts" / "generate_synthetic.py"))["generate"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def brute_force(found, areas, group_ids) -> np.ndarray:
    """The reference: haversine from every area to every listing offering each group."""
    lat1 = np.radians(areas.lat)[:, None]
    lon1 = np.radians(areas.lon)[:, None]
    result = np.full((len(group_ids), len(areas)), np.inf)
    for k, group_id in enumerate(group_ids):
        terms = set(vocabulary.service_group(group_id).terms)
        points = np.array([s.point for s in found if s.point and terms & set(s.services)])
        if not len(points):
            continue
        lat2, lon2 = np.radians(points[:, 0])[None, :], np.radians(points[:, 1])[None, :]
        for start in range(0, len(areas), CHUNK):
            rows = slice(start, start + CHUNK)
            dlat, dlon = lat2 - lat1[rows], lon2 - lon1[rows]
            a = np.sin(dlat / 2) ** 2 + np.cos(lat1[rows]) * np.cos(lat2) * np.sin(dlon / 2) ** 2
            nearest = np.clip(a.min(axis=1), 0, 1)  # haversine grows with a
            result[k, rows] = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(nearest))
    return result


def _in_child(job, args, queue) -> None:
    before = peak_mb()
    started = time.perf_counter()
    value = job(*args)
    queue.put((time.perf_counter() - started, before, peak_mb(), value))


def forked(job, *args):
    """(seconds, peak MB before, peak MB after, value) of ``job(*args)`` in a fresh fork."""
    queue = mp.get_context("fork").Queue()
    process = mp.get_context("fork").Process(target=_in_child, args=(job, args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def run_compute(found, areas):
    coverage = compute(found, areas)
    return len(coverage.keys)


def run_files(found, areas, out):
    write_files(compute(found, areas), out)
    return None


def run_tree_groups(found, areas, group_ids):
    coverage = compute(found, areas)
    rows = [coverage.row("group", g) for g in group_ids]
    return coverage.distance_km[rows].astype(np.float64)


def run_tree_groups_only(found, areas, group_ids):
    """The k-d tree for the groups alone (the same work as the reference)."""
    from scipy.spatial import cKDTree

    xyz = unit_vectors(areas.lat, areas.lon)
    result = np.full((len(group_ids), len(areas)), np.inf)
    for k, group_id in enumerate(group_ids):
        terms = set(vocabulary.service_group(group_id).terms)
        points = np.array([s.point for s in found if s.point and terms & set(s.services)])
        if len(points):
            tree = cKDTree(np.unique(unit_vectors(points[:, 0], points[:, 1]), axis=0))
            chord = tree.query(xyz, k=1)[0]
            result[k] = 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2, 0.0, 1.0))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="listings (default 10000)")
    parser.add_argument("--runs", type=int, default=3, help="runs per measure (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    generate = synthetic_generator()
    with tempfile.TemporaryDirectory(prefix="bench-coverage-") as tmp:
        root = Path(tmp)
        generate(args.count, seed=args.seed, out_dir=root / "providers")
        values = declared.resolve({"PROVIDERS_PATH": "providers", "GEOCODE_CACHE": "none.json"})
        started = time.perf_counter()
        directory = build_directory(values, root, with_history=False)
        found = sources(directory)
        areas = gazetteer_areas()
        load_s = time.perf_counter() - started
        groups = [g.id for g in vocabulary.service_groups()]
        print(f"{len(directory.listings)} listings ({sum(1 for s in found if s.point)} with a "
              f"published point), {len(areas)} ZIP areas; loading took {load_s:.1f} s "
              f"(not counted)")  # fmt: skip
        measures = {}
        for name, job, job_args in (
            ("coverage (every key)", run_compute, (found, areas)),
            ("coverage + files", run_files, (found, areas, root / "out")),
            ("k-d tree, groups only", run_tree_groups_only, (found, areas, groups)),
            ("reference: brute force, groups", brute_force, (found, areas, groups)),
        ):
            runs = [forked(job, *job_args) for _ in range(args.runs)]
            measures[name] = runs
            seconds = statistics.median(r[0] for r in runs)
            peak = statistics.median(r[2] for r in runs)
            added = statistics.median(r[2] - r[1] for r in runs)
            print(f"  {name:<32} median {seconds:7.3f} s  peak {peak:6.0f} MB "
                  f"(+{added:.0f} MB)  runs: {', '.join(f'{r[0]:.3f}' for r in runs)}")  # fmt: skip
        keys = measures["coverage (every key)"][0][3]
        tree = measures["k-d tree, groups only"][0][3]
        reference = measures["reference: brute force, groups"][0][3]
        finite = np.isfinite(reference)
        worst = float(np.abs(tree[finite] - reference[finite]).max()) if finite.any() else 0.0
        full = run_tree_groups(found, areas, groups)
        worst_full = float(np.abs(full[finite] - reference[finite]).max()) if finite.any() else 0.0
        tree_s = statistics.median(r[0] for r in measures["k-d tree, groups only"])
        ref_s = statistics.median(r[0] for r in measures["reference: brute force, groups"])
        total_s = statistics.median(r[0] for r in measures["coverage (every key)"])
        total_mb = statistics.median(r[2] for r in measures["coverage (every key)"])
        print(f"{keys} keys × {len(areas)} ZIP areas")
        print(f"ratio brute force / k-d tree (the {len(groups)} groups): {ref_s / tree_s:.1f}x")
        print(f"largest difference from the brute force: {worst * 1000:.3f} m (tree), "
              f"{worst_full * 1000:.3f} m (report, float32)")  # fmt: skip
        ok = total_s < TIME_BUDGET_S and total_mb < MEMORY_BUDGET_MB
        print(f"target {TIME_BUDGET_S:g} s and {MEMORY_BUDGET_MB:g} MB: "
              f"{'met' if ok else 'NOT MET'} ({total_s:.2f} s, {total_mb:.0f} MB)")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
