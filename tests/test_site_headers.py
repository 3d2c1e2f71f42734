"""The header files the build writes (``_headers``, ``nginx-headers.conf``), read and
applied the way the hosts do (``tests/header_rules.py``): every page refuses to be
framed except the embeddable maps, the header policy allows what each page's own
policy allows, and Netlify, Cloudflare Pages and nginx send the same headers.

Issue 19: docs/deploy.md's examples sent ``frame-ancestors 'none'`` on every path,
so partner embeds and the /embed/ preview showed "refused to connect".
"""

from __future__ import annotations

from pathlib import Path

import header_rules
import pytest
from hypothesis import given
from hypothesis import strategies as st

from waystation import settings as declared
from waystation.build import headers, postbuild
from waystation.exc import ConfigurationError

EMBED_PREFIXES = ("embed/map/", "es/embed/map/")


def _addresses(output: Path) -> list[str]:
    """Every address the built site answers: each file, and each folder with an index."""
    found = []
    for path in sorted(output.rglob("*")):
        if not path.is_file() or path.name in (headers.HEADERS_FILE, headers.NGINX_FILE):
            continue
        relative = path.relative_to(output).as_posix()
        found.append("/" + relative)
        if path.name == "index.html":
            found.append("/" + relative.removesuffix("index.html"))
    return found


def _rules(output: Path) -> list[header_rules.Rule]:
    return header_rules.parse((output / "_headers").read_text(encoding="utf-8"))


def test_the_build_writes_both_header_files_as_its_last_step(built_site):
    assert (built_site / "_headers").is_file()
    assert (built_site / "nginx-headers.conf").is_file()
    assert postbuild.STEPS[-1] == "waystation.build.headers:write_header_files"


def test_every_address_gets_one_policy_and_one_cache_header_on_every_host(built_site):
    rules = _rules(built_site)
    addresses = _addresses(built_site)
    assert len(addresses) > 300
    for address in addresses:
        on_cloudflare = header_rules.cloudflare(rules, address)
        on_netlify = header_rules.netlify(rules, address)
        # No header comes from two rules: the hosts' different merges agree.
        assert on_cloudflare == on_netlify, address
        policy = on_cloudflare.get("Content-Security-Policy", "")
        assert policy.count("frame-ancestors") == 1, address
        assert on_cloudflare.get("Cache-Control"), address
        assert on_cloudflare["Referrer-Policy"] == "no-referrer"
        ancestors = header_rules.directives(policy)["frame-ancestors"]
        if address.lstrip("/").startswith(EMBED_PREFIXES):
            assert ancestors == ["*"], address
        else:
            assert ancestors == ["'none'"], address
    assert len([r for r in rules if r[0] != "/*"]) <= headers.MAX_RULES


