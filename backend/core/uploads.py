"""Uploads that cannot exhaust memory: a per-process cap on uploads at once, and bodies
streamed to a temporary file through a small buffer while hashed and measured.

A photo body is never held whole in memory while it arrives; past ``max_bytes`` the upload
is refused at once (413), a client that stops sending is dropped after ``idle_seconds``
(408), and past the cap of uploads at once the answer is 503 with ``Retry-After``.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

import anyio

from backend.core.errors import DomainError, PayloadTooLarge, ServiceUnavailable

if TYPE_CHECKING:
    from litestar import Request

__all__ = [
    "MEMORY_BUFFER_BYTES",
    "RequestTimeout",
    "SpooledBody",
    "UploadSlots",
    "spool_body",
    "spool_chunks",
]

#: At most this much of one body is kept in memory; the rest goes to a temporary file.
MEMORY_BUFFER_BYTES = 256 * 1024


class RequestTimeout(DomainError):
    status = 408
    code = "request_timeout"


class UploadSlots:
    """At most ``limit`` uploads handled at once in this process; one more gets 503."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_use = 0
        self.peak = 0

    @contextmanager
    def take(self) -> Iterator[None]:
        if self.in_use >= self.limit:
            raise ServiceUnavailable("uploads_busy", headers={"Retry-After": "10"})
        self.in_use += 1
        self.peak = max(self.peak, self.in_use)
        try:
            yield
        finally:
            self.in_use -= 1


@dataclass
class SpooledBody:
    """A received body: a file positioned at 0, its size and SHA-256."""

    file: IO[bytes]
    size: int
    sha256: str

    def read(self) -> bytes:
        self.file.seek(0)
        return self.file.read()

    def close(self) -> None:
        self.file.close()

    @property
    def in_memory_bytes(self) -> int:
        """Bytes of the body held in memory (0 once rolled over to disk)."""
        rolled = getattr(self.file, "_rolled", True)
        return 0 if rolled else self.size


async def spool_chunks(
    chunks: AsyncIterator[bytes], *, max_bytes: int, idle_seconds: float
) -> SpooledBody:
    """Write chunks to a spooled temporary file, hashing and counting as they come."""
    file: Any = tempfile.SpooledTemporaryFile(max_size=MEMORY_BUFFER_BYTES)  # noqa: SIM115
    digest = hashlib.sha256()
    size = 0
    try:
        while True:
            with anyio.move_on_after(idle_seconds) as waited:
                chunk = await anext(chunks, None)
            if waited.cancelled_caught:
                raise RequestTimeout()
            if chunk is None:
                break
            size += len(chunk)
            if size > max_bytes:
                raise PayloadTooLarge(limit=f"{max_bytes // (1024 * 1024)} MB")
            digest.update(chunk)
            file.write(chunk)
    except BaseException:
        file.close()
        raise
    file.seek(0)
    return SpooledBody(file, size, digest.hexdigest())


async def spool_body(
    request: Request[Any, Any, Any], *, max_bytes: int, idle_seconds: float
) -> SpooledBody:
    """The request's body, streamed (see ``spool_chunks``)."""
    return await spool_chunks(request.stream(), max_bytes=max_bytes, idle_seconds=idle_seconds)
