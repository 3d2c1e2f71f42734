"""Validating listing files: every problem in every file, in one run.

:func:`load_listings` is the one entry point the validator, the build and
every command use: it reads the files (:mod:`waystation.records.source`), checks them
against the model (:mod:`waystation.records.model`, errors mapped to lines by
:mod:`waystation.records.model_errors`) and the rules (:mod:`waystation.records.rules`),
then runs the checks across files.  It returns the valid listings and all
problems; it never raises for bad input.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import queue
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from waystation.records import model_errors, phones, rules
from waystation.records.model import Listing, ListingRecord, share_fields_sets
from waystation.records.problems import Problem, Severity, sort_problems
from waystation.records.source import SourceFile, format_path, iter_listing_paths, read_listing
from waystation.runtime import collector
from waystation.runtime.workers import take_turns, worker_count


@dataclass
class ValidationResult:
    listings: list[Listing] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    #: Every file read: its shown path -> its id (valid or not).
    ids: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    def ok(self, strict: bool = False) -> bool:
        return not (self.errors or (strict and self.warnings))


def _display(path: Path, cwd: str | None = None) -> str:
    """The path as messages show it: relative to the current folder (``cwd`` when
    given) when inside it."""
    text = str(path)
    if not os.path.isabs(text):
        return os.path.normpath(text)
    cwd = (cwd or os.getcwd()) + os.sep
    return text[len(cwd) :] if text.startswith(cwd) else text


def collect_paths(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    """Expand folders to their listing files; report missing paths and empty folders."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        shown = _display(path)
        if path.is_dir():
            found = iter_listing_paths(path)
            if not found:
                problems.append(
                    Problem(
                        shown,
                        1,
                        1,
                        Severity.ERROR,
                        "",
                        "no listings in this folder: listing files end in '.md' and do not "
                        "start with '_' (copy providers/_template.md to start one)",
                        "no_listings",
                    )
                )
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(
                Problem(
                    shown,
                    1,
                    1,
                    Severity.ERROR,
                    "",
                    "no such file or folder: check the path",
                    "path_not_found",
                )
            )
    cwd = os.getcwd()
    shown = {_display(p, cwd): p for p in files}
    return [shown[name] for name in sorted(shown)], problems


def check_source(
    src: SourceFile, ctx: rules.Context, lines: bool = True
) -> tuple[Listing | None, list[Problem]]:
    """The listing (if valid) and the problems of one read file.  With ``lines=False``
    the listing's ``location_line`` is not looked up (nothing asks for it)."""
    problems = list(src.problems)
    if src.data is None:
        return None, problems
    record = None
    try:
        record = ListingRecord.model_validate(src.data)
    except ValidationError as error:
        problems.extend(model_errors.problems_from(error, src))
    problems.extend(rules.apply(src, ctx))
    if record is None or any(p.is_error for p in problems):
        return None, problems
    line = src.top_level_lines().get("location", 1) if lines else 1
    return Listing(src.id, src.path, record, src.body, line), problems


#: Below this many files one process is faster than starting a second.
PARALLEL_THRESHOLD = 1500


def _check_files(
    files: list[tuple[str, str]], ctx: rules.Context, keep_listings: bool = True
) -> list[tuple[str, str, Listing | None, list[Problem], CrossKeys | None]]:
    out = []
    for path, shown in files:
        src = read_listing(Path(path), shown)
        listing, problems = check_source(src, ctx, lines=keep_listings)
        keys = CrossKeys.of(listing, src) if listing is not None else None
        out.append((src.path, src.id, listing if keep_listings else None, problems, keys))
    return out


def _warm_up() -> None:
    from waystation.gazetteer import centres
    from waystation.records import languages

    centres.zip_state("60601")
    languages.is_known("en")
    languages.is_known("yue")
    phones.is_valid("+52 55 5555 0123")


def _workers(count: int, wanted: int = 0) -> int:
    """Processes to check ``count`` files: ``wanted`` (the ``BUILD_WORKERS`` setting; 0,
    one per CPU core, at most 8), or 1 below :data:`PARALLEL_THRESHOLD` files."""
    return worker_count({"BUILD_WORKERS": wanted}, count, PARALLEL_THRESHOLD)


#: Files a process takes at a time from the shared queue (small: the processes
#: finish together even when one is slowed by other work on the machine).
CHUNK_SIZE = 100