def test_the_embed_maps_of_every_language_and_only_they_may_be_framed(built_site):
    rules = _rules(built_site)
    framed = sorted(
        address
        for address in _addresses(built_site)
        if "frame-ancestors 'none'"
        not in header_rules.cloudflare(rules, address)["Content-Security-Policy"]
    )
    assert framed
    assert {a for a in framed if a.endswith("/")} == {"/embed/map/", "/es/embed/map/"}
    for address in ("/", "/embed/", "/es/embed/", "/map/", "/es/map/", "/search/"):
        policy = header_rules.cloudflare(rules, address)["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy, address


def test_the_header_policy_allows_what_every_page_own_policy_allows(built_site):
    """Derived from the pages' policy: a source a page needs is never missing from the
    header (a browser enforces both), and inline code stays limited by the page's hashes."""
    import re

    meta = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')
    rules = _rules(built_site)
    checked = 0
    for path in sorted(built_site.rglob("*.html")):
        found = meta.search(path.read_text(encoding="utf-8"))
        assert found, path
        page = header_rules.directives(found.group(1).replace("&#x27;", "'"))
        address = "/" + path.relative_to(built_site).as_posix()
        header = header_rules.directives(
            header_rules.cloudflare(rules, address)["Content-Security-Policy"]
        )
        for directive, sources in page.items():
            wanted = [s for s in sources if not s.startswith("'sha256-") and s != "'unsafe-hashes'"]
            assert directive in header, (address, directive)
            missing = [s for s in wanted if s not in header[directive]]
            assert not missing, (address, directive, missing)
            if len(wanted) < len(sources):
                assert "'unsafe-inline'" in header[directive], (address, directive)
        checked += 1
    assert checked > 300
    assert "'unsafe-eval'" not in (built_site / "_headers").read_text(encoding="utf-8")


def test_the_tile_server_in_the_header_follows_tile_url():
    own = {"TILE_URL": "https://tiles.example.org/{z}/{x}/{y}.png"}
    policy = header_rules.directives(headers.header_policy(own, frameable=False))
    assert policy["img-src"] == ["'self'", "data:", "https://tiles.example.org"]
    local = header_rules.directives(headers.header_policy({"TILE_URL": "/tiles/{z}.png"}, False))
    assert local["img-src"] == ["'self'", "data:"]


def _small_site(tmp_path: Path) -> Path:
    output = tmp_path / "output"
    pages = ("index.html", "embed/index.html", "embed/map/index.html", "es/index.html",
             "es/embed/map/index.html", "providers/a/index.html", "theme/css/site.css")  # fmt: skip
    for page in pages:
        (output / page).parent.mkdir(parents=True, exist_ok=True)
        (output / page).write_text("<!DOCTYPE html>", encoding="utf-8")
    return output


def test_a_list_of_partners_frames_the_embed_and_nothing_else(tmp_path):
    output = _small_site(tmp_path)
    settings = {"EMBED_ALLOWED_ORIGINS": ["https://partner.example.org", "https://*.ngo.example"]}
    headers.write_header_files(None, output, settings)
    rules = _rules(output)
    embed = header_rules.cloudflare(rules, "/es/embed/map/")["Content-Security-Policy"]
    assert header_rules.directives(embed)["frame-ancestors"] == [
        "'self'",
        "https://*.ngo.example",
        "https://partner.example.org",
    ]
    page = header_rules.cloudflare(rules, "/providers/a/")["Content-Security-Policy"]
    assert header_rules.directives(page)["frame-ancestors"] == ["'none'"]
    nginx = (output / "nginx-headers.conf").read_text(encoding="utf-8")
    assert (
        'if ($uri ~ "^/es/embed/map/") { set $waystation_frame_ancestors '
        "\"'self' https://*.ngo.example https://partner.example.org\"; }" in nginx
    )


def test_a_site_under_a_path_and_on_https_gets_its_paths_hsts_and_upgrades(tmp_path):
    output = _small_site(tmp_path)
    headers.write_header_files(None, output, {"SITEURL": "https://help.example.org/directory"})
    rules = _rules(output)
    sent = header_rules.cloudflare(rules, "/directory/embed/map/")
    assert header_rules.directives(sent["Content-Security-Policy"])["frame-ancestors"] == ["*"]
    assert "upgrade-insecure-requests" in sent["Content-Security-Policy"]
    assert sent["Strict-Transport-Security"].startswith("max-age=")
    assert header_rules.cloudflare(rules, "/directory/theme/css/site.css")["Cache-Control"] == (
        headers.CACHE_THEME
    )
    assert 'if ($uri ~ "^/directory/embed/map/")' in (output / "nginx-headers.conf").read_text()
    # Plain http (development): no HSTS, no upgrade (it would break http://127.0.0.1).
    headers.write_header_files(None, output, {"SITEURL": ""})
    sent = header_rules.cloudflare(_rules(output), "/embed/map/")
    assert "Strict-Transport-Security" not in sent
    assert "upgrade-insecure-requests" not in sent["Content-Security-Policy"]


def test_origins_that_are_not_origins_are_refused_each_with_its_fix(tmp_path):
    bad = ["https://partner.example.org/embed", "partner.example.org", "https://ok.example",
           "https://a.example; script-src *", "*"]  # fmt: skip
    with pytest.raises(ConfigurationError) as error:
        headers.write_header_files(None, _small_site(tmp_path), {"EMBED_ALLOWED_ORIGINS": bad})
    lines = str(error.value).splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "EMBED_ALLOWED_ORIGINS[0]",
        "EMBED_ALLOWED_ORIGINS[1]",
        "EMBED_ALLOWED_ORIGINS[3]",
    ]
    assert all("e.g. 'https://partner.example.org'" in line for line in lines)
    errors, _ = declared.check({"EMBED_ALLOWED_ORIGINS": bad})
    assert len([e for e in errors if e.startswith("EMBED_ALLOWED_ORIGINS[")]) == 3


