"""谈心谈话: the talks a township records with its cadres, and the cadres still owed one."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, TypedDict

from piccolo.columns.combination import Or

from backend.accounts import services as accounts
from backend.audit import services as audit
from backend.core.clock import utc_now
from backend.core.db import write_transaction
from backend.core.errors import Forbidden, NotFound
from backend.core.ids import new_id
from backend.core.rows import rows_as
from backend.fieldwork.schemas import TalkIn, TalkOut
from backend.fieldwork.tables import Talk
from backend.geo import services as geo

if TYPE_CHECKING:
    from backend.core.context import RequestContext
    from backend.core.scope import Actor, Scope

__all__ = [
    "TalkRow",
    "cadres_without_talk",
    "list_talks",
    "record_talk",
]


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
    return (await _talks_out(rows_as(TalkRow, await Talk.select().where(Talk.id == talk_id))))[0]


class TalkRow(TypedDict):
    """A ``Talk`` as ``Talk.select()`` returns it."""

    id: uuid.UUID
    cadre_id: uuid.UUID
    village_code: str
    county_code: str
    date: dt.date
    talked_by: uuid.UUID
    summary: str
    created_at: dt.datetime


async def _talks_out(rows: list[TalkRow]) -> list[TalkOut]:
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
    rows = rows_as(TalkRow, (
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
    ))
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
