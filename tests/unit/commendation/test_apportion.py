"""Properties of the Sainte-Laguë apportionment (名额分配), checked with Hypothesis."""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from backend.commendation.apportion import (
    DEFAULT_EXCELLENT_RATIOS,
    TIERS,
    Unit,
    apportion_seats,
    commendation_seats,
    excellent_quotas,
)

HALF = Fraction(1, 2)

# --- strategies ------------------------------------------------------------------------------

# A few small values make equal averages (ties) frequent; the rest gives variety.
tie_prone = st.sampled_from([Fraction(n) for n in (1, 2, 3, 4, 6, 9)] + [Fraction(3, 2)])
positive_claims = st.one_of(tie_prone, st.builds(Fraction, st.integers(1, 60), st.integers(1, 6)))
claim_values = st.one_of(st.just(Fraction(0)), positive_claims)
weights = st.fixed_dictionaries(
    {t: st.builds(Fraction, st.integers(0, 12), st.integers(1, 5)) for t in TIERS}
)


@st.composite
def claim_lists(draw, claims=claim_values, caps=st.integers(0, 12), min_size=1, max_size=8):
    """Claims ``(code, claim, cap)`` with unique codes; small claims make ties frequent."""
    size = draw(st.integers(min_size, max_size))
    codes = draw(
        st.lists(st.sampled_from("ABCDEFGHIJKL"), min_size=size, max_size=size, unique=True)
    )
    return [(code, draw(claims), draw(caps)) for code in codes]


@st.composite
def unit_lists(draw, max_size=8):
    size = draw(st.integers(1, max_size))
    return [
        Unit(f"52270{i:04d}", f"乡镇{i}", draw(st.sampled_from(TIERS)), draw(st.integers(0, 40)))
        for i in draw(st.lists(st.integers(0, 99), min_size=size, max_size=size, unique=True))
    ]


# --- references --------------------------------------------------------------------------------


def _tie_rank(claims):
    """The documented tie-break: larger claim, then larger cap, then code ascending."""
    return {c[0]: (-c[1], -c[2], c[0]) for c in claims}


def webster_by_divisor(claims, total):
    """Webster by divisor search, exact: no caps, ties broken by the documented order.

    A unit's seats at divisor ``d`` are the ``s`` with ``claim / (s + ½) > d`` (``lo``), or
    ``>= d`` when tied (``hi``). Walk down the critical divisors until ``total`` fits.
    """
    result = {code: 0 for code, _, _ in claims}
    positive = [(code, claim) for code, claim, _ in claims if claim > 0]
    if total == 0 or not positive:
        return result
    critical = sorted({claim / (s + HALF) for _, claim in positive for s in range(total)})
    for d in reversed(critical):
        lo = {code: sum(claim / (s + HALF) > d for s in range(total)) for code, claim in positive}
        hi = {code: sum(claim / (s + HALF) >= d for s in range(total)) for code, claim in positive}
        if sum(lo.values()) <= total <= sum(hi.values()):
            rank = _tie_rank(claims)
            tied = sorted((code for code in lo if hi[code] > lo[code]), key=rank.__getitem__)
            result.update(lo)
            for code in tied[: total - sum(lo.values())]:
                result[code] += 1
            return result
    raise AssertionError("no divisor found")


def naive_highest_averages(claims, total):
    """Recompute every unit's average for every seat: O(total × n), with caps."""
    rank = _tie_rank(claims)
    seats = {code: 0 for code, _, _ in claims}
    for _ in range(total):
        open_units = [
            (code, claim) for code, claim, cap in claims if claim > 0 and seats[code] < cap
        ]
        if not open_units:
            break
        best = min(open_units, key=lambda u: (-u[1] / (2 * seats[u[0]] + 1), rank[u[0]]))
        seats[best[0]] += 1
    return seats


# --- properties --------------------------------------------------------------------------------


@given(claim_lists(), st.integers(0, 40), st.data())
def test_deterministic_even_when_units_are_shuffled(claims, total, data):
    first = apportion_seats(claims, total)
    assert apportion_seats(claims, total) == first
    assert apportion_seats(data.draw(st.permutations(claims)), total) == first


@given(unit_lists(), st.integers(0, 60), weights, st.data())
def test_explanation_does_not_depend_on_unit_order(units, total, tier_weights, data):
    a = commendation_seats(units, total, tier_weights)
    b = commendation_seats(data.draw(st.permutations(units)), total, tier_weights)
    assert sorted(a.as_table(), key=lambda r: r["code"]) == sorted(
        b.as_table(), key=lambda r: r["code"]
    )
    assert a.note == b.note


@given(claim_lists(), st.integers(0, 60))
def test_never_more_seats_than_cap(claims, total):
    seats = apportion_seats(claims, total)
    for code, claim, cap in claims:
        assert seats[code] <= cap
        if claim == 0:
            assert seats[code] == 0


