"""HTTP for audit: county admins read their county's events and check the chain."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated
from zoneinfo import ZoneInfo

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from backend.accounts import services as accounts
from backend.accounts.roster import services as roster
from backend.audit import services
from backend.audit.schemas import AuditEventOut, VerifyOut
from backend.core.errors import Forbidden
from backend.core.scope import Actor

__all__ = ["AuditController"]

_SHANGHAI = ZoneInfo("Asia/Shanghai")
Text = Annotated[str | None, QueryParameter(max_length=64)]


def _day_start(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime.combine(day, dt.time.min, tzinfo=_SHANGHAI) if day else None


class AuditController(Controller):
    path = "/api/audit"
    tags = ["audit 审计"]

    @get("/events")
    async def list_events(
        self,
        actor: NamedDependency[Actor],
        object_kind: Text = None,
        object_id: Text = None,
        person_id: Annotated[uuid.UUID | None, QueryParameter()] = None,
        action: Text = None,
        since: Annotated[dt.date | None, QueryParameter(description="from this local day")] = None,
        until: Annotated[
            dt.date | None, QueryParameter(description="up to this local day, inclusive")
        ] = None,
        before_id: Annotated[int | None, QueryParameter(ge=1)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> list[AuditEventOut]:
        """Events of the caller's counties, newest first; the next page is ``before_id`` =
        the last id of this one. Filters: person (who acted, or whom or whose posting it
        concerned), object,
        action prefix, and local days."""
        if not actor.scope.admin_counties:
            raise Forbidden()
        postings = await roster.posting_ids(person_id) if person_id else []
        rows = await services.list_events(
            actor.scope.admin_counties, object_kind, object_id, limit,
            person_id=person_id, person_objects=tuple(str(p) for p in postings),
            action=action, since=_day_start(since),
            until=_day_start(until + dt.timedelta(days=1)) if until else None,
            before_id=before_id,
        )
        names = await accounts.user_names({r["actor_id"] for r in rows if r["actor_id"]})
        return [
            AuditEventOut(
                id=r["id"],
                at=r["at"],
                actor_id=r["actor_id"],
                actor_name=names.get(r["actor_id"]) if r["actor_id"] else None,
                action=r["action"],
                object_kind=r["object_kind"],
                object_id=r["object_id"],
                county_code=r["county_code"],
                before=r["before"],
                after=r["after"],
                reason=r["reason"],
                request_id=r["request_id"],
            )
            for r in rows
        ]

    @get("/verify")
    async def verify(self, actor: NamedDependency[Actor]) -> VerifyOut:
        """Walk the whole hash chain. The answer counts the caller's county's events and names
        the first broken row only when it is one of them."""
        counties = actor.scope.admin_counties
        if not counties:
            raise Forbidden()
        report = await services.verify()
        broken = report.broken
        mine = broken is not None and await services.county_of(broken.row_id) in counties
        return VerifyOut(
            ok=report.ok,
            checked=await services.county_events(counties),
            broken_row=broken.row_id if broken and mine else None,
            reason=(broken.reason if mine else "the chain breaks at an event of another county")
            if broken else None,
        )
