"""The controlled vocabularies, read from ``waystation/data/vocabularies.yaml``.

Terms live in that one data file (ids, labels and descriptions in every
language, HSDS mapping) so that adding a term is a pull request to data, not
code.  This module only reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from waystation.records.source import load_yaml_text

VOCABULARY_FILE = Path(__file__).parent.parent / "data" / "vocabularies.yaml"

#: The vocabularies the record format names, with the field that uses each.
NAMES = (
    "services",
    "populations",
    "features",
    "accessibility",
    "trafficking_types",
    "cost",
    "phone_types",
    "status",
    "visibility",
    "days",
)


@dataclass(frozen=True)
class Term:
    id: str
    label: dict[str, str]
    description: dict[str, str]
    hsds: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def label_in(self, lang: str) -> str:
        return self.label.get(lang) or self.label["en"]

    def description_in(self, lang: str) -> str:
        return self.description.get(lang) or self.description.get("en", "")


@dataclass(frozen=True)
class Vocabulary:
    name: str
    terms: tuple[Term, ...]
    description: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    hsds: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def __post_init__(self) -> None:
        # Looked up for every term on every page: index the terms once.
        object.__setattr__(self, "_by_id", {t.id: t for t in self.terms})
        object.__setattr__(self, "_ids", tuple(t.id for t in self.terms))

    @property
    def ids(self) -> tuple[str, ...]:
        return self._ids

    def get(self, term_id: str) -> Term | None:
        return self._by_id.get(term_id) if isinstance(term_id, str) else None

    def label(self, term_id: str, lang: str = "en") -> str:
        term = self.get(term_id)
        return term.label_in(lang) if term else term_id

    def order(self, term_id: str) -> int:
        ids = self.ids
        return ids.index(term_id) if term_id in ids else len(ids)


@cache
def load(path: Path = VOCABULARY_FILE) -> dict[str, Vocabulary]:
    data = load_yaml_text(path.read_text(encoding="utf-8"))
    vocabularies: dict[str, Vocabulary] = {}
    for name in NAMES:
        section = data[name]
        terms = tuple(
            Term(
                id=str(t["id"]),
                label=dict(t["label"]),
                description=dict(t.get("description") or {}),
                hsds=dict(t.get("hsds") or {}),
            )
            for t in section["terms"]
        )
        vocabularies[name] = Vocabulary(
            name=name,
            terms=terms,
            description=dict(section.get("description") or {}),
            hsds=dict(section.get("hsds") or {}),
        )
    return vocabularies


def get(name: str) -> Vocabulary:
    return load()[name]
