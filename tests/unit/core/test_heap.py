"""The collector settings of a server process: frozen start-up, young collected less often,
and everything handed back at shutdown."""

from __future__ import annotations

import gc
import weakref

from backend.core.heap import YOUNG_THRESHOLD, release, settle


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def _cycle() -> weakref.ref[_Node]:
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    return weakref.ref(a)


def test_settle_freezes_start_up_and_release_gives_it_back() -> None:
    settle()
    try:
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[0] == YOUNG_THRESHOLD
        # A cycle made after start-up is still found and freed.
        made_after = _cycle()
        gc.collect()
        assert made_after() is None
    finally:
        release()
    assert gc.get_freeze_count() == 0
    # Back to the threshold from before the first settle (an app of an earlier test that was
    # never shut down may have settled first).
    assert gc.get_threshold()[0] != YOUNG_THRESHOLD


def test_a_cycle_frozen_at_start_up_is_freed_after_release() -> None:
    held = _Node()
    held.other = _Node()
    held.other.other = held
    alive_at_start = weakref.ref(held)
    settle()
    try:
        del held  # garbage now, but frozen: left out of collections
        gc.collect()
        assert alive_at_start() is not None
    finally:
        release()
    gc.collect()
    assert alive_at_start() is None
