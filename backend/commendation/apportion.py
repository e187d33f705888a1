"""名额分配: share excellent-grade quotas and commendations among units.

Seats go to units (townships) by the Sainte-Laguë / Webster divisor method in its
highest-averages form: the next seat goes to the unit with the greatest average
``claim / (2s + 1)``, where ``s`` is the number of seats it already holds, among units
below their cap (their eligible headcount). All arithmetic on claims and averages is
exact (integers and :class:`~fractions.Fraction`), so results never depend on floats.

Ties between equal averages go to the unit with the larger claim, then the larger
eligible headcount, then the smaller unit code. The method is house-monotone: one more
seat in total never costs any unit a seat (no Alabama paradox, unlike largest remainder).

Example:
    >>> from fractions import Fraction
    >>> apportion_seats([("A", Fraction(5), 9), ("B", Fraction(3), 9)], 3)
    {'A': 2, 'B': 1}
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

__all__ = (
    "DEFAULT_EXCELLENT_RATIOS",
    "TIERS",
    "Apportionment",
    "Claim",
    "ExplanationRow",
    "PoolRule",
    "Tier",
    "Unit",
    "apportion_seats",
    "commendation_seats",
    "excellent_quotas",
)

Tier = Literal["deep", "key", "ordinary"]
PoolRule = Literal["floor", "half_up"]

TIERS: tuple[Tier, ...] = ("deep", "key", "ordinary")

DEFAULT_EXCELLENT_RATIOS: Mapping[Tier, Fraction] = MappingProxyType(
    {"deep": Fraction(30, 100), "key": Fraction(25, 100), "ordinary": Fraction(20, 100)}
)
"""Suggested excellent-grade ratios per tier (domain.md, "Default settings")."""

_SHOWN_SEAT_NUMBERS = 4

_NO_ELIGIBLE = "无合格人员 / no eligible people"
_ZERO_WEIGHT = "权重为零 / zero weight"
_NO_SEAT = "按圣拉古法未获席位 / no seat by Sainte-Laguë"
_TIE_LOST = "；下一席与末席同商，按并列规则让出 / next seat tied the last one, lost the tie-break"


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit that receives seats: a township (乡镇) and its eligible resident cadres.

    Args:
        code: Unique unit code, e.g. the 9-digit township division code.
        name: Display name.
        tier: Assistance tier of the unit.
        eligible: Number of eligible cadres (合格人数); the unit's cap on seats.
    """

    code: str
    name: str
    tier: Tier
    eligible: int

    def __post_init__(self) -> None:
        if self.tier not in TIERS:
            raise ValueError(f"unit {self.code!r}: unknown tier {self.tier!r}")
        if not _is_count(self.eligible):
            raise ValueError(f"unit {self.code!r}: eligible must be an int >= 0")


class Claim(NamedTuple):
    """One unit's input to :func:`apportion_seats`: code, claim (exact) and cap."""

    code: str
    claim: Fraction
    cap: int


@dataclass(frozen=True, slots=True)
class ExplanationRow:
    """One line of the explanation table (分配说明表).

    Attributes:
        code: Unit code.
        name: Unit name.
        tier: Unit tier.
        eligible: Eligible headcount (the cap).
        weight: Ratio or weight of the unit's tier.
        claim: ``eligible × weight``.
        share: Exact proportional share of the target, ``target × claim / Σ claims``.
        share_text: ``share`` rounded half up to 2 decimals, for display.
        quotient: ``claim / divisor`` (``None`` without a divisor), the Webster check.
        seats: Seats given.
        why: Short bilingual reason, Chinese first.
    """

    code: str
    name: str
    tier: Tier
    eligible: int
    weight: Fraction
    claim: Fraction
    share: Fraction
    share_text: str
    quotient: Fraction | None
    seats: int
    why: str


