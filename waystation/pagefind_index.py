"""The full-text index: Pagefind over the written listing pages.

Each listing page carries a hidden ``data-pagefind-body`` block
(``theme/templates/partials/search_meta.html``) with exactly what full-text
search covers: name, other names, summary, services, tags, city and state,
and the description.  Pagefind reads only pages with such a block, makes one
index per ``<html lang>`` (English and Spanish), and writes its files to
``output/pagefind/``; the search page loads them from there, never from
elsewhere.

Pagefind's Python API waits about 0.1 s per call, so pages are never added
one at a time: the whole folder is indexed in one ``add_directory`` call (the
same crawl as ``pagefind --site``), limited by a glob to the listing pages.
Pagefind's bundled UI files are deleted afterwards: the site uses its own
script (``theme/static/js/search.js``) and the Pagefind JS API.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import cbor2

from waystation.exc import WaystationError

#: Pagefind's ready-made UIs: not used (the search page has its own script).
UNUSED_FILES = (
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
    "wasm.unknown.pagefind",
)


def listing_glob(settings: dict[str, Any]) -> str:
    """The listing pages of every language: ``{providers,es/providers}/*/index.html``."""
    langs = list(settings["LANGUAGES"])
    folders = ["providers"] + [f"{lang}/providers" for lang in langs[1:]]
    if len(folders) == 1:
        return f"{folders[0]}/*/index.html"
    return "{" + ",".join(folders) + "}/*/index.html"


async def _index(site: Path, glob: str) -> int:
    from pagefind.index import PagefindIndex

    config = {"output_path": str(site / "pagefind"), "write_playground": False}
    async with PagefindIndex(config=config) as index:  # type: ignore[arg-type]
        result = await index.add_directory(str(site), glob=glob)
    return int(result.get("page_count", 0))


def index_site(site: Path, glob: str) -> int:
    """Index the pages of ``site`` matching ``glob``; return how many pages were read."""
    site = Path(site).resolve()
    target = site / "pagefind"
    if target.exists():
        shutil.rmtree(target)
    try:
        count = asyncio.run(_index(site, glob))
    except Exception as error:  # the service reports its own failures as exceptions
        raise WaystationError(f"Pagefind could not index {site}: {error}") from None
    for name in UNUSED_FILES:
        (target / name).unlink(missing_ok=True)
    canonicalize(target)
    return count


# -- identical rebuilds -------------------------------------------------------------
#
# Pagefind 1.5 writes its filter chunks, and so the meta file naming them, in hash-map
# order, which changes from run to run (upstream: Pagefind issue #638); its languages in
# pagefind-entry.json too.  The page fragments and word index are already stable.
# canonicalize() sorts the filter values, renames each rewritten file after its new
# content and updates the references, so identical pages give an identical index.

_SIGNATURE = b"pagefind_dcd"


def _read_pf(path: Path) -> Any:
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(_SIGNATURE):
        raise WaystationError(f"{path}: not a Pagefind index file (unknown Pagefind version?)")
    return cbor2.loads(raw[len(_SIGNATURE) :])


def _encode_pf(data: Any) -> bytes:
    # mtime=0: no timestamp in the gzip header.
    return gzip.compress(_SIGNATURE + cbor2.dumps(data), compresslevel=9, mtime=0)


def _rename_references(data: Any, names: dict[str, str]) -> Any:
    if isinstance(data, list):
        return [_rename_references(item, names) for item in data]
    if isinstance(data, str):
        return names.get(data, data)
    return data


def canonicalize(target: Path) -> None:
    entry_path = target / "pagefind-entry.json"
    if not entry_path.exists():
        return
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for lang, info in sorted(entry.get("languages", {}).items()):
        renamed: dict[str, str] = {}
        for path in sorted((target / "filter").glob(f"{lang}_*.pf_filter")):
            name, values = _read_pf(path)
            canonical = _encode_pf([name, sorted(values, key=lambda pair: str(pair[0]))])
            new = f"{lang}_{hashlib.sha256(canonical).hexdigest()[:7]}"
            path.unlink()
            (target / "filter" / f"{new}.pf_filter").write_bytes(canonical)
            renamed[path.stem] = new
        meta_path = target / f"pagefind.{info['hash']}.pf_meta"
        meta = _encode_pf(_rename_references(_read_pf(meta_path), renamed))
        new_meta = f"{lang}_{hashlib.sha256(meta).hexdigest()[:10]}"
        meta_path.unlink()
        (target / f"pagefind.{new_meta}.pf_meta").write_bytes(meta)
        info["hash"] = new_meta
    entry_path.write_text(
        json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":")),
        encoding="utf-8",
    )


def build_pagefind_index(directory: Any, output: Path, settings: dict[str, Any]) -> None:
    """Post-build step: index the listing pages (it runs before the search data,
    which carries Pagefind's page ids)."""
    if not any((Path(output) / "providers").glob("*/index.html")):
        return  # no listing pages written (a data-only run): nothing to index
    index_site(Path(output), listing_glob(settings))
