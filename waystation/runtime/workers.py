"""How many forked processes share a large piece of the build's work.

``BUILD_WORKERS`` (0: one per CPU core, at most 8) decides, once the work is big
enough to pay for forking; without ``fork`` (not Linux or macOS) one process does
it all.  The output never depends on the number.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Iterator, Mapping
from typing import Any

#: Below this many listings, work over every listing (the descriptions' texts, the open
#: data, the maps) is done by one process: forking costs more than it saves.
PARALLEL_MIN_LISTINGS = 1000


def worker_count(settings: Mapping[str, Any], count: int, minimum: int) -> int:
    """Processes for ``count`` items of work: 1 below ``minimum`` items."""
    if count < minimum or not can_fork():
        return 1
    wanted = settings.get("BUILD_WORKERS") or usable_cpus()
    return max(1, min(int(wanted), 8))


def can_fork() -> bool:
    """Whether this system can fork a process that inherits this one's memory."""
    return "fork" in mp.get_all_start_methods()


def usable_cpus() -> int:
    """The CPU cores this process may run on (a container or ``taskset`` may allow fewer
    than the machine has)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def lower_priority(niceness: int) -> None:
    """Lower this process's scheduling priority by ``niceness`` (a forked worker calls it
    first thing, for work that should yield the processor to work that must end sooner)."""
    if niceness > 0 and hasattr(os, "nice"):
        os.nice(niceness)


def take_turns(counter: Any, count: int) -> Iterator[int]:
    """The indexes ``0 .. count - 1`` shared between processes: each goes to whichever
    process asks for the next one first, until none is left.  ``counter`` is a
    ``multiprocessing.Value("l", 0)`` made before the processes are forked."""
    while True:
        with counter.get_lock():
            index = counter.value
            counter.value += 1
        if index >= count:
            return
        yield index