#: What forked workers inherit: the chunks of work, the shared next-chunk
#: counter, the queue for their results, the context and whether listings are kept.
_SHARED: dict[str, object] = {}


def _take_chunks(deliver: Callable[[tuple[int, list]], None]) -> None:
    """Check chunks of files, taking the next one from the shared counter, until none
    are left, handing each result to ``deliver()`` (run by the workers and by the main
    process alike)."""
    chunks, counter = _SHARED["chunks"], _SHARED["counter"]
    ctx, keep_listings = _SHARED["ctx"], _SHARED["keep_listings"]
    for index in take_turns(counter, len(chunks)):
        deliver((index, _check_files(chunks[index], ctx, keep_listings)))


def _send_chunks() -> int:
    """A worker: check chunks, sending each result to the main process as soon as it is
    checked; return how many it sent."""
    results = _SHARED["results"]
    sent = 0

    def send(part: tuple[int, list]) -> None:
        nonlocal sent
        results.put(part)
        sent += 1

    _take_chunks(send)
    return sent


def _check_in_parallel(
    jobs: list[tuple[str, str]], ctx: rules.Context, keep_listings: bool = True, wanted: int = 0
) -> list:
    workers = _workers(len(jobs), wanted)
    if workers == 1:
        return _check_files(jobs, ctx, keep_listings)
    import multiprocessing

    _warm_up()  # load the shared tables once, before forking, not once per worker
    fork = multiprocessing.get_context("fork")
    # The work is passed by forking (not pickled), and this process checks its share
    # too instead of waiting for the workers.  A worker sends each chunk it checked at
    # once, and this process takes them in between its own chunks: reading the records
    # back costs about a third of checking them, and the shared counter then gives this
    # process fewer chunks, instead of leaving it all to read at the end.
    results = fork.Queue()
    _SHARED.update(
        chunks=[jobs[i : i + CHUNK_SIZE] for i in range(0, len(jobs), CHUNK_SIZE)],
        counter=fork.Value("l", 0),
        results=results,
        ctx=ctx,
        keep_listings=keep_listings,
    )
    parts: list[tuple[int, list]] = []
    received = 0

    def keep(part: tuple[int, list]) -> None:
        nonlocal received
        parts.append(part)
        while True:  # and what the workers sent meanwhile
            try:
                parts.append(results.get_nowait())
            except queue.Empty:
                return
            received += 1

    try:
        with fork.Pool(workers - 1) as pool:
            pending = [pool.apply_async(_send_chunks) for _ in range(workers - 1)]
            _take_chunks(keep)
            sent = sum(result.get() for result in pending)
            for _ in range(sent - received):
                parts.append(results.get())
    finally:
        _SHARED.clear()
        results.close()
    return [item for _index, part in sorted(parts, key=lambda item: item[0]) for item in part]


def load_listings(
    paths: list[Path],
    today: dt.date | None = None,
    stale_after_days: int = 365,
    cache_file: Path | ListingCache | None = None,
    keep_listings: bool = True,
    workers: int = 0,
) -> ValidationResult:
    """Read and check every listing under ``paths``.

    Large directories are checked by ``workers`` processes (the ``BUILD_WORKERS``
    setting; 0: one per CPU core, at most 8), each file on its own; the checks across
    files then run here.  With
    ``cache_file`` (the build passes one when Pelican's content cache is on),
    files unchanged since the last run are not read again (a :class:`ListingCache`
    object instead of a file: kept in memory between runs).  With
    ``keep_listings=False`` (``waystation validate``, which only reports),
    ``.listings`` stays empty and the records are not passed between processes.
    """
    with collector.paused():
        return _load_listings(paths, today, stale_after_days, cache_file, keep_listings, workers)


