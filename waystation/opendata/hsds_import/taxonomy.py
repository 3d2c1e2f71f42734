"""211 taxonomy terms -> Waystation terms, through ``waystation/data/hsds_taxonomy_map.yaml``.

The file's format is documented at its top (and in docs/open-data.md).  A term matches an
entry by AIRS/211 LA code prefix (the longest wins) or by words of its name (every
matching entry applies); a term that matches nothing takes its nearest parent's name
matches.  :func:`selected` is the ``--only`` filter.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from waystation.exc import UsageError
from waystation.records import vocabulary

MAP_FILE = Path(__file__).resolve().parent.parent.parent / "data" / "hsds_taxonomy_map.yaml"
OUTPUTS = ("services", "populations", "features", "trafficking_types")

Row = dict[str, Any]


@lru_cache(maxsize=65536)
def words(text: str) -> str:
    """``text`` casefolded, accents and punctuation gone, single spaces, padded with spaces
    (so that ``" shelter "`` finds whole words)."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " " + " ".join(re.sub(r"[^a-z0-9]+", " ", plain.casefold()).split()) + " "


@dataclass(frozen=True)
class Entry:
    code: str | None
    name: str | None
    terms: dict[str, tuple[str, ...]]
    confidential: bool
    where: str

    def matches_code(self, code: str) -> bool:
        return bool(self.code) and code_under(code, self.code)


def code_under(code: str, prefix: str) -> bool:
    """True when AIRS ``code`` is ``prefix`` or below it (BH-1800.1500 under BH-1800)."""
    code, prefix = code.strip().upper(), prefix.strip().upper()
    if code == prefix or not code.startswith(prefix):
        return code == prefix
    # "F" is the level above "FT"; otherwise a code continues with "-", "." or "*"
    return code[len(prefix)] in "-.*" or (len(prefix) == 1 and prefix.isalpha())


@lru_cache(maxsize=1)
def waystation_terms() -> dict[str, tuple[str, str, Row]]:
    """Waystation's own HSDS terms (its exports name them by id only): id -> (vocabulary,
    term id, the term as exported)."""
    from waystation.opendata.hsds import SERVICE_TAXONOMIES, taxonomy_term

    result = {}
    for vocab in (*SERVICE_TAXONOMIES, "visibility"):
        for term in vocabulary.get(vocab).terms:
            row = taxonomy_term(vocab, term.id)
            result[row["id"]] = (vocab, term.id, {**row, "_where": "Waystation's terms"})
    return result


def _own_entry(term: Row) -> Entry | None:
    """The entry for one of Waystation's own terms (a round trip of its export)."""
    known = waystation_terms().get(str(term.get("id") or ""))
    if known is None:
        return None
    vocab, term_id, _ = known
    if vocab == "visibility":
        return Entry(None, None, {}, term_id != "public", "Waystation's visibility")
    return Entry(None, None, {vocab: (term_id,)}, False, f"Waystation's {vocab}")


@dataclass
class Mapping:
    code_entries: list[Entry] = field(default_factory=list)
    name_entries: list[Entry] = field(default_factory=list)
    _memo: dict[tuple, list[Entry]] = field(default_factory=dict, repr=False)

    def _own(self, term: Row) -> list[Entry]:
        ours = _own_entry(term)
        if ours is not None:
            return [ours]
        found: list[Entry] = []
        code = str(term.get("code") or "").strip()
        if code:
            by_code = [e for e in self.code_entries if e.matches_code(code)]
            if by_code:
                found.append(max(by_code, key=lambda e: len(e.code or "")))
        name = words(term.get("name") or "")
        found += [e for e in self.name_entries if words(e.name or "") in name]
        return found

    def entries(self, term: Row, ancestors: Iterable[Row] = ()) -> list[Entry]:
        """The entries that apply to ``term`` (its own, else its nearest parent's)."""
        key = (term.get("id"), term.get("code"), term.get("name"))
        if key not in self._memo:
            self._memo[key] = self._entries(term, ancestors)
        return self._memo[key]

    def _entries(self, term: Row, ancestors: Iterable[Row]) -> list[Entry]:
        found = self._own(term)
        if not found:
            for parent in ancestors:
                found = self._own(parent)
                if found:
                    break
        return found


def load(extra: Path | None = None) -> Mapping:
    """The project's mapping, then ``extra``'s entries (a coordinator's own file)."""
    mapping = Mapping()
    for path in [MAP_FILE, *([extra] if extra else [])]:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as error:
            raise UsageError(f"{path}: not a readable taxonomy map ({error})") from None
        problems = []
        for n, item in enumerate(data.get("terms") or [], 1):
            where = f"{path.name}: entry {n}"
            if not isinstance(item, dict) or bool(item.get("code")) == bool(item.get("name")):
                problems.append(f"{where}: give exactly one of 'code' or 'name'")
                continue
            terms: dict[str, tuple[str, ...]] = {}
            for vocab in OUTPUTS:
                values = item.get(vocab) or []
                unknown = [v for v in values if v not in vocabulary.get(vocab).ids]
                if unknown:
                    problems.append(
                        f"{where}: {vocab}: {unknown} not in the {vocab} vocabulary "
                        f"(one of: {', '.join(vocabulary.get(vocab).ids)})"
                    )
                terms[vocab] = tuple(v for v in values if v not in unknown)
            entry = Entry(
                item.get("code"), item.get("name"), terms, bool(item.get("confidential")), where
            )
            (mapping.code_entries if entry.code else mapping.name_entries).append(entry)
        if problems:
            raise UsageError(
                "taxonomy map problems (fix these entries):\n  " + "\n  ".join(problems)
            )
    return mapping


def term_label(term: Row) -> str:
    code, name = str(term.get("code") or "").strip(), str(term.get("name") or "").strip()
    return f"{code} {name}".strip() or str(term.get("id"))


def selected(only: list[str], terms: list[Row], mapped: dict[str, list[str]]) -> bool:
    """``--only``: a term's code is or starts one of ``only``, its name contains one, or
    a Waystation term it maps to is one."""
    if not only:
        return True
    ours = {t for values in mapped.values() for t in values}
    for wanted in only:
        if wanted in ours:
            return True
        for term in terms:
            code = str(term.get("code") or "")
            if code and code_under(code, wanted):
                return True
            if words(wanted).strip() and words(wanted) in words(term.get("name") or ""):
                return True
    return False
