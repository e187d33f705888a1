"""The offline protocol over HTTP: applied, duplicate, conflict, rejected; pull by cursor."""

from __future__ import annotations

import datetime as dt
import uuid

from backend.fieldwork.tables import WorkLog
from tests.conftest import ENGINE
from tests.world import VILLAGE_X1, VILLAGE_X2, VILLAGE_Z1


def log_data(text="走访了三户", village=VILLAGE_X1, date=None, **extra):
    return {
        "village_code": village,
        "date": (date or dt.date.today()).isoformat(),
        "kind": "visit",
        "text": text,
        "household_ids": [],
        "location": None,
        "evidence": [],
        **extra,
    }


def item(data, id_=None, base_version=None, kind="work_log"):
    return {
        "kind": kind,
        "id": str(id_ or uuid.uuid4()),
        "base_version": base_version,
        "data": data,
    }


def push(client, world, who, *items, lang="zh-CN"):
    r = client.post("/api/sync/push", json={"items": list(items)}, headers=world.headers(who, lang))
    assert r.status_code == 200, r.text
    return r.json()["results"]


def snapshot_changes(body):
    """The rows of a snapshot page as changes (what a phone stores of them)."""
    out = []
    for block in (body.get("snapshot") or {}).get("blocks", []):
        names = block["fields"]
        for row in block["rows"]:
            values = dict(zip(names, row, strict=True))
            out.append({"kind": block["kind"], "id": values.pop("id"),
                        "version": values.pop("version"), "data": values, "deleted": False})
    return out


def pull_all(client, world, who, since=None, limit=500, snapshot=False):
    changes, cursor = [], since
    while True:
        params = ({"limit": limit} | ({"since": cursor} if cursor else {})
                  | ({"snapshot": "true"} if snapshot else {}))
        r = client.get("/api/sync/pull", params=params, headers=world.headers(who))
        assert r.status_code == 200, r.text
        body = r.json()
        changes += snapshot_changes(body) + body["changes"]
        if not body["more"]:
            return changes, body["cursor"]
        cursor = body["cursor"]


def test_applied_duplicate_edit_and_stale_edit(client, world, run):
    first = item(log_data())
    [r] = push(client, world, "cadre_x1", first)
    assert r == {
        "id": first["id"],
        "status": "applied",
        "version": 1,
        "server": None,
        "errors": None,
    }
    # A resend after a lost answer: the original answer, nothing new stored.
    [r] = push(client, world, "cadre_x1", first)
    assert (r["status"], r["version"]) == ("duplicate", 1)
    edited = item(log_data("走访了四户"), first["id"], base_version=1)
    [r] = push(client, world, "cadre_x1", edited)
    assert (r["status"], r["version"]) == ("applied", 2)
    # An edit made on a stale copy never overwrites: the server copy comes back.
    stale = item(log_data("旧的修改"), first["id"], base_version=1)
    [r] = push(client, world, "cadre_x1", stale)
    assert r["status"] == "conflict" and r["version"] == 2
    assert r["server"]["data"]["text"] == "走访了四户" and r["server"]["version"] == 2
    rows = run(WorkLog.select(WorkLog.text, WorkLog.version).run)
    assert rows == [{"text": "走访了四户", "version": 2}]


def test_one_bad_item_never_fails_the_batch(client, world, run):
    good1, good2 = item(log_data("一")), item(log_data("二"))
    items = [
        good1,
        item(log_data(village=VILLAGE_X2)),  # not the cadre's village
        {"kind": "work_log", "id": "not-a-uuid", "base_version": None, "data": log_data()},
        item(log_data(), kind="nonsense"),
        item({**log_data(), "kind": "party"}),  # not a log kind
        item({**log_data(), "text": ""}),  # empty text
        item({**log_data(), "surprise": 1}),  # unknown field
        item(log_data(date=dt.date.today() + dt.timedelta(days=5))),
        item({**log_data(), "evidence": ["not-a-hash"]}),
        good2,
    ]
    results = push(client, world, "cadre_x1", *items, lang="en")
    assert [r["status"] for r in results] == ["applied"] + ["rejected"] * 8 + ["applied"]
    assert [r["id"] for r in results] == [i["id"] for i in items]
    fields = [{e["field"] for e in r["errors"]} for r in results[1:9]]
    assert fields == [
        {"village_code"},
        {"id"},
        {"kind"},
        {"kind"},
        {"text"},
        {"surprise"},
        {"date"},
        {"evidence"},
    ]
    assert results[1]["errors"][0]["message"] == "Outside your scope"
    assert run(WorkLog.count().run) == 2


def test_batch_limit_and_envelope(client, world):
    r = client.post(
        "/api/sync/push",
        json={"items": [item(log_data())] * 501},
        headers=world.headers("cadre_x1"),
    )
    assert r.status_code == 422
    r = client.post("/api/sync/push", json={"items": "nope"}, headers=world.headers("cadre_x1"))
    assert r.status_code == 422
    assert client.post("/api/sync/push", json={"items": []}).status_code == 401


