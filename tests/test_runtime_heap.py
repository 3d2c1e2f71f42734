"""Freed memory given back to the system (waystation.runtime.heap): what the build does
after the open data and the maps, and before it forks page renderers."""

from __future__ import annotations

import sys

import pytest

from waystation.runtime import heap

GLIBC = sys.platform.startswith("linux") and heap._malloc_trim() is not None


def _resident_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not GLIBC, reason="malloc_trim is glibc's (the build's Linux machines)")
def test_memory_freed_below_what_is_kept_goes_back_to_the_system():
    """200 MB of 1 KB strings (glibc's malloc, not Python's small-object allocator), one
    in 64 kept: the heap cannot shrink from its top, and the process keeps almost all of
    it until it is given back."""
    made = [bytes(1000) + n.to_bytes(4, "big") for n in range(200_000)]
    kept = made[::64]
    del made
    before = _resident_mib()
    assert heap.give_back() is True
    after = _resident_mib()
    assert before - after > 100, (before, after)
    assert len(kept) == 3125 and kept[-1].endswith((199_936).to_bytes(4, "big"))
