"""HTTP for field work: households; presence months, leave and talks."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.status_codes import HTTP_200_OK

from backend.core.context import RequestContext
from backend.core.errors import FieldError, ValidationFailed
from backend.core.scope import Actor
from backend.fieldwork import services
from backend.fieldwork.schemas import HouseholdImportReport, HouseholdOut

__all__ = ["HouseholdController"]


class HouseholdController(Controller):
    path = "/api/fieldwork/villages"
    tags = ["fieldwork 驻村工作"]

    @get("/{village_code:str}/households")
    async def list_households(self, village_code: FromPath[str],
                              actor: NamedDependency[Actor]) -> list[HouseholdOut]:
        """The village's households, by group and name."""
        return await services.list_households(actor.scope, village_code)

    @post("/{village_code:str}/households/import", status_code=HTTP_200_OK)
    async def import_households(self, village_code: FromPath[str],
                                request: Request[Any, Any, Any], actor: NamedDependency[Actor],
                                ctx: NamedDependency[RequestContext]) -> HouseholdImportReport:
        """Import the household register (CSV: external_id/户编号, head_name/户主,
        members/人口, group_name/村民组, tags/标签), all rows or none."""
        try:
            text = (await request.body()).decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationFailed(errors=[FieldError("file", "invalid")]) from None
        return await services.import_households(ctx, actor, village_code, text)
