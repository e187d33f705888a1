"""Presence rules over the database: days, the monthly sheet and its review, leave, talks.

The pure rules (drafting, counting, leave routing) are in ``fieldwork/rules.py``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from piccolo.columns.combination import Or

from backend.accounts import posted
from backend.accounts import services as accounts
from backend.audit import services as audit
from backend.core.canonical import loads, wire
from backend.core.clock import local_date, utc_now
from backend.core.db import fetch, write_transaction
from backend.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from backend.core.events import Event
from backend.core.ids import new_id
from backend.core.validation import parse
from backend.fieldwork import rules
from backend.fieldwork.schemas import (
    DayOut,
    LeaveData,
    LeaveOut,
    MonthOut,
    PresenceDayData,
    SheetOut,
    TalkIn,
    TalkOut,
)
from backend.fieldwork.tables import LeaveRequest, PresenceDay, PresenceSheet, Talk, WorkLog
from backend.geo import services as geo
from backend.notify.services import Notice, notify
from backend.policy import services as policy
from backend.sync.registry import Prepared, get_kind
from backend.sync.services import allocate_seqs, bump_seq

if TYPE_CHECKING:
    from backend.core.context import RequestContext
    from backend.core.scope import Actor, Scope

__all__ = [
    "cadres_without_talk",
    "confirm_sheet",
    "decide_leave",
    "leave_locked",
    "leave_queue",
    "leave_wire",
    "list_talks",
    "month_view",
    "prepare_leave",
    "prepare_presence_day",
    "presence_day_wire",
    "record_talk",
    "return_sheet",
    "sheet_queue",
    "sheet_wire",
    "submit_month",
]

_FROZEN = ("submitted", "confirmed")

#: Emitted inside the confirming transaction with the request context and the confirmed sheet
#: row, so that other capabilities act on confirmed days (claims drafts the living subsidy)
#: without field work knowing them; they listen in their manifests (``capability.py``).
month_confirmed: Event[[RequestContext, dict[str, Any]]] = Event("presence.month_confirmed")


async def _policy(county_code: str, year: int, cache: dict[Any, Any]) -> policy.Policy:
    """The county's settings for the year (leave limit, minimum days), once per request."""
    if (county_code, year) not in cache:
        cache[(county_code, year)] = await policy.policy_for(county_code, year)
    return cache[(county_code, year)]


