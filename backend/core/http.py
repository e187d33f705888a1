"""HTTP plumbing shared by every capability's controllers: request ids and dependencies."""

from __future__ import annotations

import ipaddress
import re
import time
import uuid
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any

from litestar.di import NamedDependency
from litestar.params import QueryParameter

from backend.core import metrics
from backend.core.bounds import check_parameters
from backend.core.context import RequestContext
from backend.core.errors import Forbidden, Unauthorized
from backend.core.logs import REQUEST_ID
from backend.core.scope import Actor
from backend.core.settings import Settings

if TYPE_CHECKING:
    from litestar import Request
    from litestar.connection import ASGIConnection
    from litestar.handlers import BaseRouteHandler
    from litestar.types import ASGIApp, Message, Receive, Scope, Send


__all__ = [
    "Year",
    "check_password_change",
    "check_request",
    "client_address",
    "provide_actor",
    "provide_ctx",
    "request_middleware",
]

#: A ``year`` query parameter: Zhucun's records begin with the 2018 notice.
Year = Annotated[int | None, QueryParameter(ge=2018, le=2100)]

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


#: Methods counted by name; any other (a scanner's ``PROPFIND``) is counted as ``OTHER``, so
#: a client cannot grow the series without bound.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: The route label of a request no route matched (404, 405 and the like).
UNMATCHED = "(unmatched)"


def request_middleware(app: ASGIApp) -> ASGIApp:
    """What every request gets, in one layer around the whole application (``create_app``
    wraps Litestar's handler with it, so the answers given before any route runs — 401, 404,
    405 — get it too): an id (a sane incoming X-Request-ID is kept), echoed back in
    X-Request-ID and carried by the log lines of the request; and its count and latency in the
    Prometheus metrics (``core/metrics``), by method, route template (``(unmatched)`` when no
    route matched) and status (``/metrics`` itself is not counted)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        incoming = ""
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        REQUEST_ID.set(request_id)
        echo = (b"x-request-id", request_id.encode("latin-1"))
        status = 500  # unless an answer starts

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *(h for h in message.get("headers", ()) if h[0].lower() != b"x-request-id"),
                    echo,
                ]
            await send(message)

        if scope["path"] == "/metrics":
            await app(scope, receive, send_with_id)
            return
        method: str = scope["method"]  # type: ignore[typeddict-item]
        if method not in _METHODS:
            method = "OTHER"
        started = time.perf_counter()
        gauge = metrics.request_started(method)
        try:
            await app(scope, receive, send_with_id)
        finally:
            path = scope.get("path_template") or UNMATCHED  # set by routing, when a route matched
            metrics.request_ended(method, path, status, time.perf_counter() - started, gauge)

    return middleware


@lru_cache(maxsize=16)
def _networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network,
                                                 ...]:
    out = []
    for p in proxies:
        try:
            out.append(ipaddress.ip_network(p, strict=False))
        except ValueError:
            continue  # a name (a unix socket peer, the test client): compared as text
    return tuple(out)


@lru_cache(maxsize=4096)
def _ip(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def _trusted(peer: str, proxies: tuple[str, ...]) -> bool:
    if peer in proxies:
        return True
    ip = _ip(peer)
    return ip is not None and any(ipaddress.ip_address(ip) in n for n in _networks(proxies))


def client_address(scope: Scope | dict[str, Any], settings: Settings) -> str | None:
    """The client's address: the peer, or — only when the peer is a trusted proxy (the nginx
    of deploy/) — the address that proxy put in ``client_ip_header`` (X-Real-IP). A client
    cannot choose its address by sending the header itself."""
    client = scope.get("client")
    if not client:
        return None
    peer = str(client[0])
    if not _trusted(peer, tuple(settings.trusted_proxies)):
        return _ip(peer) or peer
    name = settings.client_ip_header.lower().encode("latin-1")
    values = [v for k, v in scope.get("headers", []) if k.lower() == name]
    if len(values) != 1:
        return _ip(peer) or peer
    return _ip(values[0].decode("latin-1")) or _ip(peer) or peer


def provide_ctx(
    request: Request[Any, Any, Any], settings: NamedDependency[Settings]
) -> RequestContext:
    """Who (when signed in), from where and in which request: what audit events record."""
    user = request.scope.get("user")
    return RequestContext(
        user_id=user.user_id if isinstance(user, Actor) else None,
        request_id=request.scope.get("state", {}).get("request_id"),
        ip=client_address(request.scope, settings),
    )


def provide_actor(
    request: Request[Any, Any, Any], ctx: NamedDependency[RequestContext]
) -> Actor:
    """The signed-in caller, or 401.

    It takes ``ctx`` (as ``provide_ctx`` takes ``settings``) so that a handler's dependencies
    form one chain, settings → ctx → actor: Litestar resolves dependencies that do not depend
    on one another in an anyio task group, a task each (litestar#4563), which cost a push
    about a tenth of its CPU for two plain functions. Chained, each is called in turn. The tests
    (``tests/api/test_dependencies.py``) hold every route to one dependency a step."""
    user = request.scope.get("user")
    if ctx.user_id is None or not isinstance(user, Actor):
        raise Unauthorized()
    return user


async def check_request(request: Request[Any, Any, Any]) -> None:
    """Every check a request must pass before its handler, in order: its query and path
    parameters held to the text rules (``core/bounds.check_parameters``), then the password
    change (``check_password_change``). The app's ``before_request``, not a guard: Litestar
    copies the route handler for every guard it runs, on every request. A coroutine: Litestar
    would run a plain function in a worker thread, a thread hop on every request."""
    check_parameters(request)
    check_password_change(request, request.route_handler)


def check_password_change(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """With a temporary password, only the password change (handlers with
    ``opt={"password_change": True}``) and logout answer; everything else is 403
    ``password_change_required``."""
    user = connection.scope.get("user")
    if (
        isinstance(user, Actor)
        and user.must_change_password
        and not handler.opt.get("password_change")
    ):
        raise Forbidden("password_change_required")
