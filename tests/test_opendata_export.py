"""Open data exports: providers.geojson, providers.csv, HSDS; confidentiality and determinism."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from open_data_fixtures import SECRETS, small_directory

from waystation.gazetteer import centres
from waystation.maps.steps import write_maps
from waystation.opendata.steps import write_open_data
from waystation.runtime import workers


def _all_text(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    directory = small_directory(root, leaky_resolver=False)
    out = root / "output"
    write_open_data(directory, out, directory.settings)
    return out


def _geojson(out: Path) -> dict:
    return json.loads((out / "providers.geojson").read_text(encoding="utf-8"))


def _csv_rows(out: Path) -> dict[str, dict[str, str]]:
    text = (out / "providers.csv").read_text(encoding="utf-8-sig")
    return {row["id"]: row for row in csv.DictReader(io.StringIO(text))}


def test_geojson_has_public_and_approximate_listings_only(exported):
    features = {f["id"]: f for f in _geojson(exported)["features"]}
    assert set(features) == {"lakeside-public-center", "prairie-approximate-shelter"}
    public = features["lakeside-public-center"]
    assert public["geometry"]["coordinates"] == [-87.62163, 41.88512]
    assert public["properties"]["street"] == "100 North Main Street"


def test_approximate_listing_is_at_its_zip_centre_with_its_radius(exported):
    feature = next(
        f for f in _geojson(exported)["features"] if f["id"] == "prairie-approximate-shelter"
    )
    lat, lon = centres.zip_centre("62701")
    assert feature["geometry"]["coordinates"] == [lon, lat]
    props = feature["properties"]
    assert props["precision"] == "zip" and props["area_radius_m"] > 0
    assert "street" not in props and "transit" not in props
    assert props["city"] == "Springfield"


def test_csv_lists_every_listing_and_hidden_ones_by_state_only(exported):
    rows = _csv_rows(exported)
    assert set(rows) == {
        "lakeside-public-center",
        "prairie-approximate-shelter",
        "northshore-hidden-refuge",
    }
    hidden = rows["northshore-hidden-refuge"]
    assert hidden["state"] == "IL"
    for column in ("street", "city", "postal_code", "latitude", "longitude"):
        assert hidden[column] == ""
    assert hidden["service_area_states"] == "IL; WI"
    assert hidden["service_area_counties"] == ""
    assert rows["lakeside-public-center"]["services"] == "case-management; legal-immigration"


def test_csv_and_geojson_carry_text_never_markup(exported):
    row = _csv_rows(exported)["lakeside-public-center"]
    assert "<script>" not in row["description"] and "alert" not in row["description"]
    assert row["description"] == "Lakeside helps survivors."
    assert "<script" not in (exported / "providers.geojson").read_text(encoding="utf-8")


def test_csv_neutralises_spreadsheet_formulas(tmp_path):
    from waystation.text.plain import spreadsheet_safe

    assert spreadsheet_safe('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe("-2+3") == "'-2+3"
    assert spreadsheet_safe("+1 312 555 0100") == "+1 312 555 0100"


def test_no_output_leaks_a_confidential_place(tmp_path):
    """A resolver bug gives the non-public listings precise places: nothing may publish them,
    nor the hidden listing's city and ZIP, in any file (open data and maps)."""
    directory = small_directory(tmp_path, leaky_resolver=True)
    out = tmp_path / "output"
    write_open_data(directory, out, directory.settings)
    write_maps(directory, out, directory.settings)
    files = _all_text(out)
    assert "providers.geojson" in files and "map/listings.geojson" in files
    for name, text in files.items():
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} leaked into {name}"
    # Streets appear only for the public listing.
    hsds = json.loads(files["hsds/organizations.json"])
    streets = [
        a["address_1"]
        for org in hsds
        for loc in org.get("locations", [])
        for a in loc.get("addresses", [])
    ]
    assert streets == ["100 North Main Street"]


