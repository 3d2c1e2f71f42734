"""No output of a real build locates a confidential listing.

A small directory with one listing of each visibility, in towns no other
listing shares, is built with the real Pelican command (every post-build step:
pages, maps, open data, search data, Pagefind).  Then every file of the output
is read (Pagefind's compressed chunks too) and:

- the hidden listing's city and ZIP, and any coordinate near its town, appear nowhere;
- every coordinate near the approximate listing's town is exactly its ZIP centre;
- the public listing is mapped precisely (so the scan does find coordinates).

Only the search page's gazetteer (every US ZIP and city centre, independent of
the listings) is left out of the scan.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from waystation.gazetteer import centres

pytestmark = pytest.mark.slow

BASE = """---
name: {name}
organization: {name}
summary: Help for survivors of trafficking.
services: [case-management]
trafficking_types: [sex, labor]
languages: [en]
phones:
  - number: "{phone}"
    type: voice
website: https://example.org/{slug}
location:
{location}
last_verified: 2026-06-01
---

{name} helps survivors.
"""

LISTINGS = {
    "lakeshore-public": (
        "Lakeshore Public Services",
        "312-555-0110",
        '  visibility: public\n  street: "100 Example Street"\n  city: Chicago\n  state: IL\n'
        '  postal_code: "60601"\n  coordinates: {lat: 41.8853, lon: -87.6219}\n',
    ),
    "canyon-approximate": (
        "Canyon Approximate Shelter",
        "435-555-0120",
        '  visibility: approximate\n  city: "Mexican Hat"\n  state: UT\n  postal_code: "84531"\n',
    ),
    "springs-hidden": (
        "Springs Hidden Safe House",
        "575-555-0130",
        '  visibility: hidden\n  city: "Truth or Consequences"\n  state: NM\n'
        '  postal_code: "87901"\n',
    ),
}

NUMBER = re.compile(r"-?\d{1,3}\.\d{2,}")


@pytest.fixture(scope="module")
def output(tmp_path_factory, request):
    folder = tmp_path_factory.mktemp("confidential") / "providers"
    folder.mkdir()
    for slug, (name, phone, location) in LISTINGS.items():
        text = BASE.format(name=name, phone=phone, slug=slug, location=location)
        (folder / f"{slug}.md").write_text(text, encoding="utf-8")
    build_site = request.getfixturevalue("build_site")
    return build_site(folder)


#: The search page's gazetteer: every US ZIP and city centre (from the zipcodes package),
#: the same whatever the listings; it holds no listing data.
GAZETTEER = ("search-data/zip/", "search-data/city/")


def _texts(output: Path):
    for path in sorted(p for p in output.rglob("*") if p.is_file()):
        if path.relative_to(output).as_posix().startswith(GAZETTEER):
            continue
        data = path.read_bytes()
        if path.suffix.startswith(".pf_") or data[:2] == b"\x1f\x8b":
            try:
                data = gzip.decompress(data)
            except OSError:
                continue
        if path.suffix in (".png", ".wasm") or path.name.startswith("wasm."):
            continue
        yield path.relative_to(output), data.decode("utf-8", errors="replace")


def _near(text: str, centre: tuple[float, float], degrees: float = 0.3):
    """Numbers in ``text`` within ``degrees`` of the centre's latitude or longitude."""
    lat, lon = centre
    for match in NUMBER.finditer(text):
        value = float(match.group(0))
        if abs(value - lat) < degrees:
            yield "lat", value
        elif abs(value - lon) < degrees:
            yield "lon", value


def test_the_scan_reads_the_whole_site_and_finds_the_public_point(output):
    files = dict(_texts(output))
    assert any(str(p).startswith("pagefind/") for p in files)
    assert "providers.geojson" in {str(p) for p in files}
    found = [v for _, text in files.items() for _, v in _near(text, (41.8853, -87.6219), 0.001)]
    assert found, "the public listing's precise point should be published"


def test_hidden_listing_city_zip_and_place_appear_nowhere(output):
    centre = centres.zip_centre("87901")
    assert centre is not None
    leaks = []
    for path, text in _texts(output):
        for needle in ("Truth or Consequences", "87901"):
            if needle in text:
                leaks.append(f"{path}: {needle}")
        for axis, value in _near(text, centre):
            leaks.append(f"{path}: {axis} {value} near the hidden listing's town")
    assert not leaks, "\n".join(leaks[:20])
    # It is still published: found through its service area (New Mexico).
    page = (output / "providers" / "springs-hidden" / "index.html").read_text("utf-8")
    assert "Springs Hidden Safe House" in page and "New Mexico" in page


def test_approximate_listing_is_only_ever_at_its_zip_centre(output):
    lat, lon = centres.zip_centre("84531")
    allowed = {("lat", round(lat, 4)), ("lon", round(lon, 4))}
    wrong = []
    seen = 0
    for path, text in _texts(output):
        for axis, value in _near(text, (lat, lon)):
            seen += 1
            if (axis, round(value, 4)) not in allowed:
                wrong.append(f"{path}: {axis} {value}")
    assert seen, "the approximate listing should be drawn at its area centre"
    assert not wrong, "\n".join(wrong[:20])
