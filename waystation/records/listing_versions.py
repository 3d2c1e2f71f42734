"""Old versions of listing files (bytes read from git) read as the validator reads files.

:func:`read_versions` gives each version to :func:`waystation.records.source.read_listing`
(the one reader, with its limits on size, YAML aliases and control characters), through
a private temporary folder, so a version that is not a valid listing gives problems,
never an exception.
"""

from __future__ import annotations

import tempfile
from collections.abc import Hashable, Mapping
from pathlib import Path

from waystation.records.source import SourceFile, read_listing


def read_versions(
    blobs: Mapping[Hashable, bytes], names: Mapping[Hashable, str]
) -> dict[Hashable, SourceFile]:
    """``{key: SourceFile}`` for ``{key: contents}``; ``names[key]`` is the file's path
    in the repository (``providers/x.md``), used for its id and in messages."""
    parsed: dict[Hashable, SourceFile] = {}
    with tempfile.TemporaryDirectory(prefix="waystation-versions-") as tmp:
        for index, (key, raw) in enumerate(blobs.items()):
            folder = Path(tmp) / str(index)
            folder.mkdir()
            shown = names[key]
            copy = folder / (shown.rsplit("/", 1)[-1] or "listing.md")
            copy.write_bytes(raw)
            parsed[key] = read_listing(copy, shown)
    return parsed
