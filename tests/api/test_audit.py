"""The audit chain: every state change is an event; altering a row is found and named."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import subprocess
import sys

import pytest

from backend.audit import services as audit
from backend.audit.tables import AuditEvent
from backend.core.clock import local_date
from backend.core.db import write_transaction
from tests.conftest import DB_URL, ENGINE
from tests.world import COUNTY_A, COUNTY_B, VILLAGE_X1


def zhucun(*args, stdin=""):
    env = {**os.environ, "ZHUCUN_DATABASE_URL": DB_URL}
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_state_changes_are_audited_with_before_and_after(client, world, run):
    client.patch(
        f"/api/geo/divisions/{VILLAGE_X1}/tier",
        json={"tier": "ordinary"},
        headers={**world.headers("admin_a"), "X-Request-ID": "req-tier-0001"},
    )
    event = run(AuditEvent.select().where(AuditEvent.action == "geo.tier_set").first().run)
    assert event["actor_id"] == world.ids["admin_a"]
    assert event["before"] == '{"tier":"deep"}' and event["after"] == '{"tier":"ordinary"}'
    assert event["request_id"] == "req-tier-0001" and event["county_code"] == "529801"


def test_cli_verify_passes_then_names_the_altered_row(client, world, run):
    client.patch(
        f"/api/geo/divisions/{VILLAGE_X1}/tier",
        json={"tier": "key"},
        headers=world.headers("admin_a"),
    )
    ok = zhucun("audit", "verify")
    assert ok.returncode == 0, ok.stderr
    assert "intact" in ok.stdout
    rows = run(AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id).run)
    victim = rows[len(rows) // 2]["id"]
    run(
        AuditEvent.update({AuditEvent.reason: "rewritten history"})
        .where(AuditEvent.id == victim)
        .run
    )
    broken = zhucun("audit", "verify")
    assert broken.returncode == 1
    assert f"row {victim}" in broken.stderr


def test_deleting_a_row_breaks_the_link_of_the_next(client, world, run):
    rows = run(
        AuditEvent.select(AuditEvent.id, AuditEvent.county_code).order_by(AuditEvent.id).run
    )
    run(AuditEvent.delete().where(AuditEvent.id == rows[3]["id"]).run)
    # The break is named to the admins of the county whose event it is…
    owner = {COUNTY_A: "admin_a", COUNTY_B: "admin_b"}[rows[4]["county_code"]]
    other = "admin_b" if owner == "admin_a" else "admin_a"
    r = client.get("/api/audit/verify", headers=world.headers(owner)).json()
    assert r["ok"] is False and r["broken_row"] == rows[4]["id"]
    assert "prev_hash" in r["reason"]
    # …and the other county hears only that the chain is broken elsewhere.
    r = client.get("/api/audit/verify", headers=world.headers(other)).json()
    assert r["ok"] is False and r["broken_row"] is None
    assert "another county" in r["reason"]


def test_deleting_the_newest_events_is_found_by_the_chains_head(client, world, run):
    """No link is left to break when the tail goes: the head still names the deleted event."""
    client.patch(f"/api/geo/divisions/{VILLAGE_X1}/tier", json={"tier": "key"},
                 headers=world.headers("admin_a"))
    rows = run(AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id).run)
    run(AuditEvent.delete().where(AuditEvent.id >= rows[-2]["id"]).run)
    broken = zhucun("audit", "verify")
    assert broken.returncode == 1
    assert f"row {rows[-3]['id']}" in broken.stderr and "deleted" in broken.stderr


@pytest.mark.skipif(ENGINE != "postgres", reason="SQLite lets one writer in at a time")
def test_appends_side_by_side_make_one_chain_in_id_order(client, world, run):
    """Transactions append while others hold the head, commit in any order; the chain stays one
    line, each event linked to the one before it by id."""
    rng = random.Random(18)
    delays = [(rng.random() / 50, rng.random() / 50) for _ in range(24)]

    async def appends() -> None:
        async def one(i: int, before: float, after: float) -> None:
            await asyncio.sleep(before)
            async with write_transaction(AuditEvent._meta.db):
                await audit.record(None, "test.append", "test", i, county_code="529801")
                await asyncio.sleep(after)  # the head stays locked by this transaction

        await asyncio.gather(*(one(i, *d) for i, d in enumerate(delays)))

    run(appends)
    appended = run(AuditEvent.select(AuditEvent.object_id)
                   .where(AuditEvent.action == "test.append").run)
    assert len(appended) == len(delays)
    report = run(audit.verify)
    assert report.ok, report.broken


def test_county_admins_browse_their_events_by_person_object_action_and_day(client, world):
    for tier in ("ordinary", "key", "deep"):
        client.patch(f"/api/geo/divisions/{VILLAGE_X1}/tier", json={"tier": tier},
                     headers=world.headers("admin_a"))

    def get(who="admin_a", **params):
        r = client.get("/api/audit/events", headers=world.headers(who), params=params)
        assert r.status_code == 200, r.text
        return r.json()

    tiers = get(action="geo.tier", object_id=VILLAGE_X1)
    assert [e["action"] for e in tiers] == ["geo.tier_set"] * 3
    assert all(e["actor_name"] == "admin_a" and e["county_code"] == COUNTY_A for e in tiers)
    assert [e["id"] for e in tiers] == sorted((e["id"] for e in tiers), reverse=True)
    mine = get(person_id=str(world.ids["admin_a"]))
    assert {e["action"] for e in mine} >= {"geo.tier_set", "accounts.user_created"}
    # A page of two, then the next page from the last id.
    first = get(limit=2)
    second = get(limit=2, before_id=first[-1]["id"])
    assert len(first) == 2 and second and second[0]["id"] < first[-1]["id"]
    today = local_date()
    assert len(get(since=today.isoformat(), until=today.isoformat())) == len(get(limit=500))
    assert get(until=(today - dt.timedelta(days=1)).isoformat()) == []
    assert get(since=(today + dt.timedelta(days=1)).isoformat()) == []
    # The other county sees none of it, whatever it asks for.
    assert get("admin_b", object_id=VILLAGE_X1) == []
    assert get("admin_b", person_id=str(world.ids["admin_a"])) == []
    assert all(e["county_code"] == COUNTY_B for e in get("admin_b", limit=500))
    bad = client.get("/api/audit/events", params={"since": "yesterday"},
                     headers=world.headers("admin_a"))
    assert bad.status_code == 400 or bad.status_code == 422


def test_cli_user_add_reads_the_password_from_stdin_and_login_works(client, world):
    made = zhucun(
        "user",
        "add",
        "--phone",
        "13312345678",
        "--name",
        "新审核",
        "--role",
        "township_reviewer",
        "--scope",
        "529801002",
        stdin="a-good-password\n",
    )
    assert made.returncode == 0, made.stderr
    r = client.post("/api/auth/login", json={"phone": "13312345678", "password": "a-good-password"})
    assert r.status_code == 200
    assert r.json()["user"]["scope"]["review_townships"] == ["529801002"]
    again = zhucun(
        "user",
        "add",
        "--phone",
        "13312345678",
        "--name",
        "重复",
        "--role",
        "cadre",
        "--scope",
        VILLAGE_X1,
        stdin="a-good-password\n",
    )
    assert again.returncode != 0 and "phone_taken" in again.stderr
    bad = zhucun(
        "user",
        "add",
        "--phone",
        "13312340000",
        "--name",
        "x",
        "--role",
        "county_admin",
        "--scope",
        "999999",
        stdin="a-good-password\n",
    )
    assert bad.returncode != 0 and "unknown_division" in bad.stderr
