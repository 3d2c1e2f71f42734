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
