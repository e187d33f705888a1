"""Requests take turns: at most ``active`` handled at once in this process, the others wait
in the order they arrived.

Without turns, every request that has arrived runs interleaved with all the others: each one
awaits the database a few times and goes to the back of the event loop's queue each time, so
at 128 phones pushing and pulling at once a push waits behind 127 other requests at every
step, and the longest requests (a push of 20 logs) take many times the average. Interleaving
costs CPU too: requests hold pooled connections while waiting for the loop, and the others
wait for those. Taking turns leaves the average latency where the process's throughput puts
it and cuts the tail: measured with ``tests/bench/bench_load.py --phases mix`` (see
``deploy/SCALING.md``).

Only the work takes a turn, not the network: a request's body is read before its turn (a
phone on a slow line does not hold one while it sends), and its answer is held until the
work is done and sent after the turn is passed on (nor while it receives). So only what the
application would read into memory anyway waits for a turn: no body, or a JSON body of at
most ``BODY_BYTES`` declared by its Content-Length (photos, imports and anything chunked
stream as before, photos to disk under their own cap and idle timeout, ``core/uploads``); an
answer is held up to ``ANSWER_BYTES``, past which the turn is passed on and the rest streams
as it comes (a photo or an export). Paths under ``exempt`` never wait (the metrics, the health
check, and logins, which wait for the password hasher's own queue instead).
"""

from __future__ import annotations

import asyncio
import weakref
from typing import TYPE_CHECKING

from prometheus_client import Gauge

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

__all__ = ["ANSWER_BYTES", "BODY_BYTES", "WAITING", "admission_middleware"]

#: The largest body read before a request's turn (a push of 500 logs is some 250 KB).
BODY_BYTES = 1024 * 1024
#: The most of an answer held until the turn is passed on.
ANSWER_BYTES = 256 * 1024

WAITING = Gauge("zhucun_requests_waiting", "Requests waiting for their turn",
                multiprocess_mode="livesum")


def _declared_body(scope: Scope) -> int | None:
    """The body's length when it may be read before the turn (none, or JSON of a declared
    length within ``BODY_BYTES``), else None."""
    length = 0
    json = False
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                length = int(value)
            except ValueError:
                return None
        elif name == b"transfer-encoding":
            return None
        elif name == b"content-type":
            kind = value.split(b";", 1)[0].strip().lower()
            json = kind == b"application/json" or kind.endswith(b"+json")
    if length == 0 or (json and 0 < length <= BODY_BYTES):
        return length
    return None


async def _read_body(receive: Receive, declared: int) -> list[ReceiveMessage]:
    """The request's messages up to the end of its body (or the client's leaving)."""
    received: list[ReceiveMessage] = []
    size = 0
    while True:
        message = await receive()
        received.append(message)
        if message["type"] != "http.request":
            return received  # the client left: the app sees it as it would have
        size += len(message.get("body", b""))
        if not message.get("more_body", False) or size > declared:
            return received


class _Answer:
    """An answer held while its request works; ``pass_turn`` sends what is held and lets the
    rest through. Past ``ANSWER_BYTES`` it passes the turn on itself."""

    def __init__(self, send: Send, turn: asyncio.Semaphore) -> None:
        self._send = send
        self._turn = turn
        self._held: list[Message] | None = []
        self._bytes = 0

    async def send(self, message: Message) -> None:
        if self._held is None:  # the turn has been passed on: straight through
            await self._send(message)
            return
        self._held.append(message)
        self._bytes += len(message.get("body", b""))  # type: ignore[arg-type]
        if self._bytes > ANSWER_BYTES:  # a large answer streams from here on
            await self.pass_turn()

    async def pass_turn(self) -> None:
        if self._held is None:
            return
        held, self._held = self._held, None
        self._turn.release()
        for message in held:
            await self._send(message)


def admission_middleware(app: ASGIApp, *, active: int, exempt: tuple[str, ...]) -> ASGIApp:
    """``app`` with at most ``active`` requests at work at once (one count per event loop:
    the tests' clients each run their own)."""
    turns: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
        weakref.WeakKeyDictionary())

    async def take_turn() -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        turn = turns.get(loop)
        if turn is None:
            turn = turns[loop] = asyncio.Semaphore(active)
        if not turn.locked():
            await turn.acquire()
            return turn
        WAITING.inc()
        try:
            await turn.acquire()  # asyncio's semaphore serves its waiters in order
        finally:
            WAITING.dec()
        return turn

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        declared = None
        if scope["type"] == "http" and not scope["path"].startswith(exempt):
            declared = _declared_body(scope)
        if declared is None:
            await app(scope, receive, send)
            return
        received = await _read_body(receive, declared)

        async def replay() -> ReceiveMessage:
            return received.pop(0) if received else await receive()

        answer = _Answer(send, await take_turn())
        try:
            await app(scope, replay, answer.send)
        finally:
            await answer.pass_turn()

    return middleware
