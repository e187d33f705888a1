"""Commendation rules over the database: eligibility, quota runs, nominations, dossiers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from backend.accounts import services as accounts
from backend.audit import services as audit
from backend.commendation import eligibility as rules
from backend.commendation.apportion import (
    DEFAULT_EXCELLENT_RATIOS,
    Unit,
    commendation_seats,
    excellent_quotas,
)
from backend.commendation.messages import Notices
from backend.commendation.schemas import (
    DossierOut,
    EligibilityOut,
    InspectionIn,
    NominationOut,
    RunIn,
    RunOut,
    Tier,
    UnitSeatsOut,
)
from backend.commendation.tables import Inspection, Nomination, QuotaRun
from backend.core.canonical import loads
from backend.core.clock import utc_now
from backend.core.db import present, write_transaction
from backend.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from backend.core.export import Sheet, xlsx_bytes
from backend.core.ids import new_id
from backend.core.rows import Json, row_as, rows_as
from backend.fieldwork import summary
from backend.geo import services as geo
from backend.notify.services import Notice, notify
from backend.policy import services as policy

if TYPE_CHECKING:
    from backend.core.context import RequestContext
    from backend.core.scope import Actor, Scope

__all__ = [
    "create_run",
    "decide",
    "dossier",
    "eligibility_list",
    "final_xlsx",
    "list_nominations",
    "list_runs",
    "my_eligibility",
    "nominate",
    "publish_run",
    "record_inspection",
    "run_seats",
    "unit_dossiers",
    "unit_dossiers_xlsx",
]

DEFAULT_COMMENDATION_WEIGHTS: dict[Tier, Decimal] = {
    "deep": Decimal("1.5"), "key": Decimal("1.2"), "ordinary": Decimal("1"),
}


async def _inspections(ids: list[uuid.UUID], year: int) -> tuple[dict[uuid.UUID, int],
                                                                 dict[uuid.UUID, int]]:
    """Per cadre: inspections recorded in ``year``, and those that found an unexcused absence."""
    recorded: dict[uuid.UUID, int] = defaultdict(int)
    absences: dict[uuid.UUID, int] = defaultdict(int)
    for r in await Inspection.select(Inspection.cadre_id, Inspection.finding).where(
        Inspection.cadre_id.is_in(ids or [uuid.UUID(int=0)]),
        Inspection.date >= dt.date(year, 1, 1), Inspection.date <= dt.date(year, 12, 31),
    ):
        recorded[r["cadre_id"]] += 1
        if r["finding"] == "unexcused_absence":
            absences[r["cadre_id"]] += 1
    return recorded, absences


async def _division_names(codes: set[str]) -> dict[str, str]:
    rows = await geo.Division.select(geo.Division.code, geo.Division.name).where(
        geo.Division.code.is_in(sorted(codes) or [""]), geo.Division.valid_to.is_null())
    return {r["code"]: r["name"] for r in rows}


async def _judge(year: int, cadres: list[accounts.PostedCadre]) -> list[EligibilityOut]:
    """One verdict per cadre (their postings grouped), by village and name."""
    by_cadre: dict[uuid.UUID, list[accounts.PostedCadre]] = defaultdict(list)
    for p in await accounts.postings_of(sorted({c.cadre_id for c in cadres})):
        by_cadre[p.cadre_id].append(p)
    ids = list(by_cadre)
    confirmed = await summary.confirmed_days(ids, year)
    recorded, absences = await _inspections(ids, year)
    villages = await geo.villages({p[-1].village_code for p in by_cadre.values()})
    townships = await _division_names({c[:9] for c in villages})
    out = []
    minimums: dict[str, int] = {}
    for cadre_id, postings in by_cadre.items():
        periods = [(p.start_date, p.end_date) for p in postings]
        county = postings[-1].county_code
        if county not in minimums:
            minimums[county] = (await policy.policy_for(county, year)).min_days_year
        verdict = rules.judge(year, periods, confirmed.get(cadre_id, 0), absences[cadre_id],
                              annual_minimum=minimums[county])
        village = postings[-1].village_code
        info = villages.get(village)
        out.append(EligibilityOut(
            cadre_id=cadre_id, name=postings[-1].name, village_code=village,
            township_code=village[:9], eligible=verdict.eligible,
            confirmed_days=verdict.confirmed_days, required_days=verdict.required_days,
            posted_days=verdict.posted_days, reasons=list(verdict.reasons),
            village_name=info.name if info else "", township_name=townships.get(village[:9], ""),
            tier=info.tier if info else "", inspections=recorded[cadre_id],
            unexcused_absences=absences[cadre_id],
        ))
    return sorted(out, key=lambda e: (e.village_code, e.name))


async def eligibility_list(scope: Scope, year: int, *, township: str | None = None,
                           tier: str | None = None,
                           eligible: bool | None = None) -> list[EligibilityOut]:
    """Every cadre the caller reviews, eligible or not, with the reasons; by village and name.

    Optionally only one township's cadres, those of villages of one tier, or only the eligible
    (or only the not eligible) ones.
    """
    cadres = await accounts.posted_cadres(scope, dt.date(year, 1, 1), dt.date(year, 12, 31))
    if township:
        cadres = [c for c in cadres if c.village_code.startswith(township)]
    return [e for e in await _judge(year, cadres)
            if (not township or e.township_code == township)
            and (tier is None or e.tier == tier)
            and (eligible is None or e.eligible == eligible)]


async def my_eligibility(actor: Actor, year: int) -> EligibilityOut:
    """A cadre sees why they are or are not eligible."""
    own = await accounts.postings_of([actor.user_id])
    if not own:
        raise NotFound()
    return (await _judge(year, own))[0]


async def record_inspection(ctx: RequestContext, actor: Actor, data: InspectionIn) -> None:
    """The county records an inspection finding about a cadre of the county."""
    if not await accounts.sees_person(actor.scope, data.cadre_id):
        raise NotFound()
    village_code = await accounts.posting_village(data.cadre_id, data.date)
    village = await geo.village(village_code) if village_code else None
    if village is None or not actor.scope.sees_record(data.cadre_id, village.code,
                                                      village.county_code):
        raise NotFound()
    if village.county_code not in actor.scope.admin_counties:
        raise Forbidden()
    inspection_id = new_id()
    async with write_transaction(Inspection._meta.db):
        await Inspection.insert(Inspection(
            id=inspection_id, cadre_id=data.cadre_id, village_code=village.code,
            county_code=village.county_code, date=data.date, finding=data.finding,
            note=data.note, recorded_by=actor.user_id, created_at=utc_now()))
        await audit.record(ctx, "commendation.inspection_recorded", "inspection", inspection_id,
                           county_code=village.county_code,
                           after=data.model_dump(mode="json"))


def _admin_county(actor: Actor) -> str:
    if len(actor.scope.admin_counties) != 1:
        raise Forbidden()
    return next(iter(actor.scope.admin_counties))


class QuotaRunRow(TypedDict):
    """A ``QuotaRun`` as ``QuotaRun.select()`` returns it."""

    id: uuid.UUID
    county_code: str
    year: int
    kind: str
    settings: Json
    result: Json
    state: str
    created_by: uuid.UUID
    created_at: dt.datetime
    published_at: dt.datetime | None
    version: int


class NominationRow(TypedDict):
    """A ``Nomination`` as ``Nomination.select()`` returns it."""

    id: uuid.UUID
    run_id: uuid.UUID
    unit_code: str
    county_code: str
    cadre_id: uuid.UUID
    state: str
    nominated_by: uuid.UUID
    decided_by: uuid.UUID | None
    created_at: dt.datetime
    decided_at: dt.datetime | None


def _run_out(row: QuotaRunRow) -> RunOut:
    result = loads(row["result"]) or {}
    return RunOut(id=row["id"], county_code=row["county_code"], year=row["year"],
                  kind=row["kind"], state=row["state"], settings=loads(row["settings"]),
                  total_target=result.get("total_target", 0),
                  total_given=result.get("total_given", 0), note=result.get("note", ""),
                  table=result.get("table", []), version=row["version"])


async def _units(scope: Scope, year: int) -> list[Unit]:
    eligible = [e for e in await eligibility_list(scope, year) if e.eligible]
    counts: dict[str, int] = defaultdict(int)
    for e in eligible:
        counts[e.township_code] += 1
    townships = await geo.Division.select(geo.Division.code, geo.Division.name,
                                          geo.Division.tier).where(
        geo.Division.code.is_in(sorted(counts) or [""]), geo.Division.valid_to.is_null())
    return [Unit(t["code"], t["name"], t["tier"], counts[t["code"]]) for t in townships]


async def create_run(ctx: RequestContext, actor: Actor, data: RunIn) -> RunOut:
    """Apportion the year's quotas or awards among the county's townships (a draft)."""
    county = _admin_county(actor)
    units = await _units(actor.scope, data.year)
    if data.kind == "excellent":
        ratios = data.ratios or {k: Decimal(v.numerator) / v.denominator
                                 for k, v in DEFAULT_EXCELLENT_RATIOS.items()}
        result = excellent_quotas(units, {k: Decimal(str(v)) for k, v in ratios.items()})
        settings: dict[str, Any] = {"ratios": {k: str(v) for k, v in ratios.items()}}
    else:
        if not data.total:
            raise ValidationFailed(errors=[FieldError("total", "required")])
        weights = data.weights or DEFAULT_COMMENDATION_WEIGHTS
        result = commendation_seats(units, data.total, weights)
        settings = {"weights": {k: str(v) for k, v in weights.items()}, "total": data.total}
    run_id = new_id()
    async with write_transaction(QuotaRun._meta.db):
        await QuotaRun.insert(QuotaRun(
            id=run_id, county_code=county, year=data.year, kind=data.kind, settings=settings,
            result={"total_target": result.total_target, "total_given": result.total_given,
                    "note": result.note, "table": result.as_table()},
            created_by=actor.user_id, created_at=utc_now()))
        await audit.record(ctx, "commendation.run_created", "quota_run", run_id,
                           county_code=county, after={"year": data.year, "kind": data.kind,
                                                      **settings})
    return _run_out(present(row_as(QuotaRunRow,
                                   await QuotaRun.select().where(QuotaRun.id == run_id).first())))


async def list_runs(scope: Scope, year: int | None) -> list[RunOut]:
    """Runs of the caller's counties; reviewers see the published runs of their county."""
    counties = scope.admin_counties | {t[:6] for t in scope.review_townships}
    query = QuotaRun.select().where(QuotaRun.county_code.is_in(sorted(counties) or [""]))
    if not scope.admin_counties:
        query = query.where(QuotaRun.state == "published")
    if year:
        query = query.where(QuotaRun.year == year)
    return [_run_out(r) for r in rows_as(QuotaRunRow, await query.order_by(QuotaRun.created_at))]


