"""Memory the build's process has freed, given back to the system.

glibc's ``malloc`` keeps what a process frees for its next allocations, and gives the
system back only the top of its heap; a large object the build keeps, made after many
it let go of, holds all the free memory below it.  ``malloc_trim()`` returns every
free page in the middle of the heap too.  The build calls :func:`give_back` after work
that makes much and keeps little (the open data and the maps, written in the build's
process while Pagefind indexes: about 0.1 GB at 50,000 listings), and before it forks
page renderers: a page the build's process keeps but does not use is still mapped in
every forked process, and each copies it once either process writes into it, as the
build's process does when it reuses free memory.

Elsewhere (musl, macOS, Windows) there is no such call and the memory stays with the
process, as it did before.
"""

from __future__ import annotations

import ctypes
import functools
import sys
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc
        return None
    trim = getattr(libc, "malloc_trim", None)
    if trim is None:
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def give_back() -> bool:
    """Give the memory this process has freed back to the system, where the C library
    can (see the module's notes); whether it could."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
