"""How ``zhucun serve`` parses HTTP: httptools (llhttp, in C) with a bound on the request head.

h11, uvicorn's pure-Python parser, costs a noticeable share of a small request's CPU (its
parsing and the writing of the answer's head). httptools is cheaper but buffers a request
head of any size: llhttp has no limit of its own, and httptools gathers a header's name and
value in memory until the header ends. ``BoundedHttpToolsProtocol`` counts the bytes of each
request head (request line and headers) as they arrive and answers 431 and closes the
connection once a head reaches ``ZHUCUN_SERVER_MAX_HEAD_BYTES`` without being complete: a head
of exactly that many bytes passes, one byte more does not, however the bytes are split across
reads. The bytes are counted before the parser sees them, so no more than the limit of a head
is ever buffered; the one exception is a pipelined request whose head begins in the same read
as the end of the request before it, whose first read is not counted (pipelining is rare,
nginx and browsers do not do it, and that read is bounded by the event loop's read size).

Without httptools installed, ``http_protocol()`` falls back to h11, which applies the same
limit itself (``h11_max_incomplete_event_size``, answering 400), only more loosely: h11 checks
the size of what it buffered only when a read did not complete the head.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.config import Config
from uvicorn.server import ServerState

__all__ = ["HEAD_TOO_LARGE", "http_protocol"]

#: The answer to a request head over the limit (the connection is closed after it).
HEAD_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: 31\r\n"
    b"connection: close\r\n"
    b"\r\n"
    b"Request header fields too large"
)

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools not installed: h11 below
    HttpToolsProtocol = None  # type: ignore[assignment,misc]


def http_protocol() -> str:
    """uvicorn's ``http`` option: the bounded httptools protocol, or h11 without httptools."""
    return "h11" if HttpToolsProtocol is None else f"{__name__}:BoundedHttpToolsProtocol"


if HttpToolsProtocol is not None:

    class BoundedHttpToolsProtocol(HttpToolsProtocol):
        """uvicorn's httptools protocol, refusing a request head larger than the limit
        (``h11_max_incomplete_event_size``, the one setting both protocols read)."""

        def __init__(self, config: Config, server_state: ServerState,
                     app_state: dict[str, Any],
                     _loop: asyncio.AbstractEventLoop | None = None) -> None:
            super().__init__(config, server_state, app_state, _loop)
            #: The largest request head, in bytes (request line, headers, the empty line).
            self.max_head = config.h11_max_incomplete_event_size or 16 * 1024
            #: Whether the bytes fed next belong to a request head, and how many of the
            #: current head the parser has been fed.
            self.in_head = True
            self.head_bytes = 0
            #: Requests completed on this connection: tells whether a new head began
            #: inside the bytes just fed.
            self.completed = 0

        def data_received(self, data: bytes | memoryview) -> None:
            while self.in_head:
                # Feed the parser no more of a head than the limit allows; what is left of
                # ``data`` is fed once the head is complete (a view: nothing is copied).
                room = self.max_head - self.head_bytes
                if len(data) > room:
                    data = memoryview(data)
                piece = data[:room]
                completed = self.completed
                super().data_received(piece)  # type: ignore[arg-type]
                if self.transport.is_closing():
                    return  # refused by the parser (400), or closed
                if self.in_head and completed == self.completed:
                    # Every byte of ``piece`` was head: the head is still incomplete.
                    self.head_bytes += len(piece)
                    if self.head_bytes >= self.max_head:
                        self.refuse_head()
                        return
                data = data[len(piece):]
                if not data:
                    return
            super().data_received(data)  # type: ignore[arg-type]

        def refuse_head(self) -> None:
            self.logger.warning("Request head over %d bytes: refused (431).", self.max_head)
            self.transport.write(HEAD_TOO_LARGE)
            self.transport.close()

        def on_headers_complete(self) -> None:
            self.in_head = False
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            self.in_head = True
            self.head_bytes = 0
            self.completed += 1
            super().on_message_complete()