async def _run(scope: Scope, run_id: uuid.UUID) -> QuotaRunRow:
    row = row_as(QuotaRunRow, await QuotaRun.select().where(QuotaRun.id == run_id).first())
    visible = row and (row["county_code"] in scope.admin_counties or (
        row["state"] == "published"
        and any(t.startswith(row["county_code"]) for t in scope.review_townships)))
    if row is None or not visible:
        raise NotFound()
    return row


async def publish_run(ctx: RequestContext, actor: Actor, run_id: uuid.UUID,
                      version: int) -> RunOut:
    """Publish: the run is fixed, audited, and every unit's reviewers hear of their seats."""
    row = await _run(actor.scope, run_id)
    if row["county_code"] not in actor.scope.admin_counties:
        raise Forbidden()
    table = (loads(row["result"]) or {}).get("table", [])
    reviewers = await accounts.reviewers_of({r["code"] for r in table})
    async with write_transaction(QuotaRun._meta.db):
        done = await QuotaRun.update({QuotaRun.state: "published",
                                      QuotaRun.published_at: utc_now(),
                                      QuotaRun.version: QuotaRun.version + 1}).where(
            QuotaRun.id == run_id, QuotaRun.state == "draft", QuotaRun.version == version,
        ).returning(QuotaRun.id)
        if not done:
            raise Conflict()
        title = Notices.excellent_published if row["kind"] == "excellent" \
            else Notices.commendation_published
        await notify(*[Notice(
            recipient_id=reviewer, event="quota.published",
            title=title.fill(year=row["year"], unit=unit["name"], seats=unit["seats"]),
            body=(unit["why"], unit["why"]), link=f"#/console/commendation/run/{run_id}",
            object_kind="quota_run", object_id=str(run_id), county_code=row["county_code"],
        ) for unit in table for reviewer in reviewers.get(unit["code"], [])])
        await audit.record(ctx, "commendation.run_published", "quota_run", run_id,
                           county_code=row["county_code"], before={"state": "draft"},
                           after={"state": "published"})
    return _run_out(present(row_as(QuotaRunRow,
                                   await QuotaRun.select().where(QuotaRun.id == run_id).first())))


