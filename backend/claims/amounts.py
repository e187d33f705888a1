"""What a claim is worth: the policy in force, the distance to the village, the amounts.

The pure rules are in ``claims/rules.py``; this reads what they need.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypedDict

from backend.accounts import services as accounts
from backend.claims import rules
from backend.claims.tables import Claim
from backend.core.cache import RequestCache, Slot
from backend.core.scope import Scope
from backend.geo import services as geo
from backend.geo.coords import distance_m
from backend.policy import services as policy

if TYPE_CHECKING:
    from backend.accounts.schemas import PostingOut

__all__ = ["Computed", "computed"]


class Computed(TypedDict):
    """The columns of a claim the server derives (the keys of ``ClaimRow`` they fill)."""

    rate_fen: int
    road_factor_x100: int | None
    geodesic_m: int | None
    flags: list[dict[str, Any]]
    policy_version: int
    amount_fen: int
    payable_fen: int


#: The postings of a cadre (their dispatching unit's place), read once per request.
_POSTINGS: Slot[uuid.UUID, list[PostingOut]] = Slot("claim_postings")


async def _postings(owner: uuid.UUID, cache: RequestCache) -> list[PostingOut]:
    # A bare scope of the owner reads exactly the owner's postings.
    return await cache.get(_POSTINGS, owner, lambda: accounts.list_postings(Scope(user_id=owner)))


async def _posting_on(
    owner: uuid.UUID, village_code: str, on: dt.date, cache: RequestCache
) -> PostingOut | None:
    """The owner's posting to the village that covers the day (the latest one)."""
    found = [
        p
        for p in await _postings(owner, cache)
        if p.cadre_id == owner
        and p.village_code == village_code
        and p.start_date <= on
        and (p.end_date is None or p.end_date >= on)
    ]
    return max(found, key=lambda p: p.start_date) if found else None


async def _geodesic_m(
    owner: uuid.UUID, village_code: str, on: dt.date, cache: RequestCache
) -> int | None:
    """Metres between the dispatching unit and the village's fence centre (WGS-84)."""
    posting = await _posting_on(owner, village_code, on, cache)
    village = await geo.cached_village(cache, village_code)
    if posting is None or posting.unit_lat is None or posting.unit_lon is None:
        return None
    if village is None or village.center is None:
        return None
    return round(distance_m((posting.unit_lat, posting.unit_lon), village.center))


async def computed(
    owner: uuid.UUID,
    village_code: str,
    county_code: str,
    values: Mapping[str, Any],
    cache: RequestCache,
) -> Computed:
    """What the server derives from a claim's inputs with the policy in force."""
    on = values.get("date") or values["month"]
    pol = await policy.cached_policy(cache, county_code, on.year)
    if values["kind"] == "subsidy":
        rate = pol.subsidy_daily_fen
        amount = rules.subsidy_amount_fen(values["village_days"], rate)
        road_factor_x100: int | None = None
        geodesic: int | None = None
        flags: list[dict[str, Any]] = []
    else:
        rate = pol.car_fen_per_km if values["mode"] == "car" else 0
        geodesic = await _geodesic_m(owner, village_code, values["date"], cache)
        amount = rules.travel_amount_fen(
            values["mode"], fare_fen=values["fare_fen"], road_m=values["road_m"], fen_per_km=rate
        )
        road_factor_x100 = pol.road_factor_x100
        flags = rules.travel_flags(values["mode"], values["road_m"], geodesic, pol.road_factor_x100)
    corrected = 0
    if values.get("corrects_id"):
        original = (
            await Claim.select(Claim.amount_fen).where(Claim.id == values["corrects_id"]).first()
        )
        corrected = original["amount_fen"] if original else 0
    return {
        "rate_fen": rate,
        "road_factor_x100": road_factor_x100,
        "geodesic_m": geodesic,
        "flags": flags,
        "policy_version": pol.version,
        "amount_fen": amount,
        "payable_fen": amount - corrected,
    }