@dataclass(frozen=True, slots=True)
class Apportionment:
    """The result of an apportionment, with its explanation.

    Attributes:
        seats: Seats per unit code, in input order.
        total_target: Seats that were to be given.
        total_given: Seats given; less than the target only when the eligible people run out.
        rows: One explanation row per unit, in input order.
        divisor: A Sainte-Laguë divisor ``D`` for the result: the average of the last seat
            given plus the average of the next in line (``None`` when no seat was given).
            Every unit below its cap has ``claim / D`` rounded to the nearest whole number
            seats (a quotient of exactly .5 only on a tie, settled by the tie-break).
        note: Bilingual summary: how the target was set and any shortfall.
    """

    seats: dict[str, int]
    total_target: int
    total_given: int
    rows: list[ExplanationRow]
    divisor: Fraction | None
    note: str

    @property
    def shortfall(self) -> int:
        """Seats of the target that could not be given (0 normally)."""
        return self.total_target - self.total_given

    def as_table(self) -> list[dict[str, str | int]]:
        """Rows as plain dicts of str and int, ready for JSON or XLSX."""
        return [
            {
                "code": row.code,
                "name": row.name,
                "tier": row.tier,
                "eligible": row.eligible,
                "weight": _exact_text(row.weight),
                "claim": _exact_text(row.claim),
                "share": row.share_text,
                "share_exact": _exact_text(row.share),
                "quotient": "" if row.quotient is None else _two_decimals(row.quotient),
                "seats": row.seats,
                "why": row.why,
            }
            for row in self.rows
        ]


def apportion_seats(
    claims: Sequence[tuple[str, Fraction | Decimal | int, int]], total: int
) -> dict[str, int]:
    """Share ``total`` seats by Sainte-Laguë / Webster with caps (圣拉古法).

    Args:
        claims: ``(code, claim, cap)`` per unit; claim is exact (Fraction, int or
            Decimal), cap is the most seats the unit may get (its eligible headcount).
        total: Seats to give.

    Returns:
        Seats per code, in input order. If ``total`` exceeds the caps of the units with a
        positive claim, every such unit gets its cap and the rest is not given.

    Raises:
        ValueError: On a duplicate code, a negative claim, cap or total.
        TypeError: On a float claim (inexact).
    """
    return _award(_checked_claims(claims), _checked_count(total, "total")).seats


def excellent_quotas(
    units: Iterable[Unit],
    ratios: Mapping[Tier, Fraction | Decimal | int] = DEFAULT_EXCELLENT_RATIOS,
    pool_rule: PoolRule = "floor",
) -> Apportionment:
    """Excellent-grade quotas per unit (年度考核优秀等次名额).

    The target is ``Σ ratio(tier) × eligible`` summed exactly over all units, then
    rounded once: ``"floor"`` (default; the county never exceeds its ratios) or
    ``"half_up"``. Each unit claims ``eligible × ratio(tier)``.

    Args:
        units: Units with their tier and eligible headcount.
        ratios: Ratio per tier, each between 0 and 1.
        pool_rule: How the exact pool is rounded to a whole number of seats.

    Returns:
        The apportionment with its explanation table.
    """
    unit_list = _checked_units(units)
    weights = _checked_weights(unit_list, ratios, at_most_one=True)
    claims = [u.eligible * weights[u.tier] for u in unit_list]
    pool = sum(claims, Fraction(0))
    target = _round_pool(pool, pool_rule)
    half, rounding = ("", "floor") if pool_rule == "floor" else (" + ½", "round half up")
    pool_text = _exact_text(pool)
    why_target = (
        f"目标{target}席 = ⌊Σ 比例×合格人数{half}⌋ = ⌊{pool_text}{half}⌋ / "
        f"target {target} = {rounding}(Σ ratio × eligible) = {rounding}({pool_text})"
    )
    return _apportion(unit_list, weights, claims, target, why_target)


def commendation_seats(
    units: Iterable[Unit], total: int, weights: Mapping[Tier, Fraction | Decimal | int]
) -> Apportionment:
    """A fixed number of commendations (表彰名额) shared by tier-weighted headcount.

    Args:
        units: Units with their tier and eligible headcount.
        total: Number of awards.
        weights: Weight per tier (>= 0); a unit claims ``eligible × weight(tier)``.

    Returns:
        The apportionment with its explanation table.
    """
    unit_list = _checked_units(units)
    tier_weights = _checked_weights(unit_list, weights, at_most_one=False)
    claims = [u.eligible * tier_weights[u.tier] for u in unit_list]
    target = _checked_count(total, "total")
    why_target = f"表彰{target}名 / {target} awards"
    return _apportion(unit_list, tier_weights, claims, target, why_target)


# --- the divisor method -------------------------------------------------------------------