async def _nominations_out(rows: list[NominationRow]) -> list[NominationOut]:
    names = await accounts.user_names({r["cadre_id"] for r in rows})
    return sorted([NominationOut(id=r["id"], run_id=r["run_id"], unit_code=r["unit_code"],
                                 cadre_id=r["cadre_id"], name=names.get(r["cadre_id"], ""),
                                 state=r["state"]) for r in rows],
                  key=lambda n: (n.unit_code, n.name))


async def nominate(ctx: RequestContext, actor: Actor, run_id: uuid.UUID,
                   cadre_ids: list[uuid.UUID]) -> list[NominationOut]:
    """A unit nominates eligible cadres, never more than its seats."""
    row = await _run(actor.scope, run_id)
    if row["state"] != "published":
        raise Conflict("wrong_state")
    seats = {r["code"]: r["seats"] for r in (loads(row["result"]) or {}).get("table", [])}
    judged = {e.cadre_id: e for e in await eligibility_list(actor.scope, row["year"])}
    errors = []
    for i, cadre_id in enumerate(cadre_ids):
        e = judged.get(cadre_id)
        if e is None or not actor.scope.reviews_village(e.village_code, row["county_code"]):
            errors.append(FieldError(f"cadre_ids.{i}", "out_of_scope"))
        elif not e.eligible:
            errors.append(FieldError(f"cadre_ids.{i}", "not_eligible"))
    if errors:
        raise ValidationFailed(errors=errors)
    async with write_transaction(Nomination._meta.db):
        existing = await Nomination.select().where(Nomination.run_id == run_id)
        taken: dict[str, int] = defaultdict(int)
        for n in existing:
            if n["state"] != "declined":
                taken[n["unit_code"]] += 1
        already = {n["cadre_id"] for n in existing}
        for cadre_id in dict.fromkeys(cadre_ids):
            if cadre_id in already:
                continue
            unit = judged[cadre_id].township_code
            if taken[unit] >= seats.get(unit, 0):
                raise ValidationFailed("over_quota", errors=[FieldError("cadre_ids",
                                       "over_quota", {"seats": seats.get(unit, 0)})],
                                       seats=seats.get(unit, 0))
            taken[unit] += 1
            await Nomination.insert(Nomination(
                id=new_id(), run_id=run_id, unit_code=unit, county_code=row["county_code"],
                cadre_id=cadre_id, nominated_by=actor.user_id, created_at=utc_now()))
        await audit.record(ctx, "commendation.nominated", "quota_run", run_id,
                           county_code=row["county_code"],
                           after={"cadre_ids": [str(c) for c in cadre_ids]})
    return await list_nominations(actor.scope, run_id)


