"""A running transaction's 32-bit id read as the 64-bit one next to the snapshot's xmax."""

from backend.sync.cursor import _widen

E = 1 << 32


def test_same_epoch_below_and_a_later_start_above():
    assert _widen(990, 1000) == 990
    # Began after xmax was read: stays above it (never an epoch back, below zero).
    assert _widen(1005, 1000) == 1005


def test_across_an_epoch_boundary():
    assert _widen(E - 10, E + 100) == E - 10  # the previous epoch, still running
    assert _widen(5, 2 * E - 3) == 2 * E + 5  # began after xmax, in the next epoch
    assert _widen(50, E + 100) == E + 50
