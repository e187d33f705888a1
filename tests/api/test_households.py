"""Household registers: CSV import (all or nothing), scoped listing, delivery by pull."""

from __future__ import annotations

from backend.fieldwork.tables import Household
from tests.api.test_sync import item, log_data, pull_all, push
from tests.world import VILLAGE_X1, VILLAGE_Y1

REGISTER = "户编号,户主,人口,村民组,标签\nH001,王大山,4,一组,脱贫户、监测户\nH002,李小花,2,二组,\n"


def post(client, world, who, text, village=VILLAGE_X1):
    return client.post(
        f"/api/fieldwork/villages/{village}/households/import",
        content=text.encode(),
        headers={**world.headers(who), "content-type": "text/csv"},
    )


def test_import_list_reimport_and_pull(client, world):
    r = post(client, world, "reviewer_x", REGISTER)
    assert r.status_code == 200 and r.json()["created"] == 2 and r.json()["updated"] == 0
    listed = client.get(
        f"/api/fieldwork/villages/{VILLAGE_X1}/households", headers=world.headers("cadre_x1")
    ).json()
    assert [(h["name"], h["members"], h["tags"]) for h in listed] == [
        ("王大山", 4, ["脱贫户", "监测户"]),
        ("李小花", 2, []),
    ]
    again = post(client, world, "admin_a", REGISTER.replace("李小花,2", "李小花,3"))
    assert (again.json()["created"], again.json()["updated"], again.json()["unchanged"]) == (
        0, 1, 1
    )
    changes, _ = pull_all(client, world, "cadre_x1")
    households = [c for c in changes if c["kind"] == "household"]
    assert {c["data"]["name"] for c in households} == {"王大山", "李小花"}
    assert not [c for c in pull_all(client, world, "cadre_y1")[0] if c["kind"] == "household"]
    # A log may name the village's households, and only those.
    hid = listed[0]["id"]
    [ok] = push(client, world, "cadre_x1", item(log_data(household_ids=[hid])))
    assert ok["status"] == "applied"
    [bad] = push(
        client,
        world,
        "cadre_x1",
        item(log_data(household_ids=["00000000-0000-0000-0000-000000000001"])),
    )
    assert bad["status"] == "rejected" and bad["errors"][0]["field"] == "household_ids"


def test_bad_rows_import_nothing(client, world, run):
    text = "户编号,户主,人口\nH001,王大山,4\nH001,重复,2\n,无编号,2\nH004,,x\n"
    r = post(client, world, "reviewer_x", text)
    assert r.status_code == 422
    got = {(e["row"], e["field"]) for e in r.json()["errors"]}
    assert {(3, "external_id"), (4, "external_id"), (5, "head_name"), (5, "members")} <= got
    assert run(Household.count().run) == 0


def test_import_and_list_scope(client, world):
    assert post(client, world, "reviewer_y", REGISTER).status_code == 404
    assert post(client, world, "cadre_x1", REGISTER).status_code == 403
    assert post(client, world, "admin_b", REGISTER).status_code == 404
    assert post(client, world, "finance_a", REGISTER).status_code == 403
    for who, status in [
        ("cadre_x2", 404),
        ("reviewer_y", 404),
        ("admin_a", 200),
        ("reviewer_x", 200),
    ]:
        r = client.get(
            f"/api/fieldwork/villages/{VILLAGE_X1}/households", headers=world.headers(who)
        )
        assert r.status_code == status, who
    assert (
        client.get(
            f"/api/fieldwork/villages/{VILLAGE_Y1}/households", headers=world.headers("cadre_x1")
        ).status_code
        == 404
    )
