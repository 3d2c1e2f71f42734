"""Old versions of listing files (bytes read from git) read as the validator reads files.

:func:`read_versions` gives each version to :func:`waystation.records.source.read_listing`
(the one reader, with its limits on size, file names, YAML aliases and control
characters), in memory, so a version that is not a valid listing gives problems, never
an exception.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from pathlib import PurePosixPath

from waystation.records.source import SourceFile, read_listing


def read_versions(
    blobs: Mapping[Hashable, bytes], names: Mapping[Hashable, str]
) -> dict[Hashable, SourceFile]:
    """``{key: SourceFile}`` for ``{key: contents}``; ``names[key]`` is the file's path
    in the repository (``providers/x.md``), used for its id and in messages."""
    return {
        key: read_listing(PurePosixPath(names[key]), names[key], contents=raw)  # type: ignore[arg-type]
        for key, raw in blobs.items()
    }
