"""Fill ``geocode-cache.json`` for the bundled sample listings, offline.

The sample listings in ``providers/`` have fictional street addresses at
real city/ZIP pairs: no geocoder could find them (and the sample must map
without a network).  For every published ``public`` listing with a street
and no ``location.coordinates``, this writes a cache entry at a
deterministic point near its ZIP centre (or city centre): 0.2-1.5 km away,
in a direction and at a distance taken from a SHA-256 hash of the address,
marked ``geocoder: "sample-fixture"`` and dated with the listing's
``last_verified``.  Running it twice gives the same file.  Other entries of
the cache are kept; sample-fixture entries no listing uses are removed.

Usage (from the project root): ``.venv/bin/python scripts/make_sample_geocode_cache.py``
"""

from __future__ import annotations

import argparse
import hashlib
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout

from waystation import settings as settings_mod  # noqa: E402
from waystation.commands.geocode import geocodable  # noqa: E402
from waystation.gazetteer import centres  # noqa: E402
from waystation.places.geocache import CacheEntry, GeocodeCache  # noqa: E402
from waystation.records.validation import load_listings  # noqa: E402

FIXTURE = "sample-fixture"
KM_PER_DEGREE = 111.32


def sample_point(key: str, centre: tuple[float, float]) -> tuple[float, float]:
    """A point 0.2-1.5 km from ``centre``, fixed by the address ``key``."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    angle = int.from_bytes(digest[:4], "big") / 2**32 * 2 * math.pi
    km = 0.2 + int.from_bytes(digest[4:8], "big") / 2**32 * 1.3
    lat = centre[0] + km * math.cos(angle) / KM_PER_DEGREE
    lon = centre[1] + km * math.sin(angle) / (KM_PER_DEGREE * math.cos(math.radians(centre[0])))
    return round(lat, 6), round(lon, 6)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="pelicanconf.py", help="settings file")
    args = parser.parse_args(argv)
    values = settings_mod.load(args.config)
    result = load_listings([Path(values["PROVIDERS_PATH"])])
    errors = [p for p in result.problems if p.is_error]
    for problem in errors:
        print(problem.format_text(), file=sys.stderr)
    cache = GeocodeCache.load(Path(values["GEOCODE_CACHE"]))
    used: set[str] = set()
    added = 0
    for listing in result.listings:
        found = geocodable(listing)
        if found is None:
            continue
        key, query = found
        location = listing.record.location
        centre = centres.zip_centre(location.postal_code) or centres.city_centre(
            location.city, location.state
        )
        if centre is None:
            print(f"{listing.source_path}: no ZIP or city centre; skipped", file=sys.stderr)
            continue
        lat, lon = sample_point(key, centre)
        entry = CacheEntry(
            query=query,
            lat=lat,
            lon=lon,
            geocoder=FIXTURE,
            precision="address",
            date=listing.record.last_verified.isoformat(),
        )
        used.add(key)
        if cache.get(key) != entry:
            cache.put(key, entry, save=False)
            added += 1
    stale = [k for k, e in cache.entries.items() if e.geocoder == FIXTURE and k not in used]
    for key in stale:
        cache.remove(key, save=False)
    cache.save()
    print(f"{cache.path}: {len(used)} sample address(es), {added} written, {len(stale)} removed")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
