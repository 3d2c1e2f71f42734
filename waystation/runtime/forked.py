"""Jobs of post-build steps, joined later: in a forked process, or in this one.

A post-build step that starts work in the background returns a handle with ``wait()``
and ``cancel()`` (see :mod:`waystation.build.postbuild`); :class:`Forked` is that handle
for a :class:`Job`, a function run in a forked process (it inherits the arguments:
nothing is pickled), by :func:`start`, which runs several jobs in one process, one after
the other.  :func:`run_here` runs jobs in this process at once and gives the same
handles: the steps started early (the open data, then the maps) run so while Pagefind
indexes the pages of a build that writes them all
(:func:`waystation.build.postbuild.early_start`).

:func:`call` runs one function in a forked process and waits for what it returns: work
whose leftovers the build should not keep (reading every listing).
"""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from waystation.exc import WaystationError
from waystation.runtime import workers
from waystation.runtime.workers import lower_priority, worker_count


def worth_forking(directory: Any, settings: Mapping[str, Any]) -> bool:
    """Whether a step's work over ``directory``'s listings goes to a forked process: many
    listings (:data:`waystation.runtime.workers.PARALLEL_MIN_LISTINGS`; ``worker_count``
    says 1 where there is no fork)."""
    merged = {**directory.settings, **settings}
    return worker_count(merged, len(directory.listings), workers.PARALLEL_MIN_LISTINGS) > 1


#: How much the open data written in a forked process lowers its priority (``nice``): it
#: is joined last, and meanwhile yields the processor to Pagefind and the other steps
#: (see :data:`waystation.site.write.BESIDE_BACKGROUND_NICENESS`).
BACKGROUND_NICENESS = 10


@dataclass(frozen=True)
class Job:
    """``function(*args)`` to run in a forked process (:func:`start`, at ``niceness``) or
    in this one (:func:`run_here`), as ``name`` in messages; ``on_result(value)`` is
    called in this process with what it returned, when it is joined."""

    function: Callable[..., Any]
    args: tuple[Any, ...]
    name: str
    niceness: int = 0
    on_result: Callable[[Any], None] | None = None


def run_here(jobs: Sequence[Job]) -> list[Ran]:
    """Run ``jobs`` in this process now, one after the other in this order; return a
    handle for each, as :func:`start` does (already ended).

    What a build that writes every page does with the post-build steps started early
    (see :func:`waystation.build.postbuild.early_start`): run here while Pagefind indexes
    on the other core, they copy nothing; forked, their process held its own copy of
    every memory page of the build's it read (up to 1.15 GB at 50,000 listings), and
    took the same processor time.  As in a forked process, a job's failure does not stop
    the jobs after it: its handle raises it when joined."""
    handles = []
    for job in jobs:
        try:
            result = job.function(*job.args)
        except Exception as error:  # raised when joined, as from a forked process
            handles.append(Ran(job, _message(error), None))
        else:
            handles.append(Ran(job, None, result))
    return handles


class Ran:
    """The handle of a job run by :func:`run_here`: :meth:`wait` raises its error or
    returns what it returned (calling its ``on_result`` first), like :class:`Forked`."""

    def __init__(self, job: Job, error: str | None, result: Any):
        self._job, self._error, self._result = job, error, result
        self.name = job.name

    def done(self) -> bool:
        return True

    def wait(self) -> Any:
        return _joined(self._job, self._error, self._result)

    def cancel(self) -> None:
        """Nothing runs any more."""


def _message(error: Exception) -> str:
    """A job's error as the build reports it: a Waystation error's own message (it says
    how to fix the problem), or else the exception's repr."""
    return str(error) if isinstance(error, WaystationError) else repr(error)


def _joined(job: Job, error: str | None, result: Any) -> Any:
    if error is not None:
        raise WaystationError(f"{job.name}: {error}")
    if job.on_result is not None:
        job.on_result(result)
    return result


def start(jobs: Sequence[Job]) -> list[Forked]:
    """Start ``jobs`` in one forked process, one after the other in this order (at the
    first job's ``niceness``); return a handle for each.

    One process, not one per job: a forked process copies the pages of the parent's
    memory it touches (reference counts are written as objects are read), so jobs that
    read the same listings, each in a process of its own, held a copy each (about 0.8 GB
    at 50,000 listings).  A job's failure does not stop the jobs after it; its handle
    raises it."""
    if not jobs:
        return []
    process = _Process(jobs)
    return [Forked(process, index, job) for index, job in enumerate(jobs)]


