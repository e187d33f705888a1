"""HTTP for sync: ``POST /api/sync/push`` and ``GET /api/sync/pull``."""

from __future__ import annotations

from typing import Annotated, Any, cast

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK

from backend.core.context import RequestContext
from backend.core.i18n import pick_lang
from backend.core.scope import Actor
from backend.sync import services
from backend.sync.schemas import PullOut, PushIn, PushOut

__all__ = ["SyncController"]


class SyncController(Controller):
    path = "/api/sync"
    tags = ["sync 离线同步"]

    # Each item's data is held to the body bounds in services._envelope, item by item.
    @post("/push", status_code=HTTP_200_OK, opt={"bounds_per_item": ("items", "data")})
    async def push(
        self,
        data: JSONBody[PushIn],
        actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
        request: Request[Any, Any, Any],
    ) -> PushOut:
        """Apply a batch of at most 500 records; one answer per item, in the order sent.

        ``applied`` (new version), ``duplicate`` (a resend: the original answer),
        ``conflict`` (stale ``base_version``: the server copy, nothing overwritten) or
        ``rejected`` (field errors; the other items still apply).
        """
        lang = pick_lang(request.headers.get("accept-language"))
        return PushOut(results=await services.push(ctx, actor, data.items, lang))

    @get("/pull")
    async def pull(
        self,
        actor: NamedDependency[Actor],
        since: Annotated[str | None, QueryParameter(max_length=80)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 500,
        snapshot: Annotated[bool, QueryParameter(
            description="the client takes a snapshot when its feed starts from nothing"
        )] = False,
    ) -> Response[PullOut]:
        """What changed for the caller after ``since`` (omit it the first time), with a new
        cursor; ``more`` says whether to ask again right away.

        With ``snapshot=true``, a first pull (no cursor, or one from before a restore) answers
        with a snapshot: the live records the caller may see in the compact form
        (``snapshot.blocks``), pages of up to 5,000, then the feed from the snapshot's end.
        """
        # The JSON of a PullOut, encoded by the service as it reads (sync/services.pull).
        out = await services.pull(actor, since, limit, snapshot=snapshot)
        return cast("Response[PullOut]", Response(out, media_type=MediaType.JSON))
