"""The sync kind ``travel_claim``: a round trip the cadre records, offline too."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from piccolo.columns.combination import WhereRaw

from backend.accounts import posted
from backend.claims import amounts, records, rules
from backend.claims.records import ClaimRow
from backend.claims.schemas import TravelClaimData
from backend.claims.tables import Claim
from backend.core.cache import RequestCache
from backend.core.clock import beyond_tomorrow
from backend.core.context import RequestContext
from backend.core.errors import FieldError, ValidationFailed
from backend.core.ids import is_sha256
from backend.core.scope import Scope
from backend.evidence import services as evidence
from backend.sync.registry import Prepared

if TYPE_CHECKING:
    from piccolo.columns.combination import Combinable

    from backend.core.scope import Actor

__all__ = [
    "LINK_KIND",
    "enrich_travel_claims",
    "nothing",
    "prepare_travel_claim",
    "travel_claim_locked",
    "write_travel_links",
]


#: The wire name of claims in evidence links; evidence lets county finance see photos of
#: records whose kind ends in "claim".
LINK_KIND = "travel_claim"


def nothing(scope: Scope) -> Combinable:
    """Travel claims come back by pull as kind ``claim``, with every other claim."""
    return WhereRaw("1 = 0")


# --- the sync kind travel_claim ------------------------------------------------------------------


async def _correctable(owner: uuid.UUID, claim_id: uuid.UUID, kind: str) -> str | None:
    """Why ``claim_id`` cannot be corrected by ``owner``, or None."""
    row = (
        await Claim.select(Claim.kind, Claim.state)
        .where(Claim.id == claim_id, Claim.owner_id == owner)
        .first()
    )
    if row is None or row["kind"] != kind:
        return "not_found"
    return None if row["state"] in rules.CORRECTABLE else "wrong_state"


def _mode_errors(trip: TravelClaimData) -> list[FieldError]:
    wanted: tuple[str, object]
    unwanted: tuple[str, object]
    if trip.mode == "public":
        wanted, unwanted = ("fare_fen", trip.fare_fen), ("road_km", trip.road_km)
    else:
        wanted, unwanted = ("road_km", trip.road_km), ("fare_fen", trip.fare_fen)
    errors = []
    if wanted[1] is None:
        errors.append(FieldError(wanted[0], "required"))
    if unwanted[1] is not None:
        errors.append(FieldError(unwanted[0], "not_allowed"))
    return errors


async def prepare_travel_claim(actor: Actor, trip: TravelClaimData) -> Prepared:
    """Validate a pushed ``travel_claim``. Receipt photos are optional, always."""
    village = await posted.own_village(actor, trip.village_code)
    errors = _mode_errors(trip)
    if beyond_tomorrow(trip.date):
        errors.append(FieldError("date", "too_large"))
    else:
        errors += await posted.outside_posting(actor, village.code, {"date": trip.date})
    if not all(map(is_sha256, trip.evidence)):
        errors.append(FieldError("evidence", "invalid"))
    if trip.corrects_id is not None:
        why = await _correctable(actor.user_id, trip.corrects_id, "travel")
        if why:
            errors.append(FieldError("corrects_id", why))
    if errors:
        raise ValidationFailed(errors=errors)
    return Prepared(
        {
            "kind": "travel",
            "township_code": village.township_code,
            "month": trip.date.replace(day=1),
            "date": trip.date,
            "mode": trip.mode,
            "fare_fen": trip.fare_fen,
            "road_m": rules.road_km_to_m(trip.road_km) if trip.road_km is not None else None,
            "note": trip.note,
            "evidence": list(dict.fromkeys(trip.evidence)),
            "corrects_id": trip.corrects_id,
        },
        village.code,
        village.county_code,
    )


def travel_claim_locked(row: ClaimRow) -> str | None:
    """The owner edits a travel claim only while it is a draft or returned to them."""
    if row["kind"] != "travel" or row["state"] not in rules.EDITABLE:
        return "locked"
    return None


async def enrich_travel_claims(items: list[tuple[uuid.UUID, uuid.UUID, Prepared]]) -> None:
    """Amounts, distance and flags of the trips about to be written (in the push transaction)."""
    cache = RequestCache()
    for _id, owner, prepared in items:
        village_code, county_code = prepared.place()
        prepared.values.update(
            await amounts.computed(owner, village_code, county_code, prepared.values, cache)
        )


async def write_travel_links(actor: Actor, rows: list[ClaimRow]) -> None:
    """After a push: photo links become what the claims name; new drafts are audited."""
    await evidence.link_records(LINK_KIND, rows)
    ctx = RequestContext(user_id=actor.user_id, request_id=actor.request_id, ip=actor.ip)
    for r in rows:
        if r["version"] == 1:
            await records.audit_step(ctx, r, "drafted", None, "draft")
