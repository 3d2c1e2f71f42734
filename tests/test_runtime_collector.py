"""The cyclic collector paused around bulk work, and what that work made kept out of it."""

from __future__ import annotations

import gc

import pytest

from waystation.runtime import collector


@pytest.fixture
def nothing_frozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_a_kept_block_freezes_what_it_made_and_turns_the_collector_back_on(nothing_frozen):
    assert gc.get_freeze_count() == 0
    with collector.paused(keep=True):
        assert not gc.isenabled()
        made = [[n] for n in range(5000)]
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(made)
    # A cycle made then is not collected while frozen; it is once unfrozen.
    gc.unfreeze()
    with collector.paused(keep=True):
        cycle = []
        cycle.append(cycle)
    del cycle
    assert gc.collect() == 0
    gc.unfreeze()
    assert gc.collect() >= 1


def test_a_failed_block_freezes_nothing_and_a_plain_pause_freezes_nothing(nothing_frozen):
    with pytest.raises(RuntimeError), collector.paused(keep=True):
        raise RuntimeError("stop")
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    with collector.paused():
        made = [[n] for n in range(100)]
    assert gc.get_freeze_count() == 0 and gc.isenabled() and made


def test_a_pause_inside_a_pause_leaves_the_collector_off(nothing_frozen):
    with collector.paused():
        with collector.paused(keep=True):
            pass
        assert not gc.isenabled()
    assert gc.isenabled()