class _Next:
    """A unit's next seat in the queue: its average ``num / den``, exactly."""

    __slots__ = ("den", "index", "num")

    def __init__(self, num: int, den: int, index: int) -> None:
        self.num = num
        self.den = den
        self.index = index

    def __lt__(self, other: _Next) -> bool:
        # "Less" means "served first": greater average, then earlier in tie-break order.
        lhs = self.num * other.den
        rhs = other.num * self.den
        return lhs > rhs if lhs != rhs else self.index < other.index

    def ties_with(self, other: _Next) -> bool:
        return self.num * other.den == other.num * self.den


@dataclass(frozen=True, slots=True)
class _Award:
    seats: dict[str, int]
    seat_numbers: dict[str, list[int]]
    capped: frozenset[str]
    tie_lost: frozenset[str]
    given: int
    divisor: Fraction | None


def _award(claims: Sequence[Claim], total: int) -> _Award:
    """Run highest averages over ``claims`` (already checked) with a heap: O(total·log n)."""
    order = sorted(claims, key=lambda c: (-c.claim, -c.cap, c.code))
    scale = math.lcm(*(c.claim.denominator for c in order)) if order else 1
    nums = [int(c.claim * scale) for c in order]
    seats = [0] * len(order)
    numbers: list[list[int]] = [[] for _ in order]
    heap = [_Next(nums[i], 1, i) for i, c in enumerate(order) if nums[i] > 0 and c.cap > 0]
    heapq.heapify(heap)
    given = 0
    last: _Next | None = None
    while given < total and heap:
        last = heap[0]
        i = last.index
        given += 1
        seats[i] += 1
        numbers[i].append(given)
        if seats[i] < order[i].cap:
            heapq.heapreplace(heap, _Next(nums[i], last.den + 2, i))
        else:
            heapq.heappop(heap)
    capped, tie_lost = _limits(order, nums, seats, last, short=given < total)
    divisor = None
    if last is not None:
        after = heap[0] if heap else last
        divisor = Fraction(last.num, last.den * scale) + Fraction(after.num, after.den * scale)
    by_code = {c.code: s for c, s in zip(order, seats, strict=True)}
    return _Award(
        seats={c.code: by_code[c.code] for c in claims},
        seat_numbers={c.code: n for c, n in zip(order, numbers, strict=True)},
        capped=capped,
        tie_lost=tie_lost,
        given=given,
        divisor=divisor,
    )


def _limits(
    order: Sequence[Claim], nums: list[int], seats: list[int], last: _Next | None, *, short: bool
) -> tuple[frozenset[str], frozenset[str]]:
    """Units whose cap bound, and units whose next seat tied the last one and lost."""
    capped: set[str] = set()
    tie_lost: set[str] = set()
    for i, c in enumerate(order):
        if nums[i] == 0 or c.cap == 0 or last is None:
            continue
        upcoming = _Next(nums[i], 2 * seats[i] + 1, i)
        if seats[i] == c.cap:
            if short or upcoming < last:
                capped.add(c.code)
        elif upcoming.ties_with(last):
            tie_lost.add(c.code)
    return frozenset(capped), frozenset(tie_lost)


# --- explanation ----------------------------------------------------------------------------


def _apportion(
    units: list[Unit],
    weights: Mapping[Tier, Fraction],
    claims: list[Fraction],
    target: int,
    why_target: str,
) -> Apportionment:
    award = _award(
        [Claim(u.code, c, u.eligible) for u, c in zip(units, claims, strict=True)], target
    )
    pool = sum(claims, Fraction(0))
    rows = []
    for unit, claim in zip(units, claims, strict=True):
        share = target * claim / pool if pool else Fraction(0)
        rows.append(
            ExplanationRow(
                code=unit.code,
                name=unit.name,
                tier=unit.tier,
                eligible=unit.eligible,
                weight=weights[unit.tier],
                claim=claim,
                share=share,
                share_text=_two_decimals(share),
                quotient=None if award.divisor is None else claim / award.divisor,
                seats=award.seats[unit.code],
                why=_why(unit, claim, award),
            )
        )
    return Apportionment(
        seats=award.seats,
        total_target=target,
        total_given=award.given,
        rows=rows,
        divisor=award.divisor,
        note=_note(why_target, target, award.given),
    )


