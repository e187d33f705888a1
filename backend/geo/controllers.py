"""HTTP for geo: the division tree, tiers, fences and CSV import."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK

from backend.core.context import RequestContext
from backend.core.errors import Forbidden
from backend.core.imports import template_response, upload_bytes
from backend.core.scope import Actor
from backend.geo import services
from backend.geo.schemas import DivisionOut, FenceIn, ImportReport, TierIn, TierLabelsIn

__all__ = ["GeoController"]

Level = Literal["province", "prefecture", "county", "township", "village"]


class GeoController(Controller):
    path = "/api/geo"
    tags = ["geo 行政区划"]

    @get("/divisions")
    async def list_divisions(
        self,
        actor: NamedDependency[Actor],
        parent: Annotated[str | None, QueryParameter(pattern=r"^\d{6,12}$")] = None,
        level: FromQuery[Level | None] = None,
    ) -> list[DivisionOut]:
        """Current divisions in the caller's scope, by code."""
        return await services.list_divisions(actor.scope, parent, level)

    @get("/divisions/template")
    async def division_template(self, actor: NamedDependency[Actor]) -> Response[bytes]:
        """An XLSX to fill in for the division import (Chinese headers, examples, notes)."""
        return template_response(
            "区划导入模板",
            "divisions-template",
            ["区划代码", "名称", "级别", "上级代码", "帮扶类别", "启用日期", "停用日期",
             "纬度", "经度", "半径米"],
            [["529901001", "示例镇", "乡镇", "529901", "一般", "2026-01-01", "", "", "", ""],
             ["529901001201", "示例村", "村", "529901001", "深度贫困", "2026-01-01", "",
              "26.41", "107.91", "1500"]],
            [
                "第一张表的第一行是表头，从第二行起每行一个区划；示例行请删除后再导入。",
                "必填：区划代码、名称、级别（县、乡镇、街道、村、社区）。",
                "区划代码：县 6 位、乡镇 9 位、村 12 位统计用区划代码。"
                "上级代码可不填，由代码推出。",
                "帮扶类别：深度贫困、重点、一般（不填为一般）。日期格式 YYYY-MM-DD。",
                "纬度、经度为 WGS-84（手机定位、北斗/GPS）的十进制度；"
                "半径米为围栏半径，村默认 1500。",
                "导入先预览：全部检查、不写入；"
                "有任何一行有误则整份不导入，并列出每一行每一列的问题。",
            ],
        )

    @put("/counties/{county_code:str}/tier-labels")
    async def set_tier_labels(
        self,
        county_code: FromPath[str],
        data: JSONBody[TierLabelsIn],
        actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
    ) -> DivisionOut:
        """County admins name their tiers (the words shown with every division's tier)."""
        return await services.set_tier_labels(ctx, actor.scope, county_code, data)

    @get("/divisions/{code:str}")
    async def read_division(
        self, code: FromPath[str], actor: NamedDependency[Actor]
    ) -> DivisionOut:
        return await services.read_division(actor.scope, code)

    @patch("/divisions/{code:str}/tier")
    async def set_tier(
        self,
        code: FromPath[str],
        data: JSONBody[TierIn],
        actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
    ) -> DivisionOut:
        """County admins set a division's assistance tier."""
        return await services.set_tier(ctx, actor.scope, code, data.tier)

    @patch("/divisions/{code:str}/fence")
    async def set_fence(
        self,
        code: FromPath[str],
        data: JSONBody[FenceIn],
        actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
    ) -> DivisionOut:
        """County admins set a village geofence, picked on any map (stored as WGS-84)."""
        return await services.set_fence(ctx, actor.scope, code, data)

    @post("/divisions/import", status_code=HTTP_200_OK)
    async def import_divisions(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
        dry_run: FromQuery[bool] = False,
    ) -> ImportReport:
        """Import a county's divisions from CSV (UTF-8 or GB18030) or XLSX, the file as the
        body; all rows or none, every bad row named by row and column. ``dry_run=true``
        previews: the same checks and counts, nothing written.

        Columns: code/区划代码, name/名称, level/级别, parent_code/上级代码, tier/帮扶类别,
        valid_from/启用日期, valid_to/停用日期, center_lat/纬度, center_lon/经度, radius_m/半径米,
        polygon/边界 (GeoJSON).
        """
        if not actor.scope.admin_counties:
            raise Forbidden()
        data = await upload_bytes(request)
        return await services.import_divisions(ctx, actor.scope, data, dry_run=dry_run)
