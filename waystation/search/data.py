"""The data the search page filters and sorts in the browser.

Pagefind answers "which listings mention these words"; it cannot answer
"which listings serve ZIP 60601, in Spanish, open now, nearest first".  The
build ships that as small JSON files under ``search-data/`` (setting
``SEARCH_DATA_PATH``), all made from :func:`waystation.publish.public_listing`
and nothing else, so the confidentiality rules hold here too: a hidden
listing has no point, city or ZIP in any file; an approximate one only its
area's centre.

Layout (every file is compact, sorted JSON; same directory, same bytes)::

    search-data/manifest.json            vocabularies, shards, row layout, version
    search-data/<lang>/rows/<shard>.json  one row per listing serving the shard
    search-data/<lang>/summaries/<shard>-<n>.json  the summary of each row
    search-data/zip/…, search-data/city/… ZIP and city centres (zip_shards.py)

Shards: one per state (every listing whose service area covers the state,
wholly or in some counties) and ``national`` (listings serving the whole
country, kept out of the state shards).  A ZIP search loads the ZIP's
shard, its state's rows and the national rows: a few tens of KB even with
10,000 listings, asked for all at once by the search page's head (docs/search.md,
"Loading").  Rows carry what filtering and sorting need (filters as bit
masks, the published point, hours) and what a result shows at once (its
*card*: name, city, link, one phone), so the first results are painted as
soon as the rows arrive; the summaries, the longest text, sit in chunks of
:data:`CHUNK` rows, fetched only for the results shown and filled in after.
Rows are ordered along a Z-order curve of their points, so the nearest
results mostly share a chunk.

Each rows file carries the data version (also in the manifest): the rows are
asked for under a plain address (the page's head cannot know the version),
and the page checks that they match the manifest before using them.

A row (see ``ROW_FIELDS``)::

    [g, hash, lat, lon, flags, services, populations, features, trafficking,
     cost, languages, hours, counties, rank, card]

- ``g``: the listing's index in the directory (ids sorted): the same listing
  in two shards has the same ``g``;
- ``hash``: its Pagefind page id without the ``<lang>_`` prefix ("" when the
  Pagefind index is missing): how a text query narrows the rows;
- ``lat``/``lon``: the published point (:func:`publish.public_point`) or null;
- ``flags``: :data:`FLAGS`;
- ``services``, ``populations``, ``features``, ``trafficking``: bit masks over
  the manifest's term lists (no ``populations`` means everyone: all bits);
- ``cost``: index in the manifest's cost terms, -1 if unknown;
- ``languages``: indexes in the manifest's language list;
- ``hours``: index in the shard's ``hours`` table (``[time zone, always,
  [[day mask, opens minute, closes minute, overnight], …]]``), -1 if none;
- ``counties``: county keys (:func:`zip_shards.county_key`) when the listing
  serves only some counties of the shard's state, else [];
- ``rank``: position of the listing's name in alphabetical order (per language);
- ``card``: :func:`card`: name, city and state, link, one phone (a hidden
  listing's card has its state only: no city).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import zlib
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from waystation.directory import Directory
from waystation.records import vocabulary
from waystation.search import zip_shards
from waystation.site import hours as site_hours
from waystation.site import phones as site_phones
from waystation.site import urls as site_urls

#: Rows per summary chunk.
CHUNK = 32
#: Format of the files; the page refuses data of another version.
FORMAT = 2

ROW_FIELDS = (
    "g",
    "hash",
    "lat",
    "lon",
    "flags",
    "services",
    "populations",
    "features",
    "trafficking",
    "cost",
    "languages",
    "hours",
    "counties",
    "rank",
    "card",
)

FLAGS = {
    "approximate": 1,  # the point is an area's centre (ZIP or city), not an address
    "national": 2,
    "remote": 4,
    "counties": 8,  # serves only some counties of the shard's state
    "closed": 16,  # temporarily closed
    "always": 32,  # open 24/7 (hours "24/7" or feature 24-7)
    "local": 64,  # located in the shard's state
}

VOCABULARIES = ("services", "populations", "features", "trafficking_types", "cost")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NATIONAL = "national"
PHONE_PREFERENCE = ("hotline", "voice", "text", "whatsapp", "tty")


def shards_of(public: dict[str, Any]) -> list[str]:
    """The shards a published listing belongs to: ``["national"]`` or its states."""
    area = public["service_area"]
    if area["national"]:
        return [NATIONAL]
    return sorted(area["states"])


def home_shard(public: dict[str, Any]) -> str:
    """The one shard that always holds the listing (what Pagefind's ``shard`` filter says)."""
    shards = shards_of(public)
    state = public["location"]["state"]
    return state if state in shards else shards[0]


def _mask(values: list[str], ids: tuple[str, ...]) -> int:
    mask = 0
    for value in values:
        if value in ids:
            mask |= 1 << ids.index(value)
    return mask


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def hours_entry(public: dict[str, Any]) -> list[Any] | None:
    """``[time zone, always, [[day mask, opens, closes, overnight], …]]`` or None.

    The time zone is the listing's state's (:func:`site_hours.time_zone`), as on
    its page, so the search and the page agree on "open now".
    """
    hours = public.get("hours")
    tz = site_hours.time_zone(public["location"]["state"])
    if hours == "24/7":
        return [tz, 1, []]
    if not hours:
        return None
    spans = sorted(
        [
            _mask(list(entry["days"]), DAYS),
            _minutes(entry["opens"]),
            _minutes(entry["closes"]),
            1 if entry.get("overnight") else 0,
        ]
        for entry in hours
    )
    return [tz, 0, spans]


def _z_order(lat: float, lon: float) -> int:
    """Interleave the bits of the quantized point: near points get near numbers."""
    y = int((lat + 90.0) / 180.0 * 0xFFFF)
    x = int((lon + 180.0) / 360.0 * 0xFFFF)
    z = 0
    for bit in range(16):
        z |= ((x >> bit) & 1) << (2 * bit) | ((y >> bit) & 1) << (2 * bit + 1)
    return z


def _phone(public: dict[str, Any]) -> list[str] | None:
    phones = [p for p in public.get("phones", []) if p["type"] in PHONE_PREFERENCE]
    if not phones:
        return None
    phone = min(phones, key=lambda p: PHONE_PREFERENCE.index(p["type"]))
    link = site_phones.phone_link(phone["number"], phone["type"])
    return [link.display, link.href or "", phone["type"]]


def card(public: dict[str, Any], path: str) -> dict[str, Any]:
    """What a result shows at once (in its row): name, city and state, link, one phone."""
    location = public["location"]
    data = {
        "n": public["name"],
        "c": location.get("city"),
        "st": location["state"],
        "u": path,
        "ph": _phone(public),
        # The name shown untranslated (in the listing's own English): marked lang="en".
        "ut": ["n"] if "name" in public["untranslated"] else [],
    }
    return {k: v for k, v in data.items() if v}


def summary(public: dict[str, Any]) -> dict[str, Any]:
    """What a result's summary file holds for it: the summary (``{}`` when none)."""
    text = public.get("summary")
    if not text:
        return {}
    return {"s": text, "ut": ["s"]} if "summary" in public["untranslated"] else {"s": text}


def pagefind_hashes(output: Path, lang: str) -> dict[str, str]:
    """``{page path: hash}`` of the Pagefind fragments of ``lang`` in ``output/pagefind``.

    The page path is the URL Pagefind recorded, without its leading slash
    (``providers/x/``).  Empty when the site has no Pagefind index.
    """
    folder = output / "pagefind" / "fragment"
    found: dict[str, str] = {}
    if not folder.is_dir():
        return found
    prefix = f"{lang}_"
    for path in sorted(folder.glob(f"{prefix}*.pf_fragment")):
        found[_fragment_url(path).lstrip("/")] = path.name[len(prefix) : -len(".pf_fragment")]
    return found


_URL_KEY = b'{"url":"'


def _fragment_url(path: Path) -> str:
    """The ``url`` of a Pagefind fragment (gzipped ``pagefind_dcd`` + JSON)."""
    raw = zlib.decompress(path.read_bytes(), 16 + zlib.MAX_WBITS)
    start = raw.index(b"{")
    if raw.startswith(_URL_KEY, start):  # Pagefind writes the url first: read just it
        text = raw[start + len(_URL_KEY) : start + 4096].decode("utf-8", "ignore")
        try:
            return json.decoder.scanstring(text, 0)[0]
        except ValueError:
            pass  # longer than read: parse it all
    return json.loads(raw[start:].decode("utf-8"))["url"]


def _county_keys(public: dict[str, Any], state: str) -> list[str]:
    counties = public["service_area"]["counties"]
    return sorted({zip_shards.county_key(c) for c in counties if c.split("/", 1)[0] == state})


class ShardWriter:
    """Rows and cards of every shard, for one language."""

    def __init__(
        self,
        directory: Directory,
        lang: str,
        default_lang: str,
        hashes: dict[str, str] | None = None,
    ):
        self.directory = directory
        self.lang = lang
        self.default_lang = default_lang
        self.hashes = hashes or {}
        self.vocab = {name: vocabulary.get(name).ids for name in VOCABULARIES}
        #: ``{shard: [page path of each row]}`` of the last :meth:`build`.
        self.paths: dict[str, list[str]] = {}

    def listings(self) -> list[tuple[int, dict[str, Any]]]:
        return [
            (g, self.directory.public(item, self.lang))
            for g, item in enumerate(self.directory.listings)
        ]

    def build(self, languages: list[str]) -> dict[str, dict[str, Any]]:
        """``{shard: {"rows": [...], "hours": [...], "summaries": [[summary, …], …]}}``."""
        items = self.listings()
        ranks = {
            g: rank
            for rank, (g, _) in enumerate(
                sorted(items, key=lambda gp: (gp[1]["name"].casefold(), gp[1]["id"]))
            )
        }
        members: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
        for g, public in items:
            for shard in shards_of(public):
                members[shard].append((g, public))
        shards: dict[str, dict[str, Any]] = {}
        for shard, entries in sorted(members.items()):
            entries.sort(key=lambda gp: self._order(gp[1], ranks[gp[0]]))
            hours_table: list[str] = []
            rows, summaries, paths = [], [], []
            for g, public in entries:
                path = site_urls.listing(public["id"], self.lang, self.default_lang)
                rows.append(self._row(g, public, shard, ranks[g], languages, hours_table, path))
                summaries.append(summary(public))
                paths.append(path)
            self.paths[shard] = paths
            shards[shard] = {
                "rows": rows,
                "hours": [json.loads(h) for h in hours_table],
                "summaries": [summaries[i : i + CHUNK] for i in range(0, len(summaries), CHUNK)],
            }
        return shards

    def set_hashes(self, shards: dict[str, dict[str, Any]], hashes: dict[str, str]) -> None:
        """Put Pagefind's page ids into the rows of ``shards`` (built before the index was)."""
        self.hashes = hashes
        for shard, data in shards.items():
            for row, path in zip(data["rows"], self.paths[shard], strict=True):
                row[1] = hashes.get(path, "")

    @staticmethod
    def _order(public: dict[str, Any], rank: int) -> tuple[int, int, int]:
        point = public.get("point")
        if point:
            return (0, _z_order(point["lat"], point["lon"]), rank)
        return (1, 0, rank)

    def _row(
        self,
        g: int,
        public: dict[str, Any],
        shard: str,
        rank: int,
        languages: list[str],
        hours_table: list[str],
        path: str,
    ) -> list[Any]:
        area = public["service_area"]
        point = public.get("point")
        features = public.get("features", [])
        flags = 0
        if point and point["precision"] in ("zip", "city"):
            flags |= FLAGS["approximate"]
        if area["national"]:
            flags |= FLAGS["national"]
        if area["remote"]:
            flags |= FLAGS["remote"]
        counties = _county_keys(public, shard) if shard != NATIONAL else []
        if counties:
            flags |= FLAGS["counties"]
        if public["status"] == "temporarily-closed":
            flags |= FLAGS["closed"]
        if public.get("hours") == "24/7" or "24-7" in features:
            flags |= FLAGS["always"]
        if public["location"]["state"] == shard:
            flags |= FLAGS["local"]
        hours = hours_entry(public)
        hours_index = -1
        if hours is not None:
            key = json.dumps(hours, separators=(",", ":"))
            if key not in hours_table:
                hours_table.append(key)
            hours_index = hours_table.index(key)
        populations = public.get("populations") or []
        population_ids = self.vocab["populations"]
        return [
            g,
            self.hashes.get(path, ""),
            point["lat"] if point else None,
            point["lon"] if point else None,
            flags,
            _mask(public["services"], self.vocab["services"]),
            _mask(populations, population_ids) if populations else (1 << len(population_ids)) - 1,
            _mask(features, self.vocab["features"]),
            _mask(public["trafficking_types"], self.vocab["trafficking_types"]),
            self.vocab["cost"].index(public["cost"]) if public.get("cost") else -1,
            sorted(languages.index(code) for code in public.get("languages", [])),
            hours_index,
            counties,
            rank,
            card(public, path),
        ]


def spoken_languages(directory: Directory) -> list[str]:
    """Codes of the languages staff speak, most listings first (then by code)."""
    counts = Counter(code for item in directory.listings for code in (item.record.languages or []))
    return [code for code, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def shard_counts(directory: Directory) -> dict[str, int]:
    """How many listings each shard holds (what the state filter counts)."""
    counts: Counter[str] = Counter()
    for item in directory.listings:
        public = directory.public(item, "en")
        counts.update(shards_of(public))
    return dict(sorted(counts.items()))


def _dump(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def data_folder(output: Path, settings: dict[str, Any]) -> Path:
    return Path(output) / settings.get("SEARCH_DATA_PATH", "search-data").strip("/")


#: What :func:`prepare_search_data` made, by output folder, for :func:`write_search_data`:
#: ``(directory, folder, spoken languages, [(lang, ShardWriter, shards)])``.
_PREPARED: dict[Path, tuple[Directory, Path, list[str], list[tuple[str, Any, Any]]]] = {}


def prepare_search_data(directory: Directory, output: Path, settings: dict[str, Any]) -> None:
    """What :func:`write_search_data` can make before Pagefind is done, made while the
    pages are written (:data:`waystation.build.postbuild.PREPARE`): the place shards, and each
    language's rows and cards, without Pagefind's page ids."""
    _PREPARED[Path(output).resolve()] = _prepare(directory, output, settings)


def _prepare(directory: Directory, output: Path, settings: dict[str, Any]):
    folder = data_folder(output, settings)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    zip_shards.write_place_shards(folder)
    langs = list(settings["LANGUAGES"])
    languages = spoken_languages(directory)
    built = []
    for lang in langs:
        writer = ShardWriter(directory, lang, langs[0])
        built.append((lang, writer, writer.build(languages)))
    return directory, folder, languages, built


def write_search_data(directory: Directory, output: Path, settings: dict[str, Any]) -> None:
    """Post-build step: write ``search-data/``.

    The rows carry Pagefind's page ids: everything else is made first (in a build,
    while the pages were written: :func:`prepare_search_data`), then this joins the
    Pagefind indexing the ``start_pagefind_index`` step started
    (:func:`waystation.search.pagefind.wait`; nothing to join if the index was built
    before) and reads them.
    """
    from waystation.search import pagefind as pagefind_index

    prepared = _PREPARED.pop(Path(output).resolve(), None)
    if prepared is None or prepared[0] is not directory:
        prepared = _prepare(directory, output, settings)
    _, folder, languages, built = prepared
    pagefind_index.wait(Path(output))
    # The version: a digest of every rows and summary file (the rows written without it,
    # as the digest cannot hold itself), then written into each rows file too.
    digest = hashlib.sha256()
    shard_sizes: dict[str, int] = {}
    files: dict[Path, bytes] = {}
    rows_files: dict[Path, bytes] = {}
    for lang, writer, shards in built:
        writer.set_hashes(shards, pagefind_hashes(Path(output), lang))
        (folder / lang / "rows").mkdir(parents=True)
        (folder / lang / "summaries").mkdir(parents=True)
        for name, shard in shards.items():
            rows = {"format": FORMAT, "hours": shard["hours"], "rows": shard["rows"]}
            dumped = rows_files[folder / lang / "rows" / f"{name}.json"] = _dump(rows)
            digest.update(dumped)
            for n, chunk in enumerate(shard["summaries"]):
                data = files[folder / lang / "summaries" / f"{name}-{n}.json"] = _dump(chunk)
                digest.update(data)
            shard_sizes[name] = len(shard["rows"])
    version = digest.hexdigest()[:16]
    for path, dumped in rows_files.items():
        # The rows with the version among their keys (sorted: the last), dumped once.
        files[path] = dumped[:-1] + b',"version":' + _dump(version) + b"}"
    for path, data in files.items():
        path.write_bytes(data)
    manifest = {
        "format": FORMAT,
        "version": version,
        "chunk": CHUNK,
        "fields": list(ROW_FIELDS),
        "flags": FLAGS,
        "days": list(DAYS),
        "terms": {name: list(vocabulary.get(name).ids) for name in VOCABULARIES},
        "languages": languages,
        "shards": shard_sizes,
        "pagefind": any((Path(output) / "pagefind" / "fragment").glob("*.pf_fragment"))
        if (Path(output) / "pagefind" / "fragment").is_dir()
        else False,
    }
    (folder / "manifest.json").write_bytes(_dump(manifest))
