"""Accident insurance lapsing within 30 days reaches the cadre's inbox, once, unless renewed."""

from __future__ import annotations

import datetime as dt

from backend.claims.reminders import insurance_expiry
from backend.claims.tables import InsurancePolicy
from backend.core.clock import utc_now
from backend.core.ids import new_id
from tests.api.test_sync import pull_all

TODAY = dt.date(2026, 11, 24)


def policy(world, who, start, end, number="P-1"):
    return InsurancePolicy(id=new_id(), cadre_id=world.ids[who], village_code="529801001201",
                           county_code="529801", insurer="人保财险", policy_number=number,
                           sum_insured_fen=50_000_000, start_date=start, end_date=end,
                           imported_at=utc_now())


def test_expiring_policies_are_reminded_once_and_renewed_ones_not(client, world, run):
    run(InsurancePolicy.insert(
        policy(world, "cadre_x1", dt.date(2026, 1, 1), dt.date(2026, 12, 10)),
        policy(world, "cadre_x2", dt.date(2026, 1, 1), dt.date(2026, 12, 10)),
        policy(world, "cadre_x2", dt.date(2026, 12, 11), dt.date(2027, 12, 10), "P-2"),
        policy(world, "cadre_y1", dt.date(2026, 1, 1), dt.date(2027, 3, 1)),
    ).run)
    assert run(insurance_expiry, TODAY) == 1
    assert run(insurance_expiry, TODAY) == 0  # the same policy and date: once
    [notice] = [c for c in pull_all(client, world, "cadre_x1")[0] if c["kind"] == "inbox"]
    assert notice["data"]["event"] == "insurance.expiring"
    assert "2026-12-10" in notice["data"]["body"]["zh"]
    for who in ("cadre_x2", "cadre_y1"):
        assert not [c for c in pull_all(client, world, who)[0] if c["kind"] == "inbox"]