@given(claim_lists(), st.integers(0, 60))
def test_total_is_the_target_or_every_unit_is_at_its_cap(claims, total):
    seats = apportion_seats(claims, total)
    room = {code: cap if claim > 0 else 0 for code, claim, cap in claims}
    if total <= sum(room.values()):
        assert sum(seats.values()) == total
    else:
        assert seats == room


@given(unit_lists(), st.integers(0, 120), weights)
def test_shortfall_is_reported_not_raised(units, total, tier_weights):
    result = commendation_seats(units, total, tier_weights)
    assert result.total_given == sum(result.seats.values())
    assert result.shortfall == total - result.total_given
    if result.shortfall:
        assert "short" in result.note
        assert all(r.seats == r.eligible or r.claim == 0 for r in result.rows)


@given(claim_lists(caps=st.integers(0, 30)), st.integers(1, 40))
def test_house_monotone(claims, most):
    """Every step from 0 to ``most`` seats: one more seat never costs a unit one."""
    smaller = apportion_seats(claims, 0)
    for total in range(1, most + 1):
        larger = apportion_seats(claims, total)
        assert all(larger[code] >= smaller[code] for code in smaller), total
        smaller = larger


@given(claim_lists(), st.integers(0, 30), st.integers(0, 7), positive_claims)
@example([("A", Fraction(2, 3), 9), ("B", Fraction(1), 9)], 4, 0, Fraction(1, 3))
def test_raising_a_claim_never_costs_that_unit(claims, most, index, extra):
    code, claim, cap = claims[index % len(claims)]
    raised = [(code, claim + extra, cap) if c[0] == code else c for c in claims]
    for total in range(most + 1):
        assert apportion_seats(raised, total)[code] >= apportion_seats(claims, total)[code], total


@given(unit_lists(), st.integers(0, 60), weights, st.sampled_from(TIERS), positive_claims)
def test_raising_a_tier_weight_never_costs_its_units(units, total, tier_weights, tier, extra):
    before = commendation_seats(units, total, tier_weights).seats
    after = commendation_seats(units, total, {**tier_weights, tier: tier_weights[tier] + extra})
    for unit in units:
        if unit.tier == tier:
            assert after.seats[unit.code] >= before[unit.code]


@given(claim_lists(claims=positive_claims, caps=st.just(0)), st.integers(0, 30))
def test_matches_divisor_reference_when_no_cap_binds(claims, total):
    uncapped = [(code, claim, total) for code, claim, _ in claims]
    assert apportion_seats(uncapped, total) == webster_by_divisor(uncapped, total)


@settings(max_examples=200)
@given(claim_lists(caps=st.integers(0, 6)), st.integers(0, 40))
def test_matches_naive_highest_averages_with_caps(claims, total):
    assert apportion_seats(claims, total) == naive_highest_averages(claims, total)


@given(unit_lists(), st.integers(0, 60), weights)
def test_explanation_rows_agree_with_seats(units, total, tier_weights):
    result = commendation_seats(units, total, tier_weights)
    assert [r.seats for r in result.rows] == [result.seats[u.code] for u in units]
    if any(r.claim for r in result.rows):
        assert sum(r.share for r in result.rows) == total
    for row in result.rows:
        if row.eligible == 0:
            assert row.why == "无合格人员 / no eligible people"
        elif row.quotient is not None and row.seats < row.eligible and row.claim:
            # Webster: below its cap a unit holds claim / D rounded to nearest.
            assert abs(row.quotient - row.seats) <= HALF


# --- examples -----------------------------------------------------------------------------------

WORKED_UNITS = [
    Unit("522701101", "龙场镇", "deep", 47),
    Unit("522701102", "花溪乡", "deep", 18),
    Unit("522701201", "青山镇", "key", 35),
    Unit("522701202", "石门乡", "key", 12),
    Unit("522701301", "城关镇", "ordinary", 52),
    Unit("522701302", "河口镇", "ordinary", 9),
]


def test_worked_example_with_default_ratios():
    result = excellent_quotas(WORKED_UNITS, DEFAULT_EXCELLENT_RATIOS)
    # Pool 14.1 + 5.4 + 8.75 + 3 + 10.4 + 1.8 = 43.45, floored to 43.
    assert result.total_target == result.total_given == 43
    assert result.seats == {
        "522701101": 14,
        "522701102": 5,
        "522701201": 9,
        "522701202": 3,
        "522701301": 10,
        "522701302": 2,
    }
    rows = {r.code: r for r in result.rows}
    assert rows["522701201"].share_text == "8.66"
    assert rows["522701202"].why == "按圣拉古法得第7、22、37席 / seats 7, 22 and 37 by Sainte-Laguë"
    assert rows["522701302"].why == "按圣拉古法得第13、38席 / seats 13 and 38 by Sainte-Laguë"
    assert rows["522701201"].why.endswith("last seat 43")
    assert "43.45" in result.note


