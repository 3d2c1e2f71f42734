"""Untrusted text in GitHub Markdown (pull-request comments, issues) and terminals.

Listing values come from pull requests.  In a comment GitHub renders, a value
must not become a link, an image, a mention (``@someone``), a heading or a fake
"all clear": :func:`code_span` shows it literally.  In a terminal, control
characters must not become escape sequences: :func:`printable` (one line) and
:func:`printable_lines`.  These are the only ways listing values reach GitHub or a
terminal: ``waystation diff``, ``stale`` and ``from-issue`` use nothing else.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_BACKTICKS = re.compile("`+")


def printable(value: str, limit: int = 300) -> str:
    """One line, control characters written as escapes, at most ``limit`` characters."""
    value = value.replace("\r\n", "\n")
    value = _CONTROL.sub(lambda m: "⏎" if m.group() == "\n" else f"\\x{ord(m.group()):02x}", value)
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return value


def printable_lines(text: str) -> str:
    """``text`` for a terminal, line breaks and tabs kept: every other control
    character (an escape sequence, a carriage return that overwrites a line, a bidi
    override) written as an escape."""
    return _CONTROL.sub(
        lambda m: m.group() if m.group() in "\n\t" else f"\\x{ord(m.group()):02x}", text
    )


def code_span(value: str, limit: int = 300) -> str:
    """``value`` as a Markdown code span: shown literally, never rendered."""
    value = printable(value, limit)
    if not value:
        return "*(empty)*"
    longest = max((len(run) for run in _BACKTICKS.findall(value)), default=0)
    fence = "`" * (longest + 1)
    if value.startswith(("`", " ")) or value.endswith(("`", " ")):
        return f"{fence} {value} {fence}"
    return f"{fence}{value}{fence}"


def code_block(text: str, info: str = "") -> str:
    """``text`` as a fenced code block whose fence no line of ``text`` can close."""
    text = _CONTROL.sub(lambda m: m.group() if m.group() in "\n\t" else "\ufffd", text)
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"
