"""Jobs of post-build steps (waystation.runtime.forked): several in one forked process,
one after the other, or in the build's own process (the open data and the maps started
early, while Pagefind indexes), each joined by its own handle."""

from __future__ import annotations

import os
import sys
import time
import types

import pytest

from waystation.build import postbuild
from waystation.exc import ListingsInvalid, WaystationError
from waystation.runtime import forked

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="forked processes need fork (Linux, macOS)"
)


def _note(path, word):
    """A job: append ``pid word`` to ``path``; return the word in capitals."""
    with open(path, "a", encoding="utf-8") as file:
        file.write(f"{os.getpid()} {word}\n")
    return word.upper()


def _fail(message):
    raise WaystationError(message)


def _die(code):
    os._exit(code)


def _sleep(seconds, path):
    with open(path, "w", encoding="utf-8") as file:
        file.write(str(os.getpid()))
    time.sleep(seconds)


def test_jobs_run_one_after_the_other_in_one_other_process(tmp_path):
    log = tmp_path / "log"
    seen = []
    handles = forked.start(
        [
            forked.Job(_note, (log, "open data"), "open data"),
            forked.Job(_note, (log, "maps"), "maps", on_result=seen.append),
        ]
    )
    # Joined in any order, each gets its own result; on_result runs here.
    assert handles[1].wait() == "MAPS"
    assert seen == ["MAPS"]
    assert handles[0].wait() == "OPEN DATA"
    lines = [line.split(" ", 1) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [word for _, word in lines] == ["open data", "maps"]
    pids = {pid for pid, _ in lines}
    assert len(pids) == 1 and pids != {str(os.getpid())}


def test_a_failed_job_fails_its_handle_and_not_the_jobs_after_it(tmp_path):
    log = tmp_path / "log"
    first, second = forked.start(
        [
            forked.Job(_fail, ("the maps' tile URL is wrong",), "maps"),
            forked.Job(_note, (log, "open data"), "open data"),
        ]
    )
    assert second.wait() == "OPEN DATA"
    with pytest.raises(WaystationError, match=r"^maps: the maps' tile URL is wrong$"):
        first.wait()


def test_a_process_that_dies_fails_every_job_not_reported(tmp_path):
    log = tmp_path / "log"
    first, second, third = forked.start(
        [
            forked.Job(_note, (log, "first"), "first"),
            forked.Job(_die, (3,), "second"),
            forked.Job(_note, (log, "third"), "third"),
        ]
    )
    assert first.wait() == "FIRST"
    for handle in (second, third):
        with pytest.raises(WaystationError, match="stopped with exit code 3"):
            handle.wait()
    assert "third" not in log.read_text(encoding="utf-8")


def test_cancel_stops_the_process(tmp_path):
    pid_file = tmp_path / "pid"
    (handle,) = forked.start([forked.Job(_sleep, (60, pid_file), "slow")])
    for _ in range(200):
        if pid_file.exists() and pid_file.read_text():
            break
        time.sleep(0.05)
    pid = int(pid_file.read_text())
    assert not handle.done()
    started = time.monotonic()
    handle.cancel()
    assert time.monotonic() - started < 10
    assert handle.done()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # gone, and reaped


class _Unpicklable(Exception):
    def __init__(self, message, handle):
        super().__init__(message)
        self.handle = handle


def _raise_unpicklable():
    raise _Unpicklable("the cache file is locked", lambda: None)


def _problems_of(count):
    from waystation.records.problems import Problem, Severity

    problems = [
        Problem(f"providers/x{n}.md", n + 2, 3, Severity.ERROR, "name", "name is empty", "rule")
        for n in range(count)
    ]
    raise ListingsInvalid(problems)


def test_call_returns_what_the_function_returned_in_another_process():
    """A large result streams back whole (more than a pipe holds at once); the function
    ran in a process of its own."""
    pid, words = forked.call(_pid_and_words, 200_000)
    assert pid != os.getpid()
    assert words == [f"word {n}" for n in range(200_000)]


def _pid_and_words(count):
    return os.getpid(), [f"word {n}" for n in range(count)]


def test_call_raises_the_function_error_here_with_its_message_and_problems():
    with pytest.raises(WaystationError, match=r"^the maps' tile URL is wrong$"):
        forked.call(_fail, "the maps' tile URL is wrong")
    # The listings' problems come back with their files and lines, to be reported here.
    with pytest.raises(ListingsInvalid) as raised:
        forked.call(_problems_of, 3)
    assert [p.format_text() for p in raised.value.problems] == [
        f"providers/x{n}.md:{n + 2}:3: error: name: name is empty" for n in range(3)
    ]
    assert str(raised.value).startswith("3 error(s) in the listings")
    # An error that cannot be pickled still says what went wrong.
    with pytest.raises(WaystationError, match="the cache file is locked"):
        forked.call(_raise_unpicklable)


def test_call_fails_with_a_message_when_the_process_dies():
    with pytest.raises(
        WaystationError,
        match=r"^reading the listings ended without its "
        r"result \(exit code 3\)",
    ):
        forked.call(_die, 3, name="reading the listings")


def test_jobs_run_here_fail_as_forked_ones_do(tmp_path):
    """Run in this process, a failed job fails its own handle, when joined, with the
    message a forked one gives; the jobs after it still run."""
    log = tmp_path / "log"
    first, second = forked.run_here(
        [
            forked.Job(_fail, ("the maps' tile URL is wrong",), "maps"),
            forked.Job(_note, (log, "open data"), "open data"),
        ]
    )
    assert first.done() and second.done()
    assert log.read_text(encoding="utf-8") == f"{os.getpid()} open data\n"
    assert second.wait() == "OPEN DATA"
    with pytest.raises(WaystationError, match=r"^maps: the maps' tile URL is wrong$"):
        first.wait()
    (broken,) = forked.run_here([forked.Job(int, ("x",), "open data")])
    with pytest.raises(WaystationError, match=r"^open data: ValueError\("):
        broken.wait()


class _Indexing:
    """A stand-in for Pagefind started early: a handle that runs till its test ends it."""

    def __init__(self):
        self.ended = False

    def done(self):
        return self.ended

    def wait(self):
        self.ended = True

    def cancel(self):
        self.ended = True


def _early_steps(monkeypatch, log, indexing=None) -> list[str]:
    """Two early steps whose starters give jobs noting ``pid word`` in ``log``, after a
    third whose starter gives ``indexing`` (a running Pagefind), when given."""
    module = types.ModuleType("job_steps")
    module.start_a = lambda d, o, s: forked.Job(_note, (log, "a"), "a")
    module.start_b = lambda d, o, s: forked.Job(_note, (log, "b"), "b")
    module.start_index = lambda d, o, s: indexing
    module.a = module.b = lambda d, o, s: pytest.fail("the early job should be taken over")
    module.index = lambda d, o, s: None
    monkeypatch.setitem(sys.modules, "job_steps", module)
    for step in ("index", "a", "b"):
        monkeypatch.setitem(postbuild.EARLY, f"job_steps:{step}", f"job_steps:start_{step}")
    return ["job_steps:index", "job_steps:a", "job_steps:b"]


def _lines(log):
    return [line.split(" ", 1) for line in log.read_text(encoding="utf-8").splitlines()]


def test_early_jobs_run_in_the_build_process_while_pagefind_indexes(tmp_path, monkeypatch):
    """A build that writes every page: the jobs of two steps run in the build's own
    process (no forked copy of its memory), in the steps' order, when started, while
    Pagefind runs; each step's turn joins its own job."""
    log = tmp_path / "log"
    indexing = _Indexing()
    steps = _early_steps(monkeypatch, log, indexing)
    busy = postbuild.early_start(None, tmp_path, {}, steps)()
    assert _lines(log) == [[str(os.getpid()), "a"], [str(os.getpid()), "b"]]
    assert busy() is True  # Pagefind still runs: the page renderers hold back
    indexing.ended = True
    assert busy() is False
    postbuild.run(None, tmp_path, {}, steps)


def test_early_jobs_of_a_rebuild_share_one_forked_process(tmp_path, monkeypatch):
    """A rebuild (its changed pages should not wait for the jobs), or a build with no
    Pagefind run beside them: the jobs of two steps run in one forked process, in the
    steps' order, each step's turn joining its own; with few listings, not early."""
    log = tmp_path / "log"
    many = types.SimpleNamespace(settings={"BUILD_WORKERS": 2}, listings=[None] * 1000)
    for indexing, here in ((_Indexing(), False), (None, True)):
        log.unlink(missing_ok=True)
        steps = _early_steps(monkeypatch, log, indexing)
        postbuild.early_start(many, tmp_path, {}, steps, jobs_here=here)()
        postbuild.run(many, tmp_path, {}, steps)
        lines = _lines(log)
        assert [word for _, word in lines] == ["a", "b"]
        assert len({pid for pid, _ in lines}) == 1 and lines[0][0] != str(os.getpid())
    few = types.SimpleNamespace(settings={"BUILD_WORKERS": 2}, listings=[None] * 10)
    log.unlink()
    steps = _early_steps(monkeypatch, log, None)
    postbuild.early_start(few, tmp_path, {}, steps, jobs_here=False)()
    assert not log.exists()  # nothing started early: each step runs in its turn
    with pytest.raises(pytest.fail.Exception, match="should be taken over"):
        postbuild.run(few, tmp_path, {}, steps)
