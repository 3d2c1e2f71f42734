"""Post-build steps that run in another process (waystation/build/postbuild.py), and the
caches of the search steps (Pagefind in the background, the place shards)."""

from __future__ import annotations

import gzip
import sys
import types

import pytest

from waystation.build import postbuild
from waystation.exc import WaystationError
from waystation.search import pagefind as pagefind_index
from waystation.search import zip_shards
from waystation.site.write import make_source_folders


class Handle:
    def __init__(self, calls: list, fail: bool = False):
        self.calls, self.fail = calls, fail

    def wait(self):
        self.calls.append("wait")
        if self.fail:
            raise WaystationError("background failed")

    def cancel(self):
        self.calls.append("cancel")


def _steps(monkeypatch, **functions) -> None:
    module = types.ModuleType("bg_steps")
    for name, function in functions.items():
        setattr(module, name, function)
    monkeypatch.setitem(sys.modules, "bg_steps", module)


def test_a_background_step_is_joined_before_the_csp_step_and_at_the_end(tmp_path, monkeypatch):
    calls: list = []
    _steps(
        monkeypatch,
        start=lambda d, out, s: Handle(calls),
        middle=lambda d, out, s: calls.append("middle"),
        last=lambda d, out, s: calls.append("last"),
    )
    monkeypatch.setattr(postbuild, "JOIN_BEFORE", frozenset({"bg_steps:last"}))
    postbuild.run(None, tmp_path, {}, ["bg_steps:start", "bg_steps:middle", "bg_steps:last"])
    assert calls == ["middle", "wait", "last"]
    calls.clear()
    postbuild.run(None, tmp_path, {}, ["bg_steps:start", "bg_steps:middle"])
    assert calls == ["middle", "wait"]


def test_a_background_failure_fails_the_build(tmp_path, monkeypatch):
    calls: list = []
    _steps(monkeypatch, start=lambda d, out, s: Handle(calls, fail=True))
    with pytest.raises(WaystationError, match="background failed"):
        postbuild.run(None, tmp_path, {}, ["bg_steps:start"])


def test_a_failing_step_cancels_the_background_steps(tmp_path, monkeypatch):
    calls: list = []

    def boom(d, out, s):
        raise WaystationError("boom")

    _steps(monkeypatch, start=lambda d, out, s: Handle(calls), boom=boom)
    with pytest.raises(WaystationError, match="boom"):
        postbuild.run(None, tmp_path, {}, ["bg_steps:start", "bg_steps:boom"])
    assert calls == ["cancel"]


def test_pagefind_starts_first_and_the_search_data_come_before_the_csp():
    steps = list(postbuild.STEPS)
    assert steps[0] == "waystation.search.pagefind:start_pagefind_index"
    assert steps.index("waystation.search.data:write_search_data") < steps.index(
        "waystation.site.csp:apply_csp"
    )
    assert "waystation.site.csp:apply_csp" in postbuild.JOIN_BEFORE


def test_pagefind_in_the_background_reports_its_failure(tmp_path, monkeypatch):
    monkeypatch.setattr(pagefind_index, "_executable", lambda: "/bin/false")
    indexing = pagefind_index.start(tmp_path, "*.html")
    with pytest.raises(WaystationError, match="could not index"):
        pagefind_index.wait(tmp_path)
    indexing.cancel()  # after the join: nothing left to stop
    assert pagefind_index.wait(tmp_path) is None  # nothing running


def test_pagefind_indexes_only_pages_with_a_search_block(tmp_path):
    page = '<!DOCTYPE html><html lang="en"><body><div data-pagefind-body>{}</div></body></html>'
    for n, word in enumerate(("harbor", "lantern")):
        (tmp_path / "p" / str(n)).mkdir(parents=True)
        (tmp_path / "p" / str(n) / "index.html").write_text(page.format(word))
    (tmp_path / "other.html").write_text(page.format("elsewhere"))
    assert pagefind_index.index_site(tmp_path, "p/*/index.html") == 2
    assert len(list((tmp_path / "pagefind" / "fragment").glob("en_*.pf_fragment"))) == 2
    for name in pagefind_index.UNUSED_FILES:
        assert not (tmp_path / "pagefind" / name).exists()


