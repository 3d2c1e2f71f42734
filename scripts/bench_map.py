#!/usr/bin/env python3
"""Benchmark the maps at scale: page weight and build time for N synthetic listings.

    python scripts/bench_map.py --count 10000 [--runs 3]

Generates ``--count`` synthetic listings (scripts/generate_synthetic.py), loads
them, writes the maps (waystation.maps.pages) into a temporary folder, and
reports:

- what the overview map page transfers before tiles, gzip-compressed (level 6,
  what static hosts typically serve): the page, every stylesheet and script it
  loads, and the marker data; the target is at most 500 KB;
- the marker data file, raw and compressed, and bytes per listing;
- the reference: folium's own way (one Marker with an HTML popup per listing in
  a MarkerCluster, assets from CDNs not counted), measured in the same process;
- median time to write the maps (of ``--runs`` runs) and its ratio to the time
  to load the listings (the reference run in the same process tree).

Nothing here touches the network.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import runpy
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from waystation import settings as declared  # noqa: E402
from waystation.directory import build_directory  # noqa: E402

BUDGET = 500 * 1024


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def page_transfer(output: Path, page: str) -> list[tuple[str, int, int]]:
    """(file, raw bytes, gzip bytes) of the page and everything it loads before tiles."""
    html_path = output / page
    html = html_path.read_text(encoding="utf-8")
    files = [html_path]

    def local(url: str) -> Path:
        if url.startswith("/"):
            return output / url.lstrip("/")
        return Path(os.path.normpath(html_path.parent / url))

    for url in re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html):
        files.append(local(url))
    data = re.search(r'data-src="([^"]+)"', html)
    if data:
        files.append(local(data.group(1)))
    # Stylesheets' own images (Leaflet's layer icons are loaded only on demand; markers' are).
    files.append(output / "theme/vendor/leaflet/images/marker-icon.png")
    rows = []
    for path in files:
        if path.is_file():
            content = path.read_bytes()
            rows.append((str(path.relative_to(output)), len(content), gz(content)))
    return rows


def folium_reference(directory, count: int) -> int:
    """Bytes of the page folium writes with one popup Marker per listing (the usual way)."""
    import folium
    from folium.plugins import MarkerCluster

    from waystation.publish import public_listing

    fmap = folium.Map(location=[39.8, -98.6], zoom_start=4)
    cluster = MarkerCluster().add_to(fmap)
    for listing in directory.listings[:count]:
        data = public_listing(listing, directory.place(listing), "en")
        point = data.get("point")
        if not point:
            continue
        popup = folium.Popup(
            f"<a href='/providers/{listing.id}/'>{data['name']}</a><br>"
            f"{data['location'].get('city', '')}, {data['location']['state']}",
            max_width=300,
        )
        folium.Marker([point["lat"], point["lon"]], popup=popup).add_to(cluster)
    return len(fmap.get_root().render().encode())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    from waystation.maps import pages as maps_pages

    generate = runpy.run_path(str(ROOT / "scripts" / "generate_synthetic.py"))["generate"]
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        generate(args.count, seed=args.seed, out_dir=project / "providers")
        settings = declared.resolve({})
        settings["RELATIVE_URLS"] = True
        settings["THEME"] = str(ROOT / "theme")
        settings["THEME_STATIC_DIR"] = "theme"
        started = time.perf_counter()
        directory = build_directory(settings, project, with_history=False)
        load_time = time.perf_counter() - started
        times = []
        output = project / "output"
        for _ in range(args.runs):
            started = time.perf_counter()
            maps_pages.write_maps(directory, output, settings)
            times.append(time.perf_counter() - started)
        # The theme's static files, as Pelican copies them.
        import shutil

        shutil.copytree(ROOT / "theme" / "static", output / "theme", dirs_exist_ok=True)
        rows = page_transfer(output, "map/index.html")
        total_raw = sum(r[1] for r in rows)
        total_gz = sum(r[2] for r in rows)
        data = next(r for r in rows if r[0].endswith("listings.geojson"))
        mapped = data[1] and len(re.findall(rb'"i":', (output / data[0]).read_bytes()))
        reference = folium_reference(directory, args.count)

    print(f"listings: {args.count} ({mapped} on the map)")
    print("overview map page, before tiles:")
    for name, raw, packed in rows:
        print(f"  {name:60} {raw / 1024:9.1f} KB raw {packed / 1024:8.1f} KB gzip")
    verdict = "OK" if total_gz <= BUDGET else "OVER BUDGET"
    print(f"  total: {total_raw / 1024:.1f} KB raw, {total_gz / 1024:.1f} KB gzip "
          f"(budget {BUDGET // 1024} KB): {verdict}")  # fmt: skip
    print(f"marker data: {data[1] / 1024:.1f} KB raw, {data[2] / 1024:.1f} KB gzip, "
          f"{data[2] / max(mapped, 1):.1f} gzip bytes per mapped listing")  # fmt: skip
    print(f"folium per-marker reference page: {reference / 1024 / 1024:.2f} MB raw "
          f"({reference / max(total_raw, 1):.1f}x this page and its files, raw)")  # fmt: skip
    median = statistics.median(times)
    print(f"write_maps: median {median:.2f} s of {args.runs} runs; loading the listings "
          f"took {load_time:.2f} s (ratio {median / load_time:.2f})")  # fmt: skip
    return 0 if total_gz <= BUDGET else 1


if __name__ == "__main__":
    sys.exit(main())