def test_exports_are_byte_identical_across_builds(tmp_path):
    outputs = []
    for run in ("a", "b"):
        root = tmp_path / run
        directory = small_directory(root, leaky_resolver=False)
        out = root / "output"
        write_open_data(directory, out, directory.settings)
        write_maps(directory, out, directory.settings)
        outputs.append(_all_text(out))
    assert outputs[0].keys() == outputs[1].keys()
    for name in outputs[0]:
        assert outputs[0][name] == outputs[1][name], f"{name} differs between two builds"


def test_export_command_writes_the_open_data(tmp_path, monkeypatch, capsys):
    from open_data_fixtures import write_providers

    from waystation import cli

    write_providers(tmp_path)
    monkeypatch.chdir(tmp_path)
    code = cli.main(["export", "--output", "out", "--today", "2026-12-01"])
    assert code == 0
    for name in ("providers.geojson", "providers.csv", "hsds/organizations.json",
                 "hsds/datapackage.json", "hsds/services.csv"):  # fmt: skip
        assert (tmp_path / "out" / name).is_file(), name
    assert "providers.geojson" in capsys.readouterr().out


def test_descriptions_converted_in_worker_processes_are_the_same(monkeypatch):
    from waystation.opendata import records as export_records
    from waystation.text.plain import markdown_to_text

    texts = ["**Bold** text", None, "", "- one\n- two", "**Bold** text", "[a](https://e.org)"]
    expected = [markdown_to_text(t) for t in texts * 3]
    assert export_records.descriptions_as_text(texts * 3, {"BUILD_WORKERS": 2}) == expected
    monkeypatch.setattr(workers, "PARALLEL_MIN_LISTINGS", 1)
    assert export_records.descriptions_as_text(texts * 3, {"BUILD_WORKERS": 2}) == expected


def test_open_data_made_with_worker_processes_is_byte_identical(tmp_path, monkeypatch):
    from waystation.opendata import steps as export_all

    outputs = []
    for run, minimum in (("serial", 10**9), ("forked", 1)):
        monkeypatch.setattr(workers, "PARALLEL_MIN_LISTINGS", minimum)
        root = tmp_path / run
        directory = small_directory(root, leaky_resolver=False)
        # The post-build step: in a process of its own when there are many listings.
        handle = export_all.start_open_data(
            directory, root / "output", {**directory.settings, "BUILD_WORKERS": 2}
        )
        assert (handle is None) == (run == "serial")
        if handle is not None:
            handle.wait()
        outputs.append(_all_text(root / "output"))
    assert outputs[0] == outputs[1]


def test_open_data_written_in_the_background_reports_its_failure(tmp_path, monkeypatch):
    from waystation.exc import WaystationError
    from waystation.opendata import steps as export_all

    def broken(directory, output, settings):
        raise WaystationError("providers.csv: disk full")

    monkeypatch.setattr(workers, "PARALLEL_MIN_LISTINGS", 1)
    monkeypatch.setattr(export_all, "write_open_data", broken)
    directory = small_directory(tmp_path, leaky_resolver=False)
    handle = export_all.start_open_data(
        directory, tmp_path / "output", {**directory.settings, "BUILD_WORKERS": 2}
    )
    with pytest.raises(WaystationError, match="open data: providers.csv: disk full"):
        handle.wait()


def test_descriptions_worked_out_by_the_page_renderer_are_the_exports_texts(tmp_path):
    """The renderer hands each listing's description text to the exports; it must be the
    text the exports would make themselves."""
    import datetime as dt

    from waystation import settings as declared
    from waystation.build import plan as build_plan
    from waystation.directory import build_directory
    from waystation.site import write as site_build
    from waystation.text import plain as export_text

    root = Path(__file__).resolve().parent.parent
    settings = declared.load(root / "pelicanconf.py")
    directory = build_directory(settings, root, dt.date(2026, 12, 1))
    data, pages = build_plan.plan(directory)
    export_text.remember_texts({}, forget_others=True)
    site_build.render_pages(pages, data, tmp_path, [root / "theme" / "templates"], settings)
    known = dict(export_text._KNOWN)
    described = {item.body for item in directory.listings if item.body and item.body.strip()}
    assert described and set(known) == described
    export_text.remember_texts({}, forget_others=True)
    for source, text in known.items():
        assert export_text.markdown_to_text(source) == text


