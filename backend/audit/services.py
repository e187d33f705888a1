"""Writing and checking audit events. Call ``record`` inside the transaction of the change, or
put ``appended_with`` in the very statement of the change (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from backend.audit.chain import ChainBreak, canonical_json, find_break, hashed_tail
from backend.audit.tables import AuditEvent
from backend.core.clock import utc_iso, utc_now
from backend.core.db import fetch, is_postgres, run_raw, write_transaction
from backend.core.rows import rows_as

if TYPE_CHECKING:
    from backend.core.context import RequestContext

__all__ = [
    "AuditEventRow",
    "VerifyReport",
    "appended_with",
    "county_events",
    "county_of",
    "list_events",
    "purge_expired",
    "record",
    "verify",
]


def _event(
    ctx: RequestContext | None,
    action: str,
    object_kind: str,
    object_id: Any,
    *,
    county_code: str | None = None,
    before: Any = None,
    after: Any = None,
    reason: str | None = None,
    actor_id: uuid.UUID | None = None,
) -> tuple[dict[str, Any], list[Any]]:
    """An event's hashed fields (as text) and its column values (in ``_COLUMNS`` order)."""
    now = utc_now()
    who = actor_id or (ctx.user_id if ctx else None)
    fields = {
        "at": utc_iso(now),
        "actor_id": str(who) if who else None,
        "action": action,
        "object_kind": object_kind,
        "object_id": str(object_id),
        "county_code": county_code,
        "before": canonical_json(before),
        "after": canonical_json(after),
        "reason": reason,
        "request_id": ctx.request_id if ctx else None,
        "ip": ctx.ip if ctx else None,
    }
    return fields, [{**fields, "at": now, "actor_id": who}[c] for c in _COLUMNS]


async def record(
    ctx: RequestContext | None,
    action: str,
    object_kind: str,
    object_id: Any,
    *,
    county_code: str | None = None,
    before: Any = None,
    after: Any = None,
    reason: str | None = None,
    actor_id: uuid.UUID | None = None,
) -> None:
    """Append one event. Must run inside the write transaction of the change it records.

    One statement appends it, linked to the chain's head (the one row of ``audit_chain_head``,
    the hash of the newest event) and hashed from it in the database, as ``chain.event_hash``
    computes it (``chain.hashed_tail``). On PostgreSQL that statement first moves the head
    (``UPDATE … RETURNING`` in a ``WITH``): the head's row lock queues concurrent appends
    until this transaction ends, and a waiting ``UPDATE`` goes on with the head as the one
    before it committed it, so the chain never forks; the event's id is drawn after the lock,
    so ids follow the chain. On SQLite writers are serial already, and a trigger moves the
    head after each insert (migration of 4 Dec).
    """
    engine = AuditEvent._meta.db
    fields, values = _event(ctx, action, object_kind, object_id, county_code=county_code,
                            before=before, after=after, reason=reason, actor_id=actor_id)
    postgres = is_postgres(engine)
    # A transaction of its own if the caller has none: the hash function is registered on the
    # connections of transactions (core/db).
    async with write_transaction(engine):
        tail = hashed_tail(fields)
        args = [tail, *values] if postgres else [*values, tail]
        appended = await run_raw(engine, _append_sql(postgres), args)
    if not appended:  # the head's row is gone: refuse the change rather than lose its event
        raise RuntimeError("audit_chain_head has no row: the audit chain cannot be appended")


def appended_with(
    ctx: RequestContext | None,
    action: str,
    object_kind: str,
    object_id: Any,
    *,
    after: Any,
    changed: str,
    expected: int,
) -> tuple[str, list[Any]]:
    """PostgreSQL: ``WITH`` parts that append one event in the very statement of the change
    it records (``core/db.insert_rows_with``), after a part ``changed`` returning the rows
    changed; the SQL and its values.

    The event is written beforehand for ``expected`` rows (its ``after`` says so and is
    hashed): when the statement changes another number (an id already taken), or the chain's
    head has no row, the event's hash is null and the database refuses the whole statement,
    so nothing is ever changed without its event; the caller then writes the change in a
    transaction with ``record``, counting what it did. The head moves as ``record`` moves it.
    """
    fields, values = _event(ctx, action, object_kind, object_id, after=after)
    columns = ", ".join(f'"{c}"' for c in _COLUMNS)
    params = ", ".join(f"{{}}::{t}" for t in _COLUMNS.values())
    sql = (
        f"{_HEAD_MOVED}, appended AS (INSERT INTO audit_event ({columns}, prev_hash, hash) "
        f"SELECT {params}, head.prev, CASE WHEN (SELECT count(*) FROM {changed}) = {{}}::bigint "
        "THEN head.hash END FROM (SELECT 1) AS one LEFT JOIN head ON true RETURNING id)"
    )
    return sql, [hashed_tail(fields), *values, expected]


#: An event's columns but its links, with their PostgreSQL types.
_COLUMNS = {
    "at": "timestamptz", "actor_id": "uuid", "action": "text", "object_kind": "text",
    "object_id": "text", "county_code": "text", "before": "text", "after": "text",
    "reason": "text", "request_id": "text", "ip": "text",
}

