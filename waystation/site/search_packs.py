"""The listing pages' search copies packed on disk until Pagefind reads them.

Pagefind reads a small copy of each listing page (``search_page.html``) from a folder
in memory (``/dev/shm``: tmpfs), where a file costs a 4 KB page however small it is:
0.4 GB for the 96,000 copies of 50,000 listings, held from when they are written until
Pagefind has read the last of them.  So the page renderers write the copies' folders
there (made in sorted order: the order Pagefind numbers pages in, see
:func:`waystation.site.write.make_source_folders`), but the copies themselves into
packs on disk: each process appends its copies to one file (``<pid>.pack``; in the page
cache, which the system may reclaim) and a line per copy to another (``<pid>.index``:
``path<TAB>offset<TAB>size``).  Before each Pagefind run, the copies that run reads
are written into their folders from a list (:func:`write_list`) by this file run as a
script (:func:`unpack`): Python without its site packages, which it does not need.

The source folder names its packs' folder with a symbolic link, :data:`LINK`.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

#: The symbolic link in the source folder to its packs' folder.
LINK = ".packs"


def make(source: Path) -> Path:
    """A new, private packs' folder for the copies of ``source``, on the disk (the
    system's temporary folder), linked from ``source``."""
    packs = Path(tempfile.mkdtemp(prefix="waystation-search-packs-"))
    os.symlink(packs, Path(source, LINK))
    return packs


def folder_of(source: Path) -> Path | None:
    """The packs' folder of ``source`` (None: its copies are files of their own)."""
    link = Path(source, LINK)
    return Path(os.readlink(link)) if link.is_symlink() else None


def remove(source: Path) -> None:
    """Delete ``source`` and its packs."""
    packs = folder_of(source)
    if packs is not None:
        shutil.rmtree(packs, ignore_errors=True)
    shutil.rmtree(source, ignore_errors=True)


class Packer:
    """Appends one process's copies to its pack in ``packs`` (open while it writes a
    chunk of pages: :meth:`close` after each)."""

    def __init__(self, packs: Path):
        name = str(os.getpid())
        self._pack = open(Path(packs, f"{name}.pack"), "ab")  # noqa: SIM115 - see close()
        self._index = open(Path(packs, f"{name}.index"), "a", encoding="utf-8")  # noqa: SIM115

    def add(self, path: str, data: bytes) -> None:
        """Pack the copy at ``path`` (relative to the source folder; no tab, no newline:
        a page's path)."""
        offset = self._pack.tell()
        self._pack.write(data)
        self._index.write(f"{path}\t{offset}\t{len(data)}\n")

    def close(self) -> None:
        self._pack.close()
        self._index.close()


def entries(packs: Path) -> dict[str, tuple[str, int, int]]:
    """Every packed copy: ``{path: (pack file, offset, size)}``."""
    found: dict[str, tuple[str, int, int]] = {}
    for name in sorted(os.listdir(packs)):
        if not name.endswith(".index"):
            continue
        pack = os.path.join(packs, name.removesuffix(".index") + ".pack")
        with open(os.path.join(packs, name), encoding="utf-8") as index:
            for line in index:
                path, offset, size = line.rstrip("\n").split("\t")
                found[path] = (pack, int(offset), int(size))
    return found


def holds(source: Path, folder: str) -> bool:
    """Whether ``source``'s packs hold a copy under ``folder`` (read up to the first:
    the indexing reads them all, :func:`entries`, right after)."""
    packs = folder_of(source)
    if packs is None:
        return False
    prefix = folder.rstrip("/") + "/"
    for name in os.listdir(packs):
        if name.endswith(".index"):
            with open(os.path.join(packs, name), encoding="utf-8") as index:
                if any(line.startswith(prefix) for line in index):
                    return True
    return False


def write_list(
    target: Path, copies: list[tuple[str, str]], found: dict[str, tuple[str, int, int]]
) -> None:
    """The list :func:`unpack` reads: each copy ``(path in the packs, file to write)``,
    in the order of the packs (one read after the other)."""
    rows = sorted((*found[path], destination) for path, destination in copies)
    with open(target, "w", encoding="utf-8") as listed:
        listed.writelines(f"{pack}\t{at}\t{size}\t{dest}\n" for pack, at, size, dest in rows)


def unpack(listed: str) -> int:
    """Write each copy the list names into its file; how many."""
    with open(listed, encoding="utf-8") as rows:
        split = (row.rstrip("\n").split("\t") for row in rows)
        return _write_copies((name, int(at), int(size), dest) for name, at, size, dest in split)


def unpack_all(source: Path, found: dict[str, tuple[str, int, int]]) -> int:
    """Write every packed copy into its place under ``source`` (where no shell runs
    :func:`unpack` run by run); how many."""
    return _write_copies(sorted((*where, str(Path(source, path))) for path, where in found.items()))


def _write_copies(rows: Iterable[tuple[str, int, int, str]]) -> int:
    """Write each ``(pack file, offset, size, file to write)``, each pack opened once
    while its rows follow one another; how many."""
    written = 0
    pack_name, pack = "", None
    try:
        for name, offset, size, destination in rows:
            if name != pack_name:
                if pack is not None:
                    pack.close()
                pack_name, pack = name, open(name, "rb")  # noqa: SIM115
            pack.seek(offset)
            with open(destination, "wb") as copy:
                copy.write(pack.read(size))
            written += 1
    finally:
        if pack is not None:
            pack.close()
    return written


if __name__ == "__main__":
    for listed in sys.argv[1:]:
        unpack(listed)
