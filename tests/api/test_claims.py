"""Claims: the subsidy drafted from a confirmed month, travel claims made offline, review with
optimistic versions, corrections, policy versions, exports for finance; accident insurance."""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
import uuid

from openpyxl import load_workbook

from backend.audit.tables import AuditEvent
from backend.claims.subsidy import draft_subsidy
from backend.claims.tables import Claim
from backend.core.context import RequestContext
from backend.core.db import write_transaction
from tests.api.test_evidence import photo, put, sha
from tests.api.test_sync import item, pull_all, push
from tests.world import (
    COUNTY_A,
    COUNTY_B,
    TOWNSHIP_X,
    TOWNSHIP_Y,
    VILLAGE_X1,
    VILLAGE_X2,
    VILLAGE_Y1,
)

MONTH = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # last month
YEAR = MONTH.year
VILLAGES = {"cadre_x1": VILLAGE_X1, "cadre_x2": VILLAGE_X2, "cadre_y1": VILLAGE_Y1}


def day(n: int, month: dt.date = MONTH) -> dt.date:
    return month.replace(day=n)


def trip(n=3, mode="public", fare_fen=None, road_km=None, village=VILLAGE_X1, month=MONTH, **extra):
    data = {"village_code": village, "date": day(n, month).isoformat(), "mode": mode, **extra}
    if mode == "public":
        data["fare_fen"] = 4550 if fare_fen is None else fare_fen
    else:
        data["road_km"] = 5 if road_km is None else road_km
    return data


def travel(data, id_=None, base_version=None):
    return item(data, id_, base_version, kind="travel_claim")


def claim(client, world, who, claim_id):
    r = client.get(f"/api/claims/{claim_id}", headers=world.headers(who))
    assert r.status_code == 200, r.text
    return r.json()


def post(client, world, who, claim_id, action, **body):
    return client.post(f"/api/claims/{claim_id}/{action}", json=body, headers=world.headers(who))


def step(client, world, who, claim_id, action, **extra):
    """Take a step on the current version; assert it worked; the claim after it."""
    current = claim(client, world, who, claim_id)
    r = post(client, world, who, claim_id, action, version=current["version"], **extra)
    assert r.status_code == 200, r.text
    return r.json()


def new_trip(client, world, who="cadre_x1", **kwargs):
    kwargs.setdefault("village", VILLAGES.get(who, VILLAGE_X1))
    it = travel(trip(**kwargs))
    [r] = push(client, world, who, it)
    assert r["status"] == "applied", r
    return it["id"]


def submitted_trip(client, world, who="cadre_x1", **kwargs):
    claim_id = new_trip(client, world, who, **kwargs)
    step(client, world, who, claim_id, "submit")
    return claim_id


def reviewer_of(who):
    return "reviewer_y" if who == "cadre_y1" else "reviewer_x"


def approved(client, world, claim_id, who="cadre_x1"):
    step(client, world, reviewer_of(who), claim_id, "approve")
    return step(client, world, "admin_a", claim_id, "approve")


def confirm_month(client, world, who="cadre_x1", days=22, month=MONTH):
    """The cadre states ``days`` village days, submits the month, the township confirms."""
    items = [
        item(
            {
                "village_code": VILLAGES[who],
                "date": day(n, month).isoformat(),
                "status": "in_village",
            },
            kind="presence_day",
        )
        for n in range(1, days + 1)
    ]
    if items:
        assert {r["status"] for r in push(client, world, who, *items)} == {"applied"}
    r = client.post(
        "/api/fieldwork/presence/submit",
        json={"month": f"{month:%Y-%m}"},
        headers=world.headers(who),
    )
    assert r.status_code == 200, r.text
    sheets = client.get(
        "/api/fieldwork/presence/sheets",
        params={"state": "submitted", "month": f"{month:%Y-%m}"},
        headers=world.headers(reviewer_of(who)),
    ).json()
    [sheet] = [s for s in sheets if s["cadre_name"] == who]
    r = client.post(
        f"/api/fieldwork/presence/sheets/{sheet['id']}/confirm",
        json={"version": sheet["version"]},
        headers=world.headers(reviewer_of(who)),
    )
    assert r.status_code == 200, r.text
    return sheet


def subsidy_of(client, world, who="cadre_x1", month=MONTH):
    mine = client.get(
        "/api/claims/mine",
        params={"type": "subsidy", "month": f"{month:%Y-%m}"},
        headers=world.headers(who),
    ).json()
    [found] = mine
    return found


def set_policy(client, world, who="admin_a", year=YEAR, county=COUNTY_A, **changes):
    current = client.get(f"/api/policy/{county}/{year}", headers=world.headers("admin_a")).json()
    body = {
        k: current[k]
        for k in (
            "subsidy_daily_fen",
            "round_trips_per_month",
            "car_fen_per_km",
            "road_factor",
            "leave_limit_days",
            "min_days_month",
            "min_days_year",
        )
    } | {"version": current["version"]}
    return client.put(
        f"/api/policy/{county}/{year}", json=body | changes, headers=world.headers(who)
    )