def test_place_shards_from_the_cache_equal_freshly_rendered_ones(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    rendered = zip_shards.render_place_shards()
    for run in ("first", "second"):  # renders the cache, then links from it
        folder = tmp_path / run
        counts = zip_shards.write_place_shards(folder)
        assert counts["zip_files"] == 1001
        assert counts["city_files"] == len(rendered) - 1002  # and zip/states.txt
        assert counts["bytes"] == sum(len(data) for data in rendered.values())
        written = {
            p.relative_to(folder).as_posix(): p.read_bytes()
            for p in folder.rglob("*")
            if p.is_file()
        }
        assert written == rendered
    # A cached file changed in place (through an output's link) is noticed: rendered again.
    (tmp_path / "second" / "zip" / "606.json").write_text("{}")
    third = tmp_path / "third"
    zip_shards.write_place_shards(third)
    assert (third / "zip" / "606.json").read_bytes() == rendered["zip/606.json"]


def test_indexing_started_while_pages_are_written_is_taken_over_by_its_step(tmp_path, monkeypatch):
    """The renderer starts Pagefind once the listing pages are written; the post-build
    step's turn then joins that run instead of starting a second one."""
    started: list = []
    joined: list = []

    class FakeIndexing:
        def __init__(self, site, glob, source=None, in_place=False, part_pages=0, kept=None):
            started.append((site, glob))

        def wait(self):
            joined.append(True)
            return 1

        def cancel(self):
            pass

    monkeypatch.setattr(pagefind_index, "Indexing", FakeIndexing)
    page = tmp_path / "providers" / "a" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<html></html>")
    settings = {"LANGUAGES": ["en", "es"]}
    step = ["waystation.search.pagefind:start_pagefind_index"]
    start = postbuild.early_start(None, tmp_path, settings, step)
    assert start is not None
    start()
    assert len(started) == 1
    postbuild.run(None, tmp_path, settings, step)
    assert len(started) == 1 and joined == [True]
    pagefind_index.wait(tmp_path)  # what write_search_data does
    # Without an early start the step starts its own run.
    postbuild.run(None, tmp_path, settings, step)
    assert len(started) == 2 and joined == [True, True, True]
    pagefind_index.wait(tmp_path)
    # No early start when the steps do not index.
    assert postbuild.early_start(None, tmp_path, settings, ["bg_steps:start"]) is None


def test_work_started_early_and_never_joined_is_stopped(tmp_path, monkeypatch):
    """A build that fails while writing pages (or a step list without the step) leaves
    nothing running: early work is cancelled at exit, by the next build of the same
    folder, or when the steps run without it."""
    calls: list = []
    _steps(monkeypatch, start=lambda d, out, s: Handle(calls), other=lambda d, o, s: None)
    monkeypatch.setitem(postbuild.EARLY, "bg_steps:step", "bg_steps:start")
    postbuild.early_start(None, tmp_path, {}, ["bg_steps:step"])()
    postbuild.early_start(None, tmp_path, {}, ["bg_steps:step"])()  # the next build
    assert calls == ["cancel"]
    postbuild.cancel_early()  # registered with atexit
    assert calls == ["cancel", "cancel"]
    postbuild.early_start(None, tmp_path, {}, ["bg_steps:step"])()
    postbuild.run(None, tmp_path, {}, ["bg_steps:other"])
    assert calls == ["cancel", "cancel", "cancel"]
    postbuild.run(None, tmp_path, {}, ["bg_steps:other"])  # nothing left to take over
    assert calls == ["cancel", "cancel", "cancel"]


def test_indexing_nobody_joined_is_stopped_when_the_build_process_ends(tmp_path, monkeypatch):
    """A build that fails after starting Pagefind leaves no Pagefind process behind."""
    cancelled: list = []

    class FakeIndexing:
        def __init__(self, site, glob, source=None, in_place=False, part_pages=0, kept=None):
            pass

        def cancel(self):
            cancelled.append(True)

    monkeypatch.setattr(pagefind_index, "Indexing", FakeIndexing)
    pagefind_index.start(tmp_path, "providers/*/index.html")
    pagefind_index._cancel_unjoined()  # registered with atexit
    assert cancelled == [True]
    assert pagefind_index.wait(tmp_path) is None


def test_small_search_pages_go_to_memory_and_are_deleted_once_indexed(tmp_path, monkeypatch):
    """The renderer's small copies of the listing pages live in a RAM-backed folder
    (``/dev/shm``) while Pagefind reads them, and nothing is left there afterwards."""
    scratch = tmp_path / "shm"
    scratch.mkdir()
    monkeypatch.setattr(pagefind_index, "SCRATCH_DIRS", ("/no/such/folder", str(scratch)))
    output = tmp_path / "output"
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head><title>Harbor House</title></head><body>'
        "<nav>Find help by state</nav><div hidden data-pagefind-body>"
        '<p data-pagefind-meta="title">Harbor House</p><div>lantern</div></div></body></html>'
    )
    (output / "providers" / "harbor").mkdir(parents=True)
    (output / "providers" / "harbor" / "index.html").write_text(page)
    source = postbuild.search_copies(output)
    assert source is not None and source.parent == scratch
    assert oct(source.stat().st_mode & 0o777) == "0o700"  # private to the build
    (source / "providers" / "harbor").mkdir(parents=True)
    small = page.replace("<nav>Find help by state</nav>", "")  # what search_page.html holds
    (source / "providers" / "harbor" / "index.html").write_text(small)
    handle = pagefind_index.start_pagefind_index(None, output, {"LANGUAGES": ["en"]})
    assert handle is not None and handle.wait() == 1
    assert list(scratch.iterdir()) == []
    fragment = next((output / "pagefind" / "fragment").glob("en_*.pf_fragment"))
    assert b"lantern" in gzip.decompress(fragment.read_bytes())
    assert b"Find help" not in gzip.decompress(fragment.read_bytes())


