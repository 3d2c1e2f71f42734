"""The Content-Security-Policy of every page, and a last check of the output.

:func:`apply_csp` is the last post-build step.  Over every ``.html`` file in the
output it

1. checks for what must never be in a page, whatever produced it: inline
   event-handler attributes (``onclick=`` …), ``javascript:``/``vbscript:``
   URLs, ``data:`` URLs in links and forms, and scripts, stylesheets, images
   or frames loaded from another site (the tile server excepted, for images);
   any of these fails the build with every file and line named;
2. writes the page's final policy into its ``<meta http-equiv=
   "Content-Security-Policy">`` (replacing the template's default one, or
   adding one right after ``<meta charset>``): only the site itself, the tile
   server for images, the SHA-256 hashes of the page's own inline scripts and
   styles (folium writes some), and ``'wasm-unsafe-eval'`` only on pages that
   load the search (Pagefind runs WebAssembly).  Never ``'unsafe-inline'`` or
   ``'unsafe-eval'``, so anything injected cannot run.

The policy is computed from each file's own bytes, so the step is
deterministic: the same output gives the same bytes.  The hashes trust what
the build wrote; that listing text never becomes markup is the escaping's job
(tested by the XSS corpus in ``tests/test_text_xss_every_output.py``).
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from waystation.exc import WaystationError
from waystation.runtime.workers import worker_count

#: Script types the browser does not run (data blocks): never hashed.
DATA_SCRIPT_TYPES = {
    "application/json",
    "application/ld+json",
    "application/geo+json",
    "text/template",
}
#: Script sources that make a page a search page (Pagefind instantiates WebAssembly).
WASM_SCRIPT = re.compile(r"(?:^|/)(?:pagefind[^/]*|search[^/]*\.js)(?:[?#].*)?$|/pagefind/")
#: <link rel> values that load something.
RESOURCE_RELS = {"stylesheet", "icon", "preload", "modulepreload", "prefetch", "manifest",
                 "apple-touch-icon", "shortcut"}  # fmt: skip
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data",
                  "cite", "background", "srcset", "ping", "manifest"}  # fmt: skip
NAVIGATION_ATTRIBUTES = {"href", "action", "formaction", "xlink:href"}

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG = re.compile(
    r"<(?P<name>[a-zA-Z][a-zA-Z0-9:-]*)"
    r"(?P<attrs>(?:\s+[^\s\"'>/=]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?|\s*/(?!>))*)"
    r"\s*/?>",
    re.S,
)
_ATTR = re.compile(
    r"([^\s\"'>/=]+)(?:\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'=<>`]+)))?",
    re.S,
)
_RAW_TEXT_END = {
    "script": re.compile(r"</script\s*>", re.I),
    "style": re.compile(r"</style\s*>", re.I),
}
# The lookbehind starts a match only where a run of spaces starts: without it, each
# space of a long run in a listing's text began a new attempt (quadratic; 250 KB of
# spaces in one field held the build for minutes).
_CSP_META = re.compile(
    r"(?<![ \t])[ \t]*<meta\s[^>]*http-equiv\s*=\s*[\"']?content-security-policy[\"']?[^>]*>"
    r"[ \t]*\n?",
    re.I,
)
_CHARSET_META = re.compile(r"<meta\s+charset\s*=\s*[\"']?[\w-]+[\"']?\s*/?>[ \t]*\n?", re.I)
_HEAD = re.compile(r"<head(?:\s[^>]*)?>[ \t]*\n?", re.I)
_CONTROL = re.compile(r"[\x00-\x20\x7f]+")


@dataclass
class PageScan:
    """What one HTML file holds that its policy depends on."""

    script_hashes: set[str] = field(default_factory=set)
    style_hashes: set[str] = field(default_factory=set)
    style_attribute_hashes: set[str] = field(default_factory=set)
    wasm: bool = False
    problems: list[tuple[int, str]] = field(default_factory=list)  # (offset, message)
    csp_metas: list[tuple[int, int]] = field(default_factory=list)  # <meta> CSP tags' spans


def sha256_source(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def tile_source(tile_url: str) -> str:
    """The CSP source of the tile server: ``https://{s}.tile.x.org/…`` -> ``https://*.tile.x.org``.

    ``""`` when tiles come from the site itself (a path, or no tiles at all).
    """
    parts = urlsplit(tile_url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    host = re.sub(r"\{[^}]*\}", "*", parts.netloc)
    return f"{parts.scheme}://{host}"


def site_origin(site_url: str) -> str:
    parts = urlsplit(site_url or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}".lower()
    return ""


def _attributes(text: str) -> list[tuple[str, str | None]]:
    attrs = []
    for match in _ATTR.finditer(text):
        name = match.group(1).lower()
        if match.group(2) is not None:
            value: str | None = match.group(2)
        elif match.group(3) is not None:
            value = match.group(3)
        else:
            value = match.group(4)
        attrs.append((name, html.unescape(value) if value is not None else None))
    return attrs


def _url_scheme(value: str) -> str:
    cleaned = _CONTROL.sub("", value).lower()
    match = re.match(r"([a-z][a-z0-9+.-]*):", cleaned)
    return match.group(1) if match else ""


def _origin_allowed(url: str, allowed: Iterable[str]) -> bool:
    """Whether a resource URL is on the site (relative, or one of ``allowed`` origins)."""
    stripped = _CONTROL.sub("", url)
    if stripped.startswith("//"):
        stripped = "https:" + stripped
    parts = urlsplit(stripped)
    if not parts.scheme:
        return True
    if parts.scheme in ("data", "blob"):
        return True
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    for source in allowed:
        if not source:
            continue
        if "*" in source:
            pattern = re.escape(source.lower()).replace(r"\*", r"[^./]+")
            if re.fullmatch(pattern, origin):
                return True
        elif origin == source.lower():
            return True
    return False


#: What one tag (its exact text) means for the page, for one site and tile server:
#: (name, problems, style-attribute hashes, loads the search, what its raw text is),
#: or _PLAIN for a tag that adds nothing to the policy.  Pages repeat most of their
#: tags (header, footer, cards), so each distinct tag is checked once per process.
_TagFacts = tuple[str, tuple[str, ...], tuple[str, ...], bool, str]
_PLAIN: _TagFacts = ("", (), (), False, "")
_TAG_FACTS: dict[tuple[str, str], dict[str, _TagFacts]] = {}
_CACHE_LIMIT = 200_000


#: Tags whose name alone makes them worth a closer look: they load something, or hold
#: raw text, or may be the policy itself.
_LOOKED_AT = frozenset({
    "script", "style", "meta", "link", "img", "source", "input", "iframe", "frame",
    "embed", "object", "audio", "video", "track",
})  # fmt: skip
#: Characters _url_scheme() drops before it reads a scheme.
_SQUEEZE = dict.fromkeys([*range(0x21), 0x7F])
#: "on" where an attribute name may begin.
_ON_AT_NAME_START = re.compile(r"(?:^|[\s\"'/=<`])on", re.I)


def _obviously_plain(tag: str, name: str) -> bool:
    """Whether a tag certainly adds nothing to the policy, from its text alone.

    Never true for a tag :func:`_tag_facts` would find anything in: no name that loads
    or holds raw text, no character reference (``&`` could spell anything), no
    ``script`` (``javascript:``, ``vbscript:``), ``data:`` or ``style`` even with blanks
    and control characters taken out, and no attribute name that could start with
    ``on``.  Anything else gets the full reading.
    """
    if name in _LOOKED_AT or "&" in tag:
        return False
    squeezed = tag.translate(_SQUEEZE).lower()
    if "script" in squeezed or "data:" in squeezed or "style" in squeezed:
        return False
    return _ON_AT_NAME_START.search(tag) is None


def _tag_facts(match: re.Match, site: str, tiles: str) -> _TagFacts:
    name = match.group("name").lower()
    if _obviously_plain(match.group(0), name):
        return _PLAIN
    attrs = _attributes(match.group("attrs"))
    scan = PageScan()
    _check_tag(scan, 0, name, attrs, site, tiles)
    raw = ""
    if name == "script":
        attr_map = dict(attrs)
        kind = (attr_map.get("type") or "").strip().lower()
        raw = "script" if "src" not in attr_map and kind not in DATA_SCRIPT_TYPES else "data"
    elif name == "style":
        raw = "style"
    elif name == "meta" and any(
        attr == "http-equiv" and (value or "").strip().lower() == "content-security-policy"
        for attr, value in attrs
    ):
        raw = "csp-meta"
    if not (scan.problems or scan.style_attribute_hashes or scan.wasm or raw):
        return _PLAIN
    return (
        name,
        tuple(message for _, message in scan.problems),
        tuple(sorted(scan.style_attribute_hashes)),
        scan.wasm,
        raw,
    )


def _facts_cache(site: str, tiles: str) -> dict[str, _TagFacts]:
    cache = _TAG_FACTS.setdefault((site, tiles), {})
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    return cache


def scan_page(text: str, site: str = "", tiles: str = "") -> PageScan:
    """Hashes, search use and forbidden constructs of one page."""
    cache = _facts_cache(site, tiles)
    if "<!--" not in text:
        scan = _scan_plain_page(text, cache, site, tiles)
        if scan is not None:
            return scan
    return _scan_tag_by_tag(text, cache, site, tiles)


#: From "<" and a letter to the first ">" outside quotes.  Wherever _TAG matches, this
#: matches the same text (_TAG reads a quote only as the start or end of a value, and
#: no ">" outside one); where it matches text _TAG does not, _TAG.fullmatch() tells.
_TAG_QUICK = re.compile(r"<[a-zA-Z][^>\"']*(?:(?:\"[^\"]*\"|'[^']*')[^>\"']*)*>")


def _scan_plain_page(
    text: str, cache: dict[str, _TagFacts], site: str, tiles: str
) -> PageScan | None:
    """:func:`_scan_tag_by_tag`'s result for a page of the common kind, found faster;
    None for any other page.

    The common kind: no comment, nothing unsafe, no inline script or style, and every
    ``<script>`` closed right after its start tag.  Such a page has no text where tags
    are not tags, so its tags are simply every match of the tag pattern: one
    ``findall()`` (of :data:`_TAG_QUICK`, each distinct text then checked to be a whole
    :data:`_TAG` match once per process: the cache holds only such), then only the few
    tags that add to the policy are looked at.  Each of those must appear in the text
    exactly as often as it was found as a tag (so none hides inside another tag's
    attribute), which also gives their places.
    """
    tags = _TAG_QUICK.findall(text)
    get = cache.get
    scan = PageScan()
    for tag in {tag for tag in tags if get(tag) is not _PLAIN}:
        facts = get(tag)
        if facts is None:
            match = _TAG.fullmatch(tag)
            if match is None:
                return None
            facts = cache[tag] = _tag_facts(match, site, tiles)
            if facts is _PLAIN:
                continue
        name, problems, style_hashes, wasm, raw = facts
        if problems or raw in ("script", "style"):
            return None  # the tag-by-tag scan places each problem and hashes the code
        count = tags.count(tag)
        if text.count(tag) != count:
            return None
        if raw == "data" and text.count(tag + f"</{name}>") != count:
            return None  # raw text to skip
        if raw == "csp-meta":
            start = -1
            for _ in range(count):
                start = text.find(tag, start + 1)
                scan.csp_metas.append((start, start + len(tag)))
        scan.style_attribute_hashes.update(style_hashes)
        if wasm:
            scan.wasm = True
    scan.csp_metas.sort()
    return scan


def _scan_tag_by_tag(text: str, cache: dict[str, _TagFacts], site: str, tiles: str) -> PageScan:
    """Every tag in order, skipping comments and the raw text of scripts and styles."""
    scan = PageScan()
    # Where tags are not tags: comments, and the raw text of <script> and <style>.
    comments = [(m.start(), m.end()) for m in _COMMENT.finditer(text)] if "<!--" in text else []
    comment_index = 0
    skip_until = 0
    length = len(text)
    matches = _TAG.finditer(text)
    while (match := next(matches, None)) is not None:
        start = match.start()
        if start < skip_until:
            if match.end() > skip_until:
                # A "tag" that starts in a comment or raw text and runs past its end:
                # look again from the end, so no real tag after it goes unseen.
                matches = _TAG.finditer(text, skip_until)
            continue
        if comments:
            while comment_index < len(comments) and comments[comment_index][1] <= start:
                comment_index += 1
            if comment_index < len(comments) and comments[comment_index][0] <= start:
                skip_until = comments[comment_index][1]
                if match.end() > skip_until:
                    matches = _TAG.finditer(text, skip_until)
                continue
        tag = match.group(0)
        facts = cache.get(tag)
        if facts is None:
            facts = cache[tag] = _tag_facts(match, site, tiles)
        if facts is _PLAIN:
            continue
        name, problems, style_hashes, wasm, raw = facts
        for message in problems:
            scan.problems.append((start, message))
        if style_hashes:
            scan.style_attribute_hashes.update(style_hashes)
        if wasm:
            scan.wasm = True
        if raw == "csp-meta":
            scan.csp_metas.append((start, match.end()))
        elif raw:
            position = match.end()
            end = _RAW_TEXT_END[name].search(text, position)
            content_end = end.start() if end else length
            if raw == "script":
                scan.script_hashes.add(sha256_source(text[position:content_end]))
            elif raw == "style":
                content = text[position:content_end]
                if content.strip():
                    scan.style_hashes.add(sha256_source(content))
            skip_until = end.end() if end else length
    return scan


def secure_page(text: str, site: str = "", tiles: str = "") -> tuple[str, list[tuple[int, str]]]:
    """One page checked and given its policy: ``(new text, [(line, problem)])``.

    With problems, the text is returned unchanged: such a page must not be published.
    """
    scan = scan_page(text, site, tiles)
    if scan.problems:
        return text, [(_line_of(text, offset), message) for offset, message in scan.problems]
    if scan.csp_metas:
        return _replace_metas(text, _meta(policy(scan, tiles)), scan.csp_metas), []
    try:
        return set_policy(text, policy(scan, tiles)), []
    except ValueError:
        return text, [(1, "no <head>: a page must have one to carry its policy")]


def _check_tag(
    scan: PageScan,
    offset: int,
    name: str,
    attrs: list[tuple[str, str | None]],
    site: str,
    tiles: str,
) -> None:
    attr_map = dict(attrs)
    for attr, value in attrs:
        if attr.startswith("on") and len(attr) > 2:
            scan.problems.append(
                (offset, f"inline event handler {attr}= on <{name}>: move the code to a .js file")
            )
        if value is None:
            continue
        if attr == "style":
            scan.style_attribute_hashes.add(sha256_source(value))
        if attr in URL_ATTRIBUTES:
            candidates = (
                [part.strip().split(" ")[0] for part in value.split(",")]
                if attr == "srcset"
                else [value]
            )
            for candidate in candidates:
                scheme = _url_scheme(candidate)
                if scheme in ("javascript", "vbscript"):
                    scan.problems.append(
                        (offset, f"{scheme}: URL in {attr}= of <{name}>: scripts must not run")
                    )
                elif scheme == "data" and attr in NAVIGATION_ATTRIBUTES:
                    scan.problems.append(
                        (offset, f"data: URL in {attr}= of <{name}>: link to a file instead")
                    )
    if name == "script" and attr_map.get("src"):
        src = attr_map["src"] or ""
        if not _origin_allowed(src, [site]):
            scan.problems.append((offset, f"script from another site: {src}"))
        if WASM_SCRIPT.search(urlsplit(src).path or ""):
            scan.wasm = True
    elif name == "link" and attr_map.get("href"):
        rels = set((attr_map.get("rel") or "").lower().split())
        if rels & RESOURCE_RELS and not _origin_allowed(attr_map["href"] or "", [site]):
            href = attr_map["href"]
            scan.problems.append((offset, f"<link rel> loads from another site: {href}"))
    elif name in ("img", "source", "input") and attr_map.get("src"):
        if not _origin_allowed(attr_map["src"] or "", [site, tiles]):
            scan.problems.append((offset, f"<{name}> loads from another site: {attr_map['src']}"))
    elif name in ("iframe", "frame", "embed", "object", "audio", "video", "track"):
        src = attr_map.get("src") or attr_map.get("data") or ""
        if src and not _origin_allowed(src, [site]):
            scan.problems.append((offset, f"<{name}> loads from another site: {src}"))


def policy(scan: PageScan, tiles: str) -> str:
    """The page's policy: the site, the tile server for images, the page's own hashes."""
    script = ["'self'", *sorted(scan.script_hashes)]
    if scan.wasm:
        script.append("'wasm-unsafe-eval'")
    style = ["'self'", *sorted(scan.style_hashes)]
    if scan.style_attribute_hashes:
        style += ["'unsafe-hashes'", *sorted(scan.style_attribute_hashes)]
    img = ["'self'", "data:"] + ([tiles] if tiles else [])
    directives = [
        "default-src 'self'",
        "script-src " + " ".join(script),
        "style-src " + " ".join(style),
        "img-src " + " ".join(img),
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
    return "; ".join(directives)


def _meta(value: str) -> str:
    escaped = html.escape(value, quote=False).replace('"', "&quot;")
    return f'<meta http-equiv="Content-Security-Policy" content="{escaped}">\n'


def _replace_metas(text: str, meta: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the first CSP meta tag replaced by ``meta`` and the others removed
    (each with the blanks before it and the blanks and line break after it)."""
    pieces = []
    position = 0
    for index, (start, end) in enumerate(spans):
        while start > position and text[start - 1] in " \t":
            start -= 1
        while end < len(text) and text[end] in " \t":
            end += 1
        if text.startswith("\n", end):
            end += 1
        pieces.append(text[position:start])
        if index == 0:
            pieces.append(meta)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def set_policy(text: str, value: str) -> str:
    """``text`` with exactly one CSP meta, holding ``value``, before anything it governs."""
    meta = _meta(value)
    existing = _CSP_META.search(text)
    if existing:
        return text[: existing.start()] + meta + _CSP_META.sub("", text[existing.end() :])
    anchor = _CHARSET_META.search(text) or _HEAD.search(text)
    if anchor is None:
        raise ValueError("no <head>")
    return text[: anchor.end()] + meta + text[anchor.end() :]


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def html_files(output: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(output):
        dirnames.sort()
        for filename in sorted(filenames):
            if filename.endswith((".html", ".htm")):
                found.append(Path(dirpath) / filename)
    return found


# Pages already checked and given their policy in memory, before they were written
# (:func:`secure_page`, called by the page renderer), per output folder:
# {relative path: (size, mtime_ns) right after writing}.  apply_csp() scans every
# other page, and any of these that changed on disk since.
_SECURED: dict[str, dict[str, tuple[int, int]]] = {}


def remember_secured(output: Path, written: Iterable[tuple[str, int, int]]) -> None:
    """Note pages written already secured: ``(relative path, size, mtime_ns)``."""
    known = _SECURED.setdefault(str(Path(output).resolve()), {})
    for relative, size, mtime_ns in written:
        known[relative] = (size, mtime_ns)


def forget_secured(output: Path) -> list[tuple[str, int, int]]:
    """The pages noted by :func:`remember_secured` for ``output`` (now forgotten)."""
    known = _SECURED.pop(str(Path(output).resolve()), {})
    return [(relative, size, mtime_ns) for relative, (size, mtime_ns) in sorted(known.items())]


def unsafe_markup_error(problems: list[str]) -> WaystationError:
    """The build's error for unsafe markup: every place, as ``file:line: message``."""
    problems = sorted(problems)
    shown = problems[:50]
    more = f"\n… and {len(problems) - 50} more" if len(problems) > 50 else ""
    return WaystationError(
        f"unsafe markup in {len(problems)} place(s) of the built site "
        "(fix the template or the step that wrote it):\n" + "\n".join(shown) + more
    )


def apply_csp(directory: Any, output: Path, settings: Mapping[str, Any]) -> None:
    """Post-build step: check every page, then write its final Content-Security-Policy.

    Pages the renderer secured in memory (:func:`remember_secured`) and that are
    unchanged on disk are not read again.  ``directory`` is unused (the policy
    depends on the written pages only); the signature is that of every post-build
    step.  Raises :class:`~waystation.exc.WaystationError` naming every offending
    file and line.
    """
    output = Path(output)
    tiles = tile_source(str(settings.get("TILE_URL", "")))
    site = site_origin(str(settings.get("SITEURL", "")))
    secured = _SECURED.pop(str(output.resolve()), {})
    files = []
    for path in html_files(output):
        known = secured.get(path.relative_to(output).as_posix())
        if known is not None:
            stat = path.stat()
            if known == (stat.st_size, stat.st_mtime_ns):
                continue
        files.append(path)
    workers = worker_count(settings, len(files), PARALLEL_MIN_FILES)
    if workers > 1:
        import multiprocessing

        shares = [files[i::workers] for i in range(workers)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.starmap(_scan_files, [(s, output, site, tiles) for s in shares])
    else:
        parts = [_scan_files(files, output, site, tiles)]
    problems = [p for part in parts for p in part[0]]
    updates = sorted(u for part in parts for u in part[1])
    if problems:
        raise unsafe_markup_error(problems)
    # Only once every page passed: write the policies.
    for path, new_text in updates:
        path.write_text(new_text, encoding="utf-8", newline="\n")


#: Below this many pages one process scans them all.
PARALLEL_MIN_FILES = 2000


def _scan_files(
    paths: list[Path], output: Path, site: str, tiles: str
) -> tuple[list[str], list[tuple[Path, str]]]:
    """Scan pages: (problems as "file:line: message", [(changed page, its new text)])."""
    problems: list[str] = []
    updates: list[tuple[Path, str]] = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        new_text, found = secure_page(text, site, tiles)
        relative = path.relative_to(output).as_posix()
        problems.extend(f"{relative}:{line}: {message}" for line, message in found)
        if not found and new_text != text:
            updates.append((path, new_text))
    return problems, updates
