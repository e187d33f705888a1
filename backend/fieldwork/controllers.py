"""HTTP for field work: households; presence months, leave and talks."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from pydantic import BaseModel

from backend.core.clock import local_date
from backend.core.context import RequestContext
from backend.core.http import Year
from backend.core.imports import template_response, upload_bytes
from backend.core.scope import Actor
from backend.fieldwork import leave, presence, services, talks
from backend.fieldwork.schemas import (
    HouseholdImportReport,
    HouseholdOut,
    LeaveDecisionIn,
    LeaveOut,
    MonthOut,
    ReasonIn,
    SheetOut,
    SubmitIn,
    TalkIn,
    TalkOut,
    VersionIn,
)

__all__ = ["HouseholdController", "LeaveController", "PresenceController", "TalkController"]

SheetState = Literal["draft", "submitted", "confirmed", "returned"]
LeaveState = Literal["pending", "approved", "rejected", "cancelled"]


class CadreOut(BaseModel):
    cadre_id: uuid.UUID
    name: str
    village_code: str


class HouseholdController(Controller):
    path = "/api/fieldwork/villages"
    tags = ["fieldwork 驻村工作"]

    @get("/households/template")
    async def household_template(self, actor: NamedDependency[Actor]) -> Response[bytes]:
        """An XLSX to fill in for a village's household register (Chinese headers, notes)."""
        return template_response(
            "农户登记导入模板",
            "households-template",
            ["户编号", "户主", "人口", "村民组", "标签"],
            [["H001", "王大山", 4, "一组", "脱贫户、监测户"], ["H002", "李小花", 2, "二组", ""]],
            [
                "第一张表的第一行是表头，从第二行起每行一户；示例行请删除后再导入。",
                "必填：户编号（本村内唯一）、户主。人口为 1 到 50 的整数（不填为 1）。",
                "标签可填多个，用顿号、逗号或分号隔开。再次导入同一户编号即更新该户。",
                "导入先预览：全部检查、不写入；有任何一行有误则整份不导入。",
            ],
        )

    @get("/{village_code:str}/households")
    async def list_households(
        self, village_code: FromPath[str], actor: NamedDependency[Actor]
    ) -> list[HouseholdOut]:
        """The village's households, by group and name."""
        return await services.list_households(actor.scope, village_code)

    @post("/{village_code:str}/households/import", status_code=HTTP_200_OK)
    async def import_households(
        self,
        village_code: FromPath[str],
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
        dry_run: FromQuery[bool] = False,
    ) -> HouseholdImportReport:
        """Import the household register, the file (CSV or XLSX) as the body: external_id/户编号,
        head_name/户主, members/人口, group_name/村民组, tags/标签; all rows or none, every bad
        row named by row and column. ``dry_run=true`` previews and writes nothing."""
        data = await upload_bytes(request)
        return await services.import_households(
            ctx, actor, village_code, data, dry_run=dry_run
        )


class PresenceController(Controller):
    path = "/api/fieldwork/presence"
    tags = ["fieldwork 驻村工作"]

    @get("/{cadre_id:uuid}/{month:str}")
    async def month(
        self, cadre_id: FromPath[uuid.UUID], month: FromPath[str], actor: NamedDependency[Actor]
    ) -> MonthOut:
        """A cadre's month (驻村天数): stated days, else drafted from logs and approved leave."""
        return await presence.month_view(actor.scope, cadre_id, month)

    @post("/submit", status_code=HTTP_200_OK)
    async def submit(
        self,
        data: JSONBody[SubmitIn],
        actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
    ) -> MonthOut:
        """Submit one's own month; its days are frozen for the township to confirm."""
        return await presence.submit_month(ctx, actor, data.month)

    @get("/sheets")
    async def queue(
        self,
        actor: NamedDependency[Actor],
        sheet_state: Annotated[SheetState | None, QueryParameter(name="state")] = None,
        month: FromQuery[str | None] = None,
    ) -> list[SheetOut]:
        """Presence sheets the caller reviews, by village and name."""
        return await presence.sheet_queue(actor.scope, sheet_state, month)

    @post("/sheets/{sheet_id:uuid}/confirm", status_code=HTTP_200_OK)
    async def confirm(
        self,
        sheet_id: FromPath[uuid.UUID],
        data: JSONBody[VersionIn],
        actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
    ) -> SheetOut:
        """Confirm a submitted month (township reviewer or county admin; never one's own)."""
        return await presence.confirm_sheet(ctx, actor, sheet_id, data.version)

    @post("/sheets/{sheet_id:uuid}/return", status_code=HTTP_200_OK)
    async def return_(
        self,
        sheet_id: FromPath[uuid.UUID],
        data: JSONBody[ReasonIn],
        actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
    ) -> SheetOut:
        """Return a submitted month with a reason; the cadre corrects it and submits again."""
        return await presence.return_sheet(ctx, actor, sheet_id, data.version, data.reason)


class LeaveController(Controller):
    path = "/api/fieldwork/leave"
    tags = ["fieldwork 驻村工作"]

    @get("/")
    async def queue(
        self,
        actor: NamedDependency[Actor],
        leave_state: Annotated[LeaveState | None, QueryParameter(name="state")] = None,
    ) -> list[LeaveOut]:
        """Leave requests of cadres in the caller's review scope (requests come by sync)."""
        return await leave.leave_queue(actor.scope, leave_state)

    @post("/{leave_id:uuid}/decide", status_code=HTTP_200_OK)
    async def decide(
        self,
        leave_id: FromPath[uuid.UUID],
        data: JSONBody[LeaveDecisionIn],
        actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
    ) -> LeaveOut:
        """Approve or reject: the township up to its limit (3 days), the county above."""
        return await leave.decide_leave(
            ctx, actor, leave_id, data.approve, data.note, data.version
        )


class TalkController(Controller):
    path = "/api/fieldwork/talks"
    tags = ["fieldwork 驻村工作"]

    @get("/")
    async def list_talks(
        self, actor: NamedDependency[Actor], year: Year = None
    ) -> list[TalkOut]:
        """Talks of the year in the caller's scope (a cadre sees their own)."""
        return await talks.list_talks(actor.scope, year or local_date().year)

    @post("/", status_code=HTTP_201_CREATED)
    async def record(
        self,
        data: JSONBody[TalkIn],
        actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
    ) -> TalkOut:
        """Record a heart-to-heart talk (谈心谈话) with a cadre of the township."""
        return await talks.record_talk(ctx, actor, data)

    @get("/missing")
    async def missing(
        self, actor: NamedDependency[Actor], year: Year = None
    ) -> list[CadreOut]:
        """Cadres posted in the caller's scope with no talk yet this year, by village and name."""
        cadres = await talks.cadres_without_talk(actor.scope, year or local_date().year)
        return [
            CadreOut(cadre_id=c.cadre_id, name=c.name, village_code=c.village_code) for c in cadres
        ]