def parse_month(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(f"{text}-01")
    except ValueError:
        raise ValidationFailed(errors=[FieldError("month", "not_month")]) from None


def _month_end(month: dt.date) -> dt.date:
    return rules.days_of_month(month)[-1]


# --- wire forms --------------------------------------------------------------------------------


def presence_day_wire(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "cadre_id": str(row["owner_id"]),
        "village_code": row["village_code"],
        "date": wire(row["date"]),
        "status": row["status"],
        "note": row["note"],
    }


def sheet_wire(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "cadre_id": str(row["owner_id"]),
        "village_code": row["village_code"],
        "month": row["month"].strftime("%Y-%m"),
        "state": row["state"],
        "days": loads(row["days"]) or [],
        "village_days": row["village_days"],
        "leave_days": row["leave_days"],
        "away_days": row["away_days"],
        "return_reason": row["return_reason"],
        "submitted_at": wire(row["submitted_at"]),
        "decided_at": wire(row["decided_at"]),
    }


def leave_wire(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "cadre_id": str(row["owner_id"]),
        "village_code": row["village_code"],
        "start_date": wire(row["start_date"]),
        "end_date": wire(row["end_date"]),
        "days": row["days"],
        "reason": row["reason"],
        "state": row["state"],
        "decider_level": row["decider_level"],
        "decision_note": row["decision_note"],
        "decided_at": wire(row["decided_at"]),
    }


# --- pushed kinds ------------------------------------------------------------------------------


async def _own_village(actor: Actor, code: str) -> geo.VillageInfo:
    if code not in actor.scope.own_villages:
        raise ValidationFailed(errors=[FieldError("village_code", "out_of_scope")])
    cache = actor.extras.setdefault("villages", {})
    if code not in cache:
        cache[code] = await geo.village(code)
    return cache[code]


async def _sheet_state(actor: Actor, month: dt.date) -> str | None:
    cache = actor.extras.setdefault("sheet_states", {})
    if month not in cache:
        row = (
            await PresenceSheet.select(PresenceSheet.state)
            .where(PresenceSheet.owner_id == actor.user_id, PresenceSheet.month == month)
            .first()
        )
        cache[month] = row["state"] if row else None
    return cache[month]


async def prepare_presence_day(actor: Actor, data: dict[str, Any]) -> Prepared:
    """A day as the cadre states it; refused once the month is submitted or confirmed."""
    day = parse(PresenceDayData, data)
    village = await _own_village(actor, day.village_code)
    if day.date > local_date() + dt.timedelta(days=1):
        raise ValidationFailed(errors=[FieldError("date", "too_large")])
    outside = await posted.outside_posting(actor, village.code, {"date": day.date})
    if outside:
        raise ValidationFailed(errors=outside)
    if await _sheet_state(actor, rules.month_start(day.date)) in _FROZEN:
        raise ValidationFailed(errors=[FieldError("date", "locked")])
    return Prepared(
        {"date": day.date, "status": day.status, "note": day.note},
        village.code,
        village.county_code,
    )


async def prepare_leave(actor: Actor, data: dict[str, Any]) -> Prepared:
    """A leave request; the township decides up to its limit, the county above it."""
    leave = parse(LeaveData, data)
    village = await _own_village(actor, leave.village_code)
    if leave.end_date < leave.start_date:
        raise ValidationFailed(errors=[FieldError("end_date", "too_small")])
    days = rules.leave_days(leave.start_date, leave.end_date)
    if days > 90:
        raise ValidationFailed(errors=[FieldError("end_date", "too_large")])
    outside = await posted.outside_posting(
        actor, village.code, {"start_date": leave.start_date, "end_date": leave.end_date}
    )
    if outside:
        raise ValidationFailed(errors=outside)
    settings = await _policy(
        village.county_code, leave.start_date.year, actor.extras.setdefault("policies", {})
    )
    return Prepared(
        {
            "start_date": leave.start_date,
            "end_date": leave.end_date,
            "days": days,
            "reason": leave.reason,
            "state": "cancelled" if leave.cancelled else "pending",
            "decider_level": rules.leave_decider(days, settings.leave_limit_days),
        },
        village.code,
        village.county_code,
    )


def leave_locked(row: dict[str, Any]) -> str | None:
    return None if row["state"] == "pending" else "locked"


# --- the month ---------------------------------------------------------------------------------


async def _visible_cadre(scope: Scope, cadre_id: uuid.UUID, month: dt.date) -> str:
    """The cadre's village that month, if the caller may see them."""
    on = min(_month_end(month), max(month, local_date()))
    village = await accounts.posting_village(cadre_id, on) or await accounts.posting_village(
        cadre_id, month
    )
    if village is None:
        if cadre_id == scope.user_id:
            raise ValidationFailed("not_posted", errors=[FieldError("month", "not_posted")])
        raise NotFound()
    info = await geo.village(village)
    if not scope.sees_record(cadre_id, info.code, info.county_code):
        raise NotFound()
    return village


async def _drafted(cadre_id: uuid.UUID, month: dt.date) -> list[rules.DayDraft]:
    end = _month_end(month)
    stated = {
        r["date"]: (r["status"], r["note"])
        for r in await PresenceDay.select().where(
            PresenceDay.owner_id == cadre_id,
            PresenceDay.date >= month,
            PresenceDay.date <= end,
            PresenceDay.deleted.eq(False),
        )
    }
    counts = await fetch(
        WorkLog._meta.db,
        "SELECT date, COUNT(*) AS n FROM fieldwork_work_log WHERE owner_id = {} "
        "AND date >= {} AND date <= {} AND deleted = {} GROUP BY date",
        cadre_id,
        month,
        end,
        False,
    )
    logs = {
        r["date"] if isinstance(r["date"], dt.date) else dt.date.fromisoformat(r["date"]): r["n"]
        for r in counts
    }
    leave_rows = await LeaveRequest.select(LeaveRequest.start_date, LeaveRequest.end_date).where(
        LeaveRequest.owner_id == cadre_id,
        LeaveRequest.state == "approved",
        LeaveRequest.start_date <= end,
        LeaveRequest.end_date >= month,
    )
    leave: set[dt.date] = set()
    for r in leave_rows:
        day = max(r["start_date"], month)
        while day <= min(r["end_date"], end):
            leave.add(day)
            day += dt.timedelta(days=1)
    return rules.draft_month(month, stated, logs, leave)


def _days_json(days: list[rules.DayDraft]) -> list[dict[str, Any]]:
    return [
        {
            "date": d.date.isoformat(),
            "status": d.status,
            "source": d.source,
            "logs": d.logs,
            "note": d.note,
        }
        for d in days
    ]


def _days_from_json(items: list[dict[str, Any]]) -> list[rules.DayDraft]:
    return [
        rules.DayDraft(
            dt.date.fromisoformat(i["date"]), i["status"], i["source"], i["logs"], i.get("note", "")
        )
        for i in items
    ]


async def month_view(scope: Scope, cadre_id: uuid.UUID, month_text: str) -> MonthOut:
    """A cadre's month: frozen days once submitted, otherwise drafted live from the logs."""
    month = parse_month(month_text)
    village = await _visible_cadre(scope, cadre_id, month)
    sheet = (
        await PresenceSheet.select()
        .where(PresenceSheet.owner_id == cadre_id, PresenceSheet.month == month)
        .first()
    )
    if sheet and sheet["state"] in _FROZEN:
        days = _days_from_json(loads(sheet["days"]))
    else:
        days = await _drafted(cadre_id, month)
    counts = rules.count_days(days)
    names = await accounts.user_names({cadre_id})
    settings = await _policy((await geo.village(village)).county_code, month.year, {})
    return MonthOut(
        sheet_id=sheet["id"] if sheet else None,
        cadre_id=cadre_id,
        cadre_name=names.get(cadre_id, ""),
        village_code=village,
        month=month.strftime("%Y-%m"),
        state=sheet["state"] if sheet else "draft",
        version=sheet["version"] if sheet else 0,
        return_reason=sheet["return_reason"] if sheet else None,
        days=[
            DayOut(date=d.date, status=d.status, source=d.source, logs=d.logs, note=d.note)
            for d in days
        ],
        village_days=counts.village_days,
        leave_days=counts.leave_days,
        away_days=counts.away_days,
        minimum_days=settings.min_days_month,
    )


async def submit_month(ctx: RequestContext, actor: Actor, month_text: str) -> MonthOut:
    """The cadre submits the month as drafted and stated; the days are frozen for review."""
    month = parse_month(month_text)
    village_code = await _visible_cadre(actor.scope, actor.user_id, month)
    village = await geo.village(village_code)
    engine = PresenceSheet._meta.db
    async with write_transaction(engine):
        days = await _drafted(actor.user_id, month)
        counts = rules.count_days(days)
        existing = (
            await PresenceSheet.select()
            .where(PresenceSheet.owner_id == actor.user_id, PresenceSheet.month == month)
            .first()
        )
        if existing and existing["state"] in _FROZEN:
            raise Conflict("already_submitted")
        [seq] = await allocate_seqs(engine, 1)
        now = utc_now()
        values = {
            "state": "submitted",
            "days": _days_json(days),
            "village_days": counts.village_days,
            "leave_days": counts.leave_days,
            "away_days": counts.away_days,
            "submitted_at": now,
            "seq": seq,
            "updated_at": now,
            "village_code": village.code,
            "county_code": village.county_code,
            "return_reason": None,
        }
        if existing:
            await PresenceSheet.update(
                {
                    **{getattr(PresenceSheet, k): v for k, v in values.items()},
                    PresenceSheet.version: PresenceSheet.version + 1,
                }
            ).where(PresenceSheet.id == existing["id"])
            sheet_id = existing["id"]
        else:
            sheet_id = new_id()
            await PresenceSheet.insert(
                PresenceSheet(
                    id=sheet_id,
                    owner_id=actor.user_id,
                    month=month,
                    version=1,
                    content_hash="",
                    created_at=now,
                    **values,
                )
            )
        await audit.record(
            ctx,
            "presence.submitted",
            "presence_sheet",
            sheet_id,
            county_code=village.county_code,
            before={"state": existing["state"] if existing else None},
            after={"state": "submitted", "village_days": counts.village_days},
        )
    return await month_view(actor.scope, actor.user_id, month_text)


def _sheet_notice(sheet: dict[str, Any], state: str, reason: str | None) -> Notice:
    month = sheet["month"].strftime("%Y-%m")
    if state == "confirmed":
        title = (f"{month} 驻村天数已确认", f"Presence for {month} confirmed")
        body = (f"确认驻村 {sheet['village_days']} 天", f"{sheet['village_days']} village days")
    else:
        title = (f"{month} 驻村天数报告单被退回", f"Presence for {month} returned")
        body = (f"退回原因：{reason}", f"Reason: {reason}")
    return Notice(
        recipient_id=sheet["owner_id"],
        event=f"presence.{state}",
        title=title,
        body=body,
        link=f"#/month/{month}",
        object_kind="presence_sheet",
        object_id=str(sheet["id"]),
        village_code=sheet["village_code"],
        county_code=sheet["county_code"],
    )


def _leave_notice(row: dict[str, Any], state: str, note: str) -> Notice:
    span = f"{row['start_date']:%m-%d}—{row['end_date']:%m-%d}"
    verdict = ("已批准", "approved") if state == "approved" else ("未批准", "rejected")
    return Notice(
        recipient_id=row["owner_id"],
        event=f"leave.{state}",
        title=(f"请假 {span} {verdict[0]}", f"Leave {span} {verdict[1]}"),
        body=(note, note),
        link="#/leave",
        object_kind="leave_request",
        object_id=str(row["id"]),
        village_code=row["village_code"],
        county_code=row["county_code"],
    )


async def _reviewable_sheet(actor: Actor, sheet_id: uuid.UUID) -> dict[str, Any]:
    sheet = actor.scope.reviewable(
        await PresenceSheet.select().where(PresenceSheet.id == sheet_id).first()
    )
    if not actor.scope.reviews_village(sheet["village_code"], sheet["county_code"]):
        raise Forbidden()
    return sheet


async def _decide_sheet(
    ctx: RequestContext,
    actor: Actor,
    sheet_id: uuid.UUID,
    version: int,
    state: str,
    reason: str | None,
) -> SheetOut:
    sheet = await _reviewable_sheet(actor, sheet_id)
    engine = PresenceSheet._meta.db
    async with write_transaction(engine):
        [seq] = await allocate_seqs(engine, 1)
        done = (
            await PresenceSheet.update(
                {
                    PresenceSheet.state: state,
                    PresenceSheet.return_reason: reason,
                    PresenceSheet.decided_at: utc_now(),
                    PresenceSheet.decided_by: actor.user_id,
                    PresenceSheet.version: PresenceSheet.version + 1,
                    PresenceSheet.seq: seq,
                    PresenceSheet.updated_at: utc_now(),
                }
            )
            .where(
                PresenceSheet.id == sheet_id,
                PresenceSheet.version == version,
                PresenceSheet.state == "submitted",
            )
            .returning(PresenceSheet.id)
        )
        if not done:
            raise Conflict()
        await notify(_sheet_notice(sheet, state, reason))
        await audit.record(
            ctx,
            f"presence.{state}",
            "presence_sheet",
            sheet_id,
            county_code=sheet["county_code"],
            before={"state": "submitted"},
            after={"state": state, "village_days": sheet["village_days"]},
            reason=reason,
        )
        if state == "confirmed":
            confirmed = await PresenceSheet.select().where(PresenceSheet.id == sheet_id).first()
            await month_confirmed.emit(ctx, confirmed)
    return (
        await _sheets_out(
            [await PresenceSheet.select().where(PresenceSheet.id == sheet_id).first()]
        )
    )[0]


async def confirm_sheet(
    ctx: RequestContext, actor: Actor, sheet_id: uuid.UUID, version: int
) -> SheetOut:
    """The township confirms a submitted month; its village days become confirmed days."""
    return await _decide_sheet(ctx, actor, sheet_id, version, "confirmed", None)


async def return_sheet(
    ctx: RequestContext, actor: Actor, sheet_id: uuid.UUID, version: int, reason: str
) -> SheetOut:
    """The township returns a month with a reason; the cadre corrects and submits again."""
    return await _decide_sheet(ctx, actor, sheet_id, version, "returned", reason)


async def _sheets_out(rows: list[dict[str, Any]]) -> list[SheetOut]:
    names = await accounts.user_names({r["owner_id"] for r in rows})
    policies: dict[Any, Any] = {}
    out = []
    for r in rows:
        end = _month_end(r["month"])
        flagged = await WorkLog.select(WorkLog.flags).where(
            WorkLog.owner_id == r["owner_id"], WorkLog.date >= r["month"], WorkLog.date <= end
        )
        out.append(
            SheetOut(
                id=r["id"],
                cadre_id=r["owner_id"],
                cadre_name=names.get(r["owner_id"], ""),
                village_code=r["village_code"],
                month=r["month"].strftime("%Y-%m"),
                state=r["state"],
                version=r["version"],
                village_days=r["village_days"],
                leave_days=r["leave_days"],
                away_days=r["away_days"],
                minimum_days=(
                    await _policy(r["county_code"], r["month"].year, policies)
                ).min_days_month,
                flagged_logs=sum(1 for f in flagged if loads(f["flags"])),
                return_reason=r["return_reason"],
            )
        )
    return sorted(out, key=lambda s: (s.village_code, s.cadre_name, s.month))


async def sheet_queue(scope: Scope, state: str | None, month_text: str | None) -> list[SheetOut]:
    """Sheets the caller reviews, by village and name."""
    query = PresenceSheet.select().where(
        scope.where(village=PresenceSheet.village_code, county=PresenceSheet.county_code),
        PresenceSheet.owner_id != scope.user_id,
    )
    if state:
        query = query.where(PresenceSheet.state == state)
    if month_text:
        query = query.where(PresenceSheet.month == parse_month(month_text))
    return await _sheets_out(await query)


# --- leave -------------------------------------------------------------------------------------


async def _leave_out(rows: list[dict[str, Any]]) -> list[LeaveOut]:
    names = await accounts.user_names({r["owner_id"] for r in rows})
    return sorted(
        [
            LeaveOut(
                id=r["id"],
                cadre_id=r["owner_id"],
                cadre_name=names.get(r["owner_id"], ""),
                village_code=r["village_code"],
                start_date=r["start_date"],
                end_date=r["end_date"],
                days=r["days"],
                reason=r["reason"],
                state=r["state"],
                decider_level=r["decider_level"],
                version=r["version"],
                decision_note=r["decision_note"],
            )
            for r in rows
        ],
        key=lambda x: (x.village_code, x.cadre_name, x.start_date),
    )


async def leave_queue(scope: Scope, state: str | None) -> list[LeaveOut]:
    query = LeaveRequest.select().where(
        scope.where(village=LeaveRequest.village_code, county=LeaveRequest.county_code),
        LeaveRequest.owner_id != scope.user_id,
    )
    if state:
        query = query.where(LeaveRequest.state == state)
    return await _leave_out(await query)


async def decide_leave(
    ctx: RequestContext, actor: Actor, leave_id: uuid.UUID, approve: bool, note: str, version: int
) -> LeaveOut:
    """Approve or reject a pending leave: the township up to its limit, the county above."""
    scope = actor.scope
    row = scope.reviewable(await LeaveRequest.select().where(LeaveRequest.id == leave_id).first())
    if row["decider_level"] == "county" and row["county_code"] not in scope.admin_counties:
        raise Forbidden("county_decides")
    if not scope.reviews_village(row["village_code"], row["county_code"]):
        raise Forbidden()
    state = "approved" if approve else "rejected"
    async with write_transaction(LeaveRequest._meta.db):
        done = (
            await LeaveRequest.update(
                {
                    LeaveRequest.state: state,
                    LeaveRequest.decided_by: actor.user_id,
                    LeaveRequest.decided_at: utc_now(),
                    LeaveRequest.decision_note: note or None,
                }
            )
            .where(
                LeaveRequest.id == leave_id,
                LeaveRequest.state == "pending",
                LeaveRequest.version == version,
            )
            .returning(LeaveRequest.id)
        )
        if not done:
            raise Conflict()
        await bump_seq(get_kind("leave_request"), [leave_id], {})
        await notify(_leave_notice(row, state, note))
        await audit.record(
            ctx,
            f"leave.{state}",
            "leave_request",
            leave_id,
            county_code=row["county_code"],
            before={"state": "pending"},
            after={"state": state, "days": row["days"]},
            reason=note or None,
        )
    return (
        await _leave_out([await LeaveRequest.select().where(LeaveRequest.id == leave_id).first()])
    )[0]


# --- heart-to-heart talks ----------------------------------------------------------------------


async def record_talk(ctx: RequestContext, actor: Actor, data: TalkIn) -> TalkOut:
    """谈心谈话, recorded by the township (or county) for a cadre in its scope."""
    if not await accounts.sees_person(actor.scope, data.cadre_id):
        raise NotFound()
    village_code = await accounts.posting_village(data.cadre_id, data.date)
    if village_code is None:
        raise NotFound()
    village = await geo.village(village_code)
    if not actor.scope.sees_record(data.cadre_id, village.code, village.county_code):
        raise NotFound()
    if not actor.scope.reviews_village(village.code, village.county_code):
        raise Forbidden()
    if data.cadre_id == actor.user_id:
        raise Forbidden("own_record")
    talk_id = new_id()
    async with write_transaction(Talk._meta.db):
        await Talk.insert(
            Talk(
                id=talk_id,
                cadre_id=data.cadre_id,
                village_code=village.code,
                county_code=village.county_code,
                date=data.date,
                talked_by=actor.user_id,
                summary=data.summary,
                created_at=utc_now(),
            )
        )
        await audit.record(
            ctx,
            "talk.recorded",
            "talk",
            talk_id,
            county_code=village.county_code,
            after={"cadre_id": str(data.cadre_id), "date": data.date.isoformat()},
        )
    return (await _talks_out(await Talk.select().where(Talk.id == talk_id)))[0]


async def _talks_out(rows: list[dict[str, Any]]) -> list[TalkOut]:
    names = await accounts.user_names({r["cadre_id"] for r in rows})
    return [
        TalkOut(
            id=r["id"],
            cadre_id=r["cadre_id"],
            cadre_name=names.get(r["cadre_id"], ""),
            village_code=r["village_code"],
            date=r["date"],
            summary=r["summary"],
            talked_by=r["talked_by"],
        )
        for r in rows
    ]


async def list_talks(scope: Scope, year: int) -> list[TalkOut]:
    rows = (
        await Talk.select()
        .where(
            Or(
                scope.where(village=Talk.village_code, county=Talk.county_code),
                Talk.cadre_id == scope.user_id,
            ),
            Talk.date >= dt.date(year, 1, 1),
            Talk.date <= dt.date(year, 12, 31),
        )
        .order_by(Talk.village_code)
        .order_by(Talk.date)
    )
    return await _talks_out(rows)


async def cadres_without_talk(scope: Scope, year: int) -> list[accounts.PostedCadre]:
    """Cadres posted in the caller's scope during the year with no talk recorded that year."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    posted = await accounts.posted_cadres(scope, start, end)
    talked = {
        r["cadre_id"]
        for r in await Talk.select(Talk.cadre_id).where(
            Talk.cadre_id.is_in([c.cadre_id for c in posted] or [uuid.UUID(int=0)]),
            Talk.date >= start,
            Talk.date <= end,
        )
    }
    seen: set[uuid.UUID] = set()
    out = []
    for cadre in posted:
        if cadre.cadre_id not in talked and cadre.cadre_id not in seen:
            seen.add(cadre.cadre_id)
            out.append(cadre)
    return out
