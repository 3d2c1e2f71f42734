"""Reading listing files: front matter with the line and column of every key.

One loader and one set of YAML rules serve the validator and the build.  The
parser and composer are libyaml's (through PyYAML's C extension: 0.19 ms a
listing, where ruamel.yaml's round-trip loader took 6.3 ms, measured on this
project's listings), and scalars are resolved here by the YAML 1.2 core
schema: ``yes`` is a string, not true; ``09:00`` a string, not 540; there are
no implicit dates.  Every node keeps its position, so a problem found by any
later check can point at its line and column.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from waystation.records import file_safety, yaml_lint
from waystation.records.problems import Problem, Severity

MAX_BYTES = 256 * 1024
#: A listing id: match it with ``fullmatch`` (``\Z``: no final line break gets through).
ID_PATTERN = re.compile(r"[a-z0-9-]{3,80}\Z")

Path_ = tuple[str | int, ...]


@dataclass
class SourceFile:
    """A listing file, read and parsed (possibly with problems)."""

    path: str  # as shown in messages, e.g. providers/foo.md
    id: str
    data: dict[str, Any] | None = None
    body: str = ""
    body_line: int = 1
    problems: list[Problem] = field(default_factory=list)
    root: yaml.Node | None = field(default=None, repr=False)
    line_offset: int = 1

    def _find(self, path: Path_) -> tuple[yaml.Node | None, yaml.Node | None, int]:
        """The key node and value node at ``path`` (or its nearest parent), and depth found."""
        key_node, node = None, self.root
        depth = 0
        for part in path:
            if isinstance(node, yaml.MappingNode) and isinstance(part, str):
                found = next(
                    (
                        (k, v)
                        for k, v in node.value
                        if isinstance(k, yaml.ScalarNode) and k.value == part
                    ),
                    None,
                )
                if found is None:
                    break
                key_node, node = found
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    break
                key_node = node = node.value[part]
            else:
                break
            depth += 1
        return key_node, node, depth

    def position(self, path: Path_, prefer: str = "value") -> tuple[int, int]:
        """Line and column (1-based) of ``path``, or of its nearest parent."""
        if self.root is None:
            return (1, 1)
        key_node, value_node, depth = self._find(tuple(path))
        if depth == 0:
            return (1, 1)
        node = key_node if (prefer == "key" or depth < len(path)) else value_node
        node = node or value_node
        return (node.start_mark.line + 1 + self.line_offset, node.start_mark.column + 1)

    def raw_scalar(self, path: Path_) -> str | None:
        """The text of a scalar as written (``02134``, not the number 2134)."""
        _key, node, depth = self._find(tuple(path))
        if depth == len(path) and isinstance(node, yaml.ScalarNode):
            return node.value
        return None

    def top_level_lines(self) -> dict[str, int]:
        if not isinstance(self.root, yaml.MappingNode):
            return {}
        return {
            k.value: k.start_mark.line + 1 + self.line_offset
            for k, _v in self.root.value
            if isinstance(k, yaml.ScalarNode)
        }

    def problem(
        self,
        path: Path_,
        message: str,
        severity: Severity = Severity.ERROR,
        rule: str = "",
        prefer: str = "value",
    ) -> Problem:
        line, col = self.position(path, prefer)
        return Problem(self.path, line, col, severity, format_path(path), message, rule)


def format_path(path: Path_) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def read_listing(
    path: Path, display_path: str | None = None, contents: bytes | None = None
) -> SourceFile:
    """Read one listing file.  Never raises for bad content.  ``contents``: the file's
    bytes when they do not come from ``path`` (an old version read from git); ``path``
    then only names the file."""
    shown = display_path or str(path)
    src = SourceFile(path=shown, id=path.stem)

    def fail(message: str, line: int = 1, col: int = 1, rule: str = "") -> SourceFile:
        src.problems.append(Problem(shown, line, col, Severity.ERROR, "", message, rule))
        return src

    bad_name = file_safety.file_name_problem(path.name)
    if bad_name:
        fail(bad_name, rule="bad_file_name")
    try:
        raw = contents if contents is not None else file_safety.read_regular_file(path, MAX_BYTES)
        if len(raw) > MAX_BYTES:
            size = len(raw) if contents is not None else path.stat().st_size
            return fail(
                f"the file is {size // 1024} KB; a listing must be at most "
                f"{MAX_BYTES // 1024} KB (shorten the description or split the listing)",
                rule="file_too_large",
            )
    except file_safety.NotARegularFile as error:
        return fail(str(error), rule="not_a_regular_file")
    except OSError as error:
        return fail(f"cannot read the file: {error.strerror}", rule="unreadable")
    if not raw.strip():
        return fail(
            "the file is empty: a listing starts with '---', its fields, then '---' "
            "(copy providers/_template.md)",
            rule="empty_file",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        col = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        return fail(
            f"the file is not UTF-8 (byte 0x{raw[error.start]:02x}): save it as UTF-8",
            line,
            col,
            rule="not_utf8",
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    controls = file_safety.control_characters(text)
    for line, col, char in controls:
        fail(
            f"invisible control character {file_safety.describe(char)}: delete it (it "
            "often comes from copying and pasting)",
            line,
            col,
            rule="control_character",
        )
    if controls:
        return src
    if not ID_PATTERN.fullmatch(src.id):
        fail(
            f"the file name {path.name!r} is not a valid listing id: use 3-80 lowercase "
            "letters, digits and '-', then '.md' (e.g. 'harbor-light-chicago.md')",
            rule="bad_id",
        )
    # Only the front matter is split off and parsed; the body is sliced once.
    first_end = text.find("\n")
    if (text if first_end < 0 else text[:first_end]).rstrip() != "---":
        return fail(
            "no front matter: the first line must be '---', then the listing's fields, "
            "then another '---' (see providers/_template.md)",
            rule="no_front_matter",
        )
    closing = None if first_end < 0 else _CLOSING_LINE.search(text, first_end + 1)
    if closing is None:
        return fail(
            "the front matter is not closed: add a line with '---' after the last field",
            text.count("\n") + 1,
            1,
            rule="unclosed_front_matter",
        )
    start, stop = closing.span()
    yaml_text = text[first_end + 1 : start] or "\n"
    src.body = text[stop + 1 :].strip("\n")
    src.body_line = text.count("\n", 0, start) + 2
    src.problems.extend(parse_front_matter(yaml_text, src, line_offset=1))
    return src


#: The line that closes the front matter: '---' or '...', maybe followed by spaces
#: (any whitespace but a line break, as ``str.rstrip`` strips from a line).
_CLOSING_LINE = re.compile(r"^(?:---|\.\.\.)[^\S\n]*$", re.MULTILINE)


def parse_front_matter(yaml_text: str, src: SourceFile, line_offset: int) -> list[Problem]:
    """Parse YAML into ``src.data``; return the problems (never raise)."""

    def problem(message: str, line: int, col: int, rule: str) -> Problem:
        return Problem(src.path, line, col, Severity.ERROR, "", message, rule)

    alias = file_safety.first_alias(yaml_text, _Loader)
    if alias:
        line, col, name = alias
        return [problem(f"YAML alias '*{name}' is not allowed in a listing: write the value "
                        "out in full", line + 1 + line_offset, col, "yaml_alias")]  # fmt: skip
    early: list[Problem] = []
    try:
        root = yaml.compose(yaml_text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        early, root = _explain_yaml_error(yaml_text, error, problem, line_offset)
        if root is None:
            return early
    except yaml.YAMLError as error:
        return [problem(f"invalid YAML: {error}", 1 + line_offset, 1, "malformed_yaml")]
    # With ``early`` problems, ``root`` is the text as the messages say it should be:
    # every other problem is still found (the file stays an error until it is fixed).
    if root is None:
        return [
            problem(
                "the front matter is empty: add the required fields (name, services, "
                "trafficking_types, location, last_verified and a contact)",
                1 + line_offset,
                1,
                "empty_front_matter",
            )
        ]
    if not isinstance(root, yaml.MappingNode):
        kind = (
            "a list" if isinstance(root, yaml.SequenceNode) else f"a single value ({root.value!r})"
        )
        return [
            problem(
                f"the front matter is {kind}; it must be fields written as 'name: value'",
                root.start_mark.line + 1 + line_offset,
                root.start_mark.column + 1,
                "front_matter_not_mapping",
            )
        ]
    src.root = root
    src.line_offset = line_offset
    if len(yaml_text) <= _SHORT_TEXT and "*" not in yaml_text:
        # Too short for the node limit and without aliases: the quick walk, unless
        # something needs reporting (then the full walk below finds and reports it).
        try:
            src.data = _plain_data(root)
            return early
        except (_Irregular, RecursionError):
            pass
    walker = _Walker(src, line_offset)
    src.data = walker.walk(root, ())
    return early + walker.problems


def _explain_yaml_error(
    yaml_text: str, error: yaml.MarkedYAMLError, problem, line_offset: int
) -> tuple[list[Problem], yaml.Node | None]:
    """Plain-words problems for YAML that does not parse (see :mod:`yaml_lint`), and the
    tree of the text with those lines fixed when that parses (else None)."""
    issues = yaml_lint.lint(yaml_text, first_line=1 + line_offset)
    problems = [
        problem(issue.message, issue.line + 1 + line_offset, issue.column + 1, issue.rule)
        for issue in issues
    ]
    repaired = yaml_lint.repair(yaml_text, issues) if issues else None
    root = None
    if repaired is not None:
        try:
            root = yaml.compose(repaired, Loader=_Loader)
        except yaml.YAMLError as second:
            if isinstance(second, yaml.MarkedYAMLError):
                error = second
        else:
            if root is not None and not isinstance(root, yaml.MappingNode):
                root = None
    if root is None:
        message, line, col = _parser_message(yaml_text, error, line_offset)
        if not any(p.line in (line, line - 1) for p in problems):
            problems.append(problem(message, line, col, "malformed_yaml"))
    return problems, root


def _parser_message(yaml_text: str, error: yaml.MarkedYAMLError, line_offset: int):
    """libyaml's complaint, said plainly, with the likely fix: (message, line, column)."""
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 + line_offset if mark else 1 + line_offset
    col = mark.column + 1 if mark else 1
    what = (error.problem or "invalid YAML").strip()
    lines = yaml_text.split("\n")
    here = lines[mark.line].strip() if mark and mark.line < len(lines) else ""
    if "mapping values are not allowed" in what:
        return (f"line {line} has a second ': ' inside its value: put the value in double "
                'quotes (summary: "Help: 24 hours")', line, col)  # fmt: skip
    if "tab" in what.lower():
        return (f"line {line} has a tab: indent with spaces only", line, col)
    if "could not find expected ':'" in what or "did not find expected key" in what:
        return (f"line {line} does not line up with the fields around it, or is not written "
                f"'name: value' ('{here[:40]}'): check its indentation and its colon",
                line, col)  # fmt: skip
    if "end of stream" in what and error.context_mark is not None:
        start = error.context_mark.line + 1 + line_offset
        return (f"the quote opened on line {start} is never closed: add the closing quote",
                start, error.context_mark.column + 1)  # fmt: skip
    if "expected ',' or ']'" in what or "expected ',' or '}'" in what:
        return (f"line {line}: a list in [ ] or a group in {{ }} is not closed, or a value in "
                "it needs quotes: check the brackets and commas", line, col)  # fmt: skip
    return (f"invalid YAML on line {line}: {what}: check the line, or compare it with "
            "providers/_template.md", line, col)  # fmt: skip


