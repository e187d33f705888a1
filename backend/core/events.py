"""Events: a capability announces a moment, and others act on it without being known to it.

The capability that owns the moment declares the event and emits it; a listener is plugged in
by the listening capability's manifest (``backend/<capability>/capability.py``), so a reader
finds there which events each capability listens to.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, ParamSpec

__all__ = ["Event"]

P = ParamSpec("P")


class Event(Generic[P]):
    """A named moment with the listeners called, in order, when it is emitted.

    >>> confirmed: Event[[int]] = Event("presence.month_confirmed")
    >>> confirmed.name
    'presence.month_confirmed'
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._listeners: list[Callable[P, Awaitable[None]]] = []

    def listen(self, listener: Callable[P, Awaitable[None]]) -> None:
        """Call ``listener`` on each emit (plugging it in twice calls it once)."""
        if listener not in self._listeners:
            self._listeners.append(listener)

    @property
    def listeners(self) -> tuple[Callable[P, Awaitable[None]], ...]:
        return tuple(self._listeners)

    async def emit(self, *args: P.args, **kwargs: P.kwargs) -> None:
        """Await every listener in turn, inside the caller's transaction if it has one."""
        for listener in self._listeners:
            await listener(*args, **kwargs)

    def __repr__(self) -> str:
        return f"Event({self.name!r})"
