"""Writing a claim's row and what goes with every step: its audit entry, its owner's notice."""

from __future__ import annotations

import uuid
from typing import Any

from backend.audit import services as audit
from backend.claims.tables import Claim
from backend.core.clock import utc_now
from backend.core.context import RequestContext
from backend.notify.services import Notice

__all__ = ["audit_step", "insert_draft", "owner_notice"]


async def insert_draft(claim_id: uuid.UUID, owner_row: dict[str, Any], seq: int,
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
    row: dict[str, Any],
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
    row: dict[str, Any], event: str, title: tuple[str, str], body: tuple[str, str]
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
