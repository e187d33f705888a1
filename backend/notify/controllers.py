"""HTTP for Web Push: the server's key and the browser's subscription (the inbox is synced)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from backend.core.scope import Actor
from backend.core.settings import Settings
from backend.notify import services
from backend.notify.schemas import PushKeyOut, SubscriptionIn, SubscriptionOut, UnsubscribeIn

__all__ = ["PushController"]


class PushController(Controller):
    path = "/api/notify/push"
    tags = ["notify 通知"]

    @get("/key")
    async def public_key(self, actor: NamedDependency[Actor],
                         settings: NamedDependency[Settings]) -> PushKeyOut:
        """The VAPID application server key to subscribe with; 404 when push is not configured
        (the inbox still arrives through sync)."""
        return PushKeyOut(public_key=services.push_public_key(settings))

    @post("/subscriptions", status_code=HTTP_201_CREATED)
    async def subscribe(self, data: JSONBody[SubscriptionIn], actor: NamedDependency[Actor],
                        settings: NamedDependency[Settings],
                        request: Request[Any, Any, Any]) -> SubscriptionOut:
        """Register this browser's push subscription (``PushSubscription.toJSON()``) for the
        caller; sending it again refreshes it."""
        return await services.subscribe(actor, settings, data,
                                        request.headers.get("user-agent", ""))

    @delete("/subscriptions", status_code=HTTP_204_NO_CONTENT)
    async def unsubscribe(self, data: JSONBody[UnsubscribeIn],
                          actor: NamedDependency[Actor]) -> None:
        """Remove one of the caller's own subscriptions by its endpoint."""
        await services.unsubscribe(actor, data.endpoint)
