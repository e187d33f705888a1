"""What a process hears of the database's changes, for its caches: PostgreSQL's ``LISTEN`` on
one channel, on a connection of its
own (never a pooled one: the pool's connections go back without ``UNLISTEN``). A notice here
is ``pg_notify``'s, not a notice of the inbox.

Writers do not call anything here: triggers in the database ``pg_notify`` the channel when a
row a cache holds changes, whoever writes it (this process, another worker, SQL by hand), and
PostgreSQL delivers the notice to every listening process when the writing transaction commits.

A cache may trust what it holds only while :attr:`Listening.listening` is true; whenever the
connection is lost (and until it listens again) it must read the database instead. Every notice,
loss and start moves :attr:`Listening.generation`: a reader notes it before reading the database
and keeps what it read only if it has not moved, so that a row read before a change committed
is never kept after the change's notice went by. The connection is checked every
``check_every`` seconds (a connection lost without a word, say behind a firewall, stops the
notices without any error).

Example (the channel's notices reach each subscriber in order)::

    heard = Listening("zhucun_sessions")
    heard.subscribe(lambda payload: print("changed:", payload))
    await heard.start(engine)   # PostgreSQL only; on SQLite nothing listens
    ...
    await heard.stop()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from typing import TYPE_CHECKING, Any

import asyncpg

if TYPE_CHECKING:
    from collections.abc import Callable

    from piccolo.engine.base import Engine

__all__ = ["Listening", "is_listening"]

log = logging.getLogger(__name__)

#: The connections that listen (each ``Listening``'s own), for what counts a request's
#: statements to leave their checks out.
_LISTENING: weakref.WeakSet[Any] = weakref.WeakSet()


_CONNECTION_ERRORS = (OSError, asyncio.TimeoutError, asyncpg.PostgresError,
                      asyncpg.InterfaceError)


def is_listening(connection: Any) -> bool:
    """Whether ``connection`` is one that listens, not one that serves requests."""
    return connection in _LISTENING


class Listening:
    """One channel's notices in this process (see the module's docstring)."""

    def __init__(self, channel: str, *, check_every: float = 10.0, retry_after: float = 2.0):
        self.channel = channel
        self.check_every = check_every
        self.retry_after = retry_after
        self.generation = 0
        self._subscribers: list[Callable[[str], None]] = []
        self._connection: Any = None
        self._task: asyncio.Task[None] | None = None
        self._config: dict[str, Any] | None = None
        self._woken = asyncio.Event()

    @property
    def listening(self) -> bool:
        """True while every notice of the channel reaches this process."""
        return self._connection is not None and not self._connection.is_closed()

    def subscribe(self, receive: Callable[[str], None]) -> None:
        """``receive(payload)`` at every notice, and ``receive("*")`` when notices may have
        been missed (the connection lost, or started again)."""
        self._subscribers.append(receive)

    async def start(self, engine: Engine) -> None:
        """Start listening on PostgreSQL (nothing on SQLite, whose caches read every time).
        A start that cannot listen (no connection left, say) is logged and tried again in the
        background: meanwhile the caches read the database."""
        if engine.engine_type != "postgres" or self._task is not None:
            return
        config: dict[str, Any] = getattr(engine, "config", {})
        self._config = {k: v for k, v in config.items() if k != "max_cacheable_statement_size"}
        self._woken = asyncio.Event()  # of this loop (an app may be started again in another)
        try:
            await self._connect()
        except _CONNECTION_ERRORS as error:
            log.warning("cannot listen on %s yet: %s", self.channel, error)
        self._task = asyncio.get_running_loop().create_task(self._watch())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._drop()

    async def _connect(self) -> None:
        assert self._config is not None
        connection = await asyncpg.connect(**self._config)
        try:
            await connection.add_listener(self.channel, self._received)
        except BaseException:
            await connection.close()
            raise
        connection.add_termination_listener(lambda _c: self._lost())
        _LISTENING.add(connection)
        self._connection = connection
        self._missed()  # whatever changed before this point was not heard

    async def _watch(self) -> None:
        """Checks the connection now and then; listens again soon after a loss."""
        while True:
            if self.listening:
                with contextlib.suppress(asyncio.TimeoutError):  # a loss cuts the wait short
                    await asyncio.wait_for(self._woken.wait(), self.check_every)
            else:
                await asyncio.sleep(self.retry_after)
            self._woken.clear()
            try:
                if self.listening:
                    await asyncio.wait_for(self._connection.execute("SELECT 1"),
                                           self.check_every)
                else:
                    await self._drop()
                    await self._connect()
                    log.info("listening on %s again", self.channel)
            except Exception as error:  # whatever it was, the watch goes on
                log.warning("notices of %s lost: %r", self.channel, error)
                self._lost()

    def _received(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        self.generation += 1
        for receive in self._subscribers:
            receive(payload)

    def _lost(self) -> None:
        self._woken.set()
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            connection.terminate()
        self._missed()

    def _missed(self) -> None:
        self.generation += 1
        for receive in self._subscribers:
            receive("*")

    async def _drop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), 5)
