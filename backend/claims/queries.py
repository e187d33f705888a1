"""Reading claims: the wire form for pull, lists, one claim, its history, dashboard totals."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from piccolo.columns.combination import And, Or

from backend.accounts import services as accounts
from backend.audit import services as audit
from backend.claims.records import ClaimRow, claim_row, claim_rows
from backend.claims.schemas import ClaimEventOut, ClaimOut, EvidenceOut, FlagOut
from backend.claims.tables import Claim
from backend.core.canonical import loads
from backend.core.errors import NotFound
from backend.core.money import fen_to_yuan
from backend.core.scope import Scope
from backend.evidence import services as evidence

if TYPE_CHECKING:
    from piccolo.columns.combination import Combinable


__all__ = [
    "claim_history",
    "claim_pull_where",
    "claim_queue",
    "claims_out",
    "evidence_out",
    "km",
    "my_claims",
    "read_claim",
    "village_claim_totals",
    "visible",
]


# --- wire form ---------------------------------------------------------------------------------


def km(metres: int | None) -> float | None:
    """Metres as kilometres on the wire."""
    return metres / 1000 if metres is not None else None




def claim_pull_where(scope: Scope) -> Combinable:
    """Pull: the owner gets every state of their claims; reviewers and finance of the claim's
    township or county get it once submitted (a draft is the cadre's own until then)."""
    return And(
        scope.where(
            village=Claim.village_code,
            county=Claim.county_code,
            owner=Claim.owner_id,
            finance=True,
        ),
        Or(Claim.owner_id == scope.user_id, Claim.state != "draft"),
    )


# --- reading -----------------------------------------------------------------------------------


def _sees(scope: Scope, row: ClaimRow) -> bool:
    if row["owner_id"] == scope.user_id:
        return True
    return row["state"] != "draft" and scope.sees_record(
        None, row["village_code"], row["county_code"], finance=True
    )


async def visible(scope: Scope, claim_id: uuid.UUID) -> ClaimRow:
    row = claim_row(await Claim.select().where(Claim.id == claim_id).first())
    if row is None or not _sees(scope, row):
        raise NotFound()
    return row


def evidence_out(hashes: list[str], stored: set[str]) -> list[EvidenceOut]:
    """The photos a record names, each saying whether it has reached the server yet."""
    return [
        EvidenceOut(
            sha256=h,
            uploaded=h in stored,
            thumb_url=f"/api/evidence/{h}/thumb",
            display_url=f"/api/evidence/{h}/display",
        )
        for h in hashes
    ]


async def claims_out(rows: list[ClaimRow]) -> list[ClaimOut]:
    """Claims with names, evidence thumbnails and flags, by township, village, name and date."""
    names = await accounts.user_names({r["owner_id"] for r in rows})
    hashes = sorted({h for r in rows for h in loads(r["evidence"]) or []})
    stored = {f.sha256 for f in await evidence.photo_facts(hashes)}
    out = []
    for r in rows:
        factor = r["road_factor_x100"]
        out.append(
            ClaimOut(
                id=r["id"],
                type=r["kind"],
                state=r["state"],
                version=r["version"],
                cadre_id=r["owner_id"],
                cadre_name=names.get(r["owner_id"], ""),
                village_code=r["village_code"],
                township_code=r["township_code"],
                county_code=r["county_code"],
                month=r["month"].strftime("%Y-%m"),
                date=r["date"],
                mode=r["mode"],
                fare_fen=r["fare_fen"],
                road_km=r["road_m"] / 1000 if r["road_m"] is not None else None,
                note=r["note"],
                village_days=r["village_days"],
                sheet_id=r["sheet_id"],
                policy_version=r["policy_version"],
                rate_fen=r["rate_fen"],
                road_factor=factor / 100 if factor is not None else None,
                geodesic_km=round(r["geodesic_m"] / 1000, 3)
                if r["geodesic_m"] is not None
                else None,
                amount_fen=r["amount_fen"],
                amount_yuan=fen_to_yuan(r["amount_fen"]),
                payable_fen=r["payable_fen"],
                payable_yuan=fen_to_yuan(r["payable_fen"]),
                flags=[FlagOut(**f) for f in loads(r["flags"]) or []],
                evidence=evidence_out(loads(r["evidence"]) or [], stored),
                corrects_id=r["corrects_id"],
                reason=r["reason"],
                payment_reference=r["payment_reference"],
                submitted_at=r["submitted_at"],
                township_approved_at=r["township_at"],
                county_approved_at=r["county_at"],
                paid_at=r["paid_at"],
            )
        )
    return sorted(
        out,
        key=lambda c: (
            c.township_code,
            c.village_code,
            c.cadre_name,
            c.month,
            c.date or dt.date.min,
        ),
    )


async def read_claim(scope: Scope, claim_id: uuid.UUID) -> ClaimOut:
    return (await claims_out([await visible(scope, claim_id)]))[0]


def _filtered(query: Any, state: str | None, month: dt.date | None, kind: str | None) -> Any:
    if state:
        query = query.where(Claim.state == state)
    if month:
        query = query.where(Claim.month == month)
    if kind:
        query = query.where(Claim.kind == kind)
    return query


async def claim_queue(
    scope: Scope,
    state: str | None,
    month: dt.date | None,
    kind: str | None,
    township: str | None,
) -> list[ClaimOut]:
    """Claims the caller reviews or pays (never their own, never drafts)."""
    query = Claim.select().where(
        scope.where(village=Claim.village_code, county=Claim.county_code, finance=True),
        Claim.owner_id != scope.user_id,
        Claim.state != "draft",
    )
    if township:
        query = query.where(Claim.township_code == township)
    return await claims_out(claim_rows(await _filtered(query, state, month, kind)))


async def my_claims(
    scope: Scope, state: str | None, month: dt.date | None, kind: str | None
) -> list[ClaimOut]:
    query = Claim.select().where(Claim.owner_id == scope.user_id)
    return await claims_out(claim_rows(await _filtered(query, state, month, kind)))


async def claim_history(scope: Scope, claim_id: uuid.UUID) -> list[ClaimEventOut]:
    """Every transition of a claim, oldest first: who, when, from, to, why."""
    row = await visible(scope, claim_id)
    events = await audit.list_events(frozenset({row["county_code"]}), "claim", str(claim_id), 1000)
    names = await accounts.user_names({e["actor_id"] for e in events if e["actor_id"]})
    out = []
    for e in reversed(events):
        before, after = loads(e["before"]) or {}, loads(e["after"]) or {}
        out.append(
            ClaimEventOut(
                at=e["at"],
                actor_id=e["actor_id"],
                actor_name=names.get(e["actor_id"], "") if e["actor_id"] else "",
                action=e["action"],
                from_state=before.get("state"),
                to_state=after.get("state"),
                reason=e["reason"],
            )
        )
    return out



async def village_claim_totals(villages: list[str], month: dt.date,
                               ) -> dict[str, dict[str, tuple[int, int]]]:
    """Per village, per state: (claims, payable fen) of the claims of ``month`` (dashboards)."""
    out: dict[str, dict[str, tuple[int, int]]] = {v: {} for v in villages}
    if not villages:
        return out
    rows = await Claim.select(Claim.village_code, Claim.state, Claim.payable_fen).where(
        Claim.county_code.is_in(sorted({v[:6] for v in villages})), Claim.month == month,
        Claim.deleted.eq(False))
    for r in rows:
        if r["village_code"] in out:
            count, fen = out[r["village_code"]].get(r["state"], (0, 0))
            out[r["village_code"]][r["state"]] = (count + 1, fen + int(r["payable_fen"]))
    return out