def test_with_search_copies_the_exports_texts_come_from_their_html(tmp_path, monkeypatch):
    """With search copies, the renderers hand back each description's HTML, not its text:
    the exports work the text out from that HTML (never rendering it again), and the
    build's process keeps the HTML under the listing's own description, not the copy of
    it that a forked writer sends (pickled)."""
    import datetime as dt

    from waystation import settings as declared
    from waystation.build import plan as build_plan
    from waystation.directory import build_directory
    from waystation.site import search_packs
    from waystation.site import write as site_build
    from waystation.text import markup
    from waystation.text import plain as export_text

    root = Path(__file__).resolve().parent.parent
    settings = {**declared.load(root / "pelicanconf.py"), "BUILD_WORKERS": 2}
    directory = build_directory(settings, root, dt.date(2026, 12, 1))
    data, pages = build_plan.plan(directory)
    expected = {
        item.body: export_text.markdown_to_text(item.body)
        for item in directory.listings
        if item.body and item.body.strip()
    }
    assert len(expected) > 1
    export_text.remember_texts({}, forget_others=True)
    monkeypatch.setattr(markup, "_RENDERED", {})
    # A forked writer too, with chunks of one page: it writes some of the copies.
    monkeypatch.setattr(site_build, "PARALLEL_MIN_PAGES", 1)
    monkeypatch.setattr(site_build, "CHUNK_PAGES", 1)
    source = tmp_path / "copies"
    source.mkdir()
    site_build.render_pages(
        pages, data, tmp_path / "out", [root / "theme" / "templates"], settings,
        search_source=source,
    )  # fmt: skip
    search_packs.remove(source)  # the copies and their packs: not what this test reads
    assert export_text._KNOWN == {}
    assert set(expected) <= set(markup._RENDERED)
    # Kept under the listing's own text, not a forked writer's copy of it.
    keys = {key: key for key in markup._RENDERED}
    assert all(keys[text] is text for text in expected)

    def render_again(_text):
        raise AssertionError("rendered again")

    monkeypatch.setattr(export_text, "render_markdown", render_again)
    assert {text: export_text.markdown_to_text(text) for text in expected} == expected


def test_description_text_equals_what_a_full_html_parse_keeps(tmp_path):
    """export_text drops the tags of sanitized HTML with a pattern; the text must be what
    nh3 keeps when it parses that HTML again (the samples, the test fixtures, fuzzing)."""
    import html as html_module
    import random
    import re

    import nh3

    from waystation.text import plain as export_text
    from waystation.text.markup import render_markdown

    def reference(rendered: str) -> str:
        rendered = export_text._BLOCK_END.sub(lambda m: m.group(0) + "\n\n", rendered)
        text = html_module.unescape(nh3.clean(rendered, tags=set(), strip_comments=True))
        paragraphs = [" ".join(block.split()) for block in re.split(r"\n\s*\n", text)]
        return "\n\n".join(p for p in paragraphs if p)

    root = Path(__file__).resolve().parent.parent
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in root.glob("providers/*.md")]
    texts += [p.read_text(encoding="utf-8", errors="replace") for p in root.glob("tests/**/*.md")]
    atoms = ["<", ">", "&", "&amp;", "&lt;", "&#x3c;", '"', "'", "<b>", "</b>", "<a href='x'>",
             "</a>", "<script>", "</script>", "<!--", "-->", "*", "**", "_", "`", "```", "\n",
             "\n\n", "    ", "- ", "1. ", "# ", "> ", '[x](http://a/?q=<b>&c="d")', "<http://e.org>",
             "x@y.org", "<table><tr><td>a</td></tr></table>", "<pre>\nx</pre>", "\u00a0",
             "&nbsp;", "<br>", "<img src=x onerror=y>", '<p title=">">t</p>', "word ",
             "|a|b|\n|-|-|\n|1|2|\n", '[l](http://a.org/?q=a>b "t>i") ',
             "[m](<http://b.org/>c>)"]  # fmt: skip
    generator = random.Random(7)
    texts += ["".join(generator.choices(atoms, k=generator.randint(1, 25))) for _ in range(3000)]
    for text in texts:
        rendered = str(render_markdown(text))
        assert export_text.rendered_to_text(rendered) == reference(rendered), text


