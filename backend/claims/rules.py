"""Claim rules as pure functions: the review state table, amounts, the road-distance flag and
insurance coverage gaps. No database; every rule here is tested directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from backend.claims.messages import Flags

__all__ = [
    "ACTIONS",
    "CORRECTABLE",
    "EDITABLE",
    "PARTIES",
    "REVIEW_ACTIONS",
    "STATES",
    "TRANSITIONS",
    "TRIP_COUNTED",
    "Period",
    "allowed",
    "car_amount_fen",
    "may_ever",
    "merge_periods",
    "road_km_to_m",
    "road_too_long",
    "subsidy_amount_fen",
    "travel_amount_fen",
    "travel_flags",
    "uncovered",
]

#: 草稿, 已提交, 已退回, 乡镇已审, 县已审, 已支付, 不予受理.
STATES = (
    "draft",
    "submitted",
    "returned",
    "township_approved",
    "county_approved",
    "paid",
    "rejected",
)
ACTIONS = ("submit", "approve", "return", "reject", "pay")
REVIEW_ACTIONS = frozenset({"approve", "return", "reject", "pay"})
#: Who acts, as seen from one claim: its owner, a reviewer of its township, an admin of its
#: county, finance of its county.
PARTIES = ("owner", "township", "county", "finance")

_T, _C, _F = frozenset({"township"}), frozenset({"county"}), frozenset({"finance"})

#: (from state, action) → (to state, parties who may take that arrow). domain.md, "Claim
#: states": draft → submitted → township_approved → county_approved → paid; returned (with a
#: reason; the cadre edits and resubmits) or rejected (with a reason; final) from submitted or
#: township_approved. The first review is the township's, the second the county's; a county
#: admin may also stop a claim that the township has not reviewed yet.
TRANSITIONS: dict[tuple[str, str], tuple[str, frozenset[str]]] = {
    ("draft", "submit"): ("submitted", frozenset({"owner"})),
    ("returned", "submit"): ("submitted", frozenset({"owner"})),
    ("submitted", "approve"): ("township_approved", _T),
    ("submitted", "return"): ("returned", _T | _C),
    ("submitted", "reject"): ("rejected", _T | _C),
    ("township_approved", "approve"): ("county_approved", _C),
    ("township_approved", "return"): ("returned", _C),
    ("township_approved", "reject"): ("rejected", _C),
    ("county_approved", "pay"): ("paid", _F),
}
#: States in which the owner may still change the claim (by sync).
EDITABLE = frozenset({"draft", "returned"})
#: Approved claims are locked; a correction is a new claim that refers to one of these.
CORRECTABLE = frozenset({"county_approved", "paid"})
#: States in which a round trip counts against the month's cap (drafts are only intentions).
TRIP_COUNTED = frozenset({"submitted", "returned", "township_approved", "county_approved", "paid"})


def allowed(from_state: str, action: str, roles: Iterable[str]) -> str | None:
    """The state ``action`` leads to from ``from_state`` for a caller with ``roles`` (parties
    relative to the claim), or None when the diagram has no such arrow for them.

    Nobody reviews their own claim: an owner may only submit.

    >>> allowed("submitted", "approve", {"township"})
    'township_approved'
    >>> allowed("submitted", "approve", {"owner", "township"}) is None
    True
    """
    parties = frozenset(roles)
    if "owner" in parties and action in REVIEW_ACTIONS:
        return None
    step = TRANSITIONS.get((from_state, action))
    if step is None or not step[1] & parties:
        return None
    return step[0]


def may_ever(action: str, roles: Iterable[str]) -> bool:
    """Whether any arrow labelled ``action`` is open to these parties."""
    parties = frozenset(roles)
    return any(a == action and who & parties for (_s, a), (_t, who) in TRANSITIONS.items())


# --- amounts ------------------------------------------------------------------------------------


def subsidy_amount_fen(village_days: int, daily_rate_fen: int) -> int:
    """生活补贴: confirmed village days × the county's daily rate for the year."""
    if village_days < 0 or daily_rate_fen < 0:
        raise ValueError("days and rate are never negative")
    return village_days * daily_rate_fen


