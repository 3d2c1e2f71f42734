"""The coverage page (``/coverage/``, ``/es/coverage/``): its path and template context.

Everything on it is worked out here, server-side, so the page works without
JavaScript: per service group, the share of ZIP areas beyond reach in the whole
country and in each state with a gap (largest first), and the ZIP3 regions with the
most people or areas beyond reach (the table that stands for the map); the same
shares for each population, trafficking type and language.  The map
(``theme/static/js/coverage-map.js``) draws ``coverage/regions.json`` over the
configured tiles with the site's own Leaflet.
"""

from __future__ import annotations

from typing import Any

from waystation.coverage import summary
from waystation.coverage.compute import Coverage
from waystation.coverage.files import CSV, JSON, MAP_DATA
from waystation.coverage.report import coverage_of
from waystation.coverage.zip_areas import WEIGHT_PEOPLE
from waystation.gazetteer.states import state_name
from waystation.records import vocabulary
from waystation.site import urls as site_urls
from waystation.site.pages import PageSpec, SiteData, page_spec

#: How many regions each service group's table lists (the rest: coverage.json).
TOP_REGIONS = 10
#: Leaflet files of the site (theme/static), as the maps feature vendors them.
LEAFLET_JS = "vendor/leaflet/leaflet.js"
LEAFLET_CSS = "vendor/leaflet/leaflet.css"


def path(lang: str, default_lang: str) -> str:
    return site_urls.coverage(lang, default_lang)


def _percent(share: float) -> str:
    """0.1234 -> "12.3" (one decimal; "<0.1" for a small share that is not zero)."""
    if 0 < share < 0.0005:
        return "<0.1"
    return f"{share * 100:.1f}"


def _row(row: summary.Row) -> dict[str, Any]:
    return {
        "state": row.state,
        "id": row.id,
        "zip_areas": row.zip_areas,
        "weight": row.weight,
        "beyond_reach": _percent(row.beyond_reach),
        "beyond_far": _percent(row.beyond_far),
        "remote_only": _percent(row.remote_only),
        "no_help": _percent(row.no_help),
        "share": row.beyond_reach,
    }


def context(coverage: Coverage, lang: str, settings: dict[str, Any]) -> dict[str, Any]:
    """What ``coverage.html`` needs besides the site's usual context."""
    rows = summary.state_rows(coverage)
    all_regions = summary.regions(coverage)
    groups = {g.id: g for g in vocabulary.service_groups()}
    nation = summary.national(rows, "group")
    by_group = []
    for row in nation:
        # Largest gap first; equal gaps in the alphabetical order of the page's language.
        with_gap = sorted(
            summary.largest_gaps(rows, "group", row.id),
            key=lambda r: (-r.beyond_reach, -r.beyond_far, state_name(r.state, lang)),
        )
        gap_states = {r.state for r in with_gap}
        covered = sorted(
            (s for s in summary.state_order(coverage) if s not in gap_states),
            key=lambda code: state_name(code, lang),
        )
        top = sorted(
            (r for r in all_regions if r.gaps.get(row.id)),
            key=lambda r: (-r.gaps[row.id], r.state, r.zip3),
        )[:TOP_REGIONS]
        by_group.append(
            {
                "id": row.id,
                "label": groups[row.id].label_in(lang),
                "description": groups[row.id].description_in(lang),
                "national": _row(row),
                "states": [_row(r) for r in with_gap],
                "covered": covered,
                "regions": [
                    {
                        "state": r.state,
                        "zip3": r.zip3,
                        "counties": list(r.counties),
                        "gap": round(r.gaps[row.id]),
                        "no_help": round(r.no_help.get(row.id, 0)),
                        "weight": round(r.weight),
                    }
                    for r in top
                ],
            }
        )
    breakdowns = [
        {"kind": kind, "rows": [_row(r) for r in summary.national(rows, kind)]}
        for kind in ("population", "type", "language")
    ]
    return {
        "weighting": coverage.weighting,
        "by_people": coverage.weighting == WEIGHT_PEOPLE,
        "reach": f"{coverage.reach_miles:g}",
        "far": f"{coverage.far_miles:g}",
        "zip_areas": len(coverage.areas),
        "listings": coverage.listings,
        "groups": by_group,
        "breakdowns": breakdowns,
        "csv_path": CSV,
        "json_path": JSON,
        "map_data": MAP_DATA,
        "tile_url": str(settings.get("TILE_URL", "")),
        "tile_attribution": str(settings.get("TILE_ATTRIBUTION", "")),
        "tile_max_zoom": int(settings.get("TILE_MAX_ZOOM", 19)),
        "center": list(settings.get("MAP_CENTER") or [39.8, -98.6]),
        "zoom": int(settings.get("MAP_ZOOM", 4)),
        "leaflet_js": LEAFLET_JS,
        "leaflet_css": LEAFLET_CSS,
    }


def pages(site_data: SiteData) -> list[PageSpec]:
    """One :class:`waystation.site.pages.PageSpec` per language (add them to the plan)."""
    coverage = coverage_of(site_data.directory)
    settings = site_data.directory.settings
    return [
        page_spec(
            site_data.languages,
            site_data.default_lang,
            lang,
            "coverage.html",
            path,
            coverage=context(coverage, lang, settings),
        )
        for lang in site_data.languages
    ]
