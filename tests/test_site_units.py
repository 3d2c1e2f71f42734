"""The site's plain modules, without Pelican: URLs, phones, hours, sitemap, post-build."""

from __future__ import annotations

import json
import sys
import types

import pytest
from markupsafe import Markup

from waystation.build import postbuild
from waystation.exc import ConfigurationError
from waystation.site import hours as site_hours
from waystation.site import phones as site_phones
from waystation.site import sitemap as site_sitemap
from waystation.site import urls as site_urls


def test_urls_pretty_and_language_prefixed():
    assert site_urls.listing("x-y", "en", "en") == "providers/x-y/"
    assert site_urls.listing("x-y", "es", "en") == "es/providers/x-y/"
    assert site_urls.state("IL", "es", "en") == "es/states/il/"
    assert site_urls.save_as("es/states/il/") == "es/states/il/index.html"
    assert site_urls.save_as("") == "index.html"
    assert site_urls.root_for("") == "."
    assert site_urls.root_for("es/providers/x/") == "../../.."
    assert site_urls.slug("Mayagüez") == "mayaguez"
    assert site_urls.slug("St. Paul") == "st-paul"


@pytest.mark.parametrize(
    ("number", "kind", "href", "display"),
    [
        ("312-555-0142", "voice", "tel:+13125550142", "(312) 555-0142"),
        ("1-888-373-7888", "hotline", "tel:+18883737888", "(888) 373-7888"),
        ("233733", "text", "sms:233733", "233733"),
        ("312-555-0142", "text", "sms:+13125550142", "(312) 555-0142"),
        ("+52 55 5555 0100", "whatsapp", "tel:+525555550100", "+52 55 5555 0100"),
        ("312-555-0143", "fax", None, "(312) 555-0143"),
    ],
)
def test_phone_links(number, kind, href, display):
    link = site_phones.phone_link(number, kind)
    assert link.href == href
    assert link.display == display


def test_hours_rows_and_json_for_the_browser():
    hours = [
        {"days": ["mon", "tue"], "opens": "09:00", "closes": "17:00", "overnight": False},
        {"days": ["fri"], "opens": "22:00", "closes": "06:00", "overnight": True},
    ]
    rows = site_hours.hours_rows(hours, "en")
    assert [r["day"] for r in rows] == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert rows[2]["spans"] == [] and rows[4]["spans"][0]["overnight"] is True
    data = json.loads(site_hours.hours_json(hours, "IL"))
    assert data["tz"] == "America/Chicago" and data["always"] is False
    assert ["fri", "22:00", "06:00", True] in data["hours"]
    assert json.loads(site_hours.hours_json("24/7", "HI"))["always"] is True


def test_sitemap_sorted_with_lastmod_and_escaped():
    xml = site_sitemap.sitemap_xml(
        [("providers/b/", "2026-01-02"), ("", None), ("providers/a&b/", None)],
        "https://help.example.org",
    )
    locs = [line.strip() for line in xml.splitlines() if "<loc>" in line]
    assert locs == [
        "<loc>https://help.example.org/</loc>",
        "<loc>https://help.example.org/providers/a&amp;b/</loc>",
        "<loc>https://help.example.org/providers/b/</loc>",
    ]
    assert "<lastmod>2026-01-02</lastmod>" in xml
    assert "Sitemap: https://help.example.org/sitemap.xml" in site_sitemap.robots_txt(
        "https://help.example.org"
    )


def test_postbuild_runs_named_steps_in_order(tmp_path, monkeypatch):
    calls = []
    module = types.ModuleType("fake_steps")
    module.first = lambda d, out, s: calls.append(("first", out))
    module.second = lambda d, out, s: calls.append(("second", s["X"]))
    monkeypatch.setitem(sys.modules, "fake_steps", module)
    names = postbuild.run(None, tmp_path, {"X": 1}, ["fake_steps:first", "fake_steps:second"])
    assert names == ["fake_steps:first", "fake_steps:second"]
    assert calls == [("first", tmp_path), ("second", 1)]
    with pytest.raises(ConfigurationError, match="package.module:function"):
        postbuild.run(None, tmp_path, {}, ["no_colon"])
    with pytest.raises(ConfigurationError, match="has no"):
        postbuild.run(None, tmp_path, {}, ["fake_steps:third"])
    for name in postbuild.STEPS:
        assert callable(postbuild.load_step(name))


