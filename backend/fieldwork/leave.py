"""Leave requests: pushed by the cadre, decided by the township up to its limit, the county above.

The pure rules (counting days, routing) are in ``fieldwork/rules.py``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from backend.accounts import posted
from backend.accounts import services as accounts
from backend.audit import services as audit
from backend.core.clock import utc_now
from backend.core.db import present, write_transaction
from backend.core.errors import Conflict, FieldError, Forbidden, ValidationFailed
from backend.core.rows import row_as, rows_as
from backend.fieldwork import rules
from backend.fieldwork.messages import Notices
from backend.fieldwork.schemas import LeaveData, LeaveOut
from backend.fieldwork.tables import LeaveRequest
from backend.notify.services import Notice, notify
from backend.policy import services as policy
from backend.sync.registry import Prepared, SyncedRow, registered_kind
from backend.sync.services import bump_seq

if TYPE_CHECKING:
    from backend.core.context import RequestContext
    from backend.core.scope import Actor, Scope

__all__ = [
    "LeaveRequestRow",
    "decide_leave",
    "leave_locked",
    "leave_queue",
    "prepare_leave",
]


class LeaveRequestRow(SyncedRow):
    """A ``LeaveRequest`` as ``LeaveRequest.select()`` returns it."""

    start_date: dt.date
    end_date: dt.date
    days: int
    reason: str
    state: str
    decider_level: str
    decided_by: uuid.UUID | None
    decided_at: dt.datetime | None
    decision_note: str | None





async def prepare_leave(actor: Actor, leave: LeaveData) -> Prepared:
    """A leave request; the township decides up to its limit, the county above it."""
    village = await posted.own_village(actor, leave.village_code)
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
    settings = await policy.cached_policy(actor.cache, village.county_code, leave.start_date.year)
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


def leave_locked(row: LeaveRequestRow) -> str | None:
    return None if row["state"] == "pending" else "locked"



def _leave_notice(row: LeaveRequestRow, state: str, note: str) -> Notice:
    span = f"{row['start_date']:%m-%d}—{row['end_date']:%m-%d}"
    title = Notices.leave_approved if state == "approved" else Notices.leave_rejected
    return Notice(
        recipient_id=row["owner_id"],
        event=f"leave.{state}",
        title=title.fill(span=span),
        body=(note, note),
        link="#/leave",
        object_kind="leave_request",
        object_id=str(row["id"]),
        village_code=row["village_code"],
        county_code=row["county_code"],
    )



async def _leave_out(rows: list[LeaveRequestRow]) -> list[LeaveOut]:
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
    return await _leave_out(rows_as(LeaveRequestRow, await query))


async def decide_leave(
    ctx: RequestContext, actor: Actor, leave_id: uuid.UUID, approve: bool, note: str, version: int
) -> LeaveOut:
    """Approve or reject a pending leave: the township up to its limit, the county above."""
    scope = actor.scope
    row = scope.reviewable(
        row_as(LeaveRequestRow,
               await LeaveRequest.select().where(LeaveRequest.id == leave_id).first())
    )
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
        await bump_seq(registered_kind("leave_request"), [leave_id], {})
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
        await _leave_out(
            [present(row_as(LeaveRequestRow, await LeaveRequest.select().where(
                LeaveRequest.id == leave_id).first()))]
        )
    )[0]
