"""The controlled vocabularies, read from ``waystation/data/vocabularies.yaml``.

Terms live in that one data file (ids, labels and descriptions in every
language, HSDS mapping, the everyday words people type for a service) so that
adding a term is a pull request to data, not code.  The same file groups the
services into broader kinds of help (:func:`service_groups`: legal help =
civil + immigration + criminal …), which search, the browse pages, the
coverage report and the validator's suggestions share.  This module only reads it.
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
    #: Everyday words people type for the term, per language ("abogado", "shelter").
    words: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)

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


@dataclass(frozen=True)
class Group:
    """A broader kind of help: a group of service terms (``legal-help``)."""

    id: str
    label: dict[str, str]
    description: dict[str, str]
    terms: tuple[str, ...]
    words: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)

    def label_in(self, lang: str) -> str:
        return self.label.get(lang) or self.label["en"]

    def description_in(self, lang: str) -> str:
        return self.description.get(lang) or self.description.get("en", "")


def _words(data: Any) -> dict[str, tuple[str, ...]]:
    return {str(lang): tuple(str(w) for w in words) for lang, words in (data or {}).items()}


@cache
def _data(path: Path = VOCABULARY_FILE) -> dict[str, Any]:
    return load_yaml_text(path.read_text(encoding="utf-8"))


@cache
def service_groups(path: Path = VOCABULARY_FILE) -> tuple[Group, ...]:
    """The service groups, in display order; every service term is in exactly one."""
    section = _data(path).get("service_groups") or {}
    groups = tuple(
        Group(
            id=str(g["id"]),
            label=dict(g["label"]),
            description=dict(g.get("description") or {}),
            terms=tuple(str(t) for t in g["terms"]),
            words=_words(g.get("words")),
        )
        for g in section.get("groups") or ()
    )
    services = load(path)["services"].ids
    placed = [term for group in groups for term in group.terms]
    unknown = sorted(set(placed) - set(services))
    twice = sorted({term for term in placed if placed.count(term) > 1})
    missing = [term for term in services if term not in placed]
    if unknown or twice or missing:
        raise ValueError(
            f"{path}: service_groups must hold every service term exactly once "
            f"(unknown: {unknown}, in two groups: {twice}, in none: {missing})"
        )
    return groups


def service_group(group_id: str) -> Group | None:
    return next((g for g in service_groups() if g.id == group_id), None)


def group_of(service: str) -> Group | None:
    """The group a service term belongs to."""
    return next((g for g in service_groups() if service in g.terms), None)


def expand_services(ids: list[str] | tuple[str, ...]) -> list[str]:
    """Service terms and group ids, as service terms (a group stands for all of its terms),
    in vocabulary order, each once."""
    wanted: set[str] = set()
    for item in ids:
        group = service_group(item)
        wanted.update(group.terms if group else (item,))
    return [term for term in load()["services"].ids if term in wanted]


@cache
def load(path: Path = VOCABULARY_FILE) -> dict[str, Vocabulary]:
    data = _data(path)
    vocabularies: dict[str, Vocabulary] = {}
    for name in NAMES:
        section = data[name]
        terms = tuple(
            Term(
                id=str(t["id"]),
                label=dict(t["label"]),
                description=dict(t.get("description") or {}),
                hsds=dict(t.get("hsds") or {}),
                words=_words(t.get("words")),
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
