"""Listing text as it goes into data files: plain text, safe in spreadsheets.

Open data consumers get plain text, never markup: a listing's Markdown is
rendered and sanitized (:func:`waystation.text.markup.render_markdown`) and then
reduced to its text, so no export carries HTML that a careless consumer
could inject into its own pages.  Spreadsheet programs run cells that start
with ``=``, ``@``, ``+`` or ``-`` as formulas ("CSV injection"), so
:func:`spreadsheet_safe` quotes those in the CSV written for people.
"""

from __future__ import annotations

import html
import re

from waystation.text.markup import render_markdown, rendered_already

_BLOCK_END = re.compile(r"</(p|li|h[2-6]|blockquote|pre|tr)>|<br\s*/?>|<hr\s*/?>", re.I)
_PHONE_LIKE = re.compile(r"^[+-]?[0-9][0-9 ().-]*$")


#: Texts already worked out in this process (Markdown source -> text): the page
#: renderers forked by a build without search copies convert each description for the
#: listing pages, and hand the texts over (:func:`remember_texts`) so that the exports
#: need not convert them again.  With search copies, the build's process has every
#: description's HTML already (:func:`waystation.text.markup.rendered_already`): its text
#: is worked out from that, at a fiftieth of the cost of rendering it, and not kept.
_KNOWN: dict[str, str] = {}


def markdown_to_text(markdown_text: str | None) -> str:
    """The text of untrusted Markdown: paragraphs separated by blank lines, no markup."""
    if not markdown_text or not markdown_text.strip():
        return ""
    known = _KNOWN.get(markdown_text)
    if known is not None:
        return known
    rendered = rendered_already(markdown_text)
    if rendered is None:
        rendered = render_markdown(markdown_text)
    return rendered_to_text(str(rendered))


#: A tag of nh3's output: it quotes every attribute value with ``"`` (and writes a ``"``
#: inside one as ``&quot;``) and every ``<`` of text as ``&lt;``; a ``>`` may stand in a value.
_SANITIZED_TAG = re.compile(r'<[^>"]*(?:"[^"]*"[^>"]*)*>')


def rendered_to_text(rendered: str) -> str:
    """The text of :func:`waystation.text.markup.render_markdown`'s output (see markdown_to_text).

    That output is nh3's, so its tags are simply dropped: the same text as letting nh3
    parse it again and keep only the text, at half the cost (tested on the samples, the
    test fixtures and fuzzed Markdown).
    """
    rendered = _BLOCK_END.sub(lambda m: m.group(0) + "\n\n", rendered)
    text = html.unescape(_SANITIZED_TAG.sub("", rendered))
    paragraphs = [" ".join(block.split()) for block in re.split(r"\n\s*\n", text)]
    return "\n\n".join(p for p in paragraphs if p)


def remember_texts(texts: dict[str, str], *, forget_others: bool = False) -> None:
    """Keep ``{markdown source: markdown_to_text(source)}`` worked out elsewhere."""
    if forget_others:
        _KNOWN.clear()
    _KNOWN.update(texts)


def knows(markdown_text: str) -> bool:
    """Whether ``markdown_text``'s text was remembered (:func:`remember_texts`)."""
    return markdown_text in _KNOWN


def spreadsheet_safe(value: str) -> str:
    """Prefix a cell a spreadsheet would run as a formula with ``'``.

    A phone number such as ``+1 312 555 0100`` is left alone.
    """
    if not value:
        return value
    if value[0] in "=@\t\r" or (value[0] in "+-" and not _PHONE_LIKE.match(value)):
        return "'" + value
    return value
