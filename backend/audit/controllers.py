"""HTTP for audit: county admins read their county's events and check the chain."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter

from backend.audit import services
from backend.audit.schemas import AuditEventOut, VerifyOut
from backend.core.errors import Forbidden
from backend.core.scope import Actor

__all__ = ["AuditController"]


class AuditController(Controller):
    path = "/api/audit"
    tags = ["audit 审计"]

    @get("/events")
    async def list_events(
        self,
        actor: NamedDependency[Actor],
        object_kind: FromQuery[str | None] = None,
        object_id: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> list[AuditEventOut]:
        """Events of the caller's counties, newest first."""
        if not actor.scope.admin_counties:
            raise Forbidden()
        rows = await services.list_events(actor.scope.admin_counties, object_kind, object_id, limit)
        return [AuditEventOut(**{k: r[k] for k in AuditEventOut.model_fields}) for r in rows]

    @get("/verify")
    async def verify(self, actor: NamedDependency[Actor]) -> VerifyOut:
        """Walk the whole hash chain and name the first broken row, if any."""
        if not actor.scope.admin_counties:
            raise Forbidden()
        report = await services.verify()
        return VerifyOut(
            ok=report.ok,
            checked=report.checked,
            broken_row=report.broken.row_id if report.broken else None,
            reason=report.broken.reason if report.broken else None,
        )