def _load_listings(
    paths: list[Path],
    today: dt.date | None,
    stale_after_days: int,
    cache_file: Path | ListingCache | None,
    keep_listings: bool,
    workers: int,
) -> ValidationResult:
    ctx = rules.Context(today or dt.date.today(), stale_after_days)
    files, problems = collect_paths([Path(p) for p in paths])
    result = ValidationResult(files=len(files))
    result.problems.extend(problems)
    cwd = os.getcwd()
    jobs = [(str(path), _display(path, cwd)) for path in files]
    if isinstance(cache_file, ListingCache):
        cache = cache_file  # kept in memory by the caller (make devserver)
    else:
        cache = ListingCache.load(cache_file, ctx) if cache_file else None
    if cache is None:
        checked = _check_in_parallel(jobs, ctx, keep_listings, workers)
    else:
        checked = cache.check(jobs, lambda todo: _check_in_parallel(todo, ctx, True, workers))
        cache.save()
    summaries = []
    for shown, listing_id, listing, file_problems, keys in checked:
        result.ids[shown] = listing_id
        result.problems.extend(file_problems)
        if listing is not None:
            result.listings.append(listing)
        if keys is not None:
            summaries.append(keys)
    result.problems.extend(cross_file_problems(result, summaries))
    bad_ids = {p.file for p in result.problems if p.rule == "duplicate_id"}
    result.listings = sorted(
        (item for item in result.listings if item.source_path not in bad_ids),
        key=lambda item: item.id,
    )
    share_fields_sets(listing.record for listing in result.listings)
    result.problems = sort_problems(result.problems)
    return result


def _locate(source_path: str) -> SourceFile:
    """The parsed file again, for the position of a problem found across files."""
    return read_listing(Path(source_path), source_path)


def _normalize_url(url: str) -> str:
    url = url.strip().lower()
    for prefix in ("https://", "http://"):
        if url.startswith(prefix):
            url = url[len(prefix) :]
    if url.startswith("www."):
        url = url[4:]
    return url.rstrip("/")


@dataclass(frozen=True)
class CrossKeys:
    """What the checks across files need of one valid listing (small, cheap to pass
    between processes), with where each of those values is in its file."""

    source_path: str
    org: str
    name_city: tuple[str, str, str] | None
    phones: tuple[tuple[int, str], ...]  # (index, E.164), short codes left out
    website: str | None
    #: ``(path, (line, column))`` of the name, the website and each phone above: a
    #: warning across files needs no second reading of the file (a national directory
    #: shares thousands of phones: at 50,000 listings, 91,000 files read again).
    positions: tuple[tuple[tuple, tuple[int, int]], ...] = ()

    @classmethod
    def of(cls, listing: Listing, source: SourceFile | None = None) -> CrossKeys:
        record = listing.record
        loc = record.location
        keys = cls(
            source_path=listing.source_path,
            org=(record.organization or record.name).strip().casefold(),
            name_city=(record.name.strip().casefold(), loc.city.strip().casefold(), loc.state)
            if loc.city
            else None,
            # Short codes like 233733 are shared by design.
            phones=tuple(
                (index, phones.e164(phone.number))
                for index, phone in enumerate(record.phones or [])
                if not (phone.type == "text" and phone.number.strip().isdigit())
            ),
            website=_normalize_url(record.website) if record.website else None,
        )
        if source is None:
            return keys
        paths = [("name",), ("website",)] + [("phones", i, "number") for i, _ in keys.phones]
        return dataclasses.replace(
            keys, positions=tuple((path, source.position(path)) for path in paths)
        )

    def warning(self, path: tuple, message: str, rule: str) -> Problem:
        """A warning about the value at ``path`` of this listing's file."""
        where = dict(self.positions).get(path)
        if where is None:
            return _locate(self.source_path).problem(path, message, Severity.WARNING, rule=rule)
        line, column = where
        return Problem(
            self.source_path, line, column, Severity.WARNING, format_path(path), message, rule
        )


