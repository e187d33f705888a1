"""HTTP for claims: lists and review, corrections, finance exports; accident insurance.

Claims are made by sync (kind ``travel_claim``) or drafted by the server (the living subsidy,
when the township confirms a month); everything else is here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from backend.claims import exports, insurance, queries, review
from backend.claims.schemas import (
    BulkIn,
    BulkOut,
    ClaimEventOut,
    ClaimOut,
    CoverageGapOut,
    ForwardIn,
    IncidentOut,
    InsuranceImportReport,
    InsurancePolicyOut,
    PayIn,
    ReasonIn,
    VersionIn,
)
from backend.core.clock import local_date
from backend.core.context import RequestContext
from backend.core.export import CSV, XLSX, download
from backend.core.i18n import pick_lang
from backend.core.imports import template_response, upload_bytes
from backend.core.scope import Actor
from backend.core.validation import parse_month

__all__ = ["ClaimController", "InsuranceController"]

ClaimState = Literal[
    "draft", "submitted", "returned", "township_approved", "county_approved", "paid", "rejected"
]
ClaimKind = Literal["subsidy", "travel"]
Month = Annotated[
    str | None, QueryParameter(pattern=r"^20\d{2}-(0[1-9]|1[0-2])$", description="YYYY-MM")
]


def _month(text: str | None) -> dt.date | None:
    return parse_month(text) if text else None


class ClaimController(Controller):
    path = "/api/claims"
    tags = ["claims 补贴报销"]

    @get("/")
    async def queue(
        self,
        actor: NamedDependency[Actor],
        claim_state: Annotated[ClaimState | None, QueryParameter(name="state")] = None,
        month: Month = None,
        claim_type: Annotated[ClaimKind | None, QueryParameter(name="type")] = None,
        township: FromQuery[str | None] = None,
    ) -> list[ClaimOut]:
        """Claims the caller reviews (township, county) or pays (finance): never their own,
        never drafts; each with evidence thumbnails and verification flags."""
        return await queries.claim_queue(
            actor.scope, claim_state, _month(month), claim_type, township
        )

    @get("/mine")
    async def mine(
        self,
        actor: NamedDependency[Actor],
        claim_state: Annotated[ClaimState | None, QueryParameter(name="state")] = None,
        month: Month = None,
        claim_type: Annotated[ClaimKind | None, QueryParameter(name="type")] = None,
    ) -> list[ClaimOut]:
        """The caller's own claims."""
        return await queries.my_claims(actor.scope, claim_state, _month(month), claim_type)

    @get("/{claim_id:uuid}")
    async def read(self, claim_id: FromPath[uuid.UUID], actor: NamedDependency[Actor]) -> ClaimOut:
        return await queries.read_claim(actor.scope, claim_id)

    @get("/{claim_id:uuid}/history")
    async def history(
        self, claim_id: FromPath[uuid.UUID], actor: NamedDependency[Actor]
    ) -> list[ClaimEventOut]:
        """Every transition, oldest first: who, when, from, to, why."""
        return await queries.claim_history(actor.scope, claim_id)

    @post("/{claim_id:uuid}/submit", status_code=HTTP_200_OK)
    async def submit(
        self,
        claim_id: FromPath[uuid.UUID],
        data: JSONBody[VersionIn],
        actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
    ) -> ClaimOut:
        """Submit one's draft or returned claim (the drafted subsidy: one action). The amount
        is computed with the policy in force and frozen for review."""
        return await review.submit(ctx, actor, claim_id, data.version)

    @post("/{claim_id:uuid}/approve", status_code=HTTP_200_OK)
    async def approve(
        self,
        claim_id: FromPath[uuid.UUID],
        data: JSONBody[VersionIn],
        actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
    ) -> ClaimOut:
        """Township review (submitted → township_approved), then county review
        (→ county_approved) by another person. Never one's own claim."""
        return await review.act(ctx, actor, claim_id, "approve", data.version)

    @post("/{claim_id:uuid}/{decision:str}", status_code=HTTP_200_OK)
    async def return_or_reject(
        self,
        claim_id: FromPath[uuid.UUID],
        decision: FromPath[Literal["return", "reject"]],
        data: JSONBody[ReasonIn],
        actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
    ) -> ClaimOut:
        """With a reason: ``return`` it (the cadre edits and submits again), or ``reject`` it
        (final)."""
        return await review.act(ctx, actor, claim_id, decision, data.version, reason=data.reason)

    @post("/{claim_id:uuid}/pay", status_code=HTTP_200_OK)
    async def pay(
        self,
        claim_id: FromPath[uuid.UUID],
        data: JSONBody[PayIn],
        actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
    ) -> ClaimOut:
        """County finance marks a county-approved claim paid, with the payment reference."""
        return await review.act(
            ctx, actor, claim_id, "pay", data.version, payment_reference=data.payment_reference
        )

    @post("/{claim_id:uuid}/correction", status_code=HTTP_201_CREATED)
    async def correction(
        self,
        claim_id: FromPath[uuid.UUID],
        actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
    ) -> ClaimOut:
        """Start a correction of one's approved (locked) claim: a new draft that refers to it."""
        return await review.correct(ctx, actor, claim_id)

    @post("/approve-bulk", status_code=HTTP_200_OK)
    async def approve_bulk(
        self,
        data: JSONBody[BulkIn],
        actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
        request: Request[Any, Any, Any],
    ) -> BulkOut:
        """Approve clean claims (no verification flags) at once; one result per claim."""
        lang = pick_lang(request.headers.get("accept-language"))
        return await review.bulk_approve(ctx, actor, data.items, lang)

    @get("/export.xlsx", media_type=XLSX)
    async def export_xlsx(
        self,
        actor: NamedDependency[Actor],
        month: Annotated[str, QueryParameter(pattern=r"^20\d{2}-(0[1-9]|1[0-2])$")],
        county: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        """The month's approved claims for finance (县财政), with totals per township."""
        day = parse_month(month)
        rows = await exports.approved_rows(actor.scope, day, county)
        return download(exports.xlsx_bytes(rows, day), f"claims-{month}.xlsx")

    @get("/export.csv", media_type=CSV)
    async def export_csv(
        self,
        actor: NamedDependency[Actor],
        month: Annotated[str, QueryParameter(pattern=r"^20\d{2}-(0[1-9]|1[0-2])$")],
        county: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        """The month's approved claims as CSV (UTF-8 with BOM), one row each."""
        day = parse_month(month)
        rows = await exports.approved_rows(actor.scope, day, county)
        return download(exports.csv_bytes(rows), f"claims-{month}.csv", CSV)


class InsuranceController(Controller):
    path = "/api/insurance"
    tags = ["claims 补贴报销"]

    @get("/policies")
    async def policies(
        self, actor: NamedDependency[Actor], cadre_id: FromQuery[uuid.UUID | None] = None
    ) -> list[InsurancePolicyOut]:
        """Accident-insurance policies in the caller's scope (a cadre: their own)."""
        return await insurance.list_policies(actor.scope, cadre_id)

    @get("/policies/template")
    async def policy_template(self, actor: NamedDependency[Actor]) -> Response[bytes]:
        """An XLSX to fill in for the policy import (Chinese headers, examples, notes)."""
        return template_response(
            "保单导入模板",
            "policies-template",
            ["姓名", "手机号", "保险公司", "保单号", "保险金额（元）", "起保日期", "止保日期"],
            [["张三", "13800000000", "人保财险", "GP-2026-001", "500000.00", "2026-01-01",
              "2026-12-31"]],
            [
                "第一张表的第一行是表头，从第二行起每行一份保单；示例行请删除后再导入。",
                "必填：手机号（须是本县驻村干部的登录手机号）、保险公司、保单号、保险金额、"
                "起保日期、止保日期。姓名仅供核对。",
                "保险金额以元为单位，最多两位小数。日期格式 YYYY-MM-DD。",
                "导入先预览：全部检查、不写入；有任何一行有误则整份不导入。",
            ],
        )

    @post("/policies/import", status_code=HTTP_200_OK)
    async def import_policies(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
        county: Annotated[str, QueryParameter(pattern=r"^\d{6}$")],
        dry_run: FromQuery[bool] = False,
    ) -> InsuranceImportReport:
        """Import policy records, the file (CSV or XLSX) as the body: phone/手机号,
        insurer/保险公司, policy_number/保单号, sum_insured/保险金额 in yuan, start_date/起保日期,
        end_date/止保日期; all rows or none, every bad row named by row and column (county
        admin). ``dry_run=true`` previews and writes nothing."""
        data = await upload_bytes(request)
        return await insurance.import_policies(ctx, actor.scope, county, data, dry_run=dry_run)

    @get("/gaps")
    async def gaps(
        self,
        actor: NamedDependency[Actor],
        county: FromQuery[str | None] = None,
        start: FromQuery[dt.date | None] = None,
        end: FromQuery[dt.date | None] = None,
    ) -> list[CoverageGapOut]:
        """Cadres whose posting is not covered on some day, with the uncovered periods
        (default: the current year)."""
        year = local_date().year
        return await insurance.coverage_gaps(
            actor.scope, county, start or dt.date(year, 1, 1), end or dt.date(year, 12, 31)
        )

    @get("/incidents")
    async def incidents(
        self,
        actor: NamedDependency[Actor],
        incident_state: Annotated[
            Literal["reported", "forwarded"] | None, QueryParameter(name="state")
        ] = None,
    ) -> list[IncidentOut]:
        """Accident reports in the caller's scope (reports are made by sync)."""
        return await insurance.list_incidents(actor.scope, incident_state)

    @post("/incidents/{incident_id:uuid}/forward", status_code=HTTP_200_OK)
    async def forward(
        self,
        incident_id: FromPath[uuid.UUID],
        data: JSONBody[ForwardIn],
        actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
    ) -> IncidentOut:
        """The county marks a report forwarded to the insurer."""
        return await insurance.forward_incident(ctx, actor, incident_id, data.version, data.note)