class _Loader(getattr(yaml, "CBaseLoader", yaml.BaseLoader)):  # type: ignore[misc]
    """libyaml's parser and composer, with no implicit tag resolution of its own."""

    # The composer calls these for every node; path-based resolvers are not used, so
    # C-level no-ops (any two arguments / none) save a Python call per node.
    descend_resolver = staticmethod(slice)
    ascend_resolver = staticmethod(tuple)
    # Likewise for the tag of every node written without one (``kind, value,
    # implicit`` -> a slice): such a node's tag is a slice, which _Walker reads as
    # "no tag"; plain scalars are resolved there by the YAML 1.2 core schema.
    resolve = staticmethod(slice)


_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_INF = re.compile(r"^[-+]?\.(inf|Inf|INF)$")
_NAN = re.compile(r"^\.(nan|NaN|NAN)$")
_STR_TAG = "tag:yaml.org,2002:str"
_PLAIN_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
               "tag:yaml.org,2002:null")  # fmt: skip
_MAX_NODES = 20_000


def _implicit_or_plain(tag: Any) -> bool:
    """A scalar's tag is none (see ``_Loader.resolve``), !!str, or one of the plain
    types (the value is then resolved as if untagged)."""
    return type(tag) is slice or tag == _STR_TAG or tag in _PLAIN_TAGS


