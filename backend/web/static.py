"""The built PWA from disk, in the encoding the phone accepts.

``npm run build`` writes ``x.br`` and ``x.gz`` beside every text file (scripts/precompress.mjs),
so nothing is compressed per request: the server only picks the smallest file the phone
accepts. Hashed files under ``/assets`` are cached for a year and never revalidated; the
shell (``index.html``) is fresh for five minutes and then revalidated; the service worker and
the manifest always revalidate (ETag → 304).
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from litestar import Request, Router, route
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import File, Response

__all__ = ["IMMUTABLE", "REVALIDATE", "SHELL", "accepted_encodings", "pwa_routes", "resolve"]

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
#: The shell (index.html), a kilobyte naming the hashed files. Within five minutes of the last
#: fetch a phone without a service worker (the in-app browsers of 政务钉钉 and WeChat) opens the
#: app from its HTTP cache with no round trip on a slow network (150 ms and more); after them
#: it asks again (ETag → 304). A deploy reaches such a phone at most five minutes later; the
#: service worker's copy is its own (it fetches index.html past the HTTP cache).
SHELL = "public, max-age=300"
#: Icons and other unhashed files: a day, then revalidated.
DAILY = "public, max-age=86400"

#: Preference order: Brotli is about 15 % smaller than gzip on our bundles.
_ENCODINGS = (("br", ".br"), ("gzip", ".gz"))

mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("text/javascript", ".js")


def accepted_encodings(header: str) -> set[str]:
    """The codings an ``Accept-Encoding`` header allows (``q=0`` excluded)."""
    accepted: set[str] = set()
    for part in header.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = params.strip().removeprefix("q=") if params.strip().startswith("q=") else "1"
        try:
            allowed = float(q) > 0
        except ValueError:
            allowed = False
        if name and allowed:
            accepted.add(name.strip())
    return accepted


@dataclass(frozen=True)
class Served:
    """The file to send for a request path: its bytes on disk and how they are encoded."""

    path: Path
    media_type: str
    encoding: str | None
    cache_control: str


def _cache_control(rel: PurePosixPath) -> str:
    if rel.parts and rel.parts[0] == "assets":
        return IMMUTABLE
    if rel.suffix == ".html":
        return SHELL
    if rel.suffix in {".js", ".webmanifest", ".json"}:
        return REVALIDATE
    return DAILY


def resolve(root: Path, file_path: str, accept_encoding: str) -> Served | None:
    """The file under ``root`` for ``file_path`` (``""`` is index.html), or None.

    Hidden paths (``.vite/``) and anything outside ``root`` are never served.
    """
    rel = PurePosixPath(file_path.lstrip("/") or "index.html")
    if any(part.startswith(".") or part == "" for part in rel.parts):
        return None
    base = root.resolve()
    plain = (base / rel).resolve()
    if not plain.is_relative_to(base) or not plain.is_file():
        return None
    media_type = mimetypes.guess_type(plain.name)[0] or "application/octet-stream"
    accepted = accepted_encodings(accept_encoding)
    for coding, suffix in _ENCODINGS:
        packed = plain.with_name(plain.name + suffix)
        if coding in accepted and packed.is_file():
            return Served(packed, media_type, coding, _cache_control(rel))
    return Served(plain, media_type, None, _cache_control(rel))


def _etag(served: Served) -> str:
    st = served.path.stat()
    return f'"{st.st_mtime_ns:x}-{st.st_size:x}-{served.encoding or "id"}"'


def _send(root: Path, file_path: str, request: Request) -> Response | File:
    served = resolve(root, file_path, request.headers.get("accept-encoding", ""))
    if served is None:
        raise NotFoundException(detail=f"no such file: /{file_path}")
    etag = _etag(served)
    headers = {"Cache-Control": served.cache_control, "Vary": "Accept-Encoding", "ETag": etag}
    if served.encoding:
        headers["Content-Encoding"] = served.encoding
    if request.headers.get("if-none-match") == etag:
        return Response(content=b"", status_code=304, headers=headers)
    return File(
        path=served.path,
        media_type=served.media_type,
        content_disposition_type="inline",
        filename=PurePosixPath(file_path or "index.html").name,
        headers=headers,
    )


def pwa_routes(pwa_dir: Path) -> list[Router]:
    """``/`` and every file of the built PWA, GET and HEAD, without authentication."""
    root = pwa_dir
    common: dict[str, Any] = {
        "include_in_schema": False,
        "exclude_from_auth": True,
        "http_method": ["GET", "HEAD"],
        "opt": {"precompressed": True},
        "sync_to_thread": False,
    }

    @route("/", name="pwa-index", **common)
    def pwa_index(request: Request) -> Response | File:
        return _send(root, "", request)

    @route("/{file_path:path}", name="pwa", **common)
    def pwa_file(request: Request, file_path: FromPath[str]) -> Response | File:
        return _send(root, file_path, request)

    return [Router(path="/", route_handlers=[pwa_index, pwa_file])]