def _why(unit: Unit, claim: Fraction, award: _Award) -> str:
    if unit.eligible == 0:
        return _NO_ELIGIBLE
    if claim == 0:
        return _ZERO_WEIGHT
    if unit.code in award.capped:
        n = unit.eligible
        return f"已达合格人数上限（{n}人）/ capped at eligible headcount ({n})"
    text = _seats_text(award.seat_numbers[unit.code])
    return text + _TIE_LOST if unit.code in award.tie_lost else text


def _seats_text(numbers: list[int]) -> str:
    """Name the seats a unit won by their place in the order of award."""
    if not numbers:
        return _NO_SEAT
    if len(numbers) > _SHOWN_SEAT_NUMBERS:
        first, last = numbers[0], numbers[-1]
        return (
            f"按圣拉古法得{len(numbers)}席，首席第{first}、末席第{last} / "
            f"{len(numbers)} seats by Sainte-Laguë, first seat {first}, last seat {last}"
        )
    zh = "、".join(str(n) for n in numbers)
    en = ", ".join(str(n) for n in numbers[:-1]) + " and " if len(numbers) > 1 else ""
    plural = "s" if len(numbers) > 1 else ""
    return f"按圣拉古法得第{zh}席 / seat{plural} {en}{numbers[-1]} by Sainte-Laguë"


def _note(why_target: str, target: int, given: int) -> str:
    if given == target:
        return f"{why_target}；按圣拉古法全部分配 / all given by Sainte-Laguë"
    return (
        f"{why_target}；合格人数不足，每单位按上限分配，缺{target - given}席 / "
        f"not enough eligible people: every unit at its cap, {target - given} short"
    )


# --- checks and exact numbers ----------------------------------------------------------------


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _checked_count(value: int, what: str) -> int:
    if not _is_count(value):
        raise ValueError(f"{what} must be an int >= 0, got {value!r}")
    return value


def _exact(value: Fraction | Decimal | int, what: str) -> Fraction:
    """Convert to an exact Fraction; floats are refused because they are not exact."""
    if isinstance(value, bool) or not isinstance(value, Fraction | Decimal | int):
        raise TypeError(f"{what} must be a Fraction, Decimal or int, got {value!r}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"{what} must be finite, got {value!r}")
    result = Fraction(value)
    if result < 0:
        raise ValueError(f"{what} must be >= 0, got {value!r}")
    return result


def _checked_claims(claims: Sequence[tuple[str, Fraction | Decimal | int, int]]) -> list[Claim]:
    checked = [
        Claim(
            str(code), _exact(claim, f"claim of {code!r}"), _checked_count(cap, f"cap of {code!r}")
        )
        for code, claim, cap in claims
    ]
    _check_unique(c.code for c in checked)
    return checked


def _checked_units(units: Iterable[Unit]) -> list[Unit]:
    unit_list = list(units)
    _check_unique(u.code for u in unit_list)
    return unit_list


def _check_unique(codes: Iterable[str]) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ValueError(f"duplicate unit code {code!r}")
        seen.add(code)


def _checked_weights(
    units: list[Unit], weights: Mapping[Tier, Fraction | Decimal | int], *, at_most_one: bool
) -> dict[Tier, Fraction]:
    checked: dict[Tier, Fraction] = {}
    for tier in sorted({u.tier for u in units}):
        if tier not in weights:
            raise ValueError(f"no weight for tier {tier!r}")
        checked[tier] = _exact(weights[tier], f"weight of tier {tier!r}")
        if at_most_one and checked[tier] > 1:
            raise ValueError(f"ratio of tier {tier!r} must be at most 1")
    return checked


def _round_pool(pool: Fraction, rule: PoolRule) -> int:
    if rule == "floor":
        return math.floor(pool)
    if rule == "half_up":
        return math.floor(pool + Fraction(1, 2))
    raise ValueError(f"unknown pool rule {rule!r}")


def _two_decimals(value: Fraction) -> str:
    hundredths = math.floor(value * 100 + Fraction(1, 2))
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def _exact_text(value: Fraction) -> str:
    """A terminating decimal where there is one (``0.25``), else ``p/q``."""
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    if den != 1:
        return f"{value.numerator}/{value.denominator}"
    places = max(twos, fives)
    scaled = value.numerator * 10**places // value.denominator
    if places == 0:
        return str(scaled)
    digits = str(scaled).rjust(places + 1, "0")
    return f"{digits[:-places]}.{digits[-places:]}"