#: First characters of every plain scalar that is not a string in YAML 1.2's core schema.
_MAYBE_NOT_STRING = frozenset("0123456789+-.~nNtTfF")


def resolve_plain(value: str) -> Any:
    """YAML 1.2 core schema for a plain (unquoted) scalar."""
    if value and value[0] not in _MAYBE_NOT_STRING:
        return value  # most values are words: no pattern can match
    if value in _NULL:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if _INT.match(value):
        return int(value)
    if _OCT.match(value):
        return int(value[2:], 8)
    if _HEX.match(value):
        return int(value[2:], 16)
    if _FLOAT.match(value):
        return float(value)
    if _INF.match(value):
        return float("-inf") if value.startswith("-") else float("inf")
    if _NAN.match(value):
        return float("nan")
    return value


def load_yaml_text(text: str) -> Any:
    """Plain data from YAML text by the same rules (for data files, not listings)."""
    src = SourceFile(path="<data>", id="data")
    root = yaml.compose(text, Loader=_Loader)
    if root is None:
        return None
    walker = _Walker(src, 0)
    walker.limit = None
    data = walker.walk(root, ())
    if walker.problems:
        raise ValueError(walker.problems[0].format_text())
    return data


#: Front matter this short (without aliases) cannot reach the node limit: each
#: character makes at most a few nodes.
_SHORT_TEXT = 4000