def test_listings_with_the_same_hours_share_one_rendering_and_no_more():
    from pathlib import Path

    from waystation import settings
    from waystation.site import render as site_render

    theme = Path(__file__).resolve().parent.parent / "theme" / "templates"
    env = site_render.make_environment([theme])
    env.globals.update(settings.resolve({}))
    page = env.from_string(
        '{{ cached("partials/listing_hours.html", hours_json, time_zone, '
        "listing.hours_notes, not listing.hours) }}"
    )
    weekdays = [{"days": ["mon", "tue"], "opens": "09:00", "closes": "17:00"}]

    def render(hours, notes=None, lang="en", state="IL"):
        return page.render(
            listing={"hours": hours, "hours_notes": notes},
            hours_json=site_hours.hours_json(hours, state),
            time_zone=site_hours.time_zone(state),
            lang=lang,
            SITEURL="../..",
        )

    first = render(weekdays)
    assert "09:00 to 17:00" in first and "Central Time" in first
    assert render([dict(weekdays[0])]) is not None and len(env.waystation_cached) == 1
    # Anything the part shows makes another rendering: notes, zone, language, hours.
    assert "Closed on holidays" in render(weekdays, notes="Closed on holidays")
    assert "Eastern Time" in render(weekdays, state="NY")
    assert "09:00 a 17:00" in render(weekdays, lang="es")
    assert "24 hours a day" in render("24/7")
    assert "call to ask" in render(None)
    assert len(env.waystation_cached) == 6


def test_cards_and_list_items_rendered_once_equal_rendering_each_page():
    """A browse page's cards and list items are rendered once per listing and language
    (cards) or per marks (items) and reused at every link root: the HTML must be what
    rendering them for that page gives, links and marks included."""
    from pathlib import Path

    from waystation import settings
    from waystation.site import render as site_render
    from waystation.site import write as site_build

    theme = Path(__file__).resolve().parent.parent / "theme" / "templates"
    env = site_render.make_environment([theme])
    env.globals.update(settings.resolve({}))
    tricky = "A & B <b>\x00root\x00</b>"  # listing text is never taken for the stand-in
    listings = {
        "a": {"id": "a", "name": tricky, "summary": "S", "services": ["housing"],
              "untranslated": [], "status": "active",
              "location": {"visibility": "public", "city": "Joliet", "state": "IL"}},
        "b": {"id": "b", "name": "B", "organization": "Org", "services": ["legal"],
              "untranslated": ["name"], "status": "temporarily-closed",
              "location": {"visibility": "hidden", "state": "IL"}},
    }  # fmt: skip
    data = types.SimpleNamespace(default_lang="en", public=lambda i, lang: listings[i])
    # Cards and items come from environments that translate messages when compiling.
    envs = site_build.Environments([theme], settings.resolve({}))
    cards = site_build.CardCache(envs, data)
    items = site_build.ListItems(envs, cards)
    card_template = env.get_template(site_build.CARD_TEMPLATE)
    entry_template = env.get_template(site_build.ENTRY_TEMPLATE)
    entries = [
        {"id": "a", "marks": [], "based_in": None},
        {"id": "b", "marks": ["temporarily-closed", "national"], "based_in": None},
        {"id": "a", "marks": ["remote"], "based_in": "WI"},
    ]
    for root in ("", "../..", "https://x.example.org/a&b"):
        for lang in ("en", "es"):
            expected = []
            for entry in entries:
                card = card_template.render(
                    listing=listings[entry["id"]],
                    listing_path=site_urls.listing(entry["id"], lang, "en"),
                    lang=lang,
                    SITEURL=root,
                )
                assert cards.get(entry["id"], lang, root) == card
                shown = {"marks": entry["marks"], "based_in": entry["based_in"]}
                expected.append(
                    entry_template.render(
                        entry=shown, card_html=Markup(card), lang=lang, SITEURL=root
                    )  # fmt: skip
                )
            assert items.html(entries, lang, root) == "".join(expected)
    page = items.html(entries, "es", "https://x.example.org/a&b")
    assert 'href="https://x.example.org/a&amp;b/es/providers/a/"' in page
    assert "A &amp; B &lt;b&gt;\x00root\x00&lt;/b&gt;" in page
    assert "Cerrado temporalmente" in page and "Con sede en Wisconsin" in page


