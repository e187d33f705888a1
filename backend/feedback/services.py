"""Feedback rules: written by anyone in a county, answered by its admins, answer to the inbox."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from backend.accounts import services as accounts
from backend.audit import services as audit
from backend.core.canonical import loads
from backend.core.clock import utc_now
from backend.core.db import present, write_transaction
from backend.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from backend.core.ids import is_sha256
from backend.core.rows import Json, row_as, rows_as
from backend.evidence import services as evidence
from backend.feedback.messages import Notices
from backend.feedback.schemas import FeedbackData, FeedbackOut
from backend.feedback.tables import Feedback
from backend.notify.services import Notice, notify
from backend.sync.registry import Prepared, SyncedRow, registered_kind
from backend.sync.services import bump_seq

if TYPE_CHECKING:
    from piccolo.columns.combination import Combinable

    from backend.core.context import RequestContext
    from backend.core.scope import Actor, Scope

__all__ = ["FeedbackRow", "answer", "feedback_where", "list_feedback",
           "prepare_feedback",
           "write_links"]


class FeedbackRow(SyncedRow):
    """A ``Feedback`` as ``Feedback.select()`` returns it."""

    text: str
    evidence: Json
    state: str
    answer: str | None
    answered_by: uuid.UUID | None
    answered_at: dt.datetime | None


def _home(scope: Scope) -> tuple[str, str] | None:
    """(village or division code, county) the user belongs to, for routing feedback."""
    for village in sorted(scope.own_villages):
        return village, village[:6]
    for township in sorted(scope.review_townships):
        return township, township[:6]
    for county in sorted(scope.counties):
        return county, county
    return None


async def prepare_feedback(actor: Actor, message: FeedbackData) -> Prepared:
    if not all(map(is_sha256, message.evidence)):
        raise ValidationFailed(errors=[FieldError("evidence", "invalid")])
    home = _home(actor.scope)
    if home is None:
        raise ValidationFailed(errors=[FieldError("data", "out_of_scope")])
    return Prepared({"text": message.text, "evidence": message.evidence, "state": "open"},
                    home[0], home[1])




def feedback_where(scope: Scope) -> Combinable:
    """The author, and the admins of the author's county; nobody else."""
    clause: Combinable = Feedback.owner_id == scope.user_id
    if scope.admin_counties:
        clause = clause | Feedback.county_code.is_in(sorted(scope.admin_counties))
    return clause


def feedback_locked(row: FeedbackRow) -> str | None:
    return None if row["state"] == "open" else "locked"


async def write_links(actor: Actor, rows: list[FeedbackRow]) -> None:
    await evidence.link_records("feedback", rows)


async def _out(rows: list[FeedbackRow]) -> list[FeedbackOut]:

    names = await accounts.user_names({r["owner_id"] for r in rows})
    return [FeedbackOut(
        id=r["id"], author_id=r["owner_id"], author_name=names.get(r["owner_id"], ""),
        county_code=r["county_code"], text=r["text"], evidence=loads(r["evidence"]) or [],
        state=r["state"], answer=r["answer"], created_at=r["created_at"],
        answered_at=r["answered_at"],
    ) for r in rows]


async def list_feedback(scope: Scope, state: str | None) -> list[FeedbackOut]:
    """One's own messages; for county admins, every message of their counties. Oldest first."""
    query = Feedback.select().where(feedback_where(scope)).order_by(Feedback.created_at)
    if state:
        query = query.where(Feedback.state == state)
    return await _out(rows_as(FeedbackRow, await query))


async def answer(ctx: RequestContext, actor: Actor, feedback_id: uuid.UUID,
                 text: str) -> FeedbackOut:
    """A county admin answers; the author finds the answer in their inbox."""
    row = row_as(FeedbackRow, await Feedback.select().where(
        Feedback.id == feedback_id, feedback_where(actor.scope)).first())
    if row is None:
        raise NotFound()
    if row["county_code"] not in actor.scope.admin_counties:
        raise Forbidden()
    async with write_transaction(Feedback._meta.db):
        done = await Feedback.update({
            Feedback.state: "answered", Feedback.answer: text,
            Feedback.answered_by: actor.user_id, Feedback.answered_at: utc_now(),
        }).where(Feedback.id == feedback_id, Feedback.state == "open").returning(Feedback.id)
        if not done:
            raise Conflict()
        await bump_seq(registered_kind("feedback"), [feedback_id], {})
        await notify(Notice(
            recipient_id=row["owner_id"], event="feedback.answered",
            title=Notices.answered,
            body=(text, text), link="#/feedback", object_kind="feedback",
            object_id=str(feedback_id), village_code=row["village_code"],
            county_code=row["county_code"],
        ))
        await audit.record(ctx, "feedback.answered", "feedback", feedback_id,
                           county_code=row["county_code"], before={"state": "open"},
                           after={"state": "answered"})
    row = present(row_as(FeedbackRow,
                         await Feedback.select().where(Feedback.id == feedback_id).first()))
    return (await _out([row]))[0]
