"""The directory as every output sees it: published listings with their places.

:func:`build_directory` is the one way the build (and every export) gets the
listings: it validates them (any error stops the build, with the validator's
own messages), drops ``inactive`` listings, resolves coordinates offline
(``location.coordinates`` → geocode cache → ZIP centre → city centre → none)
and reads each file's history from git.  Everything downstream reads a
:class:`Directory` and never the files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from waystation.exc import ListingsInvalid
from waystation.places import coordinates
from waystation.places.geocache import GeocodeCache
from waystation.publish import language_independent, public_listing
from waystation.records import history
from waystation.records.model import Listing
from waystation.records.problems import Problem, sort_problems
from waystation.records.validation import load_listings
from waystation.runtime import forked, workers


@dataclass
class Directory:
    """The published listings (never ``inactive`` ones), sorted by id."""

    listings: list[Listing]
    places: dict[str, coordinates.ResolvedPlace]
    settings: dict[str, Any]
    root: Path
    today: dt.date
    problems: list[Problem] = field(default_factory=list)
    histories: dict[str, list[history.HistoryEntry]] = field(default_factory=dict)
    _public: dict[tuple[str, str], dict[str, Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _same: dict[str, dict[str, Any]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def by_id(self, listing_id: str) -> Listing:
        return next(item for item in self.listings if item.id == listing_id)

    def place(self, listing: Listing) -> coordinates.ResolvedPlace:
        return self.places[listing.id]

    def history(self, listing: Listing) -> list[history.HistoryEntry]:
        return self.histories.get(listing.source_path, [])

    def public(self, listing: Listing, lang: str) -> dict[str, Any]:
        """:func:`waystation.publish.public_listing` of ``listing`` in ``lang``, worked
        out once per directory: the pages, the maps, the search data and the exports all
        read it.  Shared: never change what it returns."""
        key = (listing.id, lang)
        found = self._public.get(key)
        if found is None:
            place = self.places.get(listing.id)
            same = self._same.get(listing.id)
            if same is None:  # the same in every language: worked out once per listing
                same = self._same[listing.id] = language_independent(listing, place)
            found = public_listing(listing, place, lang, same)
            self._public[key] = found
        return found

    def with_settings(self, settings: dict[str, Any]) -> Directory:
        """This directory with other ``settings``, sharing its published views (they
        depend on the listings and places alone): an output step that merges the build's
        settings in need not work them out again.  The open data's forked process did,
        which also read, and so copied, every listing record of the build's memory."""
        other = dataclasses.replace(self, settings=settings)
        other._public, other._same = self._public, self._same
        return other

    def reuse_views(self, other: Directory, ids: set[str]) -> None:
        """Take ``other``'s published views of the listings ``ids``, which are the same
        objects with the same places in both (``make devserver``, after an edit of other
        listings): they need not be worked out again."""
        self._same.update((k, v) for k, v in other._same.items() if k in ids)
        self._public.update((k, v) for k, v in other._public.items() if k[0] in ids)


def build_directory(
    settings: dict[str, Any],
    root: Path | None = None,
    today: dt.date | None = None,
    with_history: bool = True,
    cache_file: Path | None = None,
    separate: bool = False,
) -> Directory:
    """Load, validate and place the listings; raise :class:`ListingsInvalid` on errors.

    With ``separate`` (the build), many listings
    (:data:`waystation.runtime.workers.PARALLEL_MIN_LISTINGS` files or more) are read in a
    forked process, which hands back the listings, places and problems
    (:func:`waystation.runtime.forked.call`): what reading them made and let go of (the
    parsed files, the checks' working data, the warnings' pickled copies) leaves no
    half-used memory behind in the process that builds the site, 0.2 GB at 50,000
    listings."""
    root = Path(root or Path.cwd()).resolve()
    today = today or dt.date.today()
    read = (root, settings, today, with_history, cache_file)
    if separate and _worth_a_process(root / settings["PROVIDERS_PATH"]):
        listings, places, problems, histories = forked.call(
            _read, *read, name="reading the listings"
        )
    else:
        listings, places, problems, histories = _read(*read)
    return Directory(
        listings=listings,
        places=places,
        settings=settings,
        root=root,
        today=today,
        problems=problems,
        histories=histories,
    )


def _worth_a_process(providers: Path) -> bool:
    """Whether reading the listings under ``providers`` is worth a process of its own."""
    if not workers.can_fork() or not providers.is_dir():
        return False
    # Counted up to the threshold only: the reading process lists them all again.
    wanted = workers.PARALLEL_MIN_LISTINGS
    for _folder, _dirs, names in os.walk(providers):
        wanted -= sum(name.endswith(".md") for name in names)
        if wanted <= 0:
            return True
    return False


def _read(
    root: Path,
    settings: dict[str, Any],
    today: dt.date,
    with_history: bool,
    cache_file: Path | None,
) -> tuple[list[Listing], dict[str, coordinates.ResolvedPlace], list[Problem], dict]:
    """The published listings, their places, every problem and the listings' histories."""
    providers = root / settings["PROVIDERS_PATH"]
    cwd = Path.cwd()
    try:
        # Messages name files relative to the project root (providers/x.md).
        os.chdir(root)
        result = load_listings(
            [Path(settings["PROVIDERS_PATH"])],
            today=today,
            stale_after_days=settings["STALE_AFTER_DAYS"],
            cache_file=cache_file,
            workers=settings.get("BUILD_WORKERS") or 0,
        )
    finally:
        os.chdir(cwd)
    if result.errors:
        raise ListingsInvalid(result.problems)
    published = [item for item in result.listings if item.published]
    cache = GeocodeCache.load(root / settings["GEOCODE_CACHE"])
    places, place_problems = coordinates.resolve_all(published, cache)
    # The history comes from git, for listings inside the project's repository.
    providers = providers.resolve()
    inside = providers.is_relative_to(root)
    histories = (
        history.repository_histories(
            root,
            str(providers.relative_to(root)),
            cache_file=cache_file.with_name("waystation-history.json") if cache_file else None,
        )
        if with_history and inside
        else {}
    )
    return published, places, sort_problems(result.problems + place_problems), histories
