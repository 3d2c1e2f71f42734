"""The sample site's coverage page and files, from the session's built site."""

from __future__ import annotations

import csv
import json
import re

import pytest

from waystation.coverage.files import COLUMNS
from waystation.gazetteer.states import STATES

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("path", "lang", "heading"),
    [
        ("coverage/index.html", "en", "Where is there no help within reach?"),
        ("es/coverage/index.html", "es", "¿Dónde no hay ayuda al alcance?"),
    ],
)
def test_the_page_renders_in_both_languages_with_the_site_safety(built_site, path, lang, heading):
    page = (built_site / path).read_text("utf-8")
    assert f'<html lang="{lang}"' in page
    assert f"<h1>{heading}</h1>" in page
    assert 'id="quick-exit"' in page
    assert "Content-Security-Policy" in page
    # Every figure is in the tables, server-side: the gaps of legal help by state.
    assert 'id="gap-legal-help"' in page and "<table>" in page
    # Nothing is loaded from another server: scripts and styles are the site's own.
    for src in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page):
        assert "//" not in src, src
    assert "tile.openstreetmap.org" in page  # given to the map script, the one allowed server


def test_the_page_says_which_weighting_it_uses(built_site):
    page = (built_site / "coverage/index.html").read_text("utf-8")
    assert "Shares are of ZIP code areas: each area counts once" in page
    spanish = (built_site / "es/coverage/index.html").read_text("utf-8")
    assert "Los porcentajes son de zonas de código postal" in spanish


def test_states_are_sorted_by_largest_gap(built_site):
    data = json.loads((built_site / "coverage.json").read_text("utf-8"))
    rows = [dict(zip(data["columns"], row, strict=True)) for row in data["rows"]]
    legal = {r["state"]: r for r in rows if r["kind"] == "group" and r["id"] == "legal-help"}
    page = (built_site / "coverage/index.html").read_text("utf-8")
    section = page[page.index('id="gap-legal-help"') :]
    section = section[: section.index("</section>")]
    shown = re.findall(r'<tr><th scope="row">([^<]+)</th><td>([\d.<]+)</td>', section)
    shares = [float(share.lstrip("<")) for _, share in shown]
    assert shown and shares == sorted(shares, reverse=True)
    assert len(shown) == sum(1 for code, r in legal.items() if code != "US" and r["beyond_reach"])


def test_the_open_data_files_have_the_documented_columns(built_site):
    with (built_site / "coverage.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == COLUMNS
    states = [r["state"] for r in rows]
    assert set(states) <= {*STATES, "US"} and states[-1] == "US"
    assert {r["kind"] for r in rows} == {"group", "service", "population", "type", "language"}
    for row in rows:
        for column in ("beyond_reach", "beyond_far", "remote_only", "no_help"):
            assert 0 <= float(row[column]) <= 1
        assert float(row["beyond_far"]) <= float(row["beyond_reach"])
        total = float(row["remote_only"]) + float(row["no_help"])
        assert total == pytest.approx(float(row["beyond_reach"]), abs=2e-4)
    data = json.loads((built_site / "coverage.json").read_text("utf-8"))
    assert data["weighting"] == "zip-areas" and data["reach_miles"] == 50
    assert data["far_miles"] == 100 and data["zip_areas"] > 25000
    regions = json.loads((built_site / "coverage/regions.json").read_text("utf-8"))
    assert regions["regions"] and all(len(r) == 7 for r in regions["regions"])
