"""HTTP plumbing shared by every capability's controllers: request ids and dependencies."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Annotated, Any

from litestar.datastructures import MutableScopeHeaders
from litestar.params import QueryParameter

from backend.core.context import RequestContext
from backend.core.errors import Unauthorized
from backend.core.logs import REQUEST_ID
from backend.core.scope import Actor

if TYPE_CHECKING:
    from litestar import Request
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["Year", "provide_actor", "provide_ctx", "request_id_middleware"]

#: A ``year`` query parameter: Zhucun's records begin with the 2018 notice.
Year = Annotated[int | None, QueryParameter(ge=2018, le=2100)]

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    """Give every request an id (or keep a sane incoming X-Request-ID) and echo it back."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        REQUEST_ID.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableScopeHeaders.from_message(message)["X-Request-ID"] = request_id
            await send(message)

        await app(scope, receive, send_with_id)

    return middleware


def provide_ctx(request: Request[Any, Any, Any]) -> RequestContext:
    user = request.scope.get("user")
    client = request.client
    return RequestContext(
        user_id=user.user_id if isinstance(user, Actor) else None,
        request_id=request.scope.get("state", {}).get("request_id"),
        ip=client.host if client else None,
    )


def provide_actor(request: Request[Any, Any, Any]) -> Actor:
    user = request.scope.get("user")
    if not isinstance(user, Actor):
        raise Unauthorized()
    return user