def audit_actions(run, claim_id):
    rows = run(
        AuditEvent.select(AuditEvent.action)
        .where(AuditEvent.object_id == str(claim_id))
        .order_by(AuditEvent.id)
        .run
    )
    return [r["action"] for r in rows]


# --- the living subsidy -------------------------------------------------------------------------


def test_a_confirmed_month_drafts_its_subsidy_once(client, world, run):
    sheet = confirm_month(client, world, days=22)
    subsidy = subsidy_of(client, world)
    assert (subsidy["state"], subsidy["village_days"], subsidy["rate_fen"]) == ("draft", 22, 6000)
    assert (subsidy["amount_fen"], subsidy["amount_yuan"]) == (132_000, "1320.00")
    assert subsidy["policy_version"] == 0 and subsidy["flags"] == []
    # The cadre learns it through pull, as kind "claim"; reviewers do not see a draft.
    changes, _ = pull_all(client, world, "cadre_x1")
    [pulled] = [c for c in changes if c["kind"] == "claim"]
    assert pulled["id"] == subsidy["id"] and pulled["data"]["amount_fen"] == 132_000
    assert pulled["data"]["type"] == "subsidy" and pulled["data"]["state"] == "draft"
    assert not [c for c in pull_all(client, world, "reviewer_x")[0] if c["kind"] == "claim"]
    assert (
        client.get(f"/api/claims/{subsidy['id']}", headers=world.headers("reviewer_x")).status_code
        == 404
    )
    # The inbox tells the cadre.
    inbox = [c for c in changes if c["kind"] == "inbox"]
    assert any(c["data"]["event"] == "claim.drafted" for c in inbox)

    # Drafting again (a replayed confirmation) changes nothing: unique per cadre and month.
    async def again():
        row = {
            "id": uuid.UUID(sheet["id"]),
            "owner_id": world.ids["cadre_x1"],
            "village_code": VILLAGE_X1,
            "county_code": COUNTY_A,
            "month": MONTH,
            "village_days": 30,
        }
        async with write_transaction(Claim._meta.db):
            await draft_subsidy(RequestContext.system("test"), row)

    run(again)
    assert run(Claim.count().where(Claim.kind == "subsidy").run) == 1
    assert audit_actions(run, subsidy["id"]) == ["claim.drafted"]


def test_subsidy_submitted_with_one_action_then_reviewed_and_paid(client, world, run):
    confirm_month(client, world, days=20)
    subsidy = subsidy_of(client, world)
    r = post(client, world, "cadre_x1", subsidy["id"], "submit", version=subsidy["version"])
    assert r.status_code == 200 and r.json()["state"] == "submitted"
    queue = client.get(
        "/api/claims", params={"state": "submitted"}, headers=world.headers("reviewer_x")
    ).json()
    assert [c["id"] for c in queue] == [subsidy["id"]]
    assert (
        step(client, world, "reviewer_x", subsidy["id"], "approve")["state"] == "township_approved"
    )
    assert step(client, world, "admin_a", subsidy["id"], "approve")["state"] == "county_approved"
    paid = step(client, world, "finance_a", subsidy["id"], "pay", payment_reference="PZ-2026-001")
    assert (paid["state"], paid["payment_reference"]) == ("paid", "PZ-2026-001")
    assert paid["amount_fen"] == 120_000
    history = client.get(
        f"/api/claims/{subsidy['id']}/history", headers=world.headers("cadre_x1")
    ).json()
    assert [(h["from_state"], h["to_state"], h["actor_name"]) for h in history] == [
        (None, "draft", "reviewer_x"),
        ("draft", "submitted", "cadre_x1"),
        ("submitted", "township_approved", "reviewer_x"),
        ("township_approved", "county_approved", "admin_a"),
        ("county_approved", "paid", "finance_a"),
    ]
    changes, _ = pull_all(client, world, "cadre_x1")
    [pulled] = [c for c in changes if c["kind"] == "claim"]
    assert (
        pulled["data"]["state"] == "paid" and pulled["data"]["payment_reference"] == "PZ-2026-001"
    )
    events = {c["data"]["event"] for c in changes if c["kind"] == "inbox"}
    assert {"claim.township_approved", "claim.county_approved", "claim.paid"} <= events