def test_files_written_item_by_item_are_the_bytes_of_one_json_dumps(tmp_path):
    """A national directory's open data are written listing by listing (318 MB of HSDS
    JSON at 50,000 listings would be three times that in memory as one string, and all
    the organizations at once more still): the bytes must be those of serializing each
    file whole."""
    from waystation.opendata import csv_file, geojson, hsds

    root = tmp_path / "project"
    directory = small_directory(root, leaky_resolver=False)
    out = root / "output"
    write_open_data(directory, out, directory.settings)
    collection = geojson.feature_collection(directory)
    assert len(collection["features"]) >= 2
    whole = json.dumps(collection, sort_keys=True, ensure_ascii=False) + "\n"
    assert (out / "providers.geojson").read_bytes() == whole.encode("utf-8")
    csv_text = "\ufeff" + csv_file.providers_csv(directory)
    assert (out / "providers.csv").read_bytes() == csv_text.encode("utf-8")
    organizations = hsds.organizations(directory)
    assert organizations
    text = json.dumps(organizations, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert (out / "hsds" / "organizations.json").read_bytes() == (text + "\n").encode("utf-8")
    # The tabular package, made one organization at a time, is each table made whole.
    from waystation.opendata import hsds_tables

    rows = hsds_tables.tables(organizations)
    for table in hsds_tables.TABLES:
        written = (out / "hsds" / table.path).read_text(encoding="utf-8")
        assert written == hsds_tables.table_csv(table, rows[table.name]), table.path
    assert len(rows["service"]) >= 2 and rows["taxonomy_term"]


_IDS = st.sampled_from([f"id-{n}" for n in range(6)])  # few: the same id comes back
_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)  # "\n", '"', ","…
_SERVICE = st.fixed_dictionaries({"id": _IDS, "name": _TEXT, "description": _TEXT})
_ORGANIZATION = st.fixed_dictionaries(
    {"id": _IDS, "name": _TEXT, "services": st.lists(_SERVICE, max_size=3)}
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_ORGANIZATION, max_size=6))
def test_package_rows_kept_on_disk_are_each_table_made_whole(organizations):
    """The tabular package's rows wait on disk as CSV lines with their ids: whatever
    listing text they hold (line breaks, quotes, commas in cells) and however often an
    id comes back with other text, each table is the one made from all the
    organizations at once (rows in id order, the first object of each id)."""
    import tempfile

    from waystation.opendata import hsds_tables

    package = hsds_tables.PackageRows()
    for organization in organizations:
        package.add(organization)
    with tempfile.TemporaryDirectory() as folder:
        package.write(Path(folder), "t")
        rows = hsds_tables.tables(organizations)
        for table in hsds_tables.TABLES:
            written = (Path(folder) / table.path).read_bytes().decode("utf-8")
            assert written == hsds_tables.table_csv(table, rows[table.name]), table.path


def test_open_data_reuse_the_published_views_the_pages_were_made_from(tmp_path, monkeypatch):
    """The published views are worked out once per build: the open data (which merge
    the build's settings into the directory's) take the ones the pages used instead of
    working them out again from every listing record (in a forked process, that also
    copied every record of the build's memory)."""
    import waystation.directory as directory_module

    directory = small_directory(tmp_path / "project", leaky_resolver=False)
    for item in directory.listings:
        directory.public(item, "en")
    calls = []
    made = directory_module.public_listing
    monkeypatch.setattr(
        directory_module, "public_listing", lambda *a: calls.append(a[0].id) or made(*a)
    )
    write_open_data(directory, tmp_path / "output", {**directory.settings, "SITEURL": "x"})
    assert calls == []
    assert (tmp_path / "output" / "providers.csv").stat().st_size > 0
    assert directory.settings.get("SITEURL") != "x"  # the build's directory is unchanged