@given(st.text(max_size=40))
def test_whatever_is_written_as_an_origin_never_breaks_out_of_frame_ancestors(origin):
    if declared.embed_origin_errors([origin]):
        return
    policy = headers.header_policy({"EMBED_ALLOWED_ORIGINS": [origin]}, frameable=True)
    ancestors = header_rules.directives(policy)["frame-ancestors"]
    assert ancestors in (["*"], ["'self'", origin])
    assert len(policy.split(";")) == len(headers.header_policy({}, frameable=True).split(";"))
    assert not any(c in origin for c in " ;,'\"\n\r\t\\")


def test_the_python_host_sends_the_rules(built_site):
    server = header_rules.HeaderServer(built_site)
    try:
        _check_served(server.url)
    finally:
        server.close()


def test_nginx_with_the_generated_snippet_sends_what_the_rules_say(built_site):
    if header_rules.nginx_binary() is None:
        message = "nginx is not installed (apt-get install nginx-light)"
        if header_rules.require_nginx():
            pytest.fail(message + " — WAYSTATION_REQUIRE_NGINX=1 requires it")
        pytest.skip(message)
    server = header_rules.NginxServer(built_site)
    try:
        sent = _check_served(server.url)
    finally:
        server.close()
    rules = _rules(built_site)
    for address, got in sent.items():
        expected = header_rules.cloudflare(rules, address)
        for name, value in expected.items():
            assert got.get(name.lower()) == value, (address, name)


def _check_served(base: str) -> dict[str, dict[str, str]]:
    """The headers the server at ``base`` sends for the addresses that matter."""
    sent = {}
    for address in ("/", "/embed/", "/embed/map/", "/es/embed/map/", "/es/states/",
                    "/theme/css/site.css", "/map/listings.geojson", "/search/",
                    "/es/search/", "/search-data/manifest.json"):  # fmt: skip
        status, got = header_rules.fetch_headers(base + address)
        assert status == 200, address
        sent[address] = got
    for address in ("/embed/map/", "/es/embed/map/"):
        assert "frame-ancestors *" in sent[address]["content-security-policy"]
    for address in ("/", "/embed/", "/es/states/"):
        assert "frame-ancestors 'none'" in sent[address]["content-security-policy"]
    assert sent["/theme/css/site.css"]["cache-control"] == headers.CACHE_THEME
    assert sent["/map/listings.geojson"]["cache-control"] == headers.CACHE_PAGES
    # The search page may be reused a few minutes (the home page's form prefetches it:
    # docs/search.md, "Loading"); the listings it searches are revalidated every time.
    for address in ("/search/", "/es/search/"):
        assert sent[address]["cache-control"] == headers.CACHE_SEARCH_PAGE, address
    assert sent["/search-data/manifest.json"]["cache-control"] == headers.CACHE_PAGES
    status, missing = header_rules.fetch_headers(base + "/no/such/page/")
    assert status == 404 and missing["referrer-policy"] == "no-referrer"
    return sent


def test_the_deploy_guide_uses_the_generated_files_and_copies_no_policy():
    """The guide's hand-written headers refused every frame; it must not copy one again."""
    root = Path(__file__).resolve().parent.parent
    guide = (root / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert "frame-ancestors 'none'; upgrade" not in guide
    assert "default-src 'self'" not in guide
    assert "include /srv/waystation/nginx-headers.conf;" in guide
    assert "`output/_headers`" in guide


def test_a_file_name_that_cannot_be_a_rule_is_refused_with_its_path(tmp_path):
    output = _small_site(tmp_path)
    (output / "es" / "my notes*.html").write_text("x", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"output/es/my notes\*\.html: .*rename it"):
        headers.write_header_files(None, output, {})


def test_the_files_are_the_same_bytes_when_made_again(built_site):
    root = Path(__file__).resolve().parent.parent
    settings = declared.load(root / "pelicanconf.py")
    assert headers.headers_file(built_site, settings) == (built_site / "_headers").read_text()
    assert headers.nginx_file(settings) == (built_site / "nginx-headers.conf").read_text()
