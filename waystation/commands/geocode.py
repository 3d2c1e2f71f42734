"""``waystation geocode``: look up new public street addresses into the committed cache.

Only ``public`` listings with a street and no ``location.coordinates`` are
ever sent to the geocoder; ``approximate`` and ``hidden`` ones never are
(the build places them offline).  Each answer is checked (in the listing's
state, within 50 km of its ZIP centre, finer than a whole town) and saved
to the cache at once, so an interrupted run loses nothing.  See
``docs/geocoding.md``.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from waystation import settings as settings_mod
from waystation.exc import ConfigurationError, UsageError, WaystationError
from waystation.gazetteer import centres
from waystation.places.geocache import (
    CacheEntry,
    GeocodeCache,
    address_key,
    address_query,
    country_code,
)
from waystation.places.geocoder import Lookup, LookupFailed, build_geocoder, geocoder_label
from waystation.records.model import Listing
from waystation.records.problems import Problem, Severity

NAME = "geocode"
HELP = (
    "look up the public street addresses not yet in the geocode cache "
    "(network; respects the geocoder's rate limit)"
)

#: Stop after this many addresses in a row failed (the service is down).
MAX_FAILURES_IN_A_ROW = 3

#: How the command waits before a retry (tests replace it; the rate limit
#: between requests always uses the real clock).
backoff_sleep = time.sleep

_SETTINGS = (
    "GEOCODE_CACHE",
    "GEOCODER",
    "GEOCODER_OPTIONS",
    "GEOCODER_USER_AGENT",
    "GEOCODER_API_KEY_ENV",
    "GEOCODER_MIN_DELAY_SECONDS",
    "GEOCODER_TIMEOUT_SECONDS",
    "GEOCODER_MAX_RETRIES",
    "PROVIDERS_PATH",
)


def add_arguments(parser) -> None:
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="list the addresses that would be looked up (and entries --prune would remove); "
        "send nothing, change nothing",
    )
    parser.add_argument(
        "--prune",
        action="store_true",
        help="remove cache entries that no published public listing uses",
    )
    parser.add_argument(
        "--refresh",
        action="append",
        default=[],
        metavar="ID",
        help="look this listing's address up again even if it is cached (repeatable)",
    )


@dataclass
class Job:
    """One address to look up, and the listings at it."""

    key: str
    query: str
    listings: list[Listing] = field(default_factory=list)

    @property
    def first(self) -> Listing:
        return self.listings[0]

    @property
    def names(self) -> str:
        return ", ".join(item.id for item in self.listings)


def geocodable(listing: Listing) -> tuple[str, str] | None:
    """``(key, query)`` if this listing's address may be sent to a geocoder."""
    location = listing.record.location
    if not listing.published or location.coordinates is not None:
        return None
    query = address_query(location)
    key = address_key(location)
    return (key, query) if key and query else None


def _why_not(listing: Listing) -> str:
    location = listing.record.location
    if location.visibility != "public":
        return (
            f"it is {location.visibility}: its address is never sent to a geocoder "
            "(the build places it at its ZIP or city centre)"
        )
    if not listing.published:
        return "it is inactive, so it is not published"
    if location.coordinates is not None:
        return "it has location.coordinates, which the build uses instead of the cache"
    return "it has no street: the build places it at its ZIP or city centre"


