"""Untrusted listing text made safe for HTML.

Listing Markdown comes from pull requests: it is rendered with Python-Markdown,
then sanitized with nh3 (a small allow-list of tags and attributes, only
http(s)/mailto/tel links, ``rel="nofollow noopener"`` on every link), so no
listing can ever run script.
"""

from __future__ import annotations

import re

import markdown
import markdown.treeprocessors
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "blockquote",
    "h2", "h3", "h4", "h5", "h6", "code", "pre", "hr", "table", "thead", "tbody",
    "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "td": set(), "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto", "tel", "sms"}


def sanitize_html(html: str) -> Markup:
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704 - nh3 output is safe HTML


#: What each of Python-Markdown's inline patterns needs in a text to match at all
#: (by the name it is registered under).  A text with none of them is left as it is by
#: every pattern: ``[`` for the links and images (``![`` too), ``<`` for autolinks and
#: raw HTML, two spaces before a line end for a line break, and so on.
INLINE_PATTERN_NEEDS: dict[str, tuple[str, ...]] = {
    "backtick": ("`",),
    "escape": ("\\",),
    "reference": ("[",),
    "link": ("[",),
    "image_link": ("[",),
    "image_reference": ("[",),
    "short_reference": ("[",),
    "short_image_ref": ("[",),
    "autolink": ("<",),
    "automail": ("<",),
    "linebreak": ("  \n",),
    "html": ("<",),
    "entity": ("&",),
    "em_strong": ("*", "_"),
    "em_strong2": ("_",),
}


class PlainTextInline(markdown.treeprocessors.InlineProcessor):
    """Python-Markdown's inline pass, which skips a text that no inline pattern can match.

    The inline pass tries each of its ~15 patterns on every paragraph, list item and
    heading, in Python: about half of the time spent converting a description, most of
    it on plain sentences.  A text holding none of the characters the patterns need
    (:data:`INLINE_PATTERN_NEEDS`) comes back unchanged from that loop, so it is
    returned at once.  If the converter has a pattern not in that table (another
    extension, a new Python-Markdown), every text goes through the loop as before.
    """

    def __init__(self, md: markdown.Markdown):
        super().__init__(md)
        names = [item.name for item in md.inlinePatterns._priority]
        needs = [INLINE_PATTERN_NEEDS.get(name) for name in names]
        if None in needs:
            self.may_match = None
        else:
            wanted = sorted({re.escape(text) for need in needs for text in need})
            self.may_match = re.compile("|".join(wanted)).search

    # Overrides the name-mangled InlineProcessor.__handleInline, which run() calls on
    # each text (the Markdown version is pinned; tests/test_text_markup.py compares the two).
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802
        if self.may_match is not None and not self.may_match(data):
            return data
        return super()._InlineProcessor__handleInline(data, patternIndex)


def make_converter(skip_plain_text: bool = True) -> markdown.Markdown:
    """The Markdown converter for listing text (``sane_lists``, HTML output)."""
    converter = markdown.Markdown(extensions=["sane_lists"], output_format="html")
    if skip_plain_text:
        item = next(i for i in converter.treeprocessors._priority if i.name == "inline")
        converter.treeprocessors.register(PlainTextInline(converter), "inline", item.priority)
    return converter


#: One converter, reset between texts: building one costs about 3 ms, more than
#: converting a listing's description.
_CONVERTER = make_converter()


def render_markdown(text: str) -> Markup:
    """Markdown from a listing, as safe HTML.  Headings start at h2."""
    html = _CONVERTER.reset().convert(text or "")
    # A listing's own headings must not compete with the page's single h1.
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return sanitize_html(html)


#: Descriptions already rendered in this process: {Markdown: sanitized HTML}.  The
#: pages and the exports' plain texts (:func:`waystation.text.plain.markdown_to_text`)
#: read them here, so a description is rendered once per build.
_RENDERED: dict[str, Markup] = {}
_RENDERED_LIMIT = 100_000


def cached_markdown(text: str | None) -> Markup:
    """:func:`render_markdown`, cached: same text, same HTML."""
    text = text or ""
    found = _RENDERED.get(text)
    if found is None:
        if len(_RENDERED) >= _RENDERED_LIMIT:
            _RENDERED.clear()
        found = _RENDERED[text] = render_markdown(text)
    return found


def rendered_already(text: str) -> Markup | None:
    """``text``'s HTML when this process has it already (else None)."""
    return _RENDERED.get(text)


def remember_rendered(rendered: dict[str, Markup]) -> None:
    """Keep ``{Markdown: render_markdown(Markdown)}`` worked out in another process."""
    _RENDERED.update(rendered)
