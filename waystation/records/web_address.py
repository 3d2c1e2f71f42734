"""Web addresses in listings, read as browsers read them (the WHATWG URL Standard).

A listing's ``website`` becomes a link survivors follow, so it must lead where a
reviewer reading the file thinks it leads.  :func:`web_address_problem` parses
the address with ada (``ada-url``, the WHATWG URL parser that Node.js uses) and
refuses what readers and programs could disagree on: backslashes (browsers read
``\\`` as ``/``, Python's ``urllib`` does not, so ``https://evil.example\\@example.org``
is *example.org* to Python and *evil.example* to a browser), user names and
passwords before an ``@``, spaces and control characters, and any address whose host
Python's ``urllib`` reads differently from the browser rules.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from ada_url import parse_url

_INVISIBLE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def browser_host(address: str) -> str | None:
    """The host a browser goes to for ``address`` (WHATWG rules), or None if a browser
    would not open it."""
    try:
        return parse_url(address)["host"] or None
    except ValueError:
        return None


def _python_host(address: str) -> str | None:
    try:
        host = urlsplit(address).hostname
    except ValueError:
        return None
    if host is None:
        return None
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None


def web_address_problem(address: str) -> str | None:
    """Why ``address`` may not be a listing's web address, or None.  The message says
    how to write it."""
    shown = address if len(address) <= 200 else address[:199] + "…"
    start = "write it in full, starting with https:// (e.g. https://example.org/help)"
    if _INVISIBLE.search(address):
        return f"{shown!r} is not a web address: it contains a space or an invisible character; {start}"  # noqa: E501
    if "\\" in address:
        return (
            f"{shown!r} contains a backslash ('\\'), which browsers read as '/': the link "
            "would lead to another site than it seems to. Use '/' in web addresses"
        )
    try:
        parts = parse_url(address)
    except ValueError:
        return f"{shown!r} is not a web address: {start}"
    if parts["protocol"] not in ("http:", "https:") or not parts["host"]:
        return f"{shown!r} is not a web address: {start}"
    if parts["username"] or parts["password"] or "@" in urlsplit(address).netloc:
        return (
            f"{shown!r} has a user name or password before '@': the link would lead to the "
            "host after the '@'. Write only the site's address (https://host/path)"
        )
    if _python_host(address) != parts["hostname"]:
        return (
            f"{shown!r}: browsers read its host as {parts['hostname']!r}, other programs "
            "differently. Write the address plainly: https://, the host name, then the path"
        )
    return None
