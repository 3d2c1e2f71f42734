"""What an import noticed, grouped by kind so the report stays short.

Every finding has a kind (one line a person reads once, e.g. ``phone links to a service
that does not exist``) and a place (``data/phones.csv:12``, ``page-2.json``): the report
prints each kind once with its count and a few places, never one line per row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field


@dataclass
class Findings:
    #: kind -> places: things read but not attached or not understood (a person may care).
    warnings: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    #: reason -> what was dropped (a service, a location, a table, a phone ...).
    dropped: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    #: how the input was read, e.g. "HSDS 1.x tabular package (12 tables) in data/".
    read_as: list[str] = field(default_factory=list)

    def warn(self, kind: str, where: str) -> None:
        self.warnings[kind].append(where)

    def drop(self, reason: str, what: str) -> None:
        self.dropped[reason].append(what)
