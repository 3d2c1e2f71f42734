"""Untrusted listing text made safe for HTML.

Listing Markdown comes from pull requests: it is rendered with Python-Markdown,
then sanitized with nh3 (a small allow-list of tags and attributes, only
http(s)/mailto/tel links, ``rel="nofollow noopener"`` on every link), so no
listing can ever run script.
"""

from __future__ import annotations

import markdown
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


#: One converter, reset between texts: building one costs about 3 ms, more than
#: converting a listing's description.
_CONVERTER = markdown.Markdown(extensions=["sane_lists"], output_format="html")


def render_markdown(text: str) -> Markup:
    """Markdown from a listing, as safe HTML.  Headings start at h2."""
    html = _CONVERTER.reset().convert(text or "")
    # A listing's own headings must not compete with the page's single h1.
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    return sanitize_html(html)
