"""The audit chain: every state change is an event; altering a row is found and named."""

from __future__ import annotations

import os
import subprocess
import sys

from backend.audit.tables import AuditEvent
from tests.conftest import DB_URL
from tests.world import VILLAGE_X1


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
    rows = run(AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id).run)
    run(AuditEvent.delete().where(AuditEvent.id == rows[3]["id"]).run)
    r = client.get("/api/audit/verify", headers=world.headers("admin_a")).json()
    assert r["ok"] is False and r["broken_row"] == rows[4]["id"]
    assert "prev_hash" in r["reason"]


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
