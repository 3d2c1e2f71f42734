"""``make devserver``'s live rebuilds (waystation/build/live.py): after an edit of listing
files, the output the devserver's process writes is a clean build's, byte for byte; files
that did not change keep their mtime; a listing made hidden leaves nothing precise.

Each case builds a copy of the sample project with the real ``pelican`` command (caches
on), loads the live state in this process as the devserver does, changes listing files,
runs the live update, then builds the changed project from scratch into a new folder and
compares the two trees.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import tempfile

import pytest

from tests.conftest import ROOT, SAMPLE_TODAY
from tests.test_build_incremental import (
    add_listing,
    assert_untouched,
    build,
    built_sample,
    edit_listing,
    hide_listing,
    remove_listing,
    rename_listing,
    snapshot,
)
from waystation.build import incremental, live
from waystation.search import pagefind
from waystation.site import write as site_write
from waystation.text import markup
from waystation.text import plain as export_text

pytestmark = pytest.mark.filterwarnings("ignore")


def settings_of(project, output, cache, **more) -> dict:
    """The settings ``pelican`` reads for :func:`tests.test_build_incremental.build`,
    read the way the devserver reads them (Pelican's own ``get_instance``)."""
    values = {
        "CACHE_PATH": str(cache),
        "PROVIDERS_PATH": str(project / "providers"),
        "THEME": str(project / "theme"),
        **more,
    }
    argv = [
        str(project / "content"), "-o", str(output), "-s", str(project / "pelicanconf.py"),
        "-e", *(f"{k}={json.dumps(v)}" for k, v in sorted(values.items())),
    ]  # fmt: skip
    return live.pelican_settings(argv)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    """The sample project, built once (output and cache kept)."""
    return built_sample(tmp_path_factory.mktemp("live-base"))


@pytest.fixture
def workspace(base, tmp_path, monkeypatch):
    target = tmp_path / "work"
    shutil.copytree(base, target, symlinks=True, copy_function=shutil.copy2)
    monkeypatch.setenv("WAYSTATION_TODAY", SAMPLE_TODAY)
    return target


@pytest.fixture
def site(workspace):
    project = workspace / "project"
    settings = settings_of(project, workspace / "output", workspace / "cache")
    loaded = live.LiveSite.load(settings, workspace / "output")
    yield loaded
    loaded.close()


def clean_build(workspace):
    output = workspace / "clean-output"
    build(workspace / "project", output, workspace / "clean-cache")
    return snapshot(output)


def edit_two_listings(project):
    """Two listings of one state edited in one save (a find-and-replace)."""
    page = edit_listing(project)
    path = project / "providers" / "harbor-light-chicago-loop.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("summary: ", "summary: Open late. ", 1), encoding="utf-8")
    return page


CHANGES = {
    "listing edited": edit_listing,
    "two listings edited": edit_two_listings,
    "listing added": add_listing,
    "listing removed": remove_listing,
    "listing renamed": rename_listing,
    "public listing made hidden": hide_listing,
}


def test_the_live_state_fingerprints_pages_as_the_build_did(site):
    """The manifest the build wrote and the live state agree on an unchanged page's
    fingerprint: a live update keeps the build's recipe, so the next ``make html`` skips
    what the devserver already wrote."""
    page = site.plan["states/il/index.html"]
    check = incremental.PageCheck(site.manifest, site.output, site.templates, site.data.public)
    root = live.site_write.page_root(page, site.render_settings)
    assert check.fingerprint(page.template, page.context, root) == site.manifest.pages[page.save_as]


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_live_update_writes_what_a_clean_build_writes_and_nothing_else(workspace, site, change):
    project, output = workspace / "project", workspace / "output"
    before = snapshot(output)
    page = CHANGES[change](project)
    said = []
    update = site.update(say=said.append)
    assert update is not None and said and said[0].startswith("pages written")
    after = snapshot(output)
    clean = clean_build(workspace)

    assert sorted(after) == sorted(clean), "the update left or lacks files"
    differing = [path for path in clean if after[path][0] != clean[path][0]]
    assert differing == [], f"the update differs from a clean build in {differing[:5]}"
    if change in ("listing removed", "listing renamed"):
        assert page in before and page not in after
        assert page in update.deleted
    else:
        assert page in update.pages_written
        assert after[page][0] != before.get(page, (b"",))[0], f"{page} did not change"
    if change == "public listing made hidden":
        street, point = b"1420 N Lantern Way", b"41.8862"
        assert any(street in data for data, _, _ in before.values())
        leaks = [p for p, (data, _, _) in after.items() if street in data or point in data]
        assert leaks == [], f"the hidden listing's street or point is still in {leaks}"
    # Only the listing's pages and the pages listing it were rendered.
    assert len(update.pages_written) <= 4
    assert 0 < len(update.others_written) < len([p for p in after if p.endswith(".html")]) / 4
    assert_untouched(before, after)


def test_updates_in_a_row_and_then_a_build_that_finds_nothing_changed(workspace, site):
    """The state the update keeps is the next update's start, and the manifest it
    writes lets the next ``pelican`` run (make html) tell that nothing changed."""
    project, output = workspace / "project", workspace / "output"
    edit_listing(project)
    assert site.update(say=lambda _: None) is not None
    add_listing(project)
    second = site.update(say=lambda _: None)
    assert second is not None and second.changed == ["alamo-dawn-apartments"]
    assert site.update(say=lambda _: None) is None  # nothing changed since
    after = snapshot(output)
    assert sorted(after) == sorted(clean := clean_build(workspace))
    assert [p for p in clean if after[p][0] != clean[p][0]] == []
    log = build(project, output, workspace / "cache")
    assert "nothing changed since the last build" in log
    again = snapshot(output)
    assert [p for p in again if p in after and again[p][:2] != after[p][:2]] == []


def test_an_invalid_listing_is_reported_with_its_line_and_nothing_is_written(
    workspace, site, capsys
):
    project, output = workspace / "project", workspace / "output"
    before = snapshot(output)
    path = project / "providers" / "alamo-sunrise-housing.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("state: TX", "state: Texas", 1), encoding="utf-8")
    with pytest.raises(live.BuildFailed):
        site.update(say=lambda _: None)
    err = capsys.readouterr().err
    assert "alamo-sunrise-housing.md:" in err and "error" in err
    after = snapshot(output)
    assert [p for p in after if after[p][:2] != before[p][:2]] == []
    # Fixed: the next update writes the edit (and only then).
    path.write_text(text, encoding="utf-8")
    edit_listing(project)
    assert site.update(say=lambda _: None) is not None
    clean = clean_build(workspace)
    final = snapshot(output)
    assert [p for p in clean if final.get(p, (b"",))[0] != clean[p][0]] == []


def retag_listing(project) -> None:
    """An edit of a listing's tags, which its search copies hold in both languages (its
    summary has a Spanish translation: an edit of that changes one language's copy)."""
    path = project / "providers" / "harbor-light-chicago-loop.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("tags: [T visa, U visa, benefits]", "tags: [T visa, U visa, night]")
    path.write_text(text, encoding="utf-8")


def assert_a_clean_build_in_parts(workspace, output) -> None:
    """``output`` is what a clean build writes with the index in parts of 8 pages: a
    merged index is the same index as one run's, but gzipped by Python, not by Pagefind
    (other bytes, same contents), so the clean build is made in parts too."""
    after, clean_output = snapshot(output), workspace / "clean-output"
    build(workspace / "project", clean_output, workspace / "clean-cache", PAGEFIND_PART_PAGES=8)
    clean = snapshot(clean_output)
    assert sorted(after) == sorted(clean)
    assert [p for p in clean if after[p][0] != clean[p][0]] == []


def test_edits_index_again_only_the_parts_that_hold_the_edited_listings(workspace):
    """With the index made in parts (PAGEFIND_PART_PAGES), an update indexes again only
    the parts holding a changed listing's search copies, one per language, once the
    first update has kept every part's index; the output is still a clean build's."""
    project, output = workspace / "project", workspace / "output"
    settings = settings_of(project, output, workspace / "cache", PAGEFIND_PART_PAGES=8)
    site = live.LiveSite.load(settings, output)
    try:
        edit_listing(project)
        first = site.update(say=lambda _: None)
        assert first is not None and first.parts > 4
        assert first.parts_indexed == first.parts  # nothing kept yet: every part
        retag_listing(project)
        second = site.update(say=lambda _: None)
        assert second is not None and second.changed == ["harbor-light-chicago-loop"]
        assert (second.parts_indexed, second.parts) == (2, first.parts)  # English, Spanish
        kept = site.kept_parts
        assert kept is not None and len(list(kept.iterdir())) == first.parts
    finally:
        site.close()
    assert not kept.exists()
    assert_a_clean_build_in_parts(workspace, output)


def test_parts_kept_ahead_make_the_first_edit_index_only_its_parts(workspace):
    """What the devserver starts once its state is loaded: every part of the search
    index indexed in the background only to be kept (the output untouched), so that the
    first edit too indexes only the parts holding the edited listing's copies."""
    project, output = workspace / "project", workspace / "output"
    settings = settings_of(project, output, workspace / "cache", PAGEFIND_PART_PAGES=8)
    site = live.LiveSite.load(settings, output)
    try:
        before = snapshot(output)
        assert site.keep_index_parts()
        assert pagefind.wait(output) == 0  # joined: nothing written into the site
        assert snapshot(output) == before
        kept = site.kept_parts
        assert kept is not None and len(list(kept.iterdir())) == 12  # 6 parts a language
        retag_listing(project)
        first = site.update(say=lambda _: None)
        assert first is not None and (first.parts_indexed, first.parts) == (2, 12)
    finally:
        site.close()
    assert_a_clean_build_in_parts(workspace, output)


def test_a_live_state_with_one_run_a_language_keeps_no_parts_ahead(site):
    assert site.keep_index_parts() is False  # the sample: 51 pages a language, parts of 1,250


def test_an_update_renders_no_unchanged_description_for_the_open_data(
    workspace, tmp_path, monkeypatch
):
    """Every update writes the open data whole, in a forked process: the descriptions'
    text comes from what the live state knows (the search copies' writers rendered
    them when it was loaded, in forked workers here), not from their Markdown again."""
    rendered = tmp_path / "rendered"
    real = export_text.render_markdown

    def counted(text):  # in whichever process renders: counted in a file
        with open(rendered, "a", encoding="utf-8") as file:
            file.write("one\n")
        return real(text)

    monkeypatch.setattr(site_write, "PARALLEL_MIN_PAGES", 1)  # the copies by 2 workers
    # Nothing known from the builds this test process ran before (a devserver's is new).
    monkeypatch.setattr(markup, "_RENDERED", {})
    monkeypatch.setattr(export_text, "_KNOWN", {})
    project, output = workspace / "project", workspace / "output"
    settings = settings_of(project, output, workspace / "cache", BUILD_WORKERS=2)
    site = live.LiveSite.load(settings, output)
    try:
        descriptions = {
            text
            for page in site.plan.values()
            if page.context.get("listing") and (text := page.context["listing"].get("description"))
        }
        assert descriptions and all(export_text.knows(text) for text in descriptions)
        monkeypatch.setattr(export_text, "render_markdown", counted)
        edit_listing(project)
        assert site.update(say=lambda _: None) is not None
    finally:
        site.close()
    assert not rendered.exists(), f"{len(rendered.read_text().split())} descriptions rendered"
    after, clean = snapshot(output), clean_build(workspace)
    assert [p for p in clean if after.get(p, (b"",))[0] != clean[p][0]] == []


def test_only_listing_files_are_live_changes(tmp_path):
    providers = tmp_path / "providers"
    providers.mkdir()
    assert live.listing_paths_only([providers / "a.md", str(providers / "b.md")], providers)
    assert not live.listing_paths_only(
        [providers / "a.md", tmp_path / "theme" / "x.html"], providers
    )
    assert not live.listing_paths_only([providers / "notes.txt"], providers)


def test_the_devserver_serves_an_edit_then_the_whole_site_as_a_clean_build(workspace):
    """scripts/devserver.py as ``make devserver`` runs it (without its HTTP server): the
    edited page first, then ``build done``, and the output is a clean build's.  Stopped
    by ``kill`` (SIGTERM), it deletes what it kept in memory-backed scratch folders."""
    import queue
    import subprocess
    import sys
    import threading

    project, output = workspace / "project", workspace / "output"
    values = {
        "CACHE_PATH": str(workspace / "cache"),
        "PROVIDERS_PATH": str(project / "providers"),
        "THEME": str(project / "theme"),
    }
    command = [
        sys.executable, str(ROOT / "scripts" / "devserver.py"), "--no-serve",
        "--output", str(output), "--settings", str(project / "pelicanconf.py"),
        "--content", str(project / "content"),
        *(item for k, v in sorted(values.items()) for item in ("--set", f"{k}={json.dumps(v)}")),
    ]  # fmt: skip
    env = {**os.environ, "WAYSTATION_TODAY": SAMPLE_TODAY, "PYTHONHASHSEED": "0"}
    proc = subprocess.Popen(
        command, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: queue.Queue[str] = queue.Queue()
    log: list[str] = []
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()

    def next_line(*prefixes: str) -> str:
        while True:
            try:
                line = lines.get(timeout=300)
            except queue.Empty:
                pytest.fail("the devserver said nothing for 300 s:\n" + "".join(log[-40:]))
            log.append(line)
            if line.startswith(prefixes):
                return line

    try:
        assert next_line("state kept", "live state not loaded").startswith("state kept")
        assert next_line("ready:").startswith("ready: watching for changes (listing edits")
        page = edit_listing(project)
        assert next_line("pages written", "build FAILED").startswith("pages written")
        assert b"now with a 24/7 line" in (output / page).read_bytes()
        assert next_line("build done", "build FAILED").startswith("build done")
        scratch = pagefind.scratch_dir() or tempfile.gettempdir()
        kept = glob.glob(os.path.join(scratch, f"waystation-*-{proc.pid}-*"))
        assert kept, "the devserver keeps its search copies in a scratch folder"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    assert proc.returncode == 0
    assert [path for path in kept if os.path.exists(path)] == []
    after = snapshot(output)
    clean = clean_build(workspace)
    assert sorted(after) == sorted(clean)
    assert [p for p in clean if after[p][0] != clean[p][0]] == []