class _Process:
    """The forked process running the jobs, and what it has reported of each."""

    def __init__(self, jobs: Sequence[Job]):
        context = mp.get_context("fork")
        self._reader, writer = context.Pipe(duplex=False)
        calls = [(job.function, job.args) for job in jobs]
        # Forked: the arguments are inherited, not pickled.
        self._process = context.Process(target=_report_to, args=(writer, calls, jobs[0].niceness))
        self._process.start()
        writer.close()
        self._count = len(jobs)
        self._results: dict[int, tuple[str | None, Any]] = {}
        self._open = True

    def done(self, index: int) -> bool:
        """Whether the job ``index`` has ended (without waiting)."""
        while index not in self._results and self._open and self._reader.poll(0):
            self._receive()
        return index in self._results or not self._open

    def result(self, index: int) -> tuple[str | None, Any]:
        """(error or None, value) of the job ``index``, waiting for it."""
        while index not in self._results and self._open:
            self._receive()
        found = self._results.get(index)
        if len(self._results) == self._count or not self._open:
            self._close()
        if found is None:
            return f"stopped with exit code {self._process.exitcode}", None
        return found

    def _receive(self) -> None:
        try:
            index, error, value = self._reader.recv()
        except (EOFError, OSError):  # the process ended, or was killed
            self._close()
        else:
            self._results[index] = (error, value)

    def _close(self) -> None:
        if self._open:
            self._open = False
            self._process.join()
            self._reader.close()

    def cancel(self) -> None:
        if self._open:
            if self._process.is_alive():
                self._process.kill()
            self._close()


class Forked:
    """The handle of one job of :func:`start`: :meth:`wait` joins it, raises its error or
    returns what it returned; :meth:`cancel` stops its process (and the other jobs in
    it: a build cancels them all or none)."""

    def __init__(self, process: _Process, index: int, job: Job):
        self._process, self._index, self._job = process, index, job
        self.name = job.name

    def done(self) -> bool:
        return self._process.done(self._index)

    def wait(self) -> Any:
        return _joined(self._job, *self._process.result(self._index))

    def cancel(self) -> None:
        self._process.cancel()


def _report_to(
    writer, calls: list[tuple[Callable[..., Any], tuple[Any, ...]]], niceness: int
) -> None:
    lower_priority(niceness)
    failed: BaseException | None = None
    try:
        for index, (function, args) in enumerate(calls):
            try:
                result = function(*args)
            except Exception as error:  # reported to the parent, which raises it
                failed = failed or error
                writer.send((index, _message(error), None))
            else:
                writer.send((index, None, result))
    finally:
        writer.close()
    if failed is not None:
        raise failed


def call(function: Callable[..., Any], *args: Any, name: str = "") -> Any:
    """``function(*args)`` run in a forked process; what it returned, read back here (it
    must pickle), or its error raised here again.

    For work that makes far more than it returns: what the process freed dies with it.
    pymalloc keeps an arena of memory as long as one object in it lives, so objects
    kept among many freed hold much more memory than their own: at 50,000 listings,
    reading them left the build's process 0.43 GB of arenas with 85 MB in use once the
    listings themselves were let go of.  Read back in one piece, the objects returned lie
    side by side (the same listings: 0.2 GB less for the rest of the build).  The result
    streams through a pipe as it is pickled, so this process reads it meanwhile.
    """
    context = mp.get_context("fork")
    reader, writer = os.pipe()
    # Forked: the function and its arguments are inherited, not pickled.
    process = context.Process(target=_send_back, args=(reader, writer, function, args))
    process.start()
    os.close(writer)
    try:
        with open(reader, "rb") as stream:
            failed, value = pickle.load(stream)  # noqa: S301 - from the forked process
    except (EOFError, pickle.UnpicklingError):
        process.join()
        what = name or getattr(function, "__name__", "a forked process")
        raise WaystationError(
            f"{what} ended without its result (exit code {process.exitcode}): "
            "see the messages above"
        ) from None
    finally:
        process.join()
    if failed:
        raise value
    return value


def _send_back(reader: int, writer: int, function: Callable[..., Any], args: tuple) -> None:
    """The forked process of :func:`call`: run, then write ``(failed, value)`` pickled."""
    os.close(reader)
    try:
        outcome: tuple[bool, Any] = (False, function(*args))
    except Exception as error:
        if not isinstance(error, WaystationError):
            traceback.print_exc()  # a defect: its traceback, which the error loses here
        try:
            pickle.dumps(error)
        except Exception:  # noqa: BLE001 - an error that does not pickle: its message
            error = WaystationError(_message(error))
        outcome = (True, error)
    with open(writer, "wb") as stream:
        pickle.dump(outcome, stream, protocol=pickle.HIGHEST_PROTOCOL)