async def list_nominations(scope: Scope, run_id: uuid.UUID) -> list[NominationOut]:
    row = await _run(scope, run_id)
    query = Nomination.select().where(Nomination.run_id == run_id)
    if row["county_code"] not in scope.admin_counties:
        query = query.where(Nomination.unit_code.is_in(sorted(scope.review_townships) or [""]))
    return await _nominations_out(rows_as(NominationRow, await query))


async def run_seats(scope: Scope, run_id: uuid.UUID) -> list[UnitSeatsOut]:
    """Each unit's seats and how many are taken: every unit for the county, a reviewer's own."""
    row = await _run(scope, run_id)
    taken: dict[str, int] = defaultdict(int)
    accepted: dict[str, int] = defaultdict(int)
    for n in await list_nominations(scope, run_id):
        if n.state != "declined":
            taken[n.unit_code] += 1
        if n.state == "accepted":
            accepted[n.unit_code] += 1
    admin = row["county_code"] in scope.admin_counties
    return [UnitSeatsOut(code=u["code"], name=u["name"], tier=u["tier"], eligible=u["eligible"],
                         seats=u["seats"], nominated=taken[u["code"]],
                         accepted=accepted[u["code"]],
                         left=max(u["seats"] - taken[u["code"]], 0))
            for u in (loads(row["result"]) or {}).get("table", [])
            if admin or u["code"] in scope.review_townships]


async def decide(ctx: RequestContext, actor: Actor, nomination_id: uuid.UUID,
                 accept: bool) -> NominationOut:
    """The county decides on a nomination."""
    row = row_as(NominationRow,
                 await Nomination.select().where(Nomination.id == nomination_id).first())
    if row is None or row["county_code"] not in actor.scope.admin_counties:
        raise NotFound()
    state = "accepted" if accept else "declined"
    async with write_transaction(Nomination._meta.db):
        done = await Nomination.update({Nomination.state: state,
                                        Nomination.decided_by: actor.user_id,
                                        Nomination.decided_at: utc_now()}).where(
            Nomination.id == nomination_id, Nomination.state == "nominated",
        ).returning(Nomination.id)
        if not done:
            raise Conflict()
        await audit.record(ctx, f"commendation.{state}", "nomination", nomination_id,
                           county_code=row["county_code"], before={"state": "nominated"},
                           after={"state": state})
    return (await _nominations_out([present(row_as(NominationRow, await Nomination.select().where(
        Nomination.id == nomination_id).first()))]))[0]