def test_browse_entries_read_as_the_entries_they_stand_for():
    """A browse page keeps its listings' ids only (BrowseEntries); templates, the page
    renderer and the incremental build's fingerprints must see the entries a list of
    dicts gave: marks, and the home state where it differs from the page's state."""
    from pathlib import Path

    from waystation import settings
    from waystation.build import incremental
    from waystation.site import write as site_build
    from waystation.site.pages import BrowseEntries

    facts = {
        "a": (("remote",), "WI", False),  # based elsewhere: shows its state on IL pages
        "b": (("temporarily-closed", "national"), "TX", True),  # national: never "based in"
        "c": ((), "IL", False),
    }
    calls = []

    def entry_facts(listing_id, lang):
        calls.append((listing_id, lang))
        return facts[listing_id]

    data = types.SimpleNamespace(entry_facts=entry_facts)
    entries = BrowseEntries(data, ["a", "b", "c"], "en", "IL")
    expected = [
        {"id": "a", "marks": ["remote"], "based_in": "WI"},
        {"id": "b", "marks": ["temporarily-closed", "national"], "based_in": None},
        {"id": "c", "marks": [], "based_in": None},
    ]
    assert list(entries) == expected and entries == expected
    assert len(entries) == 3 and entries and not BrowseEntries(data, [], "en", "IL")
    assert entries[0] == expected[0] and entries[-1] == expected[-1]
    assert list(entries[:2]) == expected[:2] and isinstance(entries[:2], BrowseEntries)
    # Off a state page (a service page), nobody is "based in" anywhere.
    assert [e["based_in"] for e in BrowseEntries(data, ["a", "b"], "en", None)] == [None, None]
    assert entries == BrowseEntries(data, ["a", "b", "c"], "en", "IL")
    assert entries != BrowseEntries(data, ["a", "c", "b"], "en", "IL")
    assert entries != BrowseEntries(data, ["a", "b", "c"], "en", "WI")  # another page state
    # The incremental build: the same fingerprint input as the list, the ids found nested.
    context = {"lang": "en", "local": entries, "rows": [{"n": 1}]}
    assert incremental.canonical(context) == incremental.canonical({**context, "local": expected})
    found: list[str] = []
    incremental.listed_ids({"page": [context]}, found)
    assert found == ["a", "b", "c"]
    # The page renderer: the same list items as from the dicts.
    theme = Path(__file__).resolve().parent.parent / "theme" / "templates"
    envs = site_build.Environments([theme], settings.resolve({}))
    listings = {
        i: {"id": i, "name": i.upper(), "summary": "S", "services": ["housing"],
            "untranslated": [], "status": "active",
            "location": {"visibility": "public", "city": "Joliet", "state": "IL"}}
        for i in facts
    }  # fmt: skip
    site = types.SimpleNamespace(default_lang="en", public=lambda i, lang: listings[i])
    items = site_build.ListItems(envs, site_build.CardCache(envs, site))
    assert items.html(entries, "en", "..") == items.html(expected, "en", "..")
    assert "Based in Wisconsin" in items.html(entries, "en", "..")


class _NotingRenderer:
    """A page renderer for render_parallel that notes which process rendered each page
    and when (slowly: a chunk takes a few hundredths of a second)."""

    def __init__(self, data, output_path, template_dirs, settings):
        self.output = output_path

    #: ids of the pages planned (inherited by forked renderers): a page read back from a
    #: file is a copy, never one of them.
    planned: set[int] = set()

    def __call__(self, pages, result):
        import os
        import time

        for page in pages:
            time.sleep(0.01)
            result.written.append((page.path, os.getpid(), time.monotonic_ns()))
            if id(page) not in self.planned:
                result.texts[page.path] = "rendered from a copy"
        return result

    def let_go(self):
        """Noted in ``let-go``: how many processes were forked then."""
        import multiprocessing

        with open(self.output / "let-go", "a", encoding="utf-8") as file:
            file.write(f"{len(multiprocessing.active_children())}\n")


