"""The scope matrix of every claim, insurance and policy route.

A claim outside the caller's scope answers 404 (its existence is not revealed); one the caller
may see but not act on answers 403 (``own_record`` for one's own). A draft is its owner's own
until submitted. Every claim below belongs to cadre_x1 of village X1 (township X, county A).
"""

from __future__ import annotations

import pytest

from tests.api.test_claims import (
    POLICIES_CSV,
    approved,
    import_csv,
    item,
    new_trip,
    push,
    submitted_trip,
    travel,
    trip,
)
from tests.world import COUNTY_A, COUNTY_B, VILLAGE_X1

OK, HIDDEN, FORBIDDEN, WRONG_STATE = 200, 404, 403, 409
OUTSIDERS = [("cadre_x2", HIDDEN), ("cadre_z1", HIDDEN), ("reviewer_y", HIDDEN),
             ("reviewer_z", HIDDEN), ("admin_b", HIDDEN)]  # fmt: skip


@pytest.fixture
def claims(client, world):
    """cadre_x1's claims in three states: a draft, a submitted one, a county-approved one."""
    draft = new_trip(client, world, n=2)
    submitted = submitted_trip(client, world, n=3)
    done = submitted_trip(client, world, n=4)
    approved(client, world, done)
    return {"draft": (draft, 1), "submitted": (submitted, 2), "approved": (done, 4)}


@pytest.mark.parametrize(
    "who, expected",
    [("cadre_x1", OK), ("reviewer_x", OK), ("admin_a", OK), ("finance_a", OK), *OUTSIDERS],
)
@pytest.mark.parametrize("suffix", ["", "/history"])
def test_read_a_submitted_claim(client, world, claims, who, expected, suffix):
    claim_id, _ = claims["submitted"]
    r = client.get(f"/api/claims/{claim_id}{suffix}", headers=world.headers(who))
    assert r.status_code == expected, r.text


@pytest.mark.parametrize(
    "who, expected",
    [("cadre_x1", OK), ("reviewer_x", HIDDEN), ("admin_a", HIDDEN), ("finance_a", HIDDEN),
     *OUTSIDERS],
)  # fmt: skip
def test_a_draft_is_its_owners_own(client, world, claims, who, expected):
    claim_id, _ = claims["draft"]
    assert client.get(f"/api/claims/{claim_id}", headers=world.headers(who)).status_code == expected


ACTIONS = {
    "submit": {},
    "approve": {},
    "return": {"reason": "请补充材料"},
    "reject": {"reason": "不符合规定"},
    "pay": {"payment_reference": "PZ-1"},
}

# (state of cadre_x1's claim, action, who) → status
MATRIX = [
    # The owner submits; nobody else does.
    ("draft", "submit", "cadre_x1", OK),
    ("draft", "submit", "reviewer_x", HIDDEN),
    ("submitted", "submit", "cadre_x1", WRONG_STATE),
    ("submitted", "submit", "reviewer_x", FORBIDDEN),
    ("submitted", "submit", "finance_a", FORBIDDEN),
    # The township approves first; the county's step comes after; finance never approves.
    ("submitted", "approve", "reviewer_x", OK),
    ("submitted", "approve", "admin_a", FORBIDDEN),
    ("submitted", "approve", "finance_a", FORBIDDEN),
    ("submitted", "approve", "cadre_x1", FORBIDDEN),  # own_record
    ("approved", "approve", "admin_a", WRONG_STATE),
    # Returning and rejecting: township or county, never finance or the owner.
    ("submitted", "return", "reviewer_x", OK),
    ("submitted", "return", "admin_a", OK),
    ("submitted", "return", "finance_a", FORBIDDEN),
    ("submitted", "return", "cadre_x1", FORBIDDEN),
    ("submitted", "reject", "admin_a", OK),
    ("submitted", "reject", "finance_a", FORBIDDEN),
    ("approved", "reject", "admin_a", WRONG_STATE),
    # Paying: county finance only, and only county-approved claims.
    ("approved", "pay", "finance_a", OK),
    ("approved", "pay", "cadre_x1", FORBIDDEN),
    ("approved", "pay", "admin_a", FORBIDDEN),
    ("approved", "pay", "reviewer_x", FORBIDDEN),
    ("submitted", "pay", "finance_a", WRONG_STATE),  # the county approves first
]


@pytest.mark.parametrize("state, action, who, expected", MATRIX)
def test_claim_actions(client, world, claims, state, action, who, expected):
    claim_id, version = claims[state]
    r = client.post(
        f"/api/claims/{claim_id}/{action}",
        json={"version": version, **ACTIONS[action]},
        headers=world.headers(who),
    )
    assert r.status_code == expected, r.text
    if (who, action) == ("cadre_x1", "approve"):
        assert r.json()["code"] == "own_record"


@pytest.mark.parametrize("state", ["submitted", "approved"])
def test_outsiders_never_learn_a_claim_exists(client, world, claims, state):
    claim_id, version = claims[state]
    for action, body in ACTIONS.items():
        for who, expected in OUTSIDERS:
            r = client.post(
                f"/api/claims/{claim_id}/{action}",
                json={"version": version, **body},
                headers=world.headers(who),
            )
            assert r.status_code == expected, (action, who, r.text)


@pytest.mark.parametrize(
    "who, expected",
    [("cadre_x1", 201), ("reviewer_x", FORBIDDEN), ("admin_a", FORBIDDEN),
     ("finance_a", FORBIDDEN), *OUTSIDERS],
)  # fmt: skip
def test_correction(client, world, claims, who, expected):
    claim_id, _ = claims["approved"]
    r = client.post(f"/api/claims/{claim_id}/correction", headers=world.headers(who))
    assert r.status_code == expected, r.text