async def final_xlsx(scope: Scope, run_id: uuid.UUID) -> bytes:
    """The accepted list as a spreadsheet with Chinese headers, by unit and name."""
    row = await _run(scope, run_id)
    accepted = [n for n in await list_nominations(scope, run_id) if n.state == "accepted"]
    judged = {e.cadre_id: e for e in await eligibility_list(scope, row["year"])}
    names = {r["code"]: r["name"] for r in (loads(row["result"]) or {}).get("table", [])}
    rows = []
    for n in accepted:
        e = judged.get(n.cadre_id)
        rows.append([names.get(n.unit_code, n.unit_code), n.name,
                     e.village_code if e else "", e.confirmed_days if e else "",
                     e.required_days if e else ""])
    headers = ["乡镇", "姓名", "村代码", "确认驻村天数", "应驻天数"]
    return xlsx_bytes([Sheet(f"{row['year']}名单", headers, rows)])


async def dossier(scope: Scope, cadre_id: uuid.UUID, year: int) -> DossierOut:
    """A cadre's dossier from what was recorded: days, logs, households, evidence, talks."""
    postings = await accounts.postings_of([cadre_id])
    if not postings:
        raise NotFound()
    village = await geo.village(postings[-1].village_code)
    if not await accounts.sees_person(scope, cadre_id):
        raise NotFound()
    verdict = (await _judge(year, postings))[0]
    year_data = await summary.cadre_year(cadre_id, village.code, year, scope=scope)
    return DossierOut(
        cadre_id=cadre_id, name=postings[-1].name, village_code=village.code,
        village_name=village.name, year=year, eligibility=verdict,
        confirmed_by_month=year_data.confirmed_by_month, logs_by_kind=year_data.logs_by_kind,
        households_visited=year_data.households_visited,
        households_in_village=year_data.households_in_village,
        coverage_percent=round(year_data.coverage * 100), photos=year_data.photos,
        flagged_logs=year_data.flagged_logs, flags_by_code=year_data.flags_by_code,
        talks=[{"date": d.isoformat(), "summary": s} for d, s in year_data.talks],
        approved_leave=[{"start_date": a.isoformat(), "end_date": b.isoformat(), "days": n}
                        for a, b, n in year_data.approved_leave],
    )


_DOSSIER_COLUMNS = [
    "姓名", "村", "确认驻村天数", "应驻天数", "是否符合", "走访", "会议", "项目", "培训", "值班",
    "调解", "其他", "走访农户", "全村农户", "覆盖率%", "佐证照片", "带提示日志", "谈心谈话",
    "请假天数", "资格说明",
]


async def _unit_cadres(scope: Scope, unit_code: str, year: int,
                       eligible: bool | None = None) -> list[EligibilityOut]:
    """A township's cadres as the caller sees them; 404 for a unit outside the caller's reach."""
    if not (len(unit_code) == 9 and unit_code.isdigit()) or (
            unit_code not in scope.review_townships
            and unit_code[:6] not in scope.admin_counties):
        raise NotFound()
    return await eligibility_list(scope, year, township=unit_code, eligible=eligible)


async def unit_dossiers(scope: Scope, unit_code: str, year: int,
                        eligible: bool | None = None) -> list[DossierOut]:
    """The dossiers of a township's cadres (all, or only the eligible), by village and name."""
    return [await dossier(scope, e.cadre_id, year)
            for e in await _unit_cadres(scope, unit_code, year, eligible)]


async def unit_dossiers_xlsx(scope: Scope, unit_code: str, year: int) -> bytes:
    """One row per cadre of a township: the dossier figures, for the unit's nomination."""
    cadres = await _unit_cadres(scope, unit_code, year)
    rows = []
    for e in cadres:
        d = await dossier(scope, e.cadre_id, year)
        kinds = [d.logs_by_kind.get(k, 0) for k in
                 ("visit", "meeting", "project", "training", "duty", "mediation", "other")]
        rows.append([
            d.name, d.village_name, e.confirmed_days, e.required_days,
            "是" if e.eligible else "否", *kinds, d.households_visited,
            d.households_in_village, d.coverage_percent, d.photos, d.flagged_logs,
            len(d.talks), sum(x["days"] for x in d.approved_leave), "；".join(e.reasons),
        ])
    return xlsx_bytes([Sheet(f"{unit_code} {year}", _DOSSIER_COLUMNS, rows)])
