"""A claim's row: its type (``ClaimRow``), writing it, and what goes with every step: its audit
entry, its owner's notice."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, TypedDict

from backend.audit import services as audit
from backend.claims.tables import Claim
from backend.core.clock import utc_now
from backend.core.context import RequestContext
from backend.core.rows import Json, row_as, rows_as
from backend.notify.services import Notice
from backend.sync.registry import SyncedRow

__all__ = [
    "ClaimRow",
    "OwnedRow",
    "audit_step",
    "claim_row",
    "claim_rows",
    "insert_draft",
    "owner_notice",
]


class ClaimRow(SyncedRow):
    """A ``Claim`` as ``Claim.select()`` returns it (see the table for what each column means)."""

    kind: str
    state: str
    township_code: str
    month: dt.date
    date: dt.date | None
    mode: str | None
    fare_fen: int | None
    road_m: int | None
    note: str
    evidence: Json
    sheet_id: uuid.UUID | None
    village_days: int | None
    policy_version: int
    rate_fen: int
    road_factor_x100: int | None
    geodesic_m: int | None
    amount_fen: int
    payable_fen: int
    flags: Json
    corrects_id: uuid.UUID | None
    reason: str | None
    submitted_at: dt.datetime | None
    township_by: uuid.UUID | None
    township_at: dt.datetime | None
    county_by: uuid.UUID | None
    county_at: dt.datetime | None
    decided_by: uuid.UUID | None
    decided_at: dt.datetime | None
    paid_by: uuid.UUID | None
    paid_at: dt.datetime | None
    payment_reference: str | None


class OwnedRow(TypedDict):
    """The owner and place of a synced row a server-made claim copies (a claim, a presence
    sheet)."""

    owner_id: uuid.UUID
    village_code: str
    county_code: str


def claim_rows(rows: list[dict[str, Any]]) -> list[ClaimRow]:
    """Whole claim rows (``Claim.select()``), typed."""
    return rows_as(ClaimRow, rows)


def claim_row(row: dict[str, Any] | None) -> ClaimRow | None:
    """One whole claim row (``Claim.select()….first()``), typed."""
    return row_as(ClaimRow, row)


async def insert_draft(claim_id: uuid.UUID, owner_row: OwnedRow, seq: int,
                        values: dict[str, Any]) -> list[dict[str, Any]]:
    """A draft claim the server makes (a subsidy, a correction); [] when the database's
    uniqueness says it exists already."""
    now = utc_now()
    return await Claim.insert(Claim(
        id=claim_id, owner_id=owner_row["owner_id"], village_code=owner_row["village_code"],
        county_code=owner_row["county_code"], version=1, seq=seq, content_hash="",
        state="draft", created_at=now, updated_at=now, **values,
    )).on_conflict(action="DO NOTHING").returning(Claim.id)



async def audit_step(
    ctx: RequestContext,
    row: ClaimRow,
    action: str,
    from_state: str | None,
    to_state: str,
    reason: str | None = None,
    **extra: Any,
) -> None:
    await audit.record(
        ctx,
        f"claim.{action}",
        "claim",
        row["id"],
        county_code=row["county_code"],
        before={"state": from_state},
        after={
            "state": to_state,
            "type": row["kind"],
            "amount_fen": row["amount_fen"],
            "payable_fen": row["payable_fen"],
            **extra,
        },
        reason=reason,
    )


def owner_notice(
    row: ClaimRow, event: str, title: tuple[str, str], body: tuple[str, str]
) -> Notice:
    return Notice(
        recipient_id=row["owner_id"],
        event=event,
        title=title,
        body=body,
        link=f"#/claims/{row['id']}",
        object_kind="claim",
        object_id=str(row["id"]),
        village_code=row["village_code"],
        county_code=row["county_code"],
    )
