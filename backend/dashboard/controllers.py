"""HTTP for dashboards (county admins: their county; township reviewers: their township)."""

from __future__ import annotations

from typing import Annotated, Literal

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter

from backend.core.export import CSV, XLSX, download
from backend.core.scope import Actor
from backend.dashboard import services
from backend.dashboard.schemas import DashboardOut

__all__ = ["DashboardController"]

Tier = Literal["deep", "key", "ordinary"]
Month = Annotated[str | None, QueryParameter(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


class DashboardController(Controller):
    path = "/api/dashboard"
    tags = ["dashboard 数据看板"]

    @get("/")
    async def dashboard(self, actor: NamedDependency[Actor], month: Month = None,
                        tier: FromQuery[Tier | None] = None) -> DashboardOut:
        """Villages and townships of the caller's scope for a month, with a 12-month trend."""
        return await services.dashboard(actor.scope, month, tier)

    @get("/export.xlsx", media_type=XLSX)
    async def export_xlsx(self, actor: NamedDependency[Actor], month: Month = None,
                          tier: FromQuery[Tier | None] = None) -> Response[bytes]:
        """Every table of the dashboard as XLSX (Chinese and English headers)."""
        d = await services.dashboard(actor.scope, month, tier)
        return download(services.export_xlsx(d), f"dashboard-{d.month}.xlsx")

    @get("/export.csv", media_type=CSV)
    async def export_csv(self, actor: NamedDependency[Actor], month: Month = None,
                         tier: FromQuery[Tier | None] = None,
                         level: FromQuery[Literal["village", "township"]] = "village",
                         ) -> Response[bytes]:
        """One table of the dashboard as CSV (UTF-8 with BOM)."""
        d = await services.dashboard(actor.scope, month, tier)
        return download(services.export_csv(d, level), f"dashboard-{level}-{d.month}.csv", CSV)