def test_decimal_ratios_give_the_same_result_as_fractions():
    decimals = {"deep": Decimal("0.30"), "key": Decimal("0.25"), "ordinary": Decimal("0.2")}
    assert excellent_quotas(WORKED_UNITS, decimals) == excellent_quotas(WORKED_UNITS)


def test_pool_rounding_rule():
    units = [Unit("A", "甲", "key", 3), Unit("B", "乙", "ordinary", 5)]  # 0.75 + 1 = 1.75
    assert excellent_quotas(units).total_target == 1
    assert excellent_quotas(units, pool_rule="half_up").total_target == 2


def largest_remainder(claims, total):
    """Hamilton's method, for contrast only."""
    pool = sum(claim for _, claim, _ in claims)
    quotas = {code: total * claim / pool for code, claim, _ in claims}
    seats = {code: int(q) for code, q in quotas.items()}
    by_remainder = sorted(quotas, key=lambda code: quotas[code] - seats[code], reverse=True)
    for code in by_remainder[: total - sum(seats.values())]:
        seats[code] += 1
    return seats


def test_no_alabama_paradox_where_largest_remainder_has_one():
    claims = [("甲", Fraction(3), 9), ("乙", Fraction(5), 9), ("丙", Fraction(7), 9)]
    # Largest remainder: 7 seats give 甲 2, 8 seats give 甲 1 (docs/apportionment.md).
    assert largest_remainder(claims, 7) == {"甲": 2, "乙": 2, "丙": 3}
    assert largest_remainder(claims, 8) == {"甲": 1, "乙": 3, "丙": 4}
    assert apportion_seats(claims, 7) == {"甲": 1, "乙": 2, "丙": 4}
    assert apportion_seats(claims, 8) == {"甲": 1, "乙": 3, "丙": 4}


def test_tie_goes_to_larger_claim_then_larger_headcount_then_code():
    # Averages tie at 3: X has claim 9 with 1 seat (9/3), Y claim 3 with none (3/1).
    assert apportion_seats([("Y", 3, 5), ("X", 9, 5)], 2) == {"Y": 0, "X": 2}
    assert apportion_seats([("B", 4, 5), ("A", 4, 3)], 1) == {"B": 1, "A": 0}
    assert apportion_seats([("B", 4, 3), ("A", 4, 3)], 1) == {"B": 0, "A": 1}


def test_capped_and_tied_units_say_why():
    units = [Unit("A", "甲", "deep", 1), Unit("B", "乙", "ordinary", 10)]
    result = commendation_seats(units, 4, {"deep": 10, "ordinary": 1})
    assert result.seats == {"A": 1, "B": 3}
    assert result.rows[0].why == "已达合格人数上限（1人）/ capped at eligible headcount (1)"
    tied = commendation_seats([Unit("A", "甲", "key", 2), Unit("B", "乙", "key", 2)], 1, {"key": 1})
    assert "lost the tie-break" in tied.rows[1].why


def test_shortfall_example():
    result = commendation_seats(
        [Unit("A", "甲", "deep", 2), Unit("B", "乙", "key", 0)],
        5,
        {
            "deep": 1,
            "key": 1,
        },
    )
    assert result.seats == {"A": 2, "B": 0}
    assert result.shortfall == 3
    assert result.rows[1].why == "无合格人员 / no eligible people"


@pytest.mark.parametrize(
    ("claims", "total", "error"),
    [
        ([("A", 0.5, 3)], 1, TypeError),
        ([("A", Fraction(1), 3), ("A", Fraction(2), 3)], 1, ValueError),
        ([("A", Fraction(-1), 3)], 1, ValueError),
        ([("A", Fraction(1), -3)], 1, ValueError),
        ([("A", Fraction(1), 3)], -1, ValueError),
    ],
)
def test_bad_input_is_refused(claims, total, error):
    with pytest.raises(error):
        apportion_seats(claims, total)


def test_ratio_above_one_and_missing_tier_are_refused():
    with pytest.raises(ValueError):
        excellent_quotas(WORKED_UNITS, {**DEFAULT_EXCELLENT_RATIOS, "deep": Fraction(3, 2)})
    with pytest.raises(ValueError):
        commendation_seats(WORKED_UNITS, 5, {"deep": 1})


def test_shuffled_worked_example_keeps_its_seats():
    shuffled = list(WORKED_UNITS)
    random.Random(7).shuffle(shuffled)
    assert excellent_quotas(shuffled).seats == excellent_quotas(WORKED_UNITS).seats
