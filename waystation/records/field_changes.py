"""Which fields differ between two versions of a listing's front matter.

The comparison core shared by the review diff (:mod:`waystation.contribute.review_diff`)
and the listing history (:mod:`waystation.records.history`): :func:`flatten` names every
value by its path (``location.city``, ``phones[0].number``), :func:`compare` lists the
paths whose values differ, in the record format's field order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from waystation.records.model import FIELDS


class _Missing:
    """The value of a field a version does not have."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class FieldChange:
    path: str
    old: Any  # MISSING when added
    new: Any  # MISSING when removed

    @property
    def added(self) -> bool:
        return self.old is MISSING

    @property
    def removed(self) -> bool:
        return self.new is MISSING


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """``{"location.city": "Chicago", "phones[0].number": "…", "services": [...]}``.

    Lists of plain values stay whole (compared as sets of terms); lists of
    mappings are expanded item by item."""
    out: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        for index, item in enumerate(value):
            out.update(flatten(item, f"{prefix}[{index}]"))
    else:
        out[prefix] = value
    return out


_TOP = re.compile(r"[^.\[]*")


def top_field(path: str) -> str:
    """The top-level field of a flattened path: ``location`` for ``location.city``."""
    return _TOP.match(path).group()  # type: ignore[union-attr]


def _field_order(path: str) -> tuple[int, str]:
    top = top_field(path)
    return (FIELDS.index(top) if top in FIELDS else len(FIELDS), path)


def compare(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[FieldChange]:
    """Every flattened path whose value differs from ``old`` to ``new`` (a value going
    from absent to ``null`` or back is no change)."""
    before, after = flatten(old or {}), flatten(new or {})
    changes = []
    for path in sorted(set(before) | set(after), key=_field_order):
        a, b = before.get(path, MISSING), after.get(path, MISSING)
        if a != b and not (a is MISSING and b is None) and not (b is MISSING and a is None):
            changes.append(FieldChange(path, a, b))
    return changes
