"""What someone probably meant, wherever a choice is made: terms, groups, states, options.

Shared by the validator's messages (:mod:`waystation.records.model_errors`) and the
issue forms (:mod:`waystation.contribute.issue_listing`), so "legal help" suggests the
same three legal terms everywhere, from the same data the search uses: every term's
label and everyday ``words`` in English and Spanish, and the service groups
(``waystation/data/vocabularies.yaml``).

- :func:`terms` - the terms a word stands for: the term itself; all the terms of a
  group (``legal help``, ``ayuda legal``, ``lawyer``); the terms whose label or words
  match (``counseling`` -> ``mental-health``, ``abogado`` -> the legal terms); the
  terms that contain the word (``legal`` -> every ``legal-*``); close spellings.
- :func:`state_code` / :func:`states` - ``Illinois`` is ``IL``; ``Ilinois`` suggests it.
- :func:`options` - close matches among a form's own options.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import cache

from babel import Locale

from waystation.gazetteer.states import STATES
from waystation.records import vocabulary

#: Close spellings must be at least this similar (difflib's ratio).
CUTOFF = 0.75

#: The longest text looked up: no term, state, language or option is longer, so a
#: longer answer gets no suggestion (and costs nothing, whatever anyone types).
MAX_TEXT = 200


def _too_long(text: str) -> bool:
    return len(text) > MAX_TEXT


def fold(text: str) -> str:
    """Lowercase, no accents, words separated by single spaces (``Asesoría-Legal`` ->
    ``asesoria legal``)."""
    text = unicodedata.normalize("NFKD", str(text).casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9/]+", " ", text).split())


def _names(term: vocabulary.Term) -> set[str]:
    names = {fold(term.id), *(fold(label) for label in term.label.values())}
    for words in term.words.values():
        names.update(fold(w) for w in words)
    return names


def _group_names(group: vocabulary.Group) -> set[str]:
    names = {fold(group.id), *(fold(v) for v in group.label.values())}
    for words in group.words.values():
        names.update(fold(w) for w in words)
    return names


def terms(vocab_name: str, text: str) -> list[str]:
    """The terms of ``vocab_name`` that ``text`` most likely means, best first (may be
    several: a group's terms, or every term containing the word); [] if none is close."""
    vocab = vocabulary.get(vocab_name)
    wanted = "" if _too_long(text) else fold(text)
    if not wanted:
        return []
    ordered = list(vocab.ids)

    def in_order(found: set[str]) -> list[str]:
        return [t for t in ordered if t in found]

    if wanted.replace(" ", "-") in vocab.ids:
        return [wanted.replace(" ", "-")]
    # A group named by its id, label or everyday words: all of its terms.
    found: set[str] = set()
    if vocab_name == "services":
        for group in vocabulary.service_groups():
            if wanted in _group_names(group):
                found.update(group.terms)
    # Terms whose label or words are exactly the text.
    found.update(t.id for t in vocab.terms if wanted in _names(t))
    if found:
        return in_order(found)
    # Terms that contain the text as a whole word ("legal", "shelter", "housing").
    found = {t.id for t in vocab.terms if any(f" {wanted} " in f" {name} " for name in _names(t))}
    if found:
        return in_order(found)
    # Close spellings of an id, a label or a word ("case managment", "councelling").
    by_name: dict[str, set[str]] = {}
    for term in vocab.terms:
        for name in _names(term):
            by_name.setdefault(name, set()).add(term.id)
    if vocab_name == "services":
        for group in vocabulary.service_groups():
            for name in _group_names(group):
                by_name.setdefault(name, set()).update(group.terms)
    close = difflib.get_close_matches(wanted, list(by_name), n=3, cutoff=CUTOFF)
    return in_order({t for name in close for t in by_name[name]})


def as_fix(found: list[str]) -> str:
    """``'legal-immigration', 'legal-criminal' or 'legal-civil'``."""
    quoted = [f"'{t}'" for t in found]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


def term_hint(vocab_name: str, text: str) -> str:
    """``; did you mean 'mental-health'?`` / ``; did you mean one or more of 'a', 'b' or
    'c'?`` / ``""``: the terms to write instead."""
    found = terms(vocab_name, text)
    if not found:
        return ""
    if len(found) == 1:
        return f"; did you mean '{found[0]}'?"
    return f"; did you mean one or more of {as_fix(found)}?"


_STATE_NAMES = {fold(name): code for code, name in STATES.items()}


def state_code(text: str) -> str | None:
    """The USPS code ``text`` names exactly (``IL``, ``il``, ``Illinois``), else None."""
    if _too_long(text):
        return None
    if text.strip().upper() in STATES:
        return text.strip().upper()
    return _STATE_NAMES.get(fold(text))


def states(text: str) -> list[str]:
    """Codes of the states ``text`` is close to (``Ilinois`` -> ``IL``)."""
    exact = state_code(text)
    if exact or _too_long(text):
        return [exact] if exact else []
    close = difflib.get_close_matches(fold(text), list(_STATE_NAMES), n=2, cutoff=CUTOFF)
    return [_STATE_NAMES[name] for name in close]


@cache
def _language_names() -> dict[str, str]:
    """Folded language names in English and Spanish -> code (CLDR, through Babel)."""
    table: dict[str, str] = {}
    for lang in ("en", "es"):
        for code, label in Locale.parse(lang).languages.items():
            if "_" not in code and len(code) in (2, 3):
                table.setdefault(fold(label), code)
    return table


def languages(text: str) -> list[tuple[str, str]]:
    """``(code, English name)`` of the languages ``text`` is a close spelling of
    (``Spansh`` -> es, ``criolo haitiano`` -> ht)."""
    if _too_long(text):
        return []
    names = _language_names()
    close = difflib.get_close_matches(fold(text), list(names), n=2, cutoff=CUTOFF)
    found: dict[str, str] = {}
    for name in close:
        code = names[name]
        found.setdefault(code, Locale.parse("en").languages.get(code, name))
    return list(found.items())


def options(text: str, choices: tuple[str, ...] | list[str]) -> list[str]:
    """The choices closest to ``text`` (compared without case, accents or punctuation)."""
    if _too_long(text):
        return []
    folded = {fold(c): c for c in choices}
    close = difflib.get_close_matches(fold(text), list(folded), n=3, cutoff=0.6)
    return [folded[name] for name in close]