def test_same_id_twice_in_a_batch(client, world):
    same = item(log_data())
    results = push(client, world, "cadre_x1", same, same)
    assert [r["status"] for r in results] == ["applied", "rejected"]


def test_someone_elses_id_is_rejected_not_overwritten(client, world, run):
    mine = item(log_data())
    push(client, world, "cadre_x1", mine)
    theirs = item(log_data(village=VILLAGE_X2), mine["id"], base_version=1)
    [r] = push(client, world, "cadre_x2", theirs)
    assert r["status"] == "rejected" and r["errors"][0]["code"] == "out_of_scope"
    assert run(WorkLog.select(WorkLog.owner_id).run) == [{"owner_id": world.ids["cadre_x1"]}]


def test_pull_is_cut_to_scope_and_cursor_moves_on(client, world):
    a = item(log_data("x1 的日志"))
    b = item(log_data("x2 的日志", village=VILLAGE_X2))
    z = item(log_data("z1 的日志", village=VILLAGE_Z1))
    push(client, world, "cadre_x1", a)
    push(client, world, "cadre_x2", b)
    push(client, world, "cadre_z1", z)

    def ids(who):
        changes, _ = pull_all(client, world, who)
        return {c["id"] for c in changes if c["kind"] == "work_log"}

    assert ids("cadre_x1") == {a["id"]}
    assert ids("reviewer_x") == {a["id"], b["id"]}
    assert ids("reviewer_y") == set()
    assert ids("admin_a") == {a["id"], b["id"]}
    assert ids("admin_b") == {z["id"]}
    assert ids("finance_a") == set()

    changes, cursor = pull_all(client, world, "cadre_x1")
    log = next(c for c in changes if c["id"] == a["id"])
    assert log["version"] == 1 and log["data"]["text"] == "x1 的日志"
    assert {"code": log["data"]["flags"][0]["code"]} == {"code": "no_location"}
    again, same_cursor = pull_all(client, world, "cadre_x1", since=cursor)
    assert again == []
    if ENGINE == "sqlite":  # on PostgreSQL the cursor may move past other databases' work
        assert same_cursor == cursor
    push(client, world, "cadre_x1", item(log_data("改"), a["id"], base_version=1))
    later, _ = pull_all(client, world, "cadre_x1", since=cursor)
    assert [(c["id"], c["version"]) for c in later] == [(a["id"], 2)]


def test_pull_pages_with_more(client, world):
    push(client, world, "cadre_x1", *[item(log_data(f"第{i}条")) for i in range(7)])
    first = client.get(
        "/api/sync/pull", params={"limit": 3}, headers=world.headers("cadre_x1")
    ).json()
    assert len(first["changes"]) == 3 and first["more"] is True
    changes, _ = pull_all(client, world, "cadre_x1", limit=3)
    texts = [c["data"]["text"] for c in changes if c["kind"] == "work_log"]
    assert sorted(texts) == sorted(f"第{i}条" for i in range(7))
    assert (
        client.get(
            "/api/sync/pull", params={"since": "abc"}, headers=world.headers("cadre_x1")
        ).status_code
        == 422
    )


def test_location_inside_and_outside_the_fence(client, world):
    now = dt.datetime.now(dt.UTC).isoformat()
    inside = item(
        log_data(location={"lat": 26.4101, "lon": 107.9101, "accuracy_m": 15, "captured_at": now})
    )
    outside = item(
        log_data(location={"lat": 26.50, "lon": 107.91, "accuracy_m": 15, "captured_at": now})
    )
    push(client, world, "cadre_x1", inside)
    push(client, world, "cadre_x1", outside)
    changes, _ = pull_all(client, world, "cadre_x1")
    flags = {c["id"]: [f["code"] for f in c["data"]["flags"]] for c in changes}
    assert flags[inside["id"]] == []
    assert "outside_fence" in flags[outside["id"]]


def test_speed_against_the_cadres_stored_fix_not_anothers(client, world):
    """A push's impossible-speed flag reads the cadre's own fixes stored by earlier pushes,
    and no one else's."""
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)

    def at(lat, minutes, village=VILLAGE_X1):
        moment = (start + dt.timedelta(minutes=minutes)).isoformat()
        return item(log_data(village=village, location={
            "lat": lat, "lon": 107.9101, "accuracy_m": 15, "captured_at": moment}))

    push(client, world, "cadre_x2", at(27.41, 0, VILLAGE_X2))  # 111 km north, another cadre
    first = at(26.4101, 10)
    push(client, world, "cadre_x1", first)
    far = at(27.41, 30)  # 111 km in 20 minutes after cadre_x1's own fix
    push(client, world, "cadre_x1", far)
    changes, _ = pull_all(client, world, "cadre_x1")
    flags = {c["id"]: [f["code"] for f in c["data"]["flags"]] for c in changes}
    assert "impossible_speed" not in flags[first["id"]]
    assert "impossible_speed" in flags[far["id"]]
