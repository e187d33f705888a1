"""Caches: values read once per request (or per push batch), and reference data kept per
process for as long as the database says it has not changed.

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

from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Hashable, Iterable

__all__ = ["DATA_VERSION", "ProcessCache", "RequestCache", "Slot"]

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


#: The version of the reference data (who is posted where, divisions and fences, households)
#: this request reads at: a value the database bumps, by triggers, in the writing transaction
#: of every change to them, read once when the request is authenticated, before anything made
#: of them. Opaque here (the database's identity and the number). None outside a request, or
#: when the database has no version: nothing is then kept across requests.
DATA_VERSION: ContextVar[Hashable | None] = ContextVar("data_version", default=None)


class ProcessCache(Generic[K, V]):
    """Reference data kept in this process, each value with the version it was read at.

    A value read at version ``v`` (read before the value) serves every later request that
    reads ``v`` too; a request that reads another version loads it again. A change committed
    between the version's read and the value's gives a value newer than ``v``, never older.
    A request that changes reference data reads it back from the tables, not from here.

    Example:
        >>> import asyncio
        >>> HALVES: ProcessCache[int, int] = ProcessCache("halves")
        >>> async def at(version, n):
        ...     DATA_VERSION.set(version)
        ...     async def load():
        ...         calls.append(n)
        ...         return n // 2
        ...     return await HALVES.get(n, load)
        >>> calls = []
        >>> [asyncio.run(at(v, 8)) for v in (1, 1, 2)], calls
        ([4, 4, 4], [8, 8])
    """

    __slots__ = ("_entries", "_max", "name")

    def __init__(self, name: str, max_entries: int = 20_000) -> None:
        self.name = name
        self._max = max_entries
        self._entries: dict[K, tuple[Hashable, V]] = {}

    async def get(self, key: K, load: Callable[[], Awaitable[V]]) -> V:
        """The value under ``key`` at this request's version, loaded by ``load()`` when this
        process has none read at that version."""
        version = DATA_VERSION.get()
        if version is None:
            return await load()
        kept = self._entries.get(key)
        if kept is not None and kept[0] == version:
            return kept[1]
        value = await load()
        if len(self._entries) >= self._max:
            self._entries.clear()
        self._entries[key] = (version, value)
        return value

    async def get_many(
        self, keys: Iterable[K], load: Callable[[list[K]], Awaitable[dict[K, V]]], missing: V
    ) -> dict[K, V]:
        """The values under ``keys``; those this process lacks at this request's version are
        loaded together by ``load(keys)`` (a key it leaves out gets ``missing``)."""
        version = DATA_VERSION.get()
        wanted = list(dict.fromkeys(keys))
        if version is None:
            loaded = await load(wanted) if wanted else {}
            return {k: loaded.get(k, missing) for k in wanted}
        out: dict[K, V] = {}
        lacking = []
        for key in wanted:
            kept = self._entries.get(key)
            if kept is not None and kept[0] == version:
                out[key] = kept[1]
            else:
                lacking.append(key)
        if lacking:
            loaded = await load(lacking)
            if len(self._entries) + len(lacking) > self._max:
                self._entries.clear()
            for key in lacking:
                out[key] = loaded.get(key, missing)
                self._entries[key] = (version, out[key])
        return out

    def __repr__(self) -> str:
        return f"ProcessCache({self.name}, {len(self._entries)} kept)"
