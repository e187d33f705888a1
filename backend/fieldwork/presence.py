"""Presence rules over the database: days, the monthly sheet and its review.

The pure rules (drafting, counting, leave routing) are in ``fieldwork/rules.py``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from backend.accounts import posted
from backend.accounts import services as accounts
from backend.audit import services as audit
from backend.core.cache import RequestCache, Slot
from backend.core.canonical import loads
from backend.core.clock import beyond_tomorrow, local_date, utc_now
from backend.core.db import fetch, present, write_transaction
from backend.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from backend.core.events import Event
from backend.core.ids import new_id
from backend.core.rows import Json, row_as, rows_as
from backend.core.validation import parse_month
from backend.fieldwork import rules
from backend.fieldwork.messages import Notices
from backend.fieldwork.schemas import DayOut, MonthOut, PresenceDayData, SheetOut
from backend.fieldwork.tables import LeaveRequest, PresenceDay, PresenceSheet, WorkLog
from backend.geo import services as geo
from backend.notify.services import Notice, notify
from backend.policy import services as policy
from backend.sync.registry import Prepared, SyncedRow
from backend.sync.services import allocate_seqs

if TYPE_CHECKING:
    from backend.core.context import RequestContext
    from backend.core.scope import Actor, Scope

__all__ = [
    "PresenceDayRow",
    "PresenceSheetRow",
    "confirm_sheet",
    "month_confirmed",
    "month_view",
    "prepare_presence_day",
    "return_sheet",
    "sheet_queue",
    "sheet_row",
    "submit_month",
]

_FROZEN = ("submitted", "confirmed")
_SHEET_STATES: Slot[dt.date, str | None] = Slot("sheet_states")

class PresenceSheetRow(SyncedRow):
    """A ``PresenceSheet`` as ``PresenceSheet.select()`` returns it."""

    month: dt.date
    state: str
    days: Json
    village_days: int
    leave_days: int
    away_days: int
    return_reason: str | None
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    decided_by: uuid.UUID | None


class PresenceDayRow(SyncedRow):
    """A ``PresenceDay`` as ``PresenceDay.select()`` returns it."""

    date: dt.date
    status: str
    note: str


def sheet_row(row: dict[str, Any] | None) -> PresenceSheetRow | None:
    """One whole presence sheet row, typed."""
    return row_as(PresenceSheetRow, row)


#: Emitted inside the confirming transaction with the request context and the confirmed sheet
#: row, so that other capabilities act on confirmed days (claims drafts the living subsidy)
#: without field work knowing them; they listen in their manifests (``capability.py``).
month_confirmed: Event[[RequestContext, PresenceSheetRow]] = Event("presence.month_confirmed")


def _month_end(month: dt.date) -> dt.date:
    return rules.days_of_month(month)[-1]


# --- wire forms --------------------------------------------------------------------------------






# --- pushed kinds ------------------------------------------------------------------------------


async def _sheet_state(actor: Actor, month: dt.date) -> str | None:
    """The state of the caller's sheet for the month (None: no sheet), once per request."""

    async def load() -> str | None:
        row = (
            await PresenceSheet.select(PresenceSheet.state)
            .where(PresenceSheet.owner_id == actor.user_id, PresenceSheet.month == month)
            .first()
        )
        return row["state"] if row else None

    return await actor.cache.get(_SHEET_STATES, month, load)


async def prepare_presence_day(actor: Actor, day: PresenceDayData) -> Prepared:
    """A day as the cadre states it; refused once the month is submitted or confirmed."""
    village = await posted.own_village(actor, day.village_code)
    if beyond_tomorrow(day.date):
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
    sheet = sheet_row(
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
    settings = await policy.policy_for((await geo.village(village)).county_code, month.year)
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
        values: dict[str, Any] = {
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


def _sheet_notice(sheet: PresenceSheetRow, state: str, reason: str | None) -> Notice:
    month = sheet["month"].strftime("%Y-%m")
    if state == "confirmed":
        title = Notices.sheet_confirmed.fill(month=month)
        body = Notices.sheet_confirmed_body.fill(days=sheet["village_days"])
    else:
        title = Notices.sheet_returned.fill(month=month)
        body = Notices.sheet_returned_body.fill(reason=reason)
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


async def _reviewable_sheet(actor: Actor, sheet_id: uuid.UUID) -> PresenceSheetRow:
    sheet = actor.scope.reviewable(
        sheet_row(await PresenceSheet.select().where(PresenceSheet.id == sheet_id).first())
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
            confirmed = present(
                sheet_row(await PresenceSheet.select().where(PresenceSheet.id == sheet_id).first())
            )
            await month_confirmed.emit(ctx, confirmed)
    return (
        await _sheets_out(
            [present(sheet_row(
                await PresenceSheet.select().where(PresenceSheet.id == sheet_id).first()))]
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


async def _sheets_out(rows: list[PresenceSheetRow]) -> list[SheetOut]:
    names = await accounts.user_names({r["owner_id"] for r in rows})
    cache = RequestCache()
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
                    await policy.cached_policy(cache, r["county_code"], r["month"].year)
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
    return await _sheets_out(rows_as(PresenceSheetRow, await query))
