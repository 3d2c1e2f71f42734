"""Properties of the coverage computation over any places (hypothesis).

The k-d tree over unit vectors must give the same nearest great-circle distance as
checking every listing (haversine, :func:`waystation.gazetteer.centres.distance_km`),
anywhere on Earth, near the poles and across the antimeridian; adding a listing never
makes any place farther from help.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from waystation.coverage import compute as compute_module
from waystation.coverage.compute import compute
from waystation.coverage.sources import Source
from waystation.coverage.zip_areas import from_rows
from waystation.gazetteer.centres import distance_km

points = st.tuples(
    st.floats(min_value=-89.9, max_value=89.9, allow_nan=False),
    st.floats(min_value=-180, max_value=180, allow_nan=False),
)
services = st.lists(st.sampled_from(["legal-civil", "emergency-shelter", "food"]), min_size=1,
                    max_size=3, unique=True)  # fmt: skip


def source(i: int, point, offered) -> Source:
    return Source(f"l{i}", f"L{i}", point, tuple(offered), (), ("sex",), ("en",), (), ())


def areas_at(places):
    return from_rows([
        {"zip_code": f"{10000 + i:05d}", "state": "OR", "lat": str(lat), "long": str(lon)}
        for i, (lat, lon) in enumerate(places)
    ])  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    listings=st.lists(st.tuples(points, services), min_size=1, max_size=12),
    places=st.lists(points, min_size=1, max_size=15),
)
def test_the_tree_finds_the_nearest_listing_like_checking_every_one(listings, places):
    found = [source(i, p, s) for i, (p, s) in enumerate(listings)]
    areas = areas_at(places)
    # Both ways: the matrix product for a few points, the k-d tree for many.
    for few in (compute_module.FEW_POINTS, 0):
        with mock.patch.object(compute_module, "FEW_POINTS", few):
            check_nearest(compute(found, areas), found, areas)


def check_nearest(coverage, found, areas) -> None:
    for term in ("legal-civil", "emergency-shelter", "food"):
        offering = [s.point for s in found if term in s.services]
        got = coverage.distance_km[coverage.row("service", term)]
        for j in range(len(areas)):
            lat, lon = float(areas.lat[j]), float(areas.lon[j])
            if not offering:
                assert np.isinf(got[j])
                continue
            want = min(distance_km(lat, lon, p[0], p[1]) for p in offering)
            assert abs(float(got[j]) - want) <= 1e-3 + 1e-5 * want


@settings(max_examples=40, deadline=None)
@given(
    listings=st.lists(st.tuples(points, services), min_size=0, max_size=8),
    extra=st.tuples(points, services),
    places=st.lists(points, min_size=1, max_size=10),
)
def test_a_new_listing_never_moves_help_farther(listings, extra, places):
    found = [source(i, p, s) for i, (p, s) in enumerate(listings)]
    areas = areas_at(places)
    before = compute(found, areas, languages=["en"])
    after = compute([*found, source(99, *extra)], areas, languages=["en"])
    assert before.keys == after.keys
    assert (after.distance_km <= before.distance_km).all()
    assert (after.from_afar >= before.from_afar).all()


names = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=80
) | st.sampled_from(
    ["[x](https://evil.example)", "@maintainers", "<img src=x onerror=alert(1)>", "`code`",
     "line\n# heading", "![i](https://evil.example/i.png)", "**bold** _it_", "|a|b|"]
)  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(name=names, what=st.sampled_from(["added", "removed", "changed"]))
def test_a_listing_name_never_becomes_markdown_in_the_summary(name, what):
    from waystation.contribute.github_markdown import code_span
    from waystation.coverage.changes import CoverageChange, format_markdown
    from waystation.coverage.changes import data_name as escape

    text = format_markdown(CoverageChange(50, "zip-areas", [], [(name, what)]), escape, code_span)
    lines = text.splitlines()
    listed = [line for line in lines if line.startswith("Listings changed: ")]
    # One line, the name in one code span: nothing it holds starts a heading, a list,
    # a link, an image or HTML outside of it.
    assert listed == [f"Listings changed: {code_span(name)} ({what})."]
    assert lines[0] == "<!-- waystation-coverage-summary -->"
    plain = CoverageChange(50, "zip-areas", [], [("x", what)])
    assert len(lines) == len(format_markdown(plain, escape, code_span).splitlines())
