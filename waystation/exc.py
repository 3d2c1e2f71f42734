"""Waystation's exceptions: a small tree whose messages say how to fix things.

Bad input in a listing is never an exception (it is a
:class:`waystation.records.problems.Problem`); these are for conditions that stop a
command, such as a missing setting or an unreachable geocoder.
"""

from __future__ import annotations


class WaystationError(Exception):
    """Base class. ``str(error)`` is a one-line message for a person."""


class ConfigurationError(WaystationError):
    """A setting is missing or wrong; the message names it and what to set."""


class UsageError(WaystationError):
    """A command was called wrongly (exit status 2)."""


class ListingsInvalid(WaystationError):
    """Validation found errors; the problems have already been reported."""

    def __init__(self, problems: list) -> None:
        self.problems = problems
        errors = sum(1 for p in problems if p.is_error)
        super().__init__(
            f"{errors} error(s) in the listings: fix them "
            "(run `waystation validate`) and build again"
        )

    def __reduce__(self):
        # Raised in the process that read the listings, raised again in the build's
        # (waystation.runtime.forked.call): made again from its problems, not its message.
        return (type(self), (self.problems,))


class GeocodingError(WaystationError):
    """A geocoder could not be used at all (as opposed to one failed look-up)."""


class WriteFailed(WaystationError):
    """The build could not write a file: the disk is full, read-only or not ours.

    Made from the ``OSError`` by :meth:`from_os_error`, whose message names the folders
    the build writes into and what to do.
    """

    #: The errors that say the folder cannot take the file, whatever the file.
    ROOM = {28: "No space left on device", 122: "Disk quota exceeded"}
    ACCESS = {30: "Read-only file system", 13: "Permission denied", 1: "Operation not permitted"}

    @classmethod
    def from_os_error(cls, error: OSError, folders: list[str]) -> WriteFailed | None:
        """The failure for ``error`` met while writing into ``folders`` (the output folder,
        then the scratch folders), or None when ``error`` is of another kind."""
        where = f" ({error.filename})" if error.filename else ""
        *others, last = dict.fromkeys(str(folder) for folder in folders) or [""]
        named = f"{', '.join(others)} and {last}" if others else last
        if error.errno in cls.ROOM:
            return cls(
                f"{cls.ROOM[error.errno]}{where}: the build writes into {named}; free "
                "space there (or set TMPDIR to a folder with room for the scratch files: "
                "the search copies alone take about 75 MB per 10,000 listings), then build "
                "again"
            )
        if error.errno in cls.ACCESS:
            return cls(
                f"{cls.ACCESS[error.errno]}{where}: the build writes into {named}; make "
                "them writable by this user (or set TMPDIR to a folder that is), then "
                "build again"
            )
        return None