def test_policy_is_versioned_and_never_alters_a_claim_already_approved(client, world):
    confirm_month(client, world, "cadre_x1", days=20)
    first = subsidy_of(client, world)
    step(client, world, "cadre_x1", first["id"], "submit")
    approved(client, world, first["id"])
    r = set_policy(client, world, subsidy_daily_fen=8000, road_factor=2.25, note="2026年调整")
    assert r.status_code == 200, r.text
    assert (r.json()["version"], r.json()["subsidy_daily_yuan"], r.json()["road_factor"]) == (
        1,
        "80.00",
        2.25,
    )
    assert set_policy(client, world, subsidy_daily_fen=9000, version=0).status_code == 409
    assert set_policy(client, world, "reviewer_x").status_code == 403
    assert set_policy(client, world, "admin_b").status_code == 404
    history = client.get(
        f"/api/policy/{COUNTY_A}/{YEAR}/history", headers=world.headers("cadre_x1")
    )
    assert [p["version"] for p in history.json()] == [1]
    # The approved claim keeps its amount; a month confirmed now uses the new rate.
    again = claim(client, world, "cadre_x1", first["id"])
    assert (again["amount_fen"], again["rate_fen"], again["policy_version"]) == (120_000, 6000, 0)
    confirm_month(client, world, "cadre_x2", days=10)
    second = subsidy_of(client, world, "cadre_x2")
    assert (second["amount_fen"], second["policy_version"]) == (80_000, 1)
    # A draft is computed again when submitted: the rate in force then.
    assert set_policy(client, world, subsidy_daily_fen=7000).status_code == 200
    submitted = step(client, world, "cadre_x2", second["id"], "submit")
    assert (submitted["amount_fen"], submitted["policy_version"]) == (70_000, 2)
    assert set_policy(client, world, subsidy_daily_fen=1).status_code == 200
    assert claim(client, world, "cadre_x2", second["id"])["amount_fen"] == 70_000


def test_policy_drives_the_leave_limit_and_the_minimum_days(client, world):
    r = set_policy(client, world, leave_limit_days=5, min_days_month=18)
    assert r.status_code == 200
    leave = item(
        {
            "village_code": VILLAGE_X1,
            "start_date": day(10).isoformat(),
            "end_date": day(13).isoformat(),
            "reason": "家中有事",
        },
        kind="leave_request",
    )
    push(client, world, "cadre_x1", leave)
    [queued] = client.get("/api/fieldwork/leave", headers=world.headers("reviewer_x")).json()
    assert (queued["days"], queued["decider_level"]) == (4, "township")
    month = client.get(
        f"/api/fieldwork/presence/{world.ids['cadre_x1']}/{MONTH:%Y-%m}",
        headers=world.headers("cadre_x1"),
    ).json()
    assert month["minimum_days"] == 18
    other = client.get(f"/api/policy/{COUNTY_B}/{YEAR}", headers=world.headers("admin_b")).json()
    assert (other["version"], other["leave_limit_days"], other["subsidy_daily_fen"]) == (0, 3, 6000)


# --- travel -------------------------------------------------------------------------------------


def test_travel_claims_arrive_once_with_amounts_distance_and_flags(client, world, run):
    public = travel(trip(3, "public", fare_fen=4550, note="班车往返"))
    near = travel(trip(5, "car", road_km=5))
    far = travel(trip(7, "car", road_km="12.5"))
    results = push(client, world, "cadre_x1", public, near, far)
    assert [r["status"] for r in results] == ["applied"] * 3
    # A resend after a lost answer: the original answer, nothing stored twice.
    assert push(client, world, "cadre_x1", far)[0]["status"] == "duplicate"
    assert run(Claim.count().run) == 3
    got = {
        c["id"]: c for c in client.get("/api/claims/mine", headers=world.headers("cadre_x1")).json()
    }
    assert got[public["id"]]["amount_fen"] == 4550 and got[public["id"]]["flags"] == []
    # 5 km each way at 1.80 yuan/km: 18.00 yuan; the straight line is about 3.2 km.
    assert (got[near["id"]]["amount_fen"], got[near["id"]]["flags"]) == (1800, [])
    assert 3.1 < got[near["id"]]["geodesic_km"] < 3.3
    assert got[far["id"]]["amount_fen"] == 4500
    assert [f["code"] for f in got[far["id"]]["flags"]] == ["road_distance_high"]
    assert got[far["id"]]["flags"][0]["params"]["factor"] == 2.5
    # An edit while a draft is computed again.
    edited = travel(trip(7, "car", road_km=7), far["id"], base_version=1)
    [r] = push(client, world, "cadre_x1", edited)
    assert (r["status"], r["version"]) == ("applied", 2)
    again = claim(client, world, "cadre_x1", far["id"])
    assert (again["amount_fen"], again["flags"]) == (2520, [])
    # Pull carries every claim as kind "claim", under the id the phone chose.
    changes, _ = pull_all(client, world, "cadre_x1")
    pulled = {c["id"]: c for c in changes if c["kind"] == "claim"}
    assert set(pulled) == {public["id"], near["id"], far["id"]}
    assert pulled[far["id"]]["version"] == 2 and pulled[far["id"]]["data"]["road_km"] == 7
    assert not [c for c in changes if c["kind"] == "travel_claim"]
    # Once submitted, the claim is locked for its owner.
    step(client, world, "cadre_x1", near["id"], "submit")
    [r] = push(client, world, "cadre_x1", travel(trip(5, "car", road_km=6), near["id"], 1))
    assert r["status"] == "conflict"  # submitting moved the version
    [r] = push(client, world, "cadre_x1", travel(trip(5, "car", road_km=6), near["id"], 2))
    assert r["status"] == "rejected" and r["errors"][0]["code"] == "locked"
    assert audit_actions(run, public["id"]) == ["claim.drafted"]


