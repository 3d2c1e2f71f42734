"""Benchmark: resolve coordinates for N cached listings (target: under 1 s for 10,000).

Generates a deterministic synthetic directory, validates it once, fills an
in-memory geocode cache for every public street address (as `make geocode`
would have), then times `coordinates.resolve_all` over all listings, and, as
a reference in the same process, a bare dictionary look-up of the same keys.
Prints medians and the ratio.

    python scripts/bench_coordinates.py --count 10000 [--runs 9]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from waystation.gazetteer import centres  # noqa: E402
from waystation.places import coordinates  # noqa: E402
from waystation.places.geocache import CacheEntry, GeocodeCache, address_key  # noqa: E402
from waystation.records.validation import load_listings  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="waystation-bench-") as tmp:
        folder = Path(tmp) / "providers"
        subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "generate_synthetic.py"), "--count",
             str(args.count), "--seed", "7", "--out", str(folder)],
            check=True, capture_output=True,
        )  # fmt: skip
        listings = load_listings([folder], today=dt.date(2026, 11, 30)).listings
    cache = GeocodeCache(Path(tmp) / "unused.json")
    keys = []
    for listing in listings:
        key = address_key(listing.record.location)
        centre = centres.zip_centre(listing.record.location.postal_code)
        if key and centre:
            cache.put(key, CacheEntry(key, centre[0], centre[1], "bench", "address",
                                      "2026-11-30"), save=False)  # fmt: skip
            keys.append(key)
    coordinates.resolve_all(listings, cache)  # warm the ZIP index once, as a build would
    ours, refs = [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        places_found, _problems = coordinates.resolve_all(listings, cache)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        for key in keys:
            cache.get(key)
        refs.append(time.perf_counter() - start)
    med, ref = statistics.median(ours), statistics.median(refs)
    counts: dict[str, int] = {}
    for place in places_found.values():
        counts[place.precision] = counts.get(place.precision, 0) + 1
    print(f"listings: {len(listings)} (cached addresses: {len(keys)}; precisions: {counts})")
    print(f"resolve_all, median of {args.runs}: {med * 1000:.1f} ms")
    print(f"bare cache look-ups, median:  {ref * 1000:.1f} ms  (ratio {med / ref:.1f})")
    target = args.count / 10_000
    print(f"target: under {target:.1f} s -> {'met' if med < target else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
