"""Work in a forked process, joined later: the handles of post-build steps started early.

A post-build step that starts work in the background returns a handle with ``wait()``
and ``cancel()`` (see :mod:`waystation.build.postbuild`); :class:`Forked` is that handle
for a function run in a forked process (it inherits the arguments: nothing is
pickled).
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Mapping
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


#: How much the open data and maps started early lower their priority (``nice``): they
#: are joined last, and meanwhile yield the processor to Pagefind and the page renderers
#: (see :data:`waystation.site.write.BESIDE_BACKGROUND_NICENESS`).
EARLY_NICENESS = 10


class Forked:
    """``function(*args)`` running in a forked process (it may fork workers itself):
    :meth:`wait` joins it, raises its error or returns what it returned, :meth:`cancel`
    stops it."""

    def __init__(
        self, function: Callable[..., Any], args: tuple[Any, ...], name: str, niceness: int = 0
    ):
        context = mp.get_context("fork")
        self.name = name
        self._reader, writer = context.Pipe(duplex=False)
        # Forked: the arguments are inherited, not pickled.
        self._process = context.Process(target=_report_to, args=(writer, function, args, niceness))
        self._process.start()
        writer.close()

    def wait(self) -> Any:
        error, result = self._reader.recv() if self._reader.poll(None) else (None, None)
        self._process.join()
        self._reader.close()
        if error is None and self._process.exitcode != 0:
            error = f"stopped with exit code {self._process.exitcode}"
        if error is not None:
            raise WaystationError(f"{self.name}: {error}")
        return result

    def cancel(self) -> None:
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._reader.close()


def _report_to(
    writer, function: Callable[..., Any], args: tuple[Any, ...], niceness: int = 0
) -> None:
    lower_priority(niceness)
    try:
        result = function(*args)
    except BaseException as error:  # reported to the parent, which raises it
        writer.send((str(error) if isinstance(error, WaystationError) else repr(error), None))
        raise
    else:
        writer.send((None, result))
    finally:
        writer.close()