def test_travel_claim_validation(client, world):
    items = [
        travel({**trip(3, "public"), "fare_fen": None}),
        travel({**trip(3, "car"), "fare_fen": 100}),
        travel(trip(3, village=VILLAGE_X2)),
        travel({**trip(3), "date": "2024-06-01"}),
        travel({**trip(3), "date": (dt.date.today() + dt.timedelta(days=5)).isoformat()}),
        travel({**trip(3, "car"), "road_km": "12.34"}),
        travel({**trip(3), "evidence": ["nope"]}),
        travel({**trip(3), "corrects_id": str(uuid.uuid4())}),
        travel({**trip(3), "mode": "plane"}),
    ]
    results = push(client, world, "cadre_x1", *items, lang="en")
    assert [r["status"] for r in results] == ["rejected"] * len(items)
    assert [[(e["field"], e["code"]) for e in r["errors"]] for r in results] == [
        [("fare_fen", "required")],
        [("fare_fen", "not_allowed")],
        [("village_code", "out_of_scope")],
        [("date", "outside_posting")],
        [("date", "date_in_future")],
        [("road_km", "invalid")],
        [("evidence", "invalid")],
        [("corrects_id", "not_found")],
        [("mode", "not_allowed")],
    ]
    assert results[3]["errors"][0]["message"] == (
        "Outside your posting to this village (posted 2025-01-01 onwards)")


def test_the_monthly_cap_on_round_trips(client, world):
    assert set_policy(client, world, round_trips_per_month=2).status_code == 200
    ids = [new_trip(client, world, n=n) for n in (2, 9, 16)]
    step(client, world, "cadre_x1", ids[0], "submit")
    step(client, world, "cadre_x1", ids[1], "submit")
    third = claim(client, world, "cadre_x1", ids[2])
    r = post(client, world, "cadre_x1", ids[2], "submit", version=third["version"])
    assert r.status_code == 422 and r.json()["code"] == "trip_cap"
    assert r.json()["errors"][0]["field"] == "date"
    # A trip in another month is not counted; a rejected trip frees its place.
    earlier = (MONTH - dt.timedelta(days=1)).replace(day=1)
    assert step(client, world, "cadre_x1", new_trip(client, world, month=earlier), "submit")
    step(client, world, "reviewer_x", ids[0], "reject", reason="当日在县里开会")
    assert step(client, world, "cadre_x1", ids[2], "submit")["state"] == "submitted"


def test_queues_show_thumbnails_and_flags_and_photos_follow_the_claim(client, world):
    receipt = photo(7)
    assert put(client, world, "cadre_x1", receipt).status_code == 201
    digest = sha(receipt)
    missing = "ab" * 32
    claim_id = submitted_trip(client, world, evidence=[digest, missing])
    flagged = submitted_trip(client, world, n=8, mode="car", road_km=40)
    assert (
        client.get(
            "/api/claims", params={"township": TOWNSHIP_Y}, headers=world.headers("admin_a")
        ).json()
        == []
    )
    queue = {
        c["id"]: c for c in client.get("/api/claims", headers=world.headers("reviewer_x")).json()
    }
    assert set(queue) == {claim_id, flagged}
    assert queue[claim_id]["evidence"] == [
        {
            "sha256": digest,
            "uploaded": True,
            "thumb_url": f"/api/evidence/{digest}/thumb",
            "display_url": f"/api/evidence/{digest}/display",
        },
        {
            "sha256": missing,
            "uploaded": False,
            "thumb_url": f"/api/evidence/{missing}/thumb",
            "display_url": f"/api/evidence/{missing}/display",
        },
    ]
    assert [f["code"] for f in queue[flagged]["flags"]] == ["road_distance_high"]
    thumb = f"/api/evidence/{digest}/thumb"
    for who, status in [
        ("reviewer_x", 200),
        ("admin_a", 200),
        ("finance_a", 200),
        ("reviewer_y", 404),
        ("cadre_x2", 404),
    ]:
        assert client.get(thumb, headers=world.headers(who)).status_code == status, who
    assert client.get("/api/claims", headers=world.headers("reviewer_y")).json() == []


