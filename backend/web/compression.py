"""API answers compressed on the fly above a size threshold: Brotli, or gzip without ``br``.

Precompressed PWA files, images, archives and streamed exports pass through untouched: the
middleware only compresses text whose response is not already encoded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from litestar.config.compression import CompressionConfig
from litestar.middleware.compression import CompressionMiddleware

if TYPE_CHECKING:
    from litestar.types import Message, Send
    from litestar.types.asgi_types import Scope

__all__ = ["TextCompression", "compression_config", "is_compressible"]

#: Below this, the headers cost more than the bytes compression saves.
MINIMUM_SIZE = 1024
#: Brotli's quality 5 is about as fast as gzip 6 and some 15 % smaller on our JSON (11, as the
#: build uses for the PWA files, costs tens of milliseconds per answer).
BROTLI_QUALITY = 5

_TEXT_TYPES = ("application/json", "application/problem+json", "text/", "application/javascript")


def is_compressible(content_type: str) -> bool:
    """JSON, problem details and text; never images, XLSX or anything already compressed."""
    ct = content_type.lower()
    return any(ct.startswith(t) for t in _TEXT_TYPES) or ct.endswith("+json")


class TextCompression(CompressionMiddleware):
    """Litestar's compression, for text responses that carry no ``Content-Encoding`` yet."""

    def create_compression_send_wrapper(
        self, send: Send, compression_encoding: str, scope: Scope
    ) -> Send:
        compressing = super().create_compression_send_wrapper(
            send, compression_encoding, scope
        )
        passthrough = False

        async def wrapper(message: Message) -> None:
            nonlocal passthrough
            if message["type"] == "http.response.start":
                headers = {k.lower(): v for k, v in message.get("headers", [])}
                ctype = headers.get(b"content-type", b"").decode("latin-1")
                passthrough = b"content-encoding" in headers or not is_compressible(ctype)
            await (send if passthrough else compressing)(message)

        return wrapper


def compression_config() -> CompressionConfig:
    """Brotli when the client accepts ``br`` (every browser over HTTPS), else gzip (the ``brotli``
    package comes with Litestar's ``brotli`` extra)."""
    return CompressionConfig(
        backend="brotli",
        brotli_quality=BROTLI_QUALITY,
        brotli_mode="text",
        brotli_gzip_fallback=True,
        minimum_size=MINIMUM_SIZE,
        gzip_compress_level=6,
        middleware_class=TextCompression,
        exclude_opt_key="precompressed",
    )