@pytest.mark.skipif(sys.platform == "win32", reason="forked renderers need fork")
def test_held_back_renderers_join_in_once_the_background_work_ends(tmp_path, monkeypatch):
    """While Pagefind takes a processor of its own, the build's own process writes the
    pages (no forked renderer copies its memory); the forked ones join in when it ends,
    and a renderer held back to the end leaves without hanging the build.  The build's
    process does its meanwhile work once: while the others render, or, once the
    background work that held them back ends, before it forks them (forked first, they
    would copy every memory page that work reads or writes)."""
    import multiprocessing
    import os
    import time

    from waystation.site import write as site_build
    from waystation.site.pages import PageSpec

    # 0.6 s of browse pages (rendered first), then 2 s of listing pages in chunks of 4.
    pages = [PageSpec(f"states/s{n}/", "state.html", {}) for n in range(60)]
    pages += [
        PageSpec(f"providers/p{n}/", "listing.html", {"listing": {"id": f"p{n}"}})
        for n in range(200)
    ]
    listing_paths = {page.path for page in pages if "listing" in page.context}
    monkeypatch.setattr(site_build, "CHUNK_PAGES", 4)
    _NotingRenderer.planned = {id(page) for page in pages}
    here = os.getpid()
    copies = []

    def render(hold_back, meanwhile=None):
        parts = site_build.render_parallel(
            pages, None, tmp_path, [], {}, 2, _NotingRenderer,
            meanwhile=meanwhile, hold_back=hold_back,
        )  # fmt: skip
        written = sorted(w for part in parts for w in part.written)
        assert sorted(p for p, _, _ in written) == sorted(p.path for p in pages)
        copies.append({path for part in parts for path in part.texts})
        return written

    def noting(rendering):
        """Meanwhile: whether pages are being written, and how many renderers are forked."""
        calls.append((rendering(), len(multiprocessing.active_children())))

    def held(until):
        """Hold back till ``until`` (ns), noting how many processes were forked meanwhile."""

        def hold_back():
            holding = time.monotonic_ns() < until
            if holding:
                forked_while_held.append(len(multiprocessing.active_children()))
            return holding

        return hold_back

    # Held back to the end: this process renders every page, then does its other work;
    # no renderer is forked (none would render, and each copies the build's memory).
    calls, forked_while_held = [], []
    written = render(held(float("inf")), meanwhile=lambda rendering: calls.append(rendering()))
    assert {pid for _, pid, _ in written} == {here} and calls == [False]
    assert len(forked_while_held) >= 10 and set(forked_while_held) == {0}
    # Released after a while: this process until then, a forked one too after (forked
    # once released, not before).
    release = time.monotonic_ns() + 300_000_000
    calls, forked_while_held = [], []
    written = render(held(release), meanwhile=noting)
    assert forked_while_held and set(forked_while_held) == {0}
    assert {pid for _, pid, at in written if at < release} == {here}
    assert {pid for _, pid, at in written if at > release + 500_000_000} - {here}
    assert calls == [(True, 0)]  # before the other renderer was forked
    # And its renderer let go of what the pages left need not, then too, and the pages
    # left were handed over: every process rendered them from copies read back (forked
    # processes that read the planned objects copy the memory pages they lie on).
    let_go = tmp_path / "let-go"
    assert let_go.read_text(encoding="utf-8") == "0\n"
    # Every listing page (all rendered after the release) from a copy; the browse pages,
    # which read the build's shared data, never (some were left at the release).
    assert copies[-1] == listing_paths
    assert any(path.startswith("states/") for path, _, at in written if at > release)
    # Not held back: this process and one forked renderer (one forked copy of the
    # build's memory, not two), the meanwhile work done here while the other renders.
    calls = []
    let_go.unlink()
    written = render(None, meanwhile=noting)
    pids = {pid for _, pid, _ in written}
    assert len(pids) == 2 and here in pids and calls == [(True, 1)]
    assert not let_go.exists()  # nothing to let go of: none was done
    assert copies[0] == copies[-1] == set()  # held to the end, or never: none handed over


def test_workers_take_the_browse_pages_first_and_each_listings_pages_together():
    """The page renderers' chunks: every page once; the browse pages (the costly ones)
    first, so the listing pages even out the end; a listing's pages in every language in
    one chunk, so its description is rendered once."""
    from waystation.site.pages import PageSpec
    from waystation.site.write import chunked

    def listing_page(listing_id: str, lang: str) -> PageSpec:
        return PageSpec(
            f"{lang}/providers/{listing_id}/", "listing.html", {"listing": {"id": listing_id}}
        )

    pages = [listing_page(f"l{n}", lang) for lang in ("en", "es") for n in range(7)]
    pages[3:3] = [PageSpec(f"states/s{n}/", "state.html", {}) for n in range(5)]
    chunks = chunked(pages, size=4, other_size=2)
    flat = [page for chunk in chunks for page in chunk]
    assert sorted(p.path for p in flat) == sorted(p.path for p in pages)
    assert [p.template for p in flat[:5]] == ["state.html"] * 5
    assert [len(chunk) for chunk in chunks] == [2, 2, 1, 4, 4, 4, 2]
    for chunk in chunks[3:]:
        ids = [page.context["listing"]["id"] for page in chunk]
        assert all(ids.count(i) == 2 for i in ids)  # en and es together