def test_return_with_a_reason_edit_and_resubmit_reject_is_final(client, world):
    claim_id = submitted_trip(client, world, mode="car", road_km=6)
    returned = step(client, world, "admin_a", claim_id, "return", reason="请补充车票")
    assert (returned["state"], returned["reason"]) == ("returned", "请补充车票")
    assert post(client, world, "cadre_x1", claim_id, "submit", version=1).status_code == 409
    [r] = push(
        client,
        world,
        "cadre_x1",
        travel(trip(3, "public", fare_fen=3000), claim_id, base_version=returned["version"]),
    )
    assert r["status"] == "applied"
    again = step(client, world, "cadre_x1", claim_id, "submit")
    assert (again["state"], again["reason"], again["amount_fen"], again["mode"]) == (
        "submitted",
        None,
        3000,
        "public",
    )
    step(client, world, "reviewer_x", claim_id, "approve")
    rejected = step(client, world, "admin_a", claim_id, "reject", reason="重复报销")
    assert (rejected["state"], rejected["reason"]) == ("rejected", "重复报销")
    for who, action, extra in [
        ("cadre_x1", "submit", {}),
        ("admin_a", "approve", {}),
        ("admin_a", "return", {"reason": "x"}),
    ]:
        r = post(client, world, who, claim_id, action, version=rejected["version"], **extra)
        assert r.status_code == 409 and r.json()["code"] == "wrong_state", (who, action)
    # Reasons are required.
    other = submitted_trip(client, world, n=4)
    assert post(client, world, "reviewer_x", other, "return", version=2).status_code == 422


def test_nobody_reviews_their_own_claim(client, world, run):
    # The township's reviewer is also posted to a village of the township.
    r = client.post(
        "/api/accounts/postings",
        headers=world.headers("admin_a"),
        json={
            "cadre_id": str(world.ids["reviewer_x"]),
            "village_code": VILLAGE_X2,
            "start_date": "2025-01-01",
            "unit_lat": 26.42,
            "unit_lon": 107.88,
        },
    )
    assert r.status_code == 201, r.text
    own = submitted_trip(client, world, "reviewer_x", village=VILLAGE_X2)
    r = post(client, world, "reviewer_x", own, "approve", version=2)
    assert r.status_code == 403 and r.json()["code"] == "own_record"
    assert own not in {
        c["id"] for c in client.get("/api/claims", headers=world.headers("reviewer_x")).json()
    }
    assert (
        step(client, world, "admin_a", own, "return", reason="请乡镇其他同志审核")["state"]
        == "returned"
    )


def test_the_county_approver_is_not_the_township_approver(client, world, run):
    from backend.accounts import services as accounts
    from backend.accounts.schemas import RoleIn, UserIn
    from tests.world import mint_token

    async def both_roles():
        user = await accounts.create_user(
            RequestContext.system("test"),
            None,
            UserIn(
                phone="13199990000",
                name="兼职审核",
                password="long-enough-1",
                roles=[
                    RoleIn(role="township_reviewer", division_code=TOWNSHIP_X),
                    RoleIn(role="county_admin", division_code=COUNTY_A),
                ],
            ),
        )
        return await mint_token(world.settings, user.id)

    world.tokens["both"] = run(both_roles)
    claim_id = submitted_trip(client, world)
    step(client, world, "both", claim_id, "approve")
    r = post(client, world, "both", claim_id, "approve", version=3)
    assert r.status_code == 403 and r.json()["code"] == "same_reviewer"
    assert step(client, world, "admin_a", claim_id, "approve")["state"] == "county_approved"