class Progress:
    """A plain-text progress bar with an ETA, on stderr.

    On a terminal it redraws one line; otherwise it prints one line per step
    (readable in CI logs).  :meth:`say` prints a message above the bar.
    """

    WIDTH = 24

    def __init__(
        self, total: int, stream: TextIO | None = None, per_item_guess: float = 1.0
    ) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.done = 0
        self.started = time.monotonic()
        self.per_item_guess = per_item_guess
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._shown = 0

    def eta_seconds(self) -> float:
        remaining = self.total - self.done
        per_item = self.per_item_guess
        if self.done:
            per_item = max(per_item, (time.monotonic() - self.started) / self.done)
        return per_item * remaining

    def line(self, label: str = "") -> str:
        fraction = self.done / self.total if self.total else 1.0
        filled = int(round(fraction * self.WIDTH))
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        eta = int(round(self.eta_seconds()))
        text = (
            f"geocode [{bar}] {self.done}/{self.total} {fraction:4.0%} "
            f"ETA {eta // 3600}:{eta // 60 % 60:02d}:{eta % 60:02d}"
        )
        return f"{text}  {label}" if label else text

    def show(self, label: str = "") -> None:
        text = self.line(label)[:119]
        if self.tty:
            self.stream.write("\r" + text.ljust(self._shown))
            self._shown = len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def step(self, label: str = "") -> None:
        self.done += 1
        self.show(label)

    def say(self, message: str) -> None:
        if self.tty and self._shown:
            self.stream.write("\r" + " " * self._shown + "\r")
            self._shown = 0
        self.stream.write(message + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self._shown:
            self.stream.write("\n")
            self.stream.flush()
            self._shown = 0


def _check_settings(values: dict[str, Any]) -> None:
    errors, _ = settings_mod.check({k: values[k] for k in _SETTINGS})
    if errors:
        raise ConfigurationError(errors[0])
    if values["GEOCODER_MAX_RETRIES"] < 0:
        raise ConfigurationError("GEOCODER_MAX_RETRIES must be 0 or more")
    if values["GEOCODER_MIN_DELAY_SECONDS"] < 0 or values["GEOCODER_TIMEOUT_SECONDS"] <= 0:
        raise ConfigurationError(
            "GEOCODER_MIN_DELAY_SECONDS must be 0 or more and GEOCODER_TIMEOUT_SECONDS more than 0"
        )


def _listing_problem(listing: Listing, message: str, severity=Severity.WARNING) -> str:
    line = listing.location_line
    return Problem(listing.source_path, line, 1, severity, "location", message).format_text()


def run(args) -> int:
    from waystation.records.validation import load_listings

    values = settings_mod.load(args.config)
    _check_settings(values)
    cache = GeocodeCache.load(Path(values["GEOCODE_CACHE"]))
    result = load_listings(
        [Path(values["PROVIDERS_PATH"])], stale_after_days=values.get("STALE_AFTER_DAYS", 365)
    )
    broken = sorted({p.file for p in result.problems if p.is_error})
    if broken:
        print(
            f"waystation geocode: note: {len(broken)} listing file(s) have errors and are "
            "skipped: run `waystation validate` to see them",
            file=sys.stderr,
        )

    jobs: dict[str, Job] = {}
    in_use: set[str] = set()
    by_id = {listing.id: listing for listing in result.listings}
    for listing in result.listings:
        found = geocodable(listing)
        if found is None:
            continue
        key, query = found
        in_use.add(key)
        job = jobs.setdefault(key, Job(key, query))
        job.listings.append(listing)

    refresh: set[str] = set()
    for listing_id in args.refresh:
        listing = by_id.get(listing_id)
        if listing is None:
            raise UsageError(
                f"--refresh {listing_id}: no valid listing has that id (the id is the file "
                "name without .md; run `waystation validate` if the file has errors)"
            )
        found = geocodable(listing)
        if found is None:
            raise UsageError(f"--refresh {listing_id}: cannot geocode it: {_why_not(listing)}")
        refresh.add(found[0])

    todo = sorted(
        (job for key, job in jobs.items() if key not in cache or key in refresh),
        key=lambda job: job.first.id,
    )
    unused = cache.unused(in_use) if args.prune else []
    if args.prune and broken:
        raise WaystationError(
            f"--prune: {len(broken)} listing file(s) have errors, so their addresses would be "
            "pruned too: fix them first (`waystation validate`)"
        )

    if args.dry_run:
        return _dry_run(todo, unused, cache, values)

    if unused:
        cache.prune(in_use)
        print(
            f"removed {len(unused)} unused entr{'y' if len(unused) == 1 else 'ies'} "
            f"from {cache.path}"
        )
    if not todo:
        print(f"nothing to look up: all {len(jobs)} public street address(es) are in {cache.path}")
        return 0
    return _geocode(todo, cache, values)


def _dry_run(todo: list[Job], unused: list[str], cache: GeocodeCache, values) -> int:
    delay = float(values["GEOCODER_MIN_DELAY_SECONDS"])
    if not todo:
        print(f"nothing to look up: every public street address is in {cache.path}")
    else:
        print(
            f"would look up {len(todo)} address(es) with {values['GEOCODER']} "
            f"(at least {len(todo) * delay:.0f} s at one request per {delay:g} s):"
        )
    for job in todo:
        print(f"  {job.names}: {job.query}")
    if unused:
        print(
            f"would remove {len(unused)} unused entr{'y' if len(unused) == 1 else 'ies'} "
            f"from {cache.path}:"
        )
        for key in unused:
            print(f"  {key}")
    return 0


def _geocode(todo: list[Job], cache: GeocodeCache, values: dict[str, Any]) -> int:
    geocoder = build_geocoder(values)
    label = geocoder_label(values)
    delay = float(values["GEOCODER_MIN_DELAY_SECONDS"])
    progress = Progress(len(todo), per_item_guess=delay)

    def on_retry(attempt: int, message: str, wait: float) -> None:
        progress.say(f"waystation geocode: {message} (retry {attempt} in {wait:g} s)")

    lookup = Lookup(
        geocoder,
        min_delay_seconds=delay,
        max_retries=int(values["GEOCODER_MAX_RETRIES"]),
        timeout_seconds=float(values["GEOCODER_TIMEOUT_SECONDS"]),
        on_retry=on_retry,
        sleep=backoff_sleep,
    )
    saved = not_found = rejected = failed = 0
    failures_in_a_row = 0
    stopped = ""
    done = 0
    today = dt.date.today().isoformat()
    progress.show()
    try:
        for job in todo:
            location = job.first.record.location
            try:
                answer = lookup(job.query, country_code(location.state))
            except LookupFailed as failure:
                failed += 1
                failures_in_a_row += 1
                done += 1
                if failure.fatal or failures_in_a_row >= MAX_FAILURES_IN_A_ROW:
                    # The next addresses would fail the same way: say it once, stop.
                    stopped = str(failure)
                    progress.step(job.first.id)
                    break
                progress.say(f"waystation geocode: {job.names}: {failure}")
                progress.step(job.first.id)
                continue
            failures_in_a_row = 0
            done += 1
            if answer is None:
                not_found += 1
                progress.say(
                    _listing_problem(
                        job.first,
                        f"the geocoder found nothing for {job.query!r}: check street, city "
                        "and postal_code, or add location.coordinates",
                    )
                )
            else:
                reason = centres.check_point(
                    answer.lat, answer.lon, location.state, location.postal_code, location.city
                )
                if reason is None and answer.precision == "area":
                    reason = f"it matched only an area ({answer.address}), not the street"
                if reason is not None:
                    rejected += 1
                    progress.say(
                        _listing_problem(
                            job.first,
                            f"rejected the geocoder's answer for {job.query!r}: {reason}; "
                            "check the address, or add location.coordinates",
                        )
                    )
                else:
                    cache.put(
                        job.key,
                        CacheEntry(
                            query=job.query,
                            lat=round(answer.lat, 7),
                            lon=round(answer.lon, 7),
                            geocoder=label,
                            precision=answer.precision,
                            date=today,
                        ),
                    )
                    saved += 1
            progress.step(job.first.id)
    except KeyboardInterrupt:
        progress.close()
        print(
            f"stopped by Ctrl-C: {saved} answer(s) saved to {cache.path}; run "
            "`waystation geocode` again to continue"
        )
        raise
    finally:
        progress.close()

    answered = saved + not_found + rejected
    left = len(todo) - done
    summary = (
        f"geocoded {answered} of {len(todo)} address(es): {saved} saved to {cache.path}, "
        f"{not_found} not found, {rejected} rejected, {failed} failed"
    )
    if left:
        summary += f"; {left} left for the next run"
    print(summary)
    if stopped:
        level = "error" if not answered else "warning"
        print(f"waystation geocode: {level}: {stopped}", file=sys.stderr)
    return 0 if answered else 1
