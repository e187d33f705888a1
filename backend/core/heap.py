"""The garbage collector set for a long-running server.

CPython's cyclic collector walks every tracked object of the oldest generation on a full
collection. A server holds about 175,000 of them from start-up on (modules,
classes, schemas, validators) that live as long as the process, and a sync push of 500
records allocates tens of thousands of short-lived ones, enough to set off full collections
again and again: about 30 % of a batch's CPU went into walking objects that never die. Frozen
after start-up, those are left out of every collection (``gc.freeze``, meant for exactly
this); and a larger first-generation threshold collects the young ones less often, a push's
garbage going at once rather than at every 700 allocations.

Nothing is left uncollected: frozen objects simply stay, as they would anyway, and cycles
made afterwards are found as before. At shutdown ``release`` hands them back to the
collector, so that a process making several apps (the tests) frees each one's cycles.
"""

from __future__ import annotations

import gc

__all__ = ["YOUNG_THRESHOLD", "release", "settle"]

#: Allocations (less deallocations) between collections of the youngest generation.
YOUNG_THRESHOLD = 10_000


#: The young generation's threshold before ``settle`` (CPython's default: 700).
_young_before: list[int] = []


def settle() -> None:
    """After start-up: collect once, freeze what is left, and collect the young less often."""
    gc.collect()
    gc.freeze()
    young, older, oldest = gc.get_threshold()
    if not _young_before:
        _young_before.append(young)
    gc.set_threshold(YOUNG_THRESHOLD, older, oldest)


def release() -> None:
    """At shutdown: the frozen objects back to the collector, and its threshold as it was."""
    gc.unfreeze()
    if _young_before:
        _, older, oldest = gc.get_threshold()
        gc.set_threshold(_young_before.pop(), older, oldest)