def test_two_reviewers_at_once_exactly_one_wins(client, world, run):
    claim_id = submitted_trip(client, world)
    statuses = []

    def act(who, action):
        body = {"version": 2} | ({"reason": "不对"} if action == "return" else {})
        r = client.post(f"/api/claims/{claim_id}/{action}", json=body, headers=world.headers(who))
        statuses.append(r.status_code)

    threads = [
        threading.Thread(target=act, args=("reviewer_x", "approve")),
        threading.Thread(target=act, args=("admin_a", "return")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 409]
    assert len(audit_actions(run, claim_id)) == 3  # drafted, submit, and the winner's step


def test_bulk_approval_of_clean_claims_answers_per_claim(client, world):
    clean = [submitted_trip(client, world, n=n) for n in (2, 3)]
    flagged = submitted_trip(client, world, n=4, mode="car", road_km=30)
    stale = submitted_trip(client, world, n=5)
    hidden = submitted_trip(client, world, "cadre_y1", n=6)
    body = {
        "items": [{"id": c, "version": 2} for c in [*clean, flagged, hidden]]
        + [{"id": stale, "version": 1}]
    }
    r = client.post(
        "/api/claims/approve-bulk", json=body, headers=world.headers("reviewer_x", "en")
    )
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [(x["status"], x["code"]) for x in results] == [
        ("approved", None),
        ("approved", None),
        ("refused", "has_flags"),
        ("refused", "not_found"),
        ("refused", "conflict"),
    ]
    assert results[0]["state"] == "township_approved" and results[0]["version"] == 3
    assert "review it on its own" in results[2]["message"]
    # Finance may not approve, in bulk or not.
    r = client.post(
        "/api/claims/approve-bulk",
        json={"items": [{"id": clean[0], "version": 3}]},
        headers=world.headers("finance_a"),
    )
    assert r.json()["results"][0]["code"] == "forbidden"


def test_a_correction_is_a_new_claim_referring_to_the_locked_one(client, world, run):
    original = submitted_trip(client, world, mode="public", fare_fen=4000)
    assert (
        client.post(
            f"/api/claims/{original}/correction", headers=world.headers("cadre_x1")
        ).status_code
        == 409
    )  # not approved yet: return it instead
    approved(client, world, original)
    step(client, world, "finance_a", original, "pay", payment_reference="PZ-9")
    r = client.post(f"/api/claims/{original}/correction", headers=world.headers("cadre_x1"))
    assert r.status_code == 201, r.text
    correction = r.json()
    assert (correction["state"], correction["corrects_id"], correction["payable_fen"]) == (
        "draft",
        original,
        0,
    )
    again = client.post(f"/api/claims/{original}/correction", headers=world.headers("cadre_x1"))
    assert again.status_code == 409 and again.json()["code"] == "already_corrected"
    assert (
        client.post(
            f"/api/claims/{original}/correction", headers=world.headers("reviewer_x")
        ).status_code
        == 403
    )
    # The receipt said 46.00, not 40.00: the cadre edits the correction offline and submits.
    data = trip(3, "public", fare_fen=4600, corrects_id=original)
    [r] = push(client, world, "cadre_x1", travel(data, correction["id"], base_version=1))
    assert r["status"] == "applied", r
    submitted = step(client, world, "cadre_x1", correction["id"], "submit")
    assert (submitted["amount_fen"], submitted["payable_fen"]) == (4600, 600)
    first = claim(client, world, "cadre_x1", original)
    assert (first["state"], first["amount_fen"], first["payable_fen"]) == ("paid", 4000, 4000)
    # Pushing a correction of a claim that is not approved is refused.
    [r] = push(client, world, "cadre_x1", travel(trip(9, corrects_id=correction["id"])))
    assert r["errors"][0] == {
        "field": "corrects_id",
        "code": "wrong_state",
        "message": r["errors"][0]["message"],
    }


# --- exports for finance ------------------------------------------------------------------------


def _export_world(client, world):
    """Approved claims in two townships of county A, one paid, and noise that is not exported."""
    expected = {TOWNSHIP_X: 0, TOWNSHIP_Y: 0}
    for who, days in (("cadre_x1", 21), ("cadre_x2", 18), ("cadre_y1", 25)):
        confirm_month(client, world, who, days=days)
        s = subsidy_of(client, world, who)
        step(client, world, who, s["id"], "submit")
        approved(client, world, s["id"], who)
        expected[TOWNSHIP_Y if who == "cadre_y1" else TOWNSHIP_X] += days * 6000
    t1 = submitted_trip(client, world, "cadre_x1", n=4, mode="car", road_km="7.5")
    approved(client, world, t1)
    step(client, world, "finance_a", t1, "pay", payment_reference="PZ-1")
    expected[TOWNSHIP_X] += 2700
    t2 = submitted_trip(client, world, "cadre_y1", n=5, mode="public", fare_fen=3333)
    approved(client, world, t2, "cadre_y1")
    expected[TOWNSHIP_Y] += 3333
    # Not exported: only township-approved, submitted, or a draft.
    step(client, world, "reviewer_x", submitted_trip(client, world, "cadre_x2", n=6), "approve")
    new_trip(client, world, "cadre_x1", n=7)
    return expected


def test_finance_export_xlsx_has_totals_per_township(client, world):
    expected = _export_world(client, world)
    r = client.get(
        "/api/claims/export.xlsx",
        params={"month": f"{MONTH:%Y-%m}"},
        headers=world.headers("finance_a"),
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(r.content))
    summary = [row for row in book["汇总"].iter_rows(values_only=True)]
    assert summary[0] == ("乡镇代码", "乡镇", "笔数", "金额（元）")
    by_township = {row[0]: row for row in summary[1:-1]}
    assert by_township[TOWNSHIP_X][1:] == ("甲一镇", 3, expected[TOWNSHIP_X] / 100)
    assert by_township[TOWNSHIP_Y][1:] == ("甲二乡", 2, expected[TOWNSHIP_Y] / 100)
    assert summary[-1][1:] == ("合计", 5, sum(expected.values()) / 100)
    detail = [row for row in book["明细"].iter_rows(values_only=True)]
    assert detail[0][:8] == (
        "乡镇代码",
        "乡镇",
        "村",
        "姓名",
        "类别",
        "所属月份",
        "明细",
        "金额（元）",
    )
    claims = [row for row in detail[1:] if row[4] in ("生活补贴", "往返交通费")]
    assert len(claims) == 5
    for code in (TOWNSHIP_X, TOWNSHIP_Y):
        rows = [row for row in claims if row[0] == code]
        [subtotal] = [row for row in detail if row[0] == code and str(row[1]).endswith("小计")]
        assert round(sum(row[7] for row in rows), 2) == subtotal[7] == expected[code] / 100
    assert detail[-1][1] == "合计" and detail[-1][7] == sum(expected.values()) / 100
    assert book["明细"].cell(row=2, column=8).number_format == "#,##0.00"
    paid = [row for row in claims if row[8] == "已支付"]
    assert [(row[3], row[9]) for row in paid] == [("cadre_x1", "PZ-1")]
    assert "自驾 单程 7.5 公里" in paid[0][6]


def test_finance_export_csv_and_who_may_export(client, world):
    expected = _export_world(client, world)
    r = client.get(
        "/api/claims/export.csv",
        params={"month": f"{MONTH:%Y-%m}", "county": COUNTY_A},
        headers=world.headers("admin_a"),
    )
    assert r.status_code == 200 and r.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 5
    assert all(len(row["金额（元）"].split(".")[1]) == 2 for row in rows)
    total = sum(int(row["金额（元）"].replace(".", "")) for row in rows)
    assert total == sum(expected.values())
    month = {"month": f"{MONTH:%Y-%m}"}
    for who, params, status in [
        ("reviewer_x", month, 403),
        ("cadre_x1", month, 403),
        ("admin_b", month | {"county": COUNTY_A}, 404),
        ("finance_a", {"month": "2026-13"}, 422),
    ]:
        r = client.get("/api/claims/export.csv", params=params, headers=world.headers(who))
        assert r.status_code == status, (who, r.text)
    # Another county's export is empty, not someone else's money.
    r = client.get("/api/claims/export.csv", params=month, headers=world.headers("admin_b"))
    assert len(list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))) == 1


