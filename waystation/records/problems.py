"""Validation problems: one per line, with file, line and column.

A :class:`Problem` is what every check in Waystation produces.  Checks never
raise for bad input; they collect problems so that a contributor sees every
issue in every file in one run, then the command fails once.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in one file.

    ``path`` is the field path (``location.street``, ``phones[1].number``) or
    ``""`` for a problem with the file as a whole.
    """

    file: str
    line: int
    column: int
    severity: Severity
    path: str
    message: str
    rule: str = field(default="", compare=False)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def format_text(self) -> str:
        """One line, always: a control character in a file name or a value is shown as
        an escape (``\\x0a``), so a message cannot spill onto a second line or steer a
        terminal."""
        where = f"{self.path}: " if self.path else ""
        return _one_line(
            f"{self.file}:{self.line}:{self.column}: {self.severity.value}: {where}{self.message}"
        )

    def format_github(self) -> str:
        level = "error" if self.is_error else "warning"
        where = f"{self.path}: " if self.path else ""
        text = _github_escape_data(f"{where}{self.message}")
        file = _github_escape_property(self.file)
        return f"::{level} file={file},line={self.line},col={self.column}::{text}"

    def as_dict(self) -> dict:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


def _github_escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_escape_property(value: str) -> str:
    return _github_escape_data(value).replace(":", "%3A").replace(",", "%2C")


def sort_problems(problems: list[Problem]) -> list[Problem]:
    return sorted(set(problems), key=lambda p: (p.file, p.line, p.column, p.path, p.message))


def count(problems: list[Problem]) -> tuple[int, int]:
    errors = sum(1 for p in problems if p.is_error)
    return errors, len(problems) - errors


def summary_line(problems: list[Problem], files: int) -> str:
    errors, warnings = count(problems)
    noun = "file" if files == 1 else "files"
    return f"{files} {noun} checked: {errors} error(s), {warnings} warning(s)"


def format_report(problems: list[Problem], fmt: str, files: int) -> str:
    """Render problems as ``text``, ``github`` or ``json``."""
    problems = sort_problems(problems)
    if fmt == "json":
        errors, warnings = count(problems)
        return json.dumps(
            {
                "files": files,
                "errors": errors,
                "warnings": warnings,
                "problems": [p.as_dict() for p in problems],
            },
            indent=2,
            sort_keys=True,
            ensure_ascii=False,
        )
    text_lines = [p.format_text() for p in problems]
    if fmt == "github":
        # GitHub shows only ten annotations of each kind per step: print the
        # annotations, then the full report so nothing is lost.
        lines = [p.format_github() for p in problems]
        lines.append("::group::Full validation report")
        lines.extend(text_lines)
        lines.append(summary_line(problems, files))
        lines.append("::endgroup::")
        return "\n".join(lines)
    return "\n".join([*text_lines, summary_line(problems, files)])


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _one_line(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
