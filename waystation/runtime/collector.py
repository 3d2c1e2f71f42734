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
def paused(keep: bool = False) -> Iterator[None]:
    """No cyclic garbage collection during the block; as it was afterwards.

    With ``keep``, everything that exists when the block ends is frozen
    (``gc.freeze()``) before the collector runs again: the block made what the rest of
    the build keeps (the listings, the planned pages), and the first collection after
    it would otherwise walk all of it and free nothing, in this process and in each
    process forked later (planning 10,000 listings: 0.5 s with one core idle; a forked
    process also copies every memory page the walk touches).
    :func:`waystation.site.write.render_pages` unfreezes it all once the pages are
    written.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        if keep:
            gc.freeze()
    finally:
        if enabled:
            gc.enable()