def test_small_search_pages_nobody_indexed_are_deleted_when_the_process_ends(tmp_path, monkeypatch):
    monkeypatch.setattr(pagefind_index, "SCRATCH_DIRS", (str(tmp_path),))
    source = pagefind_index.prepare_source(tmp_path / "output")
    (source / "page.html").write_text("<html></html>")
    pagefind_index._cancel_unjoined()  # registered with atexit
    assert not source.exists()
    assert pagefind_index.forget_source(tmp_path / "output") is None


def test_no_search_copies_when_no_step_indexes(tmp_path):
    assert postbuild.search_copies(tmp_path, ["waystation.site.csp:apply_csp"]) is None


def test_cancelling_stops_pagefind_and_its_copy_and_deletes_the_scratch(tmp_path, monkeypatch):
    import time
    from pathlib import Path

    scratch = tmp_path / "shm"
    scratch.mkdir()
    monkeypatch.setattr(pagefind_index, "SCRATCH_DIRS", (str(scratch),))
    pid_file = tmp_path / "pid"
    fake = tmp_path / "pagefind"
    fake.write_text(f'#!/bin/sh\necho $$ > "{pid_file}"\nexec sleep 60\n')
    fake.chmod(0o755)
    monkeypatch.setattr(pagefind_index, "_executable", lambda: fake)
    source = pagefind_index.prepare_source(tmp_path / "output")
    (tmp_path / "output" / "providers" / "a").mkdir(parents=True)
    (tmp_path / "output" / "providers" / "a" / "index.html").write_text("<html></html>")
    handle = pagefind_index.start_pagefind_index(None, tmp_path / "output", {"LANGUAGES": ["en"]})
    assert handle is not None and handle.source == source
    for _ in range(100):
        if pid_file.exists() and pid_file.read_text().strip():
            break
        time.sleep(0.05)
    pid = int(pid_file.read_text())
    handle.cancel()

    def running(pid: int) -> bool:  # a killed child may stay a zombie until reaped
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except (FileNotFoundError, ProcessLookupError):
            return False

    for _ in range(100):
        if not running(pid):
            break
        time.sleep(0.05)
    assert not running(pid)  # the "Pagefind" the shell started is gone too
    assert list(scratch.iterdir()) == []
    with pytest.raises(WaystationError, match="stopped before it indexed"):
        pagefind_index.wait(tmp_path / "output")