def cross_file_problems(result: ValidationResult, summaries: list[CrossKeys]) -> list[Problem]:
    """Duplicate ids (errors); shared phones, websites and names (warnings)."""
    problems: list[Problem] = []
    by_id: dict[str, list[str]] = defaultdict(list)
    for shown, listing_id in result.ids.items():
        by_id[listing_id].append(shown)
    for listing_id, shown_paths in sorted(by_id.items()):
        if len(shown_paths) > 1:
            names = sorted(shown_paths)
            for shown in names:
                others = ", ".join(n for n in names if n != shown)
                problems.append(
                    Problem(
                        shown,
                        1,
                        1,
                        Severity.ERROR,
                        "",
                        f"the id '{listing_id}' is also used by {others}: rename one file",
                        "duplicate_id",
                    )
                )

    owners: dict[tuple[str, str], list[tuple[CrossKeys, tuple]]] = defaultdict(list)
    for keys in summaries:
        for index, number in keys.phones:
            owners[("phone", number)].append((keys, ("phones", index, "number")))
        if keys.website:
            owners[("website", keys.website)].append((keys, ("website",)))
    shared = sorted(
        (key, uses) for key, uses in owners.items() if len({k.org for k, _ in uses}) > 1
    )
    for (kind, _value), uses in shared:
        for keys, path in uses:
            others = sorted(other.source_path for other, _ in uses if other.org != keys.org)
            problems.append(
                keys.warning(
                    path,
                    f"the same {kind} is on {', '.join(others)}, a different organization: "
                    "check it is right, or give both listings the same 'organization'",
                    rule=f"shared_{kind}",
                )
            )
    by_name_city: dict[tuple[str, str, str], list[CrossKeys]] = defaultdict(list)
    for keys in summaries:
        if keys.name_city:
            by_name_city[keys.name_city].append(keys)
    for _key, same in sorted(item for item in by_name_city.items() if len(item[1]) > 1):
        for keys in same:
            others = sorted(o.source_path for o in same if o is not keys)
            problems.append(
                keys.warning(
                    ("name",),
                    f"{', '.join(others)} has the same name in the same city: merge them, or "
                    "make the names say how they differ (e.g. add the site)",
                    rule="same_name_same_city",
                )
            )
    return problems


class ListingCache:
    """Results of checking each file, kept between builds (like Pelican's content cache).

    An entry is reused while the file's size and modification time are the
    same, and the whole cache is dropped when the checking code, the
    vocabularies, the day or the stale-after setting change.
    """

    VERSION = 3  # 2: CrossKeys carry their values' positions; 3: listings keep location_line

    def __init__(self, path: Path, key: str, entries: dict | None = None) -> None:
        self.path = path
        self.key = key
        self.entries: dict[str, tuple] = entries or {}
        self.used: dict[str, tuple] = {}

    @staticmethod
    def fingerprint(ctx: rules.Context) -> str:
        import hashlib

        from waystation.records import vocabulary

        digest = hashlib.sha256(
            f"{ListingCache.VERSION}|{ctx.today}|{ctx.stale_after_days}".encode()
        )
        from waystation.gazetteer import centres
        from waystation.records import languages, model, model_errors, source

        this = sys.modules[__name__]
        for module in (source, model, rules, model_errors, this, centres, languages):
            digest.update(Path(module.__file__).read_bytes())
        digest.update(vocabulary.VOCABULARY_FILE.read_bytes())
        return digest.hexdigest()

    @classmethod
    def load(cls, path: Path, ctx: rules.Context) -> ListingCache:
        import pickle

        key = cls.fingerprint(ctx)
        try:
            with Path(path).open("rb") as handle:
                stored_key, entries = pickle.load(handle)  # noqa: S301 - our own cache file
        except (OSError, EOFError, ValueError, TypeError, pickle.UnpicklingError, AttributeError):
            return cls(Path(path), key)
        return cls(Path(path), key, entries if stored_key == key else None)

    def check(self, jobs: list[tuple[str, str]], run) -> list:
        stamps = {}
        todo = []
        ready: dict[str, tuple] = {}
        for path, shown in jobs:
            try:
                info = os.stat(path)
                stamp = (info.st_mtime_ns, info.st_size, shown)
            except OSError:
                stamp = None
            stamps[path] = stamp
            entry = self.entries.get(path)
            if stamp is not None and entry is not None and entry[0] == stamp:
                ready[path] = entry[1]
            else:
                todo.append((path, shown))
        fresh = dict(zip((p for p, _ in todo), run(todo) if todo else [], strict=True))
        out = []
        for path, _shown in jobs:
            item = ready.get(path) or fresh[path]
            if stamps[path] is not None:
                self.used[path] = (stamps[path], item)
            out.append(item)
        return out

    @classmethod
    def in_memory(cls, ctx: rules.Context, entries: dict | None = None) -> ListingCache:
        """A cache kept in memory between runs (no file): :meth:`save` keeps what the
        last run used for the next one."""
        cache = cls(Path(), cls.fingerprint(ctx), entries)
        cache.path = None  # type: ignore[assignment]
        return cache

    def save(self) -> None:
        import pickle
        import tempfile

        if self.path is None:  # in memory: the next check starts from what this one used
            self.entries, self.used = self.used, {}
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "wb", dir=self.path.parent, prefix=".listings-", delete=False
            ) as handle:
                pickle.dump((self.key, self.used), handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(handle.name, self.path)
        except OSError:
            pass
