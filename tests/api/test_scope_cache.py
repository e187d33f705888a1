"""The caller's scope is kept per process and read again as soon as what it is made of changes.

Role grants, postings and divisions bump a version row in the writing transaction (triggers),
whoever writes them: the next request of the same caller sees the change, on any process.
"""

from __future__ import annotations

import datetime as dt
import uuid

from backend.accounts import services as accounts
from backend.accounts.tables import Posting, RoleGrant
from backend.core.db import engine_from_url, fetch
from tests.api.test_sync import item, log_data, pull_all, push
from tests.world import VILLAGE_X2


def _resolutions(monkeypatch) -> list:
    calls = []
    real = accounts._resolve_scope

    async def counted(user_id, today):
        calls.append(user_id)
        return await real(user_id, today)

    monkeypatch.setattr(accounts, "_resolve_scope", counted)
    return calls


def test_the_scope_is_resolved_once_until_a_posting_or_role_changes(
    client, world, run, monkeypatch, settings
):
    calls = _resolutions(monkeypatch)
    headers = world.headers("cadre_x1")
    for _ in range(3):
        assert client.get("/api/sync/pull", headers=headers).status_code == 200
    assert calls.count(world.ids["cadre_x1"]) == 1

    # A second posting, written by SQL as another process (or a person) would: seen at once.
    [r] = push(client, world, "cadre_x1", item(log_data(village=VILLAGE_X2)))
    assert r["status"] == "rejected"
    posting = run(Posting.select().where(Posting.cadre == world.ids["cadre_x1"]).first().run)
    engine = engine_from_url(settings.database_url)
    run(fetch, engine, "INSERT INTO account_posting (id, cadre, village_code, county_code, "
        "position, dispatching_unit, unit_lat, unit_lon, start_date, end_date) "
        "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
        uuid.uuid4(), world.ids["cadre_x1"], VILLAGE_X2, VILLAGE_X2[:6],
        posting["position"], posting["dispatching_unit"], posting["unit_lat"],
        posting["unit_lon"], dt.date(2025, 1, 1), None)
    [r] = push(client, world, "cadre_x1", item(log_data("第二个村", village=VILLAGE_X2)))
    assert r["status"] == "applied", r
    assert calls.count(world.ids["cadre_x1"]) == 2

    # A role taken away: the next request no longer has it.
    reviewer = world.ids["reviewer_x"]
    r = client.get("/api/dashboard", headers=world.headers("reviewer_x"))
    assert r.status_code == 200
    run(RoleGrant.delete().where(RoleGrant.account == reviewer).run)
    r = client.get("/api/dashboard", headers=world.headers("reviewer_x"))
    assert r.status_code == 403


def test_households_and_fences_kept_per_process_are_read_again_after_a_change(
    client, world, run, settings
):
    """Household ids and a village's fence are kept per process at the reference-data version;
    a household added or a fence moved by SQL (another process, a person) is seen at once."""
    from backend.fieldwork.tables import Household
    from backend.geo.tables import Division
    from tests.world import VILLAGE_X1

    engine = engine_from_url(settings.database_url)
    household = uuid.uuid4()
    [r] = push(client, world, "cadre_x1", item(log_data(household_ids=[str(household)])))
    assert r["status"] == "rejected" and r["errors"][0]["field"] == "household_ids"
    # Pushed twice so that the village and its households are surely kept by now.
    push(client, world, "cadre_x1", item(log_data()))
    now = dt.datetime.now(dt.UTC)
    run(fetch, engine, "INSERT INTO fieldwork_household (id, owner_id, village_code, "
        "county_code, version, seq, content_hash, deleted, created_at, updated_at, external_id, "
        "head_name, members, group_name, tags) VALUES ({}, {}, {}, {}, 1, 0, '', {}, {}, {}, "
        "'H9', '张三', 1, '', '[]')",
        household, world.ids["reviewer_x"], VILLAGE_X1, VILLAGE_X1[:6], False, now, now)
    assert run(Household.count().run) == 1
    [r] = push(client, world, "cadre_x1", item(log_data(household_ids=[str(household)])))
    assert r["status"] == "applied", r

    # A fence moved far away: the next log's fix lies outside it.
    fix = {"lat": 26.41, "lon": 107.91, "accuracy_m": 10.0,
           "captured_at": dt.datetime.now(dt.UTC).isoformat()}
    [before] = push(client, world, "cadre_x1", item(log_data(location=fix)))
    assert before["status"] == "applied"
    run(fetch, engine, "UPDATE geo_division SET center_lat = {}, center_lon = {} "
        "WHERE code = {}", 30.0, 110.0, VILLAGE_X1)
    [after] = push(client, world, "cadre_x1", item(log_data("围栏外", location=fix)))
    changes, _ = pull_all(client, world, "cadre_x1")
    flags = {c["id"]: {f["code"] for f in c["data"]["flags"]} for c in changes
             if c["kind"] == "work_log"}
    assert "outside_fence" not in flags[before["id"]]
    assert "outside_fence" in flags[after["id"]], flags[after["id"]]
    assert run(Division.select(Division.center_lat).where(Division.code == VILLAGE_X1)
               .first().run)["center_lat"] == 30.0


def test_a_changed_scope_gets_fresh_pull_statements(client, world, run):
    """The pull's statements are kept by shape of scope (``sync/statements.py``): once a
    cadre also reviews the township, the same pull from the start (same cursor, same page
    size, the statements already kept for the old shape) delivers the other village's logs."""
    from tests.world import TOWNSHIP_X

    [theirs] = push(client, world, "cadre_x2", item(log_data("二村的日志", village=VILLAGE_X2)))
    assert theirs["status"] == "applied"
    before, _ = pull_all(client, world, "cadre_x1")
    assert theirs["id"] not in {c["id"] for c in before}

    run(RoleGrant.insert(RoleGrant(id=uuid.uuid4(), account=world.ids["cadre_x1"],
                                   role="township_reviewer", division_code=TOWNSHIP_X,
                                   county_code=TOWNSHIP_X[:6])).run)
    after, _ = pull_all(client, world, "cadre_x1")
    assert theirs["id"] in {c["id"] for c in after}
