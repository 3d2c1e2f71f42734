"""Pausing Python's cyclic garbage collector around the build's bulk work.

Reading listings, planning pages and writing the open data make hundreds of
thousands of small objects and no reference cycles worth collecting, while each
full collection walks everything loaded so far (the listings, the ZIP tables,
the results): with 10,000 listings that was up to a third of those steps.
Objects are still freed by reference counting; only the cycle passes wait.
Forked workers inherit the paused collector.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic garbage collection during the block; as it was afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