def test_indexing_starts_from_the_small_copies_before_any_page_is_written(tmp_path, monkeypatch):
    started: list = []

    class FakeIndexing:
        def __init__(self, site, glob, source=None, in_place=False, part_pages=0, kept=None):
            started.append(source)

        def wait(self):
            return 1

        def cancel(self):
            pass

    monkeypatch.setattr(pagefind_index, "Indexing", FakeIndexing)
    monkeypatch.setattr(pagefind_index, "SCRATCH_DIRS", (str(tmp_path),))
    output = tmp_path / "output"
    source = postbuild.search_copies(output)
    make_source_folders(source, ["providers/a/index.html"])
    (source / "providers" / "a" / "index.html").write_text("<html></html>")
    assert not output.exists()  # no page written yet
    step = ["waystation.search.pagefind:start_pagefind_index"]
    postbuild.early_start(None, output, {"LANGUAGES": ["en"]}, step)()
    assert started == [source]
    postbuild.run(None, output, {"LANGUAGES": ["en"]}, step)
    assert started == [source]  # the step took the early run over
    pagefind_index.wait(output)


def test_a_small_memory_folder_is_not_used_for_the_small_pages(tmp_path, monkeypatch):
    """A container's /dev/shm is often 64 MB: too small for a large site's copies."""
    monkeypatch.setattr(pagefind_index, "SCRATCH_DIRS", (str(tmp_path),))
    assert pagefind_index.scratch_dir() == str(tmp_path)
    monkeypatch.setattr(pagefind_index, "SCRATCH_MIN_FREE", 1 << 62)
    assert pagefind_index.scratch_dir() is None
    folder = pagefind_index.new_source_folder()  # in the system's temporary folder then
    assert folder.parent != tmp_path
    folder.rmdir()


class Ending(Handle):
    """A handle of work started early that ends after ``polls`` looks."""

    def __init__(self, calls: list, polls: int):
        super().__init__(calls)
        self.polls = polls

    def done(self) -> bool:
        self.polls -= 1
        return self.polls < 0


def _meanwhile_steps(monkeypatch, calls: list, polls: int) -> list[str]:
    _steps(
        monkeypatch,
        start=lambda d, out, s: Ending(calls, polls),
        index=lambda d, out, s: calls.append("index"),
        finish=lambda d, out, s: calls.append("finish"),
        last=lambda d, out, s: calls.append("last"),
    )
    monkeypatch.setitem(postbuild.EARLY, "bg_steps:index", "bg_steps:start")
    monkeypatch.setattr(postbuild, "PREPARE", {})
    monkeypatch.setattr(postbuild, "RUN_MEANWHILE", {"bg_steps:finish": ("bg_steps:index",)})
    monkeypatch.setattr(postbuild, "POLL_SECONDS", 0)
    return ["bg_steps:index", "bg_steps:finish", "bg_steps:last"]


def test_a_step_runs_while_the_pages_are_written_once_its_early_steps_end(tmp_path, monkeypatch):
    """The search data is written by the build's process while the workers still write
    pages, as soon as Pagefind has ended; its turn then finds it done."""
    calls: list = []
    steps = _meanwhile_steps(monkeypatch, calls, polls=3)
    postbuild.early_start(None, tmp_path, {}, steps)()
    meanwhile = postbuild.prepare_meanwhile(None, tmp_path, {}, steps)
    looks: list = []
    meanwhile(lambda: looks.append(1) or True)  # the pages are still being written
    assert calls == ["finish"] and len(looks) == 3
    postbuild.run(None, tmp_path, {}, steps)
    assert calls == ["finish", "last", "wait"]  # not run a second time


def test_a_step_whose_early_steps_end_after_the_pages_runs_in_its_turn(tmp_path, monkeypatch):
    calls: list = []
    steps = _meanwhile_steps(monkeypatch, calls, polls=1000)
    postbuild.early_start(None, tmp_path, {}, steps)()
    rendering = iter([True, True, False])
    postbuild.prepare_meanwhile(None, tmp_path, {}, steps)(lambda: next(rendering))
    assert calls == []  # the pages were written first: nothing ran meanwhile
    postbuild.run(None, tmp_path, {}, steps)
    assert calls == ["finish", "last", "wait"]
    # What one build ran meanwhile is not skipped by the next build's turn.
    calls.clear()
    steps = _meanwhile_steps(monkeypatch, calls, polls=0)
    postbuild.early_start(None, tmp_path, {}, steps)()
    postbuild.prepare_meanwhile(None, tmp_path, {}, steps)(lambda: True)
    assert calls == ["finish"]  # then this build fails before its steps run
    postbuild.cancel_early(tmp_path)
    postbuild.prepare_meanwhile(None, tmp_path, {}, steps)  # the next build
    postbuild.run(None, tmp_path, {}, steps)
    assert calls == ["finish", "cancel", "index", "finish", "last"]