def car_amount_fen(road_m: int, fen_per_km: int) -> int:
    """Own car: the round trip is twice the stated one-way road distance, at the per-km rate,
    rounded half up to the fen (integers only: 2 × m × fen/km ÷ 1000)."""
    if road_m < 0 or fen_per_km < 0:
        raise ValueError("distance and rate are never negative")
    return (2 * road_m * fen_per_km + 500) // 1000


def travel_amount_fen(
    mode: str, *, fare_fen: int | None, road_m: int | None, fen_per_km: int
) -> int:
    """往返交通费 of one round trip: the fare on the receipt (public transport), or the road
    distance at the per-km rate (own car)."""
    if mode == "public":
        if fare_fen is None or fare_fen < 0:
            raise ValueError("public transport needs the fare")
        return fare_fen
    if mode == "car":
        if road_m is None:
            raise ValueError("own car needs the road distance")
        return car_amount_fen(road_m, fen_per_km)
    raise ValueError(f"unknown mode {mode!r}")


def road_km_to_m(road_km: Any) -> int:
    """A stated distance in km (at most one decimal, as maps and odometers show) in metres."""
    return int(Decimal(str(road_km)) * 1000)


def road_too_long(road_m: int, geodesic_m: int, factor_x100: int) -> bool:
    """Whether a stated one-way road distance is above K × the geodesic distance (exact, in
    integers: K is kept in hundredths)."""
    return road_m * 100 > factor_x100 * geodesic_m


def travel_flags(
    mode: str, road_m: int | None, geodesic_m: int | None, factor_x100: int
) -> list[dict[str, Any]]:
    """Verification flags of a round trip: they inform a reviewer and block only bulk approval.

    - ``road_distance_high``: own car, stated road distance above K × geodesic;
    - ``distance_unchecked``: own car, but the unit or the village has no coordinates.
    """
    if mode != "car" or road_m is None:
        return []
    k = f"{factor_x100 / 100:g}"
    if geodesic_m is None:
        return [
            {
                "code": "distance_unchecked",
                "detail": Flags.distance_unchecked.both(),
                "params": {"road_km": road_m / 1000},
            }
        ]
    if road_too_long(road_m, geodesic_m, factor_x100):
        return [
            {
                "code": "road_distance_high",
                "detail": Flags.road_distance_high.fill(
                    road_km=f"{road_m / 1000:g}", geodesic_km=f"{geodesic_m / 1000:.1f}", k=k
                ).both(),
                "params": {
                    "road_km": road_m / 1000,
                    "geodesic_km": round(geodesic_m / 1000, 3),
                    "factor": factor_x100 / 100,
                },
            }
        ]
    return []


# --- insurance coverage ---------------------------------------------------------------------------

#: A period of days, both ends included.
Period = tuple[dt.date, dt.date]
_DAY = dt.timedelta(days=1)


def merge_periods(periods: Iterable[Period]) -> list[Period]:
    """Sorted, disjoint periods covering the same days (adjacent periods joined)."""
    out: list[Period] = []
    for start, end in sorted(p for p in periods if p[0] <= p[1]):
        if out and (start - out[-1][1]).days <= 1:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def uncovered(needed: Iterable[Period], cover: Iterable[Period]) -> list[Period]:
    """The days of ``needed`` (posting periods) on which no ``cover`` (policy periods) applies,
    as sorted, disjoint periods.

    >>> d = dt.date
    >>> uncovered([(d(2026, 1, 1), d(2026, 12, 31))], [(d(2026, 1, 1), d(2026, 6, 30))])
    [(datetime.date(2026, 7, 1), datetime.date(2026, 12, 31))]
    """
    gaps: list[Period] = []
    covers = merge_periods(cover)
    for start, end in merge_periods(needed):
        cursor, covered = start, False
        for c_start, c_end in covers:
            if c_end < cursor:
                continue
            if c_start > end:
                break
            if c_start > cursor:
                gaps.append((cursor, c_start - _DAY))
            if c_end >= end:  # covered to the end (and no day after date.max is computed)
                covered = True
                break
            cursor = c_end + _DAY
        if not covered:
            gaps.append((cursor, end))
    return gaps
