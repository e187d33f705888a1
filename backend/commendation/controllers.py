"""HTTP for commendation: eligibility, inspections, quota runs, nominations, dossiers."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from backend.commendation import dossier_page, services
from backend.commendation.schemas import (
    DecisionIn,
    DossierOut,
    EligibilityOut,
    InspectionIn,
    NominateIn,
    NominationOut,
    RunIn,
    RunOut,
    UnitSeatsOut,
)
from backend.core.clock import local_date
from backend.core.context import RequestContext
from backend.core.errors import Forbidden
from backend.core.export import XLSX, download
from backend.core.http import Year
from backend.core.scope import Actor
from backend.fieldwork.schemas import VersionIn

__all__ = ["CommendationController"]

_PRINT_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"}


class CommendationController(Controller):
    path = "/api/commendation"
    tags = ["commendation 评优表彰"]

    @get("/eligibility")
    async def eligibility(
        self, actor: NamedDependency[Actor], year: Year = None,
        township: Annotated[str | None, QueryParameter(pattern=r"^\d{9}$")] = None,
        tier: Annotated[Literal["deep", "key", "ordinary"] | None, QueryParameter()] = None,
        eligible: FromQuery[bool | None] = None,
    ) -> list[EligibilityOut]:
        """Cadres the caller reviews, with why each is or is not eligible; by village, name.

        Filters: one ``township`` (9-digit code), villages of one ``tier``, ``eligible`` or not.
        """
        return await services.eligibility_list(actor.scope, year or local_date().year,
                                               township=township, tier=tier, eligible=eligible)

    @get("/eligibility/me")
    async def my_eligibility(self, actor: NamedDependency[Actor],
                             year: Year = None) -> EligibilityOut:
        """The caller's own eligibility and its reasons."""
        return await services.my_eligibility(actor, year or local_date().year)

    @post("/inspections", status_code=HTTP_204_NO_CONTENT)
    async def record_inspection(self, data: JSONBody[InspectionIn],
                                actor: NamedDependency[Actor],
                                ctx: NamedDependency[RequestContext]) -> None:
        """The county records an inspection finding (an unexcused absence bars eligibility)."""
        await services.record_inspection(ctx, actor, data)

    @get("/runs")
    async def list_runs(self, actor: NamedDependency[Actor],
                        year: Year = None) -> list[RunOut]:
        return await services.list_runs(actor.scope, year)

    @post("/runs", status_code=HTTP_201_CREATED)
    async def create_run(self, data: JSONBody[RunIn], actor: NamedDependency[Actor],
                         ctx: NamedDependency[RequestContext]) -> RunOut:
        """Apportion the year's quotas (ratios per tier) or awards (weights per tier)."""
        if not actor.scope.admin_counties:
            raise Forbidden()
        return await services.create_run(ctx, actor, data)

    @post("/runs/{run_id:uuid}/publish", status_code=HTTP_200_OK)
    async def publish(self, run_id: FromPath[uuid.UUID], data: JSONBody[VersionIn],
                      actor: NamedDependency[Actor],
                      ctx: NamedDependency[RequestContext]) -> RunOut:
        """Publish a run; each unit's reviewers hear of their seats in the inbox."""
        return await services.publish_run(ctx, actor, run_id, data.version)

    @get("/runs/{run_id:uuid}/nominations")
    async def nominations(self, run_id: FromPath[uuid.UUID],
                          actor: NamedDependency[Actor]) -> list[NominationOut]:
        return await services.list_nominations(actor.scope, run_id)

    @get("/runs/{run_id:uuid}/seats")
    async def seats(self, run_id: FromPath[uuid.UUID],
                    actor: NamedDependency[Actor]) -> list[UnitSeatsOut]:
        """Each unit's seats, nominated, accepted and left (a reviewer sees their own units)."""
        return await services.run_seats(actor.scope, run_id)

    @post("/runs/{run_id:uuid}/nominations", status_code=HTTP_200_OK)
    async def nominate(self, run_id: FromPath[uuid.UUID], data: JSONBody[NominateIn],
                       actor: NamedDependency[Actor],
                       ctx: NamedDependency[RequestContext]) -> list[NominationOut]:
        """A unit nominates eligible cadres within its seats."""
        return await services.nominate(ctx, actor, run_id, data.cadre_ids)

    @post("/nominations/{nomination_id:uuid}/decide", status_code=HTTP_200_OK)
    async def decide(self, nomination_id: FromPath[uuid.UUID], data: JSONBody[DecisionIn],
                     actor: NamedDependency[Actor],
                     ctx: NamedDependency[RequestContext]) -> NominationOut:
        """The county accepts or declines a nomination."""
        return await services.decide(ctx, actor, nomination_id, data.accept)

    @get("/runs/{run_id:uuid}/final.xlsx", media_type=XLSX)
    async def final_xlsx(self, run_id: FromPath[uuid.UUID],
                         actor: NamedDependency[Actor]) -> Response[bytes]:
        """The accepted list as XLSX (Chinese headers)."""
        return download(await services.final_xlsx(actor.scope, run_id), f"final-{run_id}.xlsx")

    @get("/units/{unit_code:str}/dossiers.xlsx", media_type=XLSX)
    async def unit_dossiers(self, unit_code: FromPath[str], actor: NamedDependency[Actor],
                            year: Year = None) -> Response[bytes]:
        """Every cadre of a township with their dossier figures, as XLSX."""
        data = await services.unit_dossiers_xlsx(actor.scope, unit_code,
                                                 year or local_date().year)
        return download(data, f"dossiers-{unit_code}.xlsx")

    @get("/units/{unit_code:str}/dossiers/print", media_type="text/html")
    async def unit_dossiers_print(self, unit_code: FromPath[str], actor: NamedDependency[Actor],
                                  year: Year = None,
                                  eligible: FromQuery[bool | None] = None) -> Response[str]:
        """A township's dossiers as one printable document, a page per cadre."""
        year = year or local_date().year
        dossiers = await services.unit_dossiers(actor.scope, unit_code, year, eligible)
        return Response(dossier_page.render_many(f"{unit_code} {year} 年度驻村工作档案", dossiers),
                        media_type="text/html", headers=_PRINT_HEADERS)

    @get("/dossiers/{cadre_id:uuid}")
    async def dossier(self, cadre_id: FromPath[uuid.UUID], actor: NamedDependency[Actor],
                      year: Year = None) -> DossierOut:
        """A cadre's year, assembled from what was recorded (never typed again)."""
        return await services.dossier(actor.scope, cadre_id, year or local_date().year)

    @get("/dossiers/{cadre_id:uuid}/print", media_type="text/html")
    async def dossier_print(self, cadre_id: FromPath[uuid.UUID], actor: NamedDependency[Actor],
                            year: Year = None) -> Response[str]:
        """The dossier as a printable page (print CSS, A4)."""
        d = await services.dossier(actor.scope, cadre_id, year or local_date().year)
        return Response(dossier_page.render(d), media_type="text/html",
                        headers=_PRINT_HEADERS)