#: PostgreSQL: the chain's head moved to the new event (its hash computed from the head's and
#: the event's hashed tail, the first value), the ``WITH`` part ``head`` (``prev``, ``hash``).
_HEAD_MOVED = (
    "head AS (UPDATE audit_chain_head SET prev = hash, hash = encode(sha256(convert_to("
    "'[\"' || hash || '\"' || {}::text, 'UTF8')), 'hex') WHERE id = 1 RETURNING prev, hash)"
)


@functools.cache
def _append_sql(postgres: bool) -> str:
    """An event appended with the chain's head as ``prev_hash`` and its own hash computed by
    the same statement: the hashed text is ``'["' || prev_hash || '"' || hashed_tail``."""
    columns = ", ".join(f'"{c}"' for c in _COLUMNS)
    if postgres:
        params = ", ".join(f"{{}}::{t}" for t in _COLUMNS.values())
        return (
            f"WITH {_HEAD_MOVED} INSERT INTO audit_event ({columns}, prev_hash, hash) "
            f"SELECT {params}, head.prev, head.hash FROM head RETURNING id"
        )
    params = ", ".join(["{}"] * len(_COLUMNS))
    return (
        f"INSERT INTO audit_event ({columns}, prev_hash, hash) SELECT {params}, h.hash, "
        "sha256_hex('[\"' || h.hash || '\"' || {}) FROM audit_chain_head AS h WHERE h.id = 1 "
        "RETURNING id"
    )


class AuditEventRow(TypedDict):
    """An ``AuditEvent`` as ``AuditEvent.select()`` returns it (``before`` and ``after`` are
    canonical JSON text)."""

    id: int
    at: dt.datetime
    actor_id: uuid.UUID | None
    action: str
    object_kind: str
    object_id: str
    county_code: str | None
    before: str | None
    after: str | None
    reason: str | None
    request_id: str | None
    ip: str | None
    prev_hash: str
    hash: str


def _as_fields(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    out["at"] = utc_iso(row["at"]) if isinstance(row["at"], dt.datetime) else row["at"]
    out["actor_id"] = str(row["actor_id"]) if row["actor_id"] else None
    return out


@dataclass(frozen=True)
class VerifyReport:
    checked: int
    broken: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.broken is None


async def verify(batch: int = 5000) -> VerifyReport:
    """Check the whole chain in id order, a batch at a time; name the first broken row.

    The chain's head (read first) must be among the events: if it is not, the newest events
    were deleted, which no link between the rows left would show.
    """
    [head] = await fetch(AuditEvent._meta.db, "SELECT hash FROM audit_chain_head WHERE id = 1")
    checked, seen_head = 0, False
    anchor: str | None = None
    last_id = 0
    while True:
        rows = (
            await AuditEvent.select()
            .where(AuditEvent.id > last_id)
            .order_by(AuditEvent.id)
            .limit(batch)
        )
        if not rows:
            if checked and not seen_head:
                return VerifyReport(checked, ChainBreak(
                    last_id, "events after this row were deleted: the chain's head is not found"))
            return VerifyReport(checked, None)
        broken = find_break([_as_fields(r) for r in rows], anchor)
        if broken:
            return VerifyReport(checked, broken)
        checked += len(rows)
        seen_head = seen_head or any(r["hash"] == head["hash"] for r in rows)
        anchor, last_id = rows[-1]["hash"], rows[-1]["id"]


async def purge_expired(retention_days: int) -> int:
    """Delete events older than the retention period (never below 180 days)."""
    cutoff = utc_now() - dt.timedelta(days=max(retention_days, 180))
    old = await AuditEvent.count().where(AuditEvent.at < cutoff)
    if old:
        await AuditEvent.delete().where(AuditEvent.at < cutoff)
    return old


async def list_events(
    counties: frozenset[str],
    object_kind: str | None,
    object_id: str | None,
    limit: int,
    *,
    person_id: uuid.UUID | None = None,
    person_objects: tuple[str, ...] = (),
    action: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    before_id: int | None = None,
) -> list[AuditEventRow]:
    """Events of the given counties, newest first (county admins): by person (who acted, or
    whom it was done to: the person or ``person_objects``, such as their postings), object,
    action prefix and time, a page at a time (``before_id`` is the last id of the previous
    page)."""
    if not counties:
        return []
    query = AuditEvent.select().where(AuditEvent.county_code.is_in(sorted(counties)))
    if object_kind:
        query = query.where(AuditEvent.object_kind == object_kind)
    if object_id:
        query = query.where(AuditEvent.object_id == object_id)
    if person_id:
        objects = sorted({str(person_id), *person_objects})
        query = query.where(
            (AuditEvent.actor_id == person_id) | AuditEvent.object_id.is_in(objects)
        )
    if action:
        query = query.where(AuditEvent.action.like(action.replace("%", "") + "%"))
    if since:
        query = query.where(AuditEvent.at >= since)
    if until:
        query = query.where(AuditEvent.at < until)
    if before_id:
        query = query.where(AuditEvent.id < before_id)
    return rows_as(AuditEventRow, await query.order_by(AuditEvent.id, ascending=False).limit(limit))


async def county_events(counties: frozenset[str]) -> int:
    """How many events of these counties the chain holds."""
    if not counties:
        return 0
    return await AuditEvent.count().where(AuditEvent.county_code.is_in(sorted(counties)))


async def county_of(row_id: int) -> str | None:
    row = await AuditEvent.select(AuditEvent.county_code).where(AuditEvent.id == row_id).first()
    return row["county_code"] if row else None
