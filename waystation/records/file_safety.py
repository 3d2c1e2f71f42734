"""Hostile listing files refused before they are parsed: one clear line each.

A listing file comes from a pull request, so its name and bytes are untrusted.
:func:`file_name_problem` refuses names a reviewer could not see or tell apart
(control characters such as a final line break, a leading dot, names not in
Unicode NFC); :func:`read_regular_file` reads only regular files (never through a
symbolic link, never a device or a pipe) and never more than the size limit;
:func:`control_characters` finds NUL and other control characters with their line
and column; :func:`first_alias` finds a YAML alias (``*name``) before anything
composes it (a self-referencing alias is an endless structure).
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from pathlib import Path

import yaml

#: C0 controls but tab and line breaks, DEL, and C1 controls (NEL included: YAML reads
#: it as a line break, which would shift every line number).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NAMES = {0: "NUL", 7: "BEL", 8: "backspace", 0x0B: "vertical tab", 0x0C: "form feed",
          0x1B: "ESC", 0x7F: "DEL", 0x85: "NEL"}  # fmt: skip


def describe(char: str) -> str:
    """``U+0000 (NUL)``: how a message names an invisible character."""
    code = ord(char)
    name = _NAMES.get(code)
    return f"U+{code:04X}" + (f" ({name})" if name else "")


def file_name_problem(name: str) -> str | None:
    """Why a listing file may not be called ``name``, or None."""
    found = _CONTROL.search(name) or re.search("[\n\r\t]", name)
    if found:
        return (
            f"the file name {name!r} contains the invisible character "
            f"{describe(found.group())}: rename the file to its id and '.md' "
            "(lowercase letters, digits and '-')"
        )
    if name.startswith("."):
        return f"the file name {name!r} starts with '.': rename it to its id and '.md'"
    if unicodedata.normalize("NFC", name) != name:
        return (
            f"the file name {name!r} is not in Unicode NFC form (it looks like another "
            "name but is spelled differently): rename it to its id in lowercase ASCII "
            "letters, digits and '-'"
        )
    return None


class NotARegularFile(Exception):
    """The message says what the path is and what to do."""


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of ``path``, at most ``max_bytes + 1`` of them (the caller reports a
    file that is too large).  Raises :class:`NotARegularFile` for a symbolic link, a
    folder, a device or a pipe, and ``OSError`` when the file cannot be read."""
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        raise NotARegularFile(
            "this is a symbolic link: a listing must be a regular file in the "
            "repository; replace the link with the file itself"
        )
    if not stat.S_ISREG(info.st_mode):
        raise NotARegularFile(
            "this is not a regular file (a folder, device or pipe): a listing is a "
            "text file; remove it"
        )
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # replaced meanwhile
            raise NotARegularFile("this is not a regular file: a listing is a text file")
        return handle.read(max_bytes + 1)


def control_characters(text: str, limit: int = 20) -> list[tuple[int, int, str]]:
    """``(line, column, character)`` of the first control character on each line
    (1-based; at most ``limit`` lines).  Linear in the length of ``text``."""
    found: list[tuple[int, int, str]] = []
    line, counted = 1, 0
    match = _CONTROL.search(text)
    while match and len(found) < limit:
        start = match.start()
        line += text.count("\n", counted, start)
        line_start = text.rfind("\n", 0, start) + 1  # scans back over this line only
        found.append((line, start - line_start + 1, match.group()))
        end = text.find("\n", start)
        if end < 0:
            break
        counted = end
        match = _CONTROL.search(text, end)
    return found


def first_alias(yaml_text: str, loader: type) -> tuple[int, int, str] | None:
    """``(line, column, name)`` (0-based line in ``yaml_text``, 1-based column) of the
    first YAML alias, or None.  Scanning reads tokens only: it never builds the
    structure an alias would repeat.  Text the scanner cannot read is left to the
    parser, which reports it."""
    if "*" not in yaml_text:
        return None
    try:
        for token in yaml.scan(yaml_text, Loader=loader):
            if isinstance(token, yaml.AliasToken):
                mark = token.start_mark
                return (mark.line, mark.column + 1, str(token.value))
    except yaml.YAMLError:
        return None
    return None
