"""The request cache: values read once per request (or per push batch), by typed slot.

A module that reads something many times in one request (a village, the county's settings,
a cadre's postings) declares a :class:`Slot` for it once; the slot types its keys and
values, and two modules never share or overwrite each other's entries by a clash of names.

Example:
    >>> import asyncio
    >>> SQUARES: Slot[int, int] = Slot("squares")
    >>> cache, calls = RequestCache(), []
    >>> async def square(n: int) -> int:
    ...     calls.append(n)
    ...     return n * n
    >>> asyncio.run(cache.get(SQUARES, 3, lambda: square(3)))
    9
    >>> asyncio.run(cache.get(SQUARES, 3, lambda: square(3))), calls
    (9, [3])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Hashable

__all__ = ["RequestCache", "Slot"]

K = TypeVar("K", bound="Hashable")
V = TypeVar("V")


@dataclass(frozen=True, eq=False)
class Slot(Generic[K, V]):
    """One kind of cached value; entries are keyed by the slot itself, not by its name."""

    name: str


class RequestCache:
    """Values kept for the length of one request; never shared between requests or users."""

    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: dict[Slot[Any, Any], dict[Any, Any]] = {}

    async def get(self, slot: Slot[K, V], key: K, load: Callable[[], Awaitable[V]]) -> V:
        """The value under ``key``, loaded by ``load()`` the first time it is asked for."""
        entries = self._entries.setdefault(slot, {})
        if key not in entries:
            entries[key] = await load()
        return entries[key]

    def put(self, slot: Slot[K, V], key: K, value: V) -> None:
        """Remember a value read by other means (a batch read filling many keys at once)."""
        self._entries.setdefault(slot, {})[key] = value

    def __repr__(self) -> str:
        sizes = ", ".join(f"{s.name}={len(e)}" for s, e in self._entries.items())
        return f"RequestCache({sizes})"