class _Irregular(Exception):
    """Something :func:`_plain_data` leaves to :class:`_Walker`, which reports it."""


def _plain_data(node: yaml.Node) -> Any:
    """The data of a tree with nothing to report: what :class:`_Walker` returns for
    it, without keeping paths for messages; raises :class:`_Irregular` otherwise."""
    kind = type(node)
    if kind is yaml.MappingNode:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if type(key_node) is not yaml.ScalarNode:
                raise _Irregular
            key = key_node.value
            if key == "<<" or key in result:
                raise _Irregular
            result[key] = _plain_data(value_node)
        return result
    if kind is yaml.SequenceNode:
        return [_plain_data(item) for item in node.value]
    if node.style:  # quoted or block scalar: always a string
        return node.value
    if type(node.tag) is not slice and not _implicit_or_plain(node.tag):
        raise _Irregular
    value = node.value
    if value and value[0] not in _MAYBE_NOT_STRING:
        return value
    return resolve_plain(value)


class _Walker:
    def __init__(self, src: SourceFile, line_offset: int) -> None:
        self.src = src
        self.offset = line_offset
        self.problems: list[Problem] = []
        self.nodes = 0
        self.limit: int | None = _MAX_NODES

    def pos(self, node: yaml.Node) -> tuple[int, int]:
        return (node.start_mark.line + 1 + self.offset, node.start_mark.column + 1)

    def error(self, node: yaml.Node, path: Path_, message: str, rule: str) -> None:
        line, col = self.pos(node)
        self.problems.append(
            Problem(self.src.path, line, col, Severity.ERROR, format_path(path), message, rule)
        )

    def walk(self, node: yaml.Node, path: Path_) -> Any:
        self.nodes += 1
        if self.limit is not None and self.nodes > self.limit:
            if self.nodes == self.limit + 1:
                self.error(node, (), "the front matter is too large or repeats an alias "
                           "too often: write the fields out", "malformed_yaml")  # fmt: skip
            return None
        kind = type(node)
        if kind is yaml.MappingNode:
            return self._mapping(node, path)
        if kind is yaml.SequenceNode:
            return [self.walk(item, (*path, index)) for index, item in enumerate(node.value)]
        if node.style:  # quoted or block scalar: always a string
            return node.value
        if not _implicit_or_plain(node.tag):
            self.error(node, path, f"YAML tag '{node.tag}' is not allowed: write a plain value",
                       "malformed_yaml")  # fmt: skip
            return None
        return resolve_plain(node.value)

    def _mapping(self, node: yaml.MappingNode, path: Path_) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(key_node, path, "a field name must be a plain word", "malformed_yaml")
                continue
            key = key_node.value
            if key == "<<":
                self.error(key_node, path, "YAML merge keys ('<<') are not allowed: write the "
                           "fields out", "malformed_yaml")  # fmt: skip
                continue
            child = (*path, key)
            if key in result:
                first = self.src.position(child, prefer="key")[0]
                self.error(key_node, child, f"this field appears twice (first on line {first}): "
                           "keep one", "duplicate_key")  # fmt: skip
                continue
            result[key] = self.walk(value_node, child)
        return result


def iter_listing_paths(root: Path) -> list[Path]:
    """The listing files under ``root``: ``*.md`` not starting with ``_`` (templates).

    A name starting with ``.`` is included so that :func:`read_listing` refuses it
    (a hidden file would otherwise slip past a reviewer's file list unnoticed), and so
    is a symbolic link to a folder (never followed: :func:`read_listing` refuses it)."""
    found: list[tuple[tuple[str, ...], Path, str]] = []
    for folder, dirs, names in os.walk(root):
        base = Path(folder)
        links = [d for d in dirs if os.path.islink(os.path.join(folder, d))]
        found.extend(((*base.parts, name), base, name) for name in links)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in links)
        found.extend(
            ((*base.parts, name), base, name)
            for name in names
            if name.endswith(".md") and not name.startswith("_")
        )
    # Sorted as the paths sort (by their parts), without comparing Path objects.
    found.sort(key=lambda item: item[0])
    return [base / name for _parts, base, name in found]