# --- accident insurance -------------------------------------------------------------------------

POLICIES_CSV = (
    "姓名,手机号,保险公司,保单号,保险金额,起保日期,止保日期\n"
    f"cadre_x1,13100000001,人保财险,GP-{YEAR},500000.00,{YEAR}-01-01,{YEAR}-12-31\n"
    f"cadre_x2,13100000002,人保财险,GP-{YEAR},500000.00,{YEAR}-01-01,{YEAR}-06-30\n"
    f"cadre_x2,13100000002,平安产险,PA-77,300000,{YEAR}-08-01,{YEAR + 1}-07-31\n"
)


def import_csv(client, world, who, text, county=COUNTY_A):
    return client.post(
        "/api/insurance/policies/import",
        params={"county": county},
        content=text.encode(),
        headers={**world.headers(who, "en"), "content-type": "text/csv"},
    )


def test_policy_import_is_all_or_nothing_with_a_report_per_row(client, world, run):
    from backend.claims.tables import InsurancePolicy

    bad = POLICIES_CSV + (
        f"外县,13100000004,人保财险,X-1,1000,{YEAR}-01-01,{YEAR}-12-31\n"  # posted in county B
        f"没人,13900000000,人保财险,X-2,1000,{YEAR}-01-01,{YEAR}-12-31\n"
        f"cadre_y1,13100000003,人保财险,X-3,abc,{YEAR}-01-01,{YEAR}-12-31\n"
    )
    r = import_csv(client, world, "admin_a", bad)
    assert r.status_code == 422 and r.json()["code"] == "import_failed"
    assert {(e["row"], e["field"], e["code"]) for e in r.json()["errors"]} == {
        (5, "phone", "not_found"),
        (6, "phone", "not_found"),
        (7, "sum_insured", "not_number"),
    }
    assert "3 rows" in r.json()["detail"]
    assert run(InsurancePolicy.count().run) == 0
    r = import_csv(client, world, "admin_a", POLICIES_CSV)
    assert r.json() == {
        "created": 3, "updated": 0, "unchanged": 0, "rows": 3, "dry_run": False
    }
    changed = POLICIES_CSV.replace(f"{YEAR}-06-30", f"{YEAR}-07-31")
    assert import_csv(client, world, "admin_a", changed).json() == {
        "created": 0,
        "updated": 1,
        "unchanged": 2,
        "rows": 3,
        "dry_run": False,
    }
    assert import_csv(client, world, "reviewer_x", POLICIES_CSV).status_code == 403
    assert import_csv(client, world, "admin_b", POLICIES_CSV).status_code == 404
    assert import_csv(client, world, "cadre_x1", POLICIES_CSV).status_code == 403
    mine = client.get("/api/insurance/policies", headers=world.headers("cadre_x2")).json()
    assert [(p["insurer"], p["sum_insured_yuan"]) for p in mine] == [
        ("人保财险", "500000.00"),
        ("平安产险", "300000.00"),
    ]
    assert client.get("/api/insurance/policies", headers=world.headers("reviewer_y")).json() == []
    assert len(client.get("/api/insurance/policies", headers=world.headers("admin_a")).json()) == 3


