"""HTTP for the roster (人员与派驻): county admins manage people, postings, roles, accounts;
township reviewers read their township's cadres."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from backend.accounts.roster import importer, services
from backend.accounts.roster.schemas import (
    CadreCreated,
    CadreIn,
    GrantIn,
    ImportReport,
    PeoplePage,
    PersonOut,
    PostingEndIn,
    PostingTransferIn,
    ReasonIn,
)
from backend.core.context import RequestContext
from backend.core.errors import Forbidden
from backend.core.export import CSV, XLSX, download
from backend.core.scope import Actor

__all__ = ["RosterController"]

Code = Annotated[str | None, QueryParameter(max_length=12, pattern=r"^\d{6,12}$")]


class RosterController(Controller):
    path = "/api/accounts/roster"
    tags = ["accounts 人员"]

    @get("/people")
    async def list_people(
        self,
        actor: NamedDependency[Actor],
        township: Code = None,
        village: Code = None,
        role: FromQuery[
            Literal["cadre", "township_reviewer", "county_admin", "county_finance"] | None
        ] = None,
        q: Annotated[str | None, QueryParameter(max_length=50)] = None,
        status: FromQuery[Literal["active", "disabled"] | None] = None,
        page: Annotated[int, QueryParameter(ge=1, le=10_000)] = 1,
        page_size: Annotated[int, QueryParameter(ge=1, le=100)] = 20,
    ) -> PeoplePage:
        """People of the caller's county (or township, read only), by name, a page at a time."""
        f = services.PeopleFilter(township=township, village=village, role=role, q=q,
                                  status=status)
        return await services.list_people(actor.scope, f, page, page_size)

    @get("/people/{user_id:uuid}")
    async def read_person(
        self, user_id: FromPath[uuid.UUID], actor: NamedDependency[Actor]
    ) -> PersonOut:
        return await services.read_person(actor.scope, user_id)

    @post("/cadres", status_code=HTTP_201_CREATED)
    async def create_cadre(
        self, data: JSONBody[CadreIn], actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
    ) -> CadreCreated:
        """A cadre and their posting in one form; the answer carries a temporary password,
        shown once, that must be changed at the first login."""
        return await services.create_cadre(ctx, actor.scope, data)

    @post("/postings/{posting_id:uuid}/end", status_code=HTTP_200_OK)
    async def end_posting(
        self, posting_id: FromPath[uuid.UUID], data: JSONBody[PostingEndIn],
        actor: NamedDependency[Actor], ctx: NamedDependency[RequestContext],
    ) -> PersonOut:
        return await services.end_posting(ctx, actor.scope, posting_id, data)

    @post("/postings/{posting_id:uuid}/transfer", status_code=HTTP_200_OK)
    async def transfer_posting(
        self, posting_id: FromPath[uuid.UUID], data: JSONBody[PostingTransferIn],
        actor: NamedDependency[Actor], ctx: NamedDependency[RequestContext],
    ) -> PersonOut:
        """调动: end this posting and start the new one the next day, in one transaction."""
        return await services.transfer_posting(ctx, actor.scope, posting_id, data)

    @post("/people/{user_id:uuid}/disable", status_code=HTTP_200_OK)
    async def disable(
        self, user_id: FromPath[uuid.UUID], data: JSONBody[ReasonIn],
        actor: NamedDependency[Actor], ctx: NamedDependency[RequestContext],
    ) -> PersonOut:
        """停用: no more logins, and every session of the account ends now."""
        return await services.disable(ctx, actor.scope, user_id, data.reason)

    @post("/people/{user_id:uuid}/enable", status_code=HTTP_200_OK)
    async def enable(
        self, user_id: FromPath[uuid.UUID], data: JSONBody[ReasonIn],
        actor: NamedDependency[Actor], ctx: NamedDependency[RequestContext],
    ) -> PersonOut:
        return await services.enable(ctx, actor.scope, user_id, data.reason)

    @post("/people/{user_id:uuid}/roles", status_code=HTTP_200_OK)
    async def grant_role(
        self, user_id: FromPath[uuid.UUID], data: JSONBody[GrantIn],
        actor: NamedDependency[Actor], ctx: NamedDependency[RequestContext],
    ) -> PersonOut:
        return await services.grant_role(ctx, actor.scope, user_id, data)

    @delete("/people/{user_id:uuid}/roles/{grant_id:uuid}", status_code=HTTP_200_OK)
    async def revoke_role(
        self, user_id: FromPath[uuid.UUID], grant_id: FromPath[uuid.UUID],
        actor: NamedDependency[Actor], ctx: NamedDependency[RequestContext],
    ) -> PersonOut:
        return await services.revoke_role(ctx, actor.scope, user_id, grant_id)

    @get("/import/template", media_type=XLSX)
    async def import_template(
        self, actor: NamedDependency[Actor],
        format: FromQuery[Literal["xlsx", "csv"]] = "xlsx",
    ) -> Response[bytes]:
        """The import template with Chinese headers (XLSX, or CSV in UTF-8 with BOM)."""
        if not actor.scope.admin_counties:
            raise Forbidden()
        if format == "csv":
            return download(importer.template_csv(), "cadre-import-template.csv", CSV)
        return download(importer.template_xlsx(), "cadre-import-template.xlsx")

    @post("/import", status_code=HTTP_200_OK)
    async def import_cadres(
        self, request: Request[Any, Any, Any], actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext], dry_run: FromQuery[bool] = True,
    ) -> ImportReport:
        """Cadres and postings from a CSV or XLSX file (姓名, 手机号, 村代码, 职务, 派出单位,
        开始日期, 结束日期): ``dry_run`` (the default) checks and writes nothing; otherwise
        all rows or none, every bad row named by row and column."""
        if not actor.scope.admin_counties:
            raise Forbidden()
        data = await request.body()
        return await importer.import_cadres(ctx, actor.scope, data, dry_run=dry_run)