@pytest.mark.parametrize(
    "who, expected",
    [("cadre_x1", set()), ("cadre_x2", set()), ("reviewer_x", {"submitted", "approved"}),
     ("reviewer_y", set()), ("admin_a", {"submitted", "approved"}), ("admin_b", set()),
     ("finance_a", {"submitted", "approved"})],
)  # fmt: skip
def test_queues_are_cut_to_scope(client, world, claims, who, expected):
    ids = {c["id"] for c in client.get("/api/claims", headers=world.headers(who)).json()}
    assert ids == {claims[k][0] for k in expected}
    mine = {c["id"] for c in client.get("/api/claims/mine", headers=world.headers(who)).json()}
    assert mine == ({v[0] for v in claims.values()} if who == "cadre_x1" else set())


@pytest.mark.parametrize(
    "who, expected",
    [("reviewer_x", "approved"), ("finance_a", "forbidden"), ("cadre_x1", "own_record"),
     ("reviewer_y", "not_found"), ("cadre_x2", "not_found")],
)  # fmt: skip
def test_bulk_approval_is_scoped_per_claim(client, world, claims, who, expected):
    claim_id, version = claims["submitted"]
    r = client.post(
        "/api/claims/approve-bulk",
        json={"items": [{"id": claim_id, "version": version}]},
        headers=world.headers(who),
    )
    [result] = r.json()["results"]
    assert (result["code"] or result["status"]) == expected


def test_pushing_onto_someone_elses_claim_is_refused(client, world, claims):
    claim_id, _ = claims["draft"]
    [r] = push(client, world, "cadre_x2", travel(trip(2), claim_id, base_version=1))
    assert r["status"] == "rejected"


@pytest.mark.parametrize(
    "who, params, expected",
    [
        ("finance_a", {}, OK),
        ("admin_a", {"county": COUNTY_A}, OK),
        ("admin_b", {}, OK),  # their own county: nothing in it
        ("admin_b", {"county": COUNTY_A}, HIDDEN),
        ("finance_a", {"county": COUNTY_B}, HIDDEN),
        ("reviewer_x", {}, FORBIDDEN),
        ("cadre_x1", {}, FORBIDDEN),
    ],
)
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_exports(client, world, who, params, expected, fmt):
    r = client.get(
        f"/api/claims/export.{fmt}",
        params={"month": "2026-10", **params},
        headers=world.headers(who),
    )
    assert r.status_code == expected, r.text


# --- insurance ----------------------------------------------------------------------------------


@pytest.fixture
def incident(client, world):
    import_csv(client, world, "admin_a", POLICIES_CSV)
    report = item(
        {"village_code": VILLAGE_X1, "accident_date": "2026-10-12", "description": "摔伤"},
        kind="insurance_incident",
    )
    assert push(client, world, "cadre_x1", report)[0]["status"] == "applied"
    return report["id"]


@pytest.mark.parametrize(
    "who, expected",
    [("admin_a", OK), ("reviewer_x", FORBIDDEN), ("finance_a", HIDDEN),
     ("cadre_x1", FORBIDDEN), *OUTSIDERS],
)  # fmt: skip
def test_forward_incident(client, world, incident, who, expected):
    r = client.post(
        f"/api/insurance/incidents/{incident}/forward",
        json={"version": 1, "note": ""},
        headers=world.headers(who),
    )
    assert r.status_code == expected, r.text


@pytest.mark.parametrize(
    "who, count",
    [("cadre_x1", 1), ("reviewer_x", 1), ("admin_a", 1), ("finance_a", 0), ("cadre_x2", 0),
     ("reviewer_y", 0), ("admin_b", 0)],
)  # fmt: skip
def test_incident_and_policy_lists_are_cut_to_scope(client, world, incident, who, count):
    assert len(client.get("/api/insurance/incidents", headers=world.headers(who)).json()) == count
    policies = client.get("/api/insurance/policies", headers=world.headers(who)).json()
    assert all(p["cadre_name"] in {"cadre_x1", "cadre_x2"} for p in policies)
    assert bool(policies) == (who in {"cadre_x1", "reviewer_x", "admin_a", "cadre_x2"})


# --- policy -------------------------------------------------------------------------------------

POLICY = {
    "subsidy_daily_fen": 6500,
    "round_trips_per_month": 4,
    "car_fen_per_km": 180,
    "road_factor": 2.5,
    "leave_limit_days": 3,
    "min_days_month": 20,
    "min_days_year": 200,
    "version": 0,
}


@pytest.mark.parametrize(
    "who, read, write",
    [
        ("admin_a", OK, OK),
        ("finance_a", OK, FORBIDDEN),
        ("reviewer_x", OK, FORBIDDEN),
        ("cadre_x1", OK, FORBIDDEN),
        ("admin_b", HIDDEN, HIDDEN),
        ("reviewer_z", HIDDEN, HIDDEN),
        ("cadre_z1", HIDDEN, HIDDEN),
    ],
)
def test_policy_routes(client, world, who, read, write):
    url = f"/api/policy/{COUNTY_A}/2026"
    assert client.get(url, headers=world.headers(who)).status_code == read
    assert client.get(f"{url}/history", headers=world.headers(who)).status_code == read
    assert client.put(url, json=POLICY, headers=world.headers(who)).status_code == write
