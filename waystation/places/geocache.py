"""The geocoding cache: a committed, human-reviewable JSON file.

``geocode-cache.json`` (setting ``GEOCODE_CACHE``) maps each normalized
address to what a geocoder answered for it::

    {
      "12 harbor st, chicago, il 60601, usa": {
        "date": "2026-03-14",
        "geocoder": "nominatim",
        "lat": 41.8858,
        "lon": -87.6181,
        "precision": "address",
        "query": "12 Harbor St, Chicago, IL 60601, USA"
      }
    }

Keys and fields are sorted and indented by two spaces, so a change reads
well in a diff.  Only ``public`` listings with a street have an address
here (see :func:`address_query`); the file is rewritten atomically (a
temporary file in the same folder, fsync, ``os.replace``) after every
answer, so an interrupted run loses nothing already answered and never
leaves half a file.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from waystation.exc import WaystationError
from waystation.gazetteer.centres import zip5

if TYPE_CHECKING:
    from waystation.records.model import Location

#: Country names appended to a query, by state code (the rest are the USA).
_TERRITORIES = {
    "PR": "Puerto Rico",
    "GU": "Guam",
    "VI": "U.S. Virgin Islands",
    "AS": "American Samoa",
    "MP": "Northern Mariana Islands",
}
#: ISO 3166-1 codes of the territories, which OpenStreetMap treats as countries.
COUNTRY_CODES = {"PR": "pr", "GU": "gu", "VI": "vi", "AS": "as", "MP": "mp"}

_FIELDS = ("query", "lat", "lon", "geocoder", "precision", "date")


class CacheError(WaystationError):
    """The cache file cannot be read or is not a geocode cache."""


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """What a geocoder answered for one address."""

    query: str
    lat: float
    lon: float
    geocoder: str
    precision: str
    date: str  # ISO date of the answer


def country_code(state: str) -> str:
    """ISO country code OpenStreetMap uses for a state or territory."""
    return COUNTRY_CODES.get(state, "us")


def address_query(location: Location) -> str | None:
    """The text sent to a geocoder for a location, or ``None`` if it is never sent.

    Only a ``public`` location with a street is ever geocoded: an
    ``approximate`` or ``hidden`` one has no street to send (and is never
    sent at all), and a public one without a street is placed at its ZIP or
    city centre offline.  ``street2`` (suite, floor) is left out: it does
    not move the point and confuses geocoders.
    """
    if location.visibility != "public" or not location.street:
        return None
    parts = [location.street.strip()]
    if location.city:
        parts.append(location.city.strip())
    code = zip5(location.postal_code)
    parts.append(f"{location.state} {code}" if code else location.state)
    parts.append(_TERRITORIES.get(location.state, "USA"))
    return ", ".join(parts)


def address_key(location: Location) -> str | None:
    """The cache key of a location: its normalized :func:`address_query`."""
    query = address_query(location)
    return normalize_address(query) if query else None


_DROP = str.maketrans("", "", ".'’`\"")
_SPACE = re.compile(r"[^\w#,/-]+")
_COMMAS = re.compile(r" ?,[ ,]*")


def normalize_address(text: str) -> str:
    """Lower case, no dots or quotes, single spaces, ``", "`` between parts."""
    text = text.lower() if text.isascii() else unicodedata.normalize("NFKC", text).casefold()
    text = _SPACE.sub(" ", text.translate(_DROP).replace("_", " "))
    return _COMMAS.sub(", ", text).strip(" ,")


def _fix_hint(path: Path) -> str:
    return (
        f"restore it from git (`git checkout -- {path}`), or delete it and run "
        "`waystation geocode` to look every address up again"
    )


def _check_entry(path: Path, key: str, raw: Any) -> CacheEntry:
    def bad(what: str) -> CacheError:
        return CacheError(f"{path}: entry {key!r} {what}; fix that entry, or {_fix_hint(path)}")

    if not isinstance(raw, dict):
        raise bad("is not an object with query, lat, lon, geocoder, precision and date")
    missing = [f for f in _FIELDS if f not in raw]
    if missing:
        raise bad(f"lacks {', '.join(missing)}")
    extra = sorted(set(raw) - set(_FIELDS))
    if extra:
        raise bad(f"has unknown field(s) {', '.join(extra)}")
    for name, limit in (("lat", 90), ("lon", 180)):
        value = raw[name]
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or abs(value) > limit
        ):
            raise bad(f"has {name} {value!r}, not a number between -{limit} and {limit}")
    for name in ("query", "geocoder", "precision", "date"):
        if not isinstance(raw[name], str):
            raise bad(f"has {name} {raw[name]!r}, not a string")
    return CacheEntry(
        query=raw["query"],
        lat=float(raw["lat"]),
        lon=float(raw["lon"]),
        geocoder=raw["geocoder"],
        precision=raw["precision"],
        date=raw["date"],
    )


def dumps(entries: dict[str, CacheEntry]) -> str:
    """The file's text: sorted keys, indent 2, UTF-8, final newline."""
    data = {key: asdict(entry) for key, entry in entries.items()}
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text``: all of it or nothing, even on a crash."""
    folder = path.parent if str(path.parent) else Path(".")
    folder.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o644
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    # Make the rename itself durable (POSIX; not possible everywhere).
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


class GeocodeCache:
    """The cache file's entries, by normalized address.

    :meth:`load` reads the file (a missing file is an empty cache);
    :meth:`put` and :meth:`remove` save it at once, atomically.
    """

    def __init__(self, path: str | Path, entries: dict[str, CacheEntry] | None = None) -> None:
        self.path = Path(path)
        self.entries: dict[str, CacheEntry] = dict(entries or {})

    @classmethod
    def load(cls, path: str | Path) -> GeocodeCache:
        """Read the cache; raise :class:`CacheError` with a one-line fix if it is damaged."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path)
        except UnicodeDecodeError:
            raise CacheError(f"{path}: not UTF-8 text; {_fix_hint(path)}") from None
        except OSError as error:
            raise CacheError(
                f"{path}: cannot read the geocode cache ({error.strerror}); check the "
                "file's permissions"
            ) from None
        if not text.strip():
            return cls(path)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise CacheError(
                f"{path}:{error.lineno}:{error.colno}: not valid JSON ({error.msg}); "
                f"{_fix_hint(path)}"
            ) from None
        except RecursionError:
            raise CacheError(f"{path}: not a geocode cache; {_fix_hint(path)}") from None
        if not isinstance(data, dict):
            raise CacheError(
                f"{path}: not a geocode cache (expected an object of addresses, found "
                f"{type(data).__name__}); {_fix_hint(path)}"
            )
        entries: dict[str, CacheEntry] = {}
        for key, raw in data.items():
            entries[normalize_address(key)] = _check_entry(path, key, raw)
        return cls(path, entries)

    def __contains__(self, key: object) -> bool:
        return key in self.entries

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)

    def get(self, key: str | None) -> CacheEntry | None:
        return self.entries.get(key) if key else None

    def put(self, key: str, entry: CacheEntry, save: bool = True) -> None:
        """Add or replace one entry, then save the file."""
        self.entries[key] = entry
        if save:
            self.save()

    def remove(self, key: str, save: bool = True) -> bool:
        """Drop one entry (saving the file); ``False`` if there was none."""
        if key not in self.entries:
            return False
        del self.entries[key]
        if save:
            self.save()
        return True

    def unused(self, keys_in_use: Iterable[str]) -> list[str]:
        """Keys of entries no listing uses, sorted."""
        used = set(keys_in_use)
        return sorted(k for k in self.entries if k not in used)

    def prune(self, keys_in_use: Iterable[str], save: bool = True) -> list[str]:
        """Drop the entries no listing uses; return their keys."""
        removed = self.unused(keys_in_use)
        for key in removed:
            del self.entries[key]
        if removed and save:
            self.save()
        return removed

    def save(self) -> None:
        try:
            write_atomic(self.path, dumps(self.entries))
        except OSError as error:
            raise CacheError(
                f"{self.path}: cannot save the geocode cache ({error.strerror}): check that "
                "its folder is writable and the disk is not full"
            ) from None
