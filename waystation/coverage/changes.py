"""How a change to the directory moves the gaps: the comparison of two coverages.

:func:`compare` takes the coverage before and after a change (the same ZIP areas,
thresholds and weighting) and finds, for each service group and each service, the ZIP
areas that gain in-person help within reach (a gap *closed*) or lose it (a gap
*opened*), and those that gain or lose any help at all (a phone, online, statewide or
national service).  :func:`format_markdown` writes the summary a reviewer reads under
a pull request ("closes the legal-help gap for 212 ZIP areas in Oregon (ZIP 978xx:
Umatilla County …)"); it takes the escaping functions of the caller
(:mod:`waystation.contribute.github_markdown`), so every name is shown literally.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from waystation.coverage.compute import KM_PER_MILE, Coverage
from waystation.coverage.zip_areas import WEIGHT_PEOPLE
from waystation.exc import WaystationError
from waystation.gazetteer.states import STATES
from waystation.records import vocabulary

MARKER = "<!-- waystation-coverage-summary -->"
#: How many ZIP3 regions name the places of a change in one state.
PLACES_PER_STATE = 3
#: How many counties name a ZIP3 region.
COUNTIES_PER_REGION = 2


@dataclass(frozen=True)
class Place:
    """Where a change happens in one state: how many areas, in which ZIP3 regions."""

    state: str
    zip_areas: int
    weight: float
    regions: tuple[tuple[str, tuple[str, ...], int], ...]  # (zip3, counties, areas)


@dataclass
class KeyChange:
    kind: str  # group | service
    id: str
    closed: list[Place] = field(default_factory=list)  # in-person help within reach gained
    opened: list[Place] = field(default_factory=list)  # lost
    reached: list[Place] = field(default_factory=list)  # some help (from afar) gained
    stranded: list[Place] = field(default_factory=list)  # no help at all any more

    @property
    def empty(self) -> bool:
        return not (self.closed or self.opened or self.reached or self.stranded)


@dataclass
class CoverageChange:
    reach_miles: float
    weighting: str
    changes: list[KeyChange]
    listings: list[tuple[str, str]]  # (listing name, added | removed | changed)


def places(coverage: Coverage, mask: np.ndarray) -> list[Place]:
    """The areas of ``mask`` by state (most areas first), each named by its largest
    ZIP3 regions and their counties."""
    if not mask.any():
        return []
    areas = coverage.areas
    chosen = np.flatnonzero(mask)
    by_state: dict[str, list[int]] = {}
    for i in chosen.tolist():
        by_state.setdefault(str(areas.states[i]), []).append(i)
    result = []
    for state, indexes in by_state.items():
        zip3 = Counter(str(areas.codes[i])[:3] for i in indexes)
        regions = []
        for prefix, count in sorted(zip3.items(), key=lambda kv: (-kv[1], kv[0]))[
            :PLACES_PER_STATE
        ]:
            counties = Counter(
                str(areas.counties[i])
                for i in indexes
                if str(areas.codes[i]).startswith(prefix) and areas.counties[i]
            )
            named = sorted(counties.items(), key=lambda kv: (-kv[1], kv[0]))
            regions.append((prefix, tuple(n for n, _ in named[:COUNTIES_PER_REGION]), count))
        weight = float(coverage.weights[indexes].sum())
        result.append(Place(state, len(indexes), weight, tuple(regions)))
    order = {code: i for i, code in enumerate(STATES)}
    return sorted(result, key=lambda p: (-p.weight, -p.zip_areas, order.get(p.state, 99)))


def compare(
    before: Coverage,
    after: Coverage,
    listings: list[tuple[str, str]] | None = None,
    kinds: tuple[str, ...] = ("group", "service"),
) -> CoverageChange:
    """What changes from ``before`` to ``after`` for every key of ``kinds``."""
    if (
        before.areas.codes.shape != after.areas.codes.shape
        or not (before.areas.codes == after.areas.codes).all()
        or before.reach_miles != after.reach_miles
        or before.weighting != after.weighting
    ):
        raise WaystationError(
            "the two coverages were computed over different ZIP areas, thresholds or "
            "weightings: compute both with the same settings"
        )
    reach_km = after.reach_miles * KM_PER_MILE
    found = []
    for kind, key_id in after.keys:
        if kind not in kinds or (kind, key_id) not in before.keys:
            continue
        old = before.distance_km[before.row(kind, key_id)] <= reach_km
        new = after.distance_km[after.row(kind, key_id)] <= reach_km
        old_any = old | before.from_afar[before.row(kind, key_id)]
        new_any = new | after.from_afar[after.row(kind, key_id)]
        change = KeyChange(
            kind,
            key_id,
            closed=places(after, new & ~old),
            opened=places(after, old & ~new),
            reached=places(after, new_any & ~old_any),
            stranded=places(after, old_any & ~new_any),
        )
        if not change.empty:
            found.append(change)
    return CoverageChange(after.reach_miles, after.weighting, found, sorted(listings or []))


# -- Markdown --------------------------------------------------------------------------------


def _label(kind: str, key_id: str) -> str:
    if kind == "group":
        group = vocabulary.service_group(key_id)
        return group.label_in("en") if group else key_id
    return vocabulary.load()["services"].label(key_id, "en")


def _state_name(code: str) -> str:
    return STATES.get(code, code)


def _count(place_list: list[Place], people: bool) -> str:
    if people:
        total = round(sum(p.weight for p in place_list))
        return f"{total:,} people"
    total = sum(p.zip_areas for p in place_list)
    return f"{total:,} ZIP area{'s' if total != 1 else ''}"


def _where(place_list: list[Place], escape: Callable[[str], str], people: bool) -> str:
    parts = []
    for place in place_list:
        regions = "; ".join(
            f"ZIP {zip3}xx" + (f": {', '.join(escape(c) for c in counties)}" if counties else "")
            for zip3, counties, _ in place.regions
        )
        amount = f"{round(place.weight):,}" if people else f"{place.zip_areas:,}"
        parts.append(f"{amount} in {escape(_state_name(place.state))} ({regions})")
    return ", ".join(parts)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~])")


def data_name(text: str) -> str:
    """A name from the project's own data (a vocabulary label, a state or county name) as
    plain Markdown: punctuation escaped, no mention.  Never for a listing value: those
    are code spans (:func:`waystation.contribute.github_markdown.code_span`)."""
    return _MD_SPECIAL.sub(r"\\\1", text).replace("@", "&#64;")


def format_markdown(
    change: CoverageChange,
    escape: Callable[[str], str],
    code: Callable[[str], str],
) -> str:
    """The pull-request summary; ``escape`` makes text plain Markdown and ``code`` shows
    a value literally (a listing's name is untrusted)."""
    people = change.weighting == WEIGHT_PEOPLE
    miles = f"{change.reach_miles:g}"
    lines = [MARKER, "### Coverage: how this change moves the gaps", ""]
    if change.listings:
        named = ", ".join(f"{code(name)} ({what})" for name, what in change.listings)
        lines += [f"Listings changed: {named}.", ""]
    groups = [c for c in change.changes if c.kind == "group"]
    services = [c for c in change.changes if c.kind == "service"]
    if not change.changes:
        lines.append(f"No ZIP area gains or loses in-person help within {miles} miles, nor any "
                     "help by phone, online or statewide.")  # fmt: skip
    for item in groups:
        lines.extend(_bullets(item, miles, escape, people))
    if services:
        lines += ["", "<details><summary>By service</summary>", ""]
        for item in services:
            lines.extend(_bullets(item, miles, escape, people))
        lines += ["", "</details>"]
    unit = "people (ZIP populations)" if people else "ZIP code areas"
    lines += [
        "",
        f"*In person within {miles} miles (great-circle, from each ZIP area's centre); "
        f"counted in {unit}. Confidential listings count only where the site shows them. "
        "See docs/coverage.md.*",
        "",
    ]
    return "\n".join(lines)


#: The sentence of each kind of change (``{label}``, ``{miles}``).
SENTENCES = (
    ("closed", "- **{label}**: closes the gap (in person within {miles} mi) for "),
    ("opened", "- **{label}**: ⚠️ opens a gap (no one in person within {miles} mi) for "),
    ("reached", "- **{label}**: some help (by phone, online or statewide) now reaches "),
    ("stranded", "- **{label}**: ⚠️ no help at all any more for "),
)


def _bullets(item: KeyChange, miles: str, escape, people: bool) -> list[str]:
    label = escape(_label(item.kind, item.id))
    out = []
    for attribute, sentence in SENTENCES:
        found = getattr(item, attribute)
        if found:
            where = _where(found, escape, people)
            out.append(
                sentence.format(label=label, miles=miles) + f"{_count(found, people)}: {where}"
            )
    return out
