"""HTTP for geo: the division tree, tiers, fences and CSV import."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK

from backend.core.context import RequestContext
from backend.core.errors import Forbidden
from backend.core.imports import upload_bytes
from backend.core.scope import Actor
from backend.geo import services
from backend.geo.schemas import DivisionOut, FenceIn, ImportReport, TierIn

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
