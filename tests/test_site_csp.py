"""The Content-Security-Policy step: strict policies, hashes; unsafe markup fails the build."""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
from pathlib import Path

import pytest

from waystation.exc import WaystationError
from waystation.site import csp

TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'">
<title>t</title>
{head}
</head>
<body>
{body}
</body>
</html>
"""


def page(head: str = "", body: str = "") -> str:
    return PAGE.format(head=head, body=body)


def meta_policy(text: str) -> list[str]:
    return re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', text)


def write_site(tmp_path: Path, pages: dict[str, str]) -> Path:
    for name, text in pages.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return tmp_path


def test_inline_scripts_are_allowed_by_their_hash_only(tmp_path):
    code = "window.map = 1;\n"
    site = write_site(
        tmp_path,
        {
            "index.html": page(
                body=f'<script>{code}</script><script type="application/json">{{"a": 1}}</script>'
            )
        },
    )
    csp.apply_csp(None, site, {"TILE_URL": TILES})
    (policy,) = meta_policy((site / "index.html").read_text())
    digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy
    assert policy.count("'sha256-") == 1  # the JSON data block is not a script to allow
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "wasm-unsafe-eval" not in policy
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in policy
    assert "object-src 'none'" in policy


def test_only_search_pages_may_run_webassembly(tmp_path):
    site = write_site(
        tmp_path,
        {
            "search/index.html": page(body='<script src="../pagefind/pagefind.js"></script>'),
            "es/search/index.html": page(body='<script src="../../theme/js/search.js"></script>'),
            "index.html": page(body='<script src="theme/js/quick-exit.js"></script>'),
        },
    )
    csp.apply_csp(None, site, {"TILE_URL": TILES})
    assert "'wasm-unsafe-eval'" in meta_policy((site / "search/index.html").read_text())[0]
    assert "'wasm-unsafe-eval'" in meta_policy((site / "es/search/index.html").read_text())[0]
    assert "wasm" not in meta_policy((site / "index.html").read_text())[0]


def test_policy_replaces_the_template_one_and_precedes_everything(tmp_path):
    site = write_site(tmp_path, {"a.html": page(head='<link rel="stylesheet" href="x.css">')})
    csp.apply_csp(None, site, {"TILE_URL": TILES})
    text = (site / "a.html").read_text()
    assert len(meta_policy(text)) == 1
    assert text.index("Content-Security-Policy") < text.index("<link")
    # A page without a policy gets one right after <meta charset>.
    bare = '<html><head><meta charset="utf-8"><script src="a.js"></script></head></html>'
    out = csp.set_policy(bare, "default-src 'self'")
    assert out.index("Content-Security-Policy") < out.index("<script")


def test_the_step_is_deterministic(tmp_path):
    html = page(body="<script>var a = 1;</script><div style='color: red'>x</div>")
    first = write_site(tmp_path / "one", {"index.html": html})
    second = write_site(tmp_path / "two", {"index.html": html})
    csp.apply_csp(None, first, {"TILE_URL": TILES})
    csp.apply_csp(None, second, {"TILE_URL": TILES})
    once = (first / "index.html").read_bytes()
    assert once == (second / "index.html").read_bytes()
    csp.apply_csp(None, first, {"TILE_URL": TILES})
    assert (first / "index.html").read_bytes() == once  # running it again changes nothing


@pytest.mark.parametrize(
    "markup, message",
    [
        ('<a href="#" onclick="go()">x</a>', "onclick="),
        ("<img src=x.png onerror=go()>", "onerror="),
        ('<a href="javascript:go()">x</a>', "javascript: URL"),
        ('<a href=" JaVa&#x09;Script:go()">x</a>', "javascript: URL"),
        ('<iframe src="javascript:go()"></iframe>', "javascript: URL"),
        ('<a href="data:text/html,hi">x</a>', "data: URL"),
        ('<script src="https://cdn.example.com/jquery.js"></script>', "script from another site"),
        ('<link rel="stylesheet" href="https://cdn.example.com/b.css">', "another site"),
        ('<img src="https://tracker.example.com/p.gif" alt="">', "another site"),
    ],
)
def test_unsafe_markup_fails_the_build(tmp_path, markup, message):
    site = write_site(
        tmp_path, {"ok.html": page(), "sub/bad.html": page(body=f"<p>\n{markup}</p>")}
    )
    with pytest.raises(WaystationError) as raised:
        csp.apply_csp(None, site, {"TILE_URL": TILES})
    text = str(raised.value)
    assert "sub/bad.html:11:" in text  # file and line
    assert message in text
    assert "ok.html" not in text


def test_every_problem_is_reported_at_once(tmp_path):
    site = write_site(
        tmp_path,
        {
            "a.html": page(body='<button onclick="x()">b</button>'),
            "b.html": page(body='<a href="javascript:x()">c</a>'),
        },
    )
    with pytest.raises(WaystationError) as raised:
        csp.apply_csp(None, site, {"TILE_URL": TILES})
    assert "a.html" in str(raised.value) and "b.html" in str(raised.value)


@pytest.mark.parametrize(
    "safe",
    [
        "<p>&lt;img src=x onerror=go()&gt;</p>",  # escaped text
        '<p title="a &quot;onclick=go()">t</p>',  # escaped attribute value
        "<!-- <a onclick=go()> -->",  # a comment
        "<script>var s = '<a onclick=go()>';</script>",  # code, hashed not parsed
        '<a href="https://example.org/?q=javascript:x">x</a>',
        '<img src="https://a.tile.openstreetmap.org/1/1/1.png" alt="">',  # the tile server
        '<input value="javascript:alert(1)">',
    ],
)
def test_safe_markup_passes(tmp_path, safe):
    site = write_site(tmp_path, {"a.html": page(body=safe)})
    csp.apply_csp(None, site, {"TILE_URL": "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"})


def test_tile_source_from_the_setting():
    assert csp.tile_source(TILES) == "https://tile.openstreetmap.org"
    assert csp.tile_source("https://{s}.tile.example.org/{z}/{x}/{y}.png") == (
        "https://*.tile.example.org"
    )
    assert csp.tile_source("/tiles/{z}/{x}/{y}.png") == ""


# ---- The built sample ---------------------------------------------------------------


def _pages(site: Path) -> list[Path]:
    return [
        p
        for p in sorted(site.rglob("*.html"))
        if not p.relative_to(site).as_posix().startswith("theme/")
    ]


@pytest.mark.slow
def test_every_built_page_carries_its_final_policy(built_site, tmp_path):
    """apply_csp ran last on the sample (running it again changes nothing) and is strict."""
    from waystation import settings as declared

    settings = declared.load(Path(__file__).resolve().parent.parent / "pelicanconf.py")
    copy = tmp_path / "site"
    shutil.copytree(built_site, copy, ignore=shutil.ignore_patterns("pagefind", "theme"))
    before = {p: p.read_bytes() for p in _pages(copy)}
    assert len(before) > 50
    csp.apply_csp(None, copy, settings)
    changed = [p.relative_to(copy).as_posix() for p, b in before.items() if p.read_bytes() != b]
    assert not changed, f"pages whose policy is not the final one: {changed[:10]}"
    wasm_pages = []
    for path in before:
        text = path.read_text(encoding="utf-8")
        policies = meta_policy(text)
        assert len(policies) == 1, path
        assert "'unsafe-inline'" not in policies[0] and "'unsafe-eval'" not in policies[0]
        head = text[: text.find("</head>")]
        first_resource = min(
            (head.find(tag) for tag in ("<script", "<link", "<style") if tag in head),
            default=len(head),
        )
        assert text.index("Content-Security-Policy") < first_resource, path
        if "'wasm-unsafe-eval'" in policies[0]:
            wasm_pages.append(path.relative_to(copy).as_posix())
    assert all("search" in p for p in wasm_pages), wasm_pages


@pytest.mark.parametrize(
    "before",
    [
        '<script>var s = "<a title=\'";</script>\n',
        "<!-- <a title=' -->\n",
        '<style>p::after { content: "<b title=\'"; }</style>\n',
    ],
)
def test_a_tag_after_raw_text_that_looks_like_an_open_tag_is_still_checked(tmp_path, before):
    # The quote opened inside the script, style or comment must not hide the real tag.
    # (Read from the quote, "<a title='…It' s <br>" is one long tag hiding the <a onclick>.)
    body = before + '<a onclick="go()">It\' s <br>'
    site = write_site(tmp_path, {"bad.html": page(body=body)})
    with pytest.raises(WaystationError, match=r"bad.html:\d+: inline event handler onclick="):
        csp.apply_csp(None, site, {"TILE_URL": TILES})


def test_a_page_secured_in_memory_equals_the_step_on_the_written_file(tmp_path):
    text = page(head="<style>p{color:red}</style>", body="<script>go(1)</script><p>hi</p>")
    secured, problems = csp.secure_page(text, "", csp.tile_source(TILES))
    assert problems == []
    site = write_site(tmp_path, {"index.html": text})
    csp.apply_csp(None, site, {"TILE_URL": TILES})
    assert (site / "index.html").read_text() == secured
    _, problems = csp.secure_page(page(body='<p>\n<a onclick="x()">'), "", "")
    assert problems == [(11, "inline event handler onclick= on <a>: move the code to a .js file")]


def test_the_renderer_secures_pages_before_writing_and_refuses_unsafe_ones(tmp_path):
    """Pages are checked in memory: a safe one is written with its final policy (the
    post-build step then leaves it alone); an unsafe one is not written at all."""
    import datetime as dt

    from waystation.directory import Directory
    from waystation.site import write as site_build
    from waystation.site.pages import PageSpec, SiteData

    templates = tmp_path / "templates"
    (templates / "partials").mkdir(parents=True)
    (templates / "partials" / "listing_card.html").write_text("")
    head = '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>t</title></head>'
    (templates / "good.html").write_text(head + "<body><script>go(1)</script></body></html>\n")
    (templates / "bad.html").write_text(head + '<body>\n<a onclick="go()">x</a></body></html>\n')
    directory = Directory([], {}, {}, tmp_path, dt.date(2026, 12, 1))
    data = SiteData(directory, ["en"], "en")
    settings = {"LANGUAGES": ["en"], "TILE_URL": TILES, "SITEURL": ""}
    output = tmp_path / "output"

    good = PageSpec("good/", "good.html", {"lang": "en"})
    assert site_build.render_pages([good], data, output, [templates], settings) == 1
    written = (output / "good" / "index.html").read_text()
    (policy,) = meta_policy(written)
    assert sha256_of("go(1)") in policy
    csp.apply_csp(None, output, settings)
    assert (output / "good" / "index.html").read_text() == written

    bad = PageSpec("bad/", "bad.html", {"lang": "en"})
    with pytest.raises(WaystationError, match=r"bad/index.html:2: inline event handler onclick="):
        site_build.render_pages([good, bad], data, output, [templates], settings)
    assert not (output / "bad").exists()


def sha256_of(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"


DIFFICULT_PAGES = [
    # A script start tag that also sits, as text, in an attribute: not the plain kind.
    page(body='<p title="<script src=/a.js></script>">x</p><script src="/a.js"></script>'),
    page(body='<script src="/a.js"></script><script src="/a.js">var x;</script>'),
    page(body='<script type="application/json">{"a": "<a onclick=x()>"}</script>'),
    page(head='<meta http-equiv="Content-Security-Policy" content="x">', body="<p>two</p>"),
    page(body='<p style="color: red">styled</p><b style="color: red">twice</b>'),
    page(body="<!-- <a onclick=go()> --><p>comment</p>"),
    page(body='<a href="#" onclick="go()">x</a><a href="#" onclick="go()">y</a>'),
    page(body="<style>p{color:red}</style><script>go()</script>"),
    page(body='<script src="/theme/js/search-pagefind.js" defer></script>'),
    "<html><body><p>no head</p></body></html>",
]


@pytest.mark.parametrize("text", DIFFICULT_PAGES)
def test_the_quick_scan_of_plain_pages_equals_the_tag_by_tag_scan(text):
    tiles = csp.tile_source(TILES)
    for _ in range(2):  # with the tag cache cold, then warm
        quick = csp.scan_page(text, "", tiles)
        assert quick == csp._scan_tag_by_tag(text, {}, "", tiles)
        if quick.problems:
            assert csp.secure_page(text, "", tiles)[1] == [
                (csp._line_of(text, offset), message) for offset, message in quick.problems
            ]


def test_the_quick_scan_gives_the_tag_by_tag_result_on_every_built_page(built_site):
    from waystation import settings as declared

    settings = declared.load(Path(__file__).resolve().parent.parent / "pelicanconf.py")
    tiles = csp.tile_source(str(settings.get("TILE_URL", "")))
    plain = 0
    for path in _pages(built_site):
        text = path.read_text(encoding="utf-8")
        cache: dict = {}
        quick = csp._scan_plain_page(text, cache, "", tiles)
        if quick is not None:
            plain += 1
            assert quick == csp._scan_tag_by_tag(text, {}, "", tiles), path
    assert plain > 100  # the listing and browse pages are of the plain kind


def test_build_workers_setting_limits_the_scanning_processes(tmp_path, monkeypatch, forks):
    site = write_site(tmp_path, {f"p{n}/index.html": page(body=f"<p>{n}</p>") for n in range(4)})
    monkeypatch.setattr(csp, "PARALLEL_MIN_FILES", 2)
    csp.apply_csp(None, site, {"TILE_URL": TILES, "BUILD_WORKERS": 1})
    assert forks == []
    first = {p: p.read_text() for p in site.rglob("*.html")}
    for path in first:
        path.write_text(page(body="<p>again</p>"))
    csp.apply_csp(None, site, {"TILE_URL": TILES, "BUILD_WORKERS": 2})
    assert forks == ["fork"]
    assert all(meta_policy(p.read_text()) for p in site.rglob("*.html"))
