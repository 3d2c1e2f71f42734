"""The YAML mistakes volunteers make, found line by line, in plain words, with the fix.

libyaml stops at the first error and often reports it a line late, in parser terms
("did not find expected key").  Before that message reaches anyone,
:func:`lint` reads the front matter the way a person sees it, one line at a time:

- ``cost:free``: a field without a space after its colon (read by YAML as one word,
  then reported at the next line);
- a line indented more or less than the lines around it (``line 21 is indented 3
  spaces; the lines around it use 2``), including the field that slipped out of its
  group (an unindented ``city:`` under ``location:``, which YAML reports on the line
  after it, with the wrong advice to add quotes);
- a tab in the indentation.

Each issue carries the line as it should be, so :func:`repair` can rebuild the text
and the checker can still report every other problem in the file (the file stays
an error until the line is fixed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class LintIssue:
    line: int  # 0-based, in the YAML text
    column: int  # 0-based
    message: str
    rule: str
    fixed: str | None = None  # the line as it should be, if the fix is certain enough


_KEY_NO_SPACE = re.compile(r"^(?P<lead>(?:- )?)(?P<key>[A-Za-z_][A-Za-z0-9_]*):(?P<rest>[^\s].*)$")
_KEY = re.compile(r"^(?:- )?(?P<key>[A-Za-z_][A-Za-z0-9_]*|\"[^\"]*\"|'[^']*'):(?:\s|$)")
_BLOCK_SCALAR = re.compile(r":\s*[|>][0-9+-]*\s*(?:#.*)?$")
_URL_SCHEMES = {"http", "https", "mailto", "tel", "ftp"}
_OPEN_QUOTE = re.compile(r"^(?:- )?[A-Za-z_][A-Za-z0-9_]*:\s+(?P<value>[\"'].*?)\s*$")


def _closed(value: str) -> bool:
    """Whether a value starting with a quote ends with its closing quote (comments after
    it allowed); a double-quoted value may escape quotes with backslashes."""
    mark = value[0]
    if mark == '"':
        body = re.sub(r"\\.", "", value[1:])
    else:
        body = value[1:].replace("''", "")
    end = body.find(mark)
    return end >= 0 and re.fullmatch(r"\s*(?:#.*)?", body[end + 1 :]) is not None


def _spaces(n: int) -> str:
    return f"{n} space" + ("" if n == 1 else "s")


def _opens_block(content: str) -> bool:
    """``location:`` or ``- phones:``: a key whose value is on the following lines."""
    body = content[2:] if content.startswith("- ") else content
    body = re.sub(r"\s+#.*$", "", body).rstrip()
    return bool(_KEY.match(body)) and body.endswith(":")


def lint(text: str, first_line: int = 1) -> list[LintIssue]:
    """The issues of YAML front matter ``text``, in line order; messages count lines
    from ``first_line`` (the file's line of the text's first line)."""
    issues: list[LintIssue] = []
    lines = text.split("\n")
    levels = [0]  # indents of the blocks open at this point
    previous: tuple[int, int, str] | None = None  # (line, indent, content) of the last line
    before_dedent: tuple[list[int], int, int] | None = None  # (levels, line, indent)
    scalar_indent: int | None = None  # inside a block scalar (|, >) deeper than this
    depth = 0  # open [ and { of a flow collection across lines
    first_child: dict[int, tuple[int, int]] = {}  # level -> (its first line, lines at it)
    for number, raw in enumerate(lines):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        lead = raw[: len(raw) - len(raw.lstrip(" \t"))]
        indent = len(lead)
        if scalar_indent is not None:
            if indent > scalar_indent:
                continue
            scalar_indent = None
        if depth > 0:
            depth = max(0, depth + _flow_depth(stripped))
            continue
        content = raw[indent:]
        if "\t" in lead:
            fixed_lead = lead.replace("\t", "  ")
            issues.append(
                LintIssue(
                    number,
                    lead.index("\t"),
                    f"line {number + first_line} is indented with a tab: "
                    "indent with spaces only (2 per level)",
                    "yaml_tab",
                    fixed_lead + content,
                )  # fmt: skip
            )
            indent = len(fixed_lead)
        missing = _KEY_NO_SPACE.match(content)
        if missing and missing.group("key") not in _URL_SCHEMES:
            key, rest = missing.group("key"), missing.group("rest")
            fixed = f"{lead}{missing.group('lead')}{key}: {rest}"
            column = indent + len(missing.group("lead")) + len(key) + 1
            issues.append(
                LintIssue(
                    number,
                    column,
                    f"put a space after the colon: '{key}: {rest}' "
                    f"(without it, '{key}:{rest}' is read as one word, not a field)",
                    "yaml_no_space_after_colon",
                    fixed,
                )  # fmt: skip
            )
            content = fixed[len(lead) :]
        quoted = _OPEN_QUOTE.match(content)
        if quoted and not _closed(quoted.group("value")):
            mark = quoted.group("value")[0]
            issues.append(
                LintIssue(
                    number,
                    indent + quoted.start("value"),
                    f"the quote ({mark}) opened "
                    f"on line {number + first_line} is not closed on that line: add "
                    f"the closing {mark} at the end of the value",
                    "yaml_unclosed_quote",
                    raw.rstrip() + mark,
                )  # fmt: skip
            )
        is_item = content.startswith("- ") or content == "-"
        if (
            previous is not None
            and _opens_block(previous[2])
            and (indent > previous[1] or (is_item and indent == previous[1]))
        ):
            if indent > previous[1]:
                levels.append(indent)
                first_child[indent] = (number, 0)
        elif (
            indent != levels[-1]
            and len(levels) > 1
            and levels[-2] < indent == levels[-2] + 2
            and first_child.get(levels[-1], (None, 1))[1] == 1
        ):
            # The first line of a group was indented differently from the rest of it
            # (the rest use the usual two spaces): that line is the odd one out.
            line = first_child[levels[-1]][0]
            issues.append(
                LintIssue(
                    line,
                    levels[-1],
                    f"line {line + first_line} is indented "
                    f"{_spaces(levels[-1])}; the lines around it use {indent}",
                    "yaml_indentation",
                    " " * indent + lines[line].lstrip(" "),
                )  # fmt: skip
            )
            levels[-1] = indent
        elif indent > levels[-1]:
            culprit = None
            if before_dedent is not None and before_dedent[1] == previous[0]:
                old_levels, line, line_indent = before_dedent
                if indent in old_levels:
                    culprit = (line, line_indent, indent)
            if culprit:
                # The line before slipped out of its group: the lines after it still
                # belong there.
                line, line_indent, wanted = culprit
                text_line = lines[line]
                issues.append(
                    LintIssue(
                        line,
                        line_indent,
                        f"line {line + first_line} is indented "
                        f"{_spaces(line_indent)}; the lines around it use {wanted}: "
                        f"indent it by {wanted} to keep it in its group",
                        "yaml_indentation",
                        " " * wanted + text_line.lstrip(" "),
                    )  # fmt: skip
                )
                levels = before_dedent[0]
            else:
                issues.append(
                    LintIssue(
                        number,
                        indent,
                        f"line {number + first_line} is indented "
                        f"{_spaces(indent)}; the lines around it use {levels[-1]}",
                        "yaml_indentation",
                        " " * levels[-1] + content,
                    )  # fmt: skip
                )
                indent = levels[-1]
        elif indent < levels[-1]:
            old = list(levels)
            while len(levels) > 1 and levels[-1] > indent:
                levels.pop()
            if indent != levels[-1]:
                wanted = old[old.index(levels[-1]) + 1] if levels[-1] in old else levels[-1]
                issues.append(
                    LintIssue(
                        number,
                        indent,
                        f"line {number + first_line} is indented "
                        f"{_spaces(indent)}; the lines around it use {wanted}",
                        "yaml_indentation",
                        " " * wanted + content,
                    )  # fmt: skip
                )
                levels.append(wanted)
                indent = wanted
            else:
                before_dedent = (old, number, indent)
        if levels and indent == levels[-1] and levels[-1] in first_child:
            line, count = first_child[levels[-1]]
            first_child[levels[-1]] = (line, count + 1)
        if is_item:
            # The fields of a list item line up after its "- ".
            while len(levels) > 1 and levels[-1] > indent:
                levels.pop()
            levels.append(indent + 2)
        if _BLOCK_SCALAR.search(content):
            scalar_indent = indent
        depth = max(0, _flow_depth(content))
        previous = (number, indent, content)
    return issues


def _flow_depth(text: str) -> int:
    """Open ``[``/``{`` minus closed ones outside quotes (roughly; comments ignored)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'', "", text)
    text = re.sub(r"\s#.*$", "", text)
    return text.count("[") + text.count("{") - text.count("]") - text.count("}")


def repair(text: str, issues: list[LintIssue]) -> str | None:
    """``text`` with every fixable issue fixed, or None if one has no certain fix."""
    if any(issue.fixed is None for issue in issues):
        return None
    lines = text.split("\n")
    for issue in issues:
        lines[issue.line] = issue.fixed
    return "\n".join(lines)
