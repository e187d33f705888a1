"""The pure claim rules: the state table, amounts, the road-distance flag, coverage gaps."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.claims import rules
from backend.claims.importer import parse_policies_csv
from backend.geo.coords import distance_m

ALL_ROLES = [
    frozenset(c)
    for n in range(len(rules.PARTIES) + 1)
    for c in itertools.combinations(rules.PARTIES, n)
]

# --- the state table ----------------------------------------------------------------------------

#: The diagram of domain.md, "Claim states", written out arrow by arrow.
DIAGRAM = {
    ("draft", "submitted"),
    ("returned", "submitted"),
    ("submitted", "township_approved"),
    ("township_approved", "county_approved"),
    ("county_approved", "paid"),
    ("submitted", "returned"),
    ("township_approved", "returned"),
    ("submitted", "rejected"),
    ("township_approved", "rejected"),
}


def test_every_arrow_of_the_table_is_in_the_diagram_and_back():
    arrows = {(src, dst) for (src, _a), (dst, _who) in rules.TRANSITIONS.items()}
    assert arrows == DIAGRAM


@given(
    st.sampled_from(rules.STATES),
    st.sampled_from(rules.ACTIONS),
    st.sampled_from(ALL_ROLES),
)
def test_allowed_never_leaves_the_diagram(state, action, roles):
    to = rules.allowed(state, action, roles)
    if to is not None:
        assert (state, to) in DIAGRAM
        assert to in rules.STATES


@pytest.mark.parametrize("roles", ALL_ROLES)
def test_an_owner_never_reviews_or_pays(roles):
    for state, action in itertools.product(rules.STATES, rules.REVIEW_ACTIONS):
        if "owner" in roles:
            assert rules.allowed(state, action, roles) is None


def test_who_takes_which_step():
    allowed = rules.allowed
    assert allowed("draft", "submit", {"owner"}) == "submitted"
    assert allowed("draft", "submit", {"township"}) is None
    assert allowed("submitted", "approve", {"township"}) == "township_approved"
    assert allowed("submitted", "approve", {"county"}) is None  # the township reviews first
    assert allowed("township_approved", "approve", {"township"}) is None
    assert allowed("township_approved", "approve", {"county"}) == "county_approved"
    assert allowed("county_approved", "pay", {"finance"}) == "paid"
    assert allowed("county_approved", "pay", {"county"}) is None
    assert allowed("submitted", "approve", {"finance"}) is None
    assert allowed("submitted", "return", {"county"}) == "returned"
    assert allowed("township_approved", "reject", {"township"}) is None


@pytest.mark.parametrize("final", ["rejected", "paid"])
def test_final_states_have_no_way_out(final):
    everyone = frozenset(rules.PARTIES) - {"owner"}
    for action in rules.ACTIONS:
        assert rules.allowed(final, action, everyone) is None
        assert rules.allowed(final, action, {"owner"}) is None


def test_approval_locks_the_claim_for_its_owner():
    for state in ("township_approved", "county_approved", "paid", "submitted", "rejected"):
        assert state not in rules.EDITABLE
        assert all(rules.allowed(state, a, {"owner"}) is None for a in rules.ACTIONS)
    assert {"county_approved", "paid"} == rules.CORRECTABLE


def test_may_ever():
    assert rules.may_ever("pay", {"finance"})
    assert not rules.may_ever("approve", {"finance"})
    assert not rules.may_ever("pay", {"owner", "township", "county"})
    assert rules.may_ever("submit", {"owner"})


# --- amounts ------------------------------------------------------------------------------------


def test_subsidy_amount():
    assert rules.subsidy_amount_fen(22, 6000) == 132_000  # 22 days × 60.00 yuan
    assert rules.subsidy_amount_fen(0, 6000) == 0
    with pytest.raises(ValueError):
        rules.subsidy_amount_fen(-1, 6000)


@given(st.integers(0, 31), st.integers(0, 100_000))
def test_subsidy_is_days_times_rate(days, rate):
    assert rules.subsidy_amount_fen(days, rate) == days * rate


def test_travel_amounts():
    assert rules.travel_amount_fen("public", fare_fen=4550, road_m=None, fen_per_km=180) == 4550
    # 85.3 km one way, 1.80 yuan/km: 2 × 85.3 × 1.80 = 307.08 yuan.
    assert rules.travel_amount_fen("car", fare_fen=None, road_m=85_300, fen_per_km=180) == 30708
    # Half a fen rounds up: 2 × 25 m × 10 fen/km = 0.5 fen → 1 fen; 0.48 fen → 0.
    assert rules.car_amount_fen(25, 10) == 1
    assert rules.car_amount_fen(24, 10) == 0
    with pytest.raises(ValueError):
        rules.travel_amount_fen("car", fare_fen=100, road_m=None, fen_per_km=180)
    with pytest.raises(ValueError):
        rules.travel_amount_fen("walk", fare_fen=100, road_m=None, fen_per_km=180)


@given(st.integers(0, 5_000_000), st.integers(0, 10_000))
def test_car_amount_is_the_exact_rate_rounded_half_up(road_m, rate):
    from decimal import ROUND_HALF_UP, Decimal

    exact = Decimal(2 * road_m * rate) / 1000
    assert rules.car_amount_fen(road_m, rate) == int(exact.quantize(1, rounding=ROUND_HALF_UP))


def test_road_km_to_m():
    assert rules.road_km_to_m("85.3") == 85_300
    assert rules.road_km_to_m(12) == 12_000


# --- the K flag ---------------------------------------------------------------------------------


def test_the_road_flag_is_k_times_the_geodesic_distance():
    assert not rules.road_too_long(25_000, 10_000, 250)  # exactly K × geodesic: not above
    assert rules.road_too_long(25_001, 10_000, 250)
    assert rules.road_too_long(20_001, 10_000, 200)
    [flag] = rules.travel_flags("car", 25_001, 10_000, 250)
    assert flag["code"] == "road_distance_high"
    assert flag["params"] == {"road_km": 25.001, "geodesic_km": 10.0, "factor": 2.5}
    assert " / " in flag["detail"]
    assert rules.travel_flags("car", 24_000, 10_000, 250) == []
    # Public transport: the fare is on the receipt, no distance to check.
    assert rules.travel_flags("public", None, 10_000, 250) == []
    [unchecked] = rules.travel_flags("car", 24_000, None, 250)
    assert unchecked["code"] == "distance_unchecked"


@given(st.integers(1, 2_000_000), st.integers(1, 2_000_000), st.integers(100, 1000))
def test_the_flag_agrees_with_exact_arithmetic(road_m, geodesic_m, k_x100):
    from fractions import Fraction

    expected = Fraction(road_m) > Fraction(k_x100, 100) * geodesic_m
    assert rules.road_too_long(road_m, geodesic_m, k_x100) == expected
    flagged = bool(rules.travel_flags("car", road_m, geodesic_m, k_x100))
    assert flagged == expected


def test_geodesic_between_unit_and_village_of_the_test_world():
    # The unit (26.42, 107.88) and village X1's fence centre (26.41, 107.91): about 3.2 km,
    # so K = 2.5 flags a stated road distance above about 8 km.
    metres = distance_m((26.42, 107.88), (26.41, 107.91))
    assert 3100 < metres < 3300
    assert not rules.road_too_long(7_900, round(metres), 250)
    assert rules.road_too_long(8_200, round(metres), 250)


# --- coverage gaps ------------------------------------------------------------------------------

d = dt.date


def test_uncovered_examples():
    year = [(d(2026, 1, 1), d(2026, 12, 31))]
    assert rules.uncovered(year, []) == year
    assert rules.uncovered(year, year) == []
    assert rules.uncovered(
        year, [(d(2026, 3, 1), d(2026, 3, 31)), (d(2026, 4, 1), d(2026, 9, 30))]
    ) == [
        (d(2026, 1, 1), d(2026, 2, 28)),
        (d(2026, 10, 1), d(2026, 12, 31)),
    ]
    # A policy running past the posting changes nothing; one gap of a day is found.
    assert rules.uncovered(
        [(d(2026, 5, 1), d(2026, 5, 31))],
        [(d(2025, 5, 1), d(2026, 5, 14)), (d(2026, 5, 16), d(2027, 5, 15))],
    ) == [(d(2026, 5, 15), d(2026, 5, 15))]
    # Two postings (moved village) are joined before comparing.
    assert rules.uncovered(
        [(d(2026, 1, 1), d(2026, 1, 10)), (d(2026, 1, 11), d(2026, 1, 20))],
        [(d(2026, 1, 5), d(2026, 1, 15))],
    ) == [(d(2026, 1, 1), d(2026, 1, 4)), (d(2026, 1, 16), d(2026, 1, 20))]


def _days(periods):
    out = set()
    for a, b in periods:
        while a <= b:
            out.add(a)
            a += dt.timedelta(days=1)
    return out


periods = st.lists(
    st.tuples(st.integers(0, 120), st.integers(0, 40)).map(
        lambda t: (
            d(2026, 1, 1) + dt.timedelta(days=t[0]),
            d(2026, 1, 1) + dt.timedelta(days=t[0] + t[1]),
        )
    ),
    max_size=6,
)


@given(periods, periods)
def test_uncovered_is_the_set_difference_of_days(needed, cover):
    gaps = rules.uncovered(needed, cover)
    assert _days(gaps) == _days(needed) - _days(cover)
    # Sorted, disjoint and not adjacent: each gap is as long as it can be.
    for (_a1, b1), (a2, _b2) in itertools.pairwise(gaps):
        assert b1 + dt.timedelta(days=1) < a2
    assert all(a <= b for a, b in gaps)


# --- the insurance CSV --------------------------------------------------------------------------


def test_policy_csv_reports_every_bad_row():
    text = (
        "手机号,保险公司,保单号,保险金额,起保日期,止保日期\n"
        "13100000001,人保财险,P-1,500000.00,2026-01-01,2026-12-31\n"
        "abc,人保财险,P-2,1.234,2026-13-01,2026-12-31\n"
        "13100000002,,P-3,-5,2026-06-01,2026-05-01\n"
        "13100000001,人保财险,P-1,500000,2026-01-01,2026-12-31\n"
    )
    rows, errors = parse_policies_csv(text)
    assert [r.sum_insured_fen for r in rows] == [50_000_000]
    got = {(e.row, e.field, e.code) for e in errors}
    assert got == {
        (3, "phone", "invalid"),
        (3, "sum_insured", "not_number"),
        (3, "start_date", "not_date"),
        (4, "insurer", "required"),
        (4, "sum_insured", "too_small"),
        (4, "end_date", "too_small"),
        (5, "policy_number", "duplicate"),
    }


def test_policy_csv_header_problems():
    rows, errors = parse_policies_csv("phone,insurer,colour\n")
    assert rows == []
    assert {(e.field, e.code) for e in errors} >= {
        ("colour", "unknown_field"),
        ("policy_number", "required"),
    }
    assert parse_policies_csv("")[1][0].field == "file"


def test_uncovered_at_the_ends_of_the_calendar():
    forever = [(dt.date.min, dt.date.max)]
    assert rules.uncovered(forever, forever) == []
    assert rules.uncovered(forever, [(dt.date.min, d(2026, 1, 1))]) == [
        (d(2026, 1, 2), dt.date.max)
    ]
    assert rules.merge_periods([(d(2026, 1, 1), dt.date.max), (d(2027, 1, 1), dt.date.max)]) == [
        (d(2026, 1, 1), dt.date.max)
    ]