def test_cadres_not_covered_on_some_day(client, world):
    import_csv(client, world, "admin_a", POLICIES_CSV)
    params = {"start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31"}
    gaps = client.get("/api/insurance/gaps", params=params, headers=world.headers("admin_a")).json()
    assert [(g["name"], [(p["start"], p["end"]) for p in g["gaps"]]) for g in gaps] == [
        ("cadre_x2", [(f"{YEAR}-07-01", f"{YEAR}-07-31")]),
        ("cadre_y1", [(f"{YEAR}-01-01", f"{YEAR}-12-31")]),
    ]
    assert gaps[0]["uncovered_days"] == 31
    township = client.get("/api/insurance/gaps", params=params, headers=world.headers("reviewer_x"))
    assert [g["name"] for g in township.json()] == ["cadre_x2"]
    other = client.get("/api/insurance/gaps", headers=world.headers("admin_b")).json()
    assert [g["name"] for g in other] == ["cadre_z1"]
    assert client.get("/api/insurance/gaps", headers=world.headers("cadre_x1")).status_code == 403
    assert client.get("/api/insurance/gaps", headers=world.headers("finance_a")).status_code == 403


def test_incident_reported_offline_and_forwarded_by_the_county(client, world):
    import_csv(client, world, "admin_a", POLICIES_CSV)
    document = photo(11)
    put(client, world, "cadre_x1", document)
    report = item(
        {
            "village_code": VILLAGE_X1,
            "accident_date": day(12).isoformat(),
            "description": "入户途中摔伤右脚",
            "evidence": [sha(document)],
        },
        kind="insurance_incident",
    )
    [r] = push(client, world, "cadre_x1", report)
    assert r["status"] == "applied"
    assert push(client, world, "cadre_x1", report)[0]["status"] == "duplicate"
    [listed] = client.get("/api/insurance/incidents", headers=world.headers("admin_a")).json()
    assert (listed["state"], listed["insurer"], listed["policy_number"]) == (
        "reported",
        "人保财险",
        f"GP-{YEAR}",
    )
    assert listed["evidence"][0]["thumb_url"] == f"/api/evidence/{sha(document)}/thumb"
    url = f"/api/insurance/incidents/{report['id']}/forward"
    body = {"version": 1, "note": "保险公司报案号 BA-1"}
    assert client.post(url, json=body, headers=world.headers("reviewer_y")).status_code == 404
    assert client.post(url, json=body, headers=world.headers("admin_b")).status_code == 404
    assert client.post(url, json=body, headers=world.headers("reviewer_x")).status_code == 403
    assert client.post(url, json=body, headers=world.headers("cadre_x1")).status_code == 403
    ok = client.post(url, json=body, headers=world.headers("admin_a"))
    assert ok.status_code == 200 and ok.json()["state"] == "forwarded"
    assert client.post(url, json=body, headers=world.headers("admin_a")).status_code == 409
    changes, _ = pull_all(client, world, "cadre_x1")
    [pulled] = [c for c in changes if c["kind"] == "insurance_incident"]
    assert pulled["data"]["state"] == "forwarded" and pulled["version"] == 2
    edited = item(
        {**report["data"], "description": "改"}, report["id"], 2, kind="insurance_incident"
    )
    [r] = push(client, world, "cadre_x1", edited)
    assert r["status"] == "rejected" and r["errors"][0]["code"] == "locked"
    assert client.get("/api/insurance/incidents", headers=world.headers("cadre_x2")).json() == []


def test_two_admins_saving_the_policy_at_once_one_wins(client, world, run):
    from backend.accounts import services as accounts
    from backend.accounts.schemas import RoleIn, UserIn
    from tests.world import mint_token

    async def second_admin():
        user = await accounts.create_user(
            RequestContext.system("test"),
            None,
            UserIn(
                phone="13199990001",
                name="admin_a2",
                password="long-enough-1",
                roles=[RoleIn(role="county_admin", division_code=COUNTY_A)],
            ),
        )
        return await mint_token(world.settings, user.id)

    world.tokens["admin_a2"] = run(second_admin)
    statuses = []

    def save(who, rate):
        r = set_policy(client, world, who, subsidy_daily_fen=rate, version=0)
        statuses.append(r.status_code)

    threads = [
        threading.Thread(target=save, args=("admin_a", 7000)),
        threading.Thread(target=save, args=("admin_a2", 7500)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 409]
    history = client.get(f"/api/policy/{COUNTY_A}/{YEAR}/history", headers=world.headers("admin_a"))
    assert [p["version"] for p in history.json()] == [1]
