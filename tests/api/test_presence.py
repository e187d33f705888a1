"""Presence: days drafted from logs and stated offline, the month submitted, confirmed or
returned by the township; leave decided by the right level; talks and who has none."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

from tests.api.test_sync import item, log_data, pull_all, push
from tests.world import VILLAGE_X1

MONTH = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # last month


def day(n: int) -> dt.date:
    return MONTH.replace(day=n)


def month_of(client, world, who, cadre="cadre_x1"):
    r = client.get(
        f"/api/fieldwork/presence/{world.ids[cadre]}/{MONTH:%Y-%m}", headers=world.headers(who)
    )
    return r


def state_day(n, status, note=""):
    return item(
        {"village_code": VILLAGE_X1, "date": day(n).isoformat(), "status": status, "note": note},
        kind="presence_day",
    )


def test_month_is_drafted_from_logs_and_stated_days(client, world):
    push(client, world, "cadre_x1", *[item(log_data(f"日志{n}", date=day(n))) for n in (2, 3, 4)])
    push(
        client,
        world,
        "cadre_x1",
        state_day(3, "official_business", "县里培训"),
        state_day(9, "away"),
    )
    m = month_of(client, world, "cadre_x1").json()
    by = {d["date"]: (d["status"], d["source"]) for d in m["days"]}
    assert by[day(2).isoformat()] == ("in_village", "drafted")
    assert by[day(3).isoformat()] == ("official_business", "stated")
    assert by[day(9).isoformat()] == ("away", "stated")
    assert by[day(5).isoformat()] == (None, "none")
    assert (m["village_days"], m["away_days"], m["state"]) == (3, 1, "draft")


def test_one_stated_day_per_date(client, world):
    push(client, world, "cadre_x1", state_day(3, "in_village"))
    [r] = push(client, world, "cadre_x1", state_day(3, "away"))
    assert r["status"] == "rejected" and r["errors"][0]["code"] == "duplicate"


def test_a_refused_row_leaves_the_rest_of_its_batch_applied(client, world):
    """The batch's one insert is refused (a second stated day for a date): the rows are then
    tried one by one, and only the clashing one is rejected (on SQLite without savepoints, on
    PostgreSQL each in its own)."""
    push(client, world, "cadre_x1", state_day(3, "in_village"))
    results = push(client, world, "cadre_x1", state_day(4, "away"), state_day(3, "away"),
                   state_day(5, "in_village"))
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    assert results[1]["errors"][0]["code"] == "duplicate"
    changes, _ = pull_all(client, world, "cadre_x1")
    days = sorted(c["data"]["date"] for c in changes if c["kind"] == "presence_day")
    assert days == [day(3).isoformat(), day(4).isoformat(), day(5).isoformat()]


def submit(client, world, who="cadre_x1"):
    return client.post(
        "/api/fieldwork/presence/submit",
        json={"month": f"{MONTH:%Y-%m}"},
        headers=world.headers(who),
    )


def test_submit_confirm_and_everything_is_locked_after(client, world, run):
    push(client, world, "cadre_x1", item(log_data("日志", date=day(2))))
    r = submit(client, world)
    assert r.status_code == 200 and r.json()["state"] == "submitted"
    assert submit(client, world).status_code == 409
    # A day stated after submission is refused: the month is frozen for review.
    [late] = push(client, world, "cadre_x1", state_day(5, "in_village"))
    assert late["status"] == "rejected" and late["errors"][0]["code"] == "locked"
    queue = client.get(
        "/api/fieldwork/presence/sheets",
        params={"state": "submitted"},
        headers=world.headers("reviewer_x"),
    ).json()
    [sheet] = queue
    assert sheet["cadre_name"] == "cadre_x1" and sheet["village_days"] == 1
    assert (
        client.get("/api/fieldwork/presence/sheets", headers=world.headers("reviewer_y")).json()
        == []
    )
    url = f"/api/fieldwork/presence/sheets/{sheet['id']}/confirm"
    assert (
        client.post(
            url, json={"version": sheet["version"]}, headers=world.headers("reviewer_y")
        ).status_code
        == 404
    )
    assert (
        client.post(
            url, json={"version": sheet["version"]}, headers=world.headers("cadre_x1")
        ).status_code
        == 403
    )
    assert client.post(
        url, json={"version": sheet["version"]}, headers=world.headers("finance_a")
    ).status_code in {403, 404}
    ok = client.post(url, json={"version": sheet["version"]}, headers=world.headers("reviewer_x"))
    assert ok.status_code == 200 and ok.json()["state"] == "confirmed"
    # The cadre learns it through pull.
    changes, _ = pull_all(client, world, "cadre_x1")
    [s] = [c for c in changes if c["kind"] == "presence_sheet"]
    assert s["data"]["state"] == "confirmed" and s["data"]["village_days"] == 1
    # Logging more in that month changes nothing already confirmed.
    push(client, world, "cadre_x1", item(log_data("补记", date=day(6))))
    assert month_of(client, world, "cadre_x1").json()["village_days"] == 1


def test_return_with_reason_then_resubmit(client, world):
    push(client, world, "cadre_x1", item(log_data("日志", date=day(2))))
    sheet = submit(client, world).json()
    [queued] = client.get("/api/fieldwork/presence/sheets", headers=world.headers("admin_a")).json()
    r = client.post(
        f"/api/fieldwork/presence/sheets/{queued['id']}/return",
        json={"version": queued["version"], "reason": "3日缺少说明"},
        headers=world.headers("reviewer_x"),
    )
    assert r.status_code == 200 and r.json()["return_reason"] == "3日缺少说明"
    assert sheet["state"] == "submitted"
    push(client, world, "cadre_x1", state_day(3, "official_business", "乡里开会"))
    again = submit(client, world).json()
    assert again["state"] == "submitted" and again["village_days"] == 2


def test_two_reviewers_at_once_exactly_one_wins(client, world):
    push(client, world, "cadre_x1", item(log_data("日志", date=day(2))))
    submit(client, world)
    [sheet] = client.get("/api/fieldwork/presence/sheets", headers=world.headers("admin_a")).json()
    statuses = []

    def act(who, action):
        body = {"version": sheet["version"]} | ({"reason": "不对"} if action == "return" else {})
        r = client.post(
            f"/api/fieldwork/presence/sheets/{sheet['id']}/{action}",
            json=body,
            headers=world.headers(who),
        )
        statuses.append(r.status_code)

    threads = [
        threading.Thread(target=act, args=("reviewer_x", "confirm")),
        threading.Thread(target=act, args=("admin_a", "return")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 409]


def leave(start, end, reason="家中有事", **extra):
    return item(
        {
            "village_code": VILLAGE_X1,
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "reason": reason,
            **extra,
        },
        kind="leave_request",
    )


def test_leave_is_decided_by_the_right_level(client, world):
    short = leave(day(10), day(12))
    long = leave(day(20), day(24))
    push(client, world, "cadre_x1", short, long)
    queue = {
        x["id"]: x
        for x in client.get(
            "/api/fieldwork/leave", params={"state": "pending"}, headers=world.headers("reviewer_x")
        ).json()
    }
    assert queue[short["id"]]["decider_level"] == "township" and queue[short["id"]]["days"] == 3
    assert queue[long["id"]]["decider_level"] == "county"

    def decide(who, leave_id, approve=True):
        return client.post(
            f"/api/fieldwork/leave/{leave_id}/decide",
            json={"approve": approve, "version": 1, "note": ""},
            headers=world.headers(who),
        )

    assert decide("reviewer_x", long["id"]).status_code == 403
    assert decide("reviewer_y", short["id"]).status_code == 404
    assert decide("cadre_x1", short["id"]).status_code == 403
    assert decide("reviewer_x", short["id"]).status_code == 200
    assert decide("reviewer_x", short["id"]).status_code == 409  # already decided
    assert decide("admin_a", long["id"], approve=False).status_code == 200
    # Approved leave drafts those days as leave; the cadre hears through pull.
    by = {d["date"]: d["status"] for d in month_of(client, world, "cadre_x1").json()["days"]}
    assert [by[day(n).isoformat()] for n in (10, 11, 12)] == ["leave"] * 3
    assert by[day(20).isoformat()] is None
    changes, _ = pull_all(client, world, "cadre_x1")
    states = {c["id"]: c["data"]["state"] for c in changes if c["kind"] == "leave_request"}
    assert states == {short["id"]: "approved", long["id"]: "rejected"}
    # A decided request can no longer be edited by its cadre.
    [r] = push(
        client,
        world,
        "cadre_x1",
        leave(day(10), day(11), **{}) | {"id": short["id"], "base_version": 1},
    )
    assert r["status"] == "rejected" and r["errors"][0]["code"] == "locked"


def test_leave_validation(client, world):
    [r] = push(client, world, "cadre_x1", leave(day(12), day(10)))
    assert r["status"] == "rejected" and r["errors"][0]["field"] == "end_date"


def test_talks_and_who_has_none(client, world):
    year = dt.date.today().year
    missing = client.get(
        "/api/fieldwork/talks/missing", params={"year": year}, headers=world.headers("reviewer_x")
    ).json()
    assert [m["name"] for m in missing] == ["cadre_x1", "cadre_x2"]
    r = client.post(
        "/api/fieldwork/talks",
        headers=world.headers("reviewer_x"),
        json={
            "cadre_id": str(world.ids["cadre_x1"]),
            "date": dt.date.today().isoformat(),
            "summary": "谈了驻村生活和家庭困难",
        },
    )
    assert r.status_code == 201, r.text
    missing = client.get("/api/fieldwork/talks/missing", headers=world.headers("admin_a")).json()
    assert [m["name"] for m in missing] == ["cadre_x2", "cadre_y1"]
    assert (
        client.post(
            "/api/fieldwork/talks",
            headers=world.headers("reviewer_y"),
            json={
                "cadre_id": str(world.ids["cadre_x1"]),
                "date": dt.date.today().isoformat(),
                "summary": "x",
            },
        ).status_code
        == 404
    )
    assert client.post(
        "/api/fieldwork/talks",
        headers=world.headers("cadre_x2"),
        json={
            "cadre_id": str(world.ids["cadre_x1"]),
            "date": dt.date.today().isoformat(),
            "summary": "x",
        },
    ).status_code in {403, 404}
    own = client.get("/api/fieldwork/talks", headers=world.headers("cadre_x1")).json()
    assert len(own) == 1
    assert client.get("/api/fieldwork/talks", headers=world.headers("cadre_x2")).json() == []


def test_month_view_scope(client, world):
    assert month_of(client, world, "cadre_x1").status_code == 200
    assert month_of(client, world, "reviewer_x").status_code == 200
    assert month_of(client, world, "admin_a").status_code == 200
    for outsider in ("cadre_x2", "reviewer_y", "admin_b", "finance_a"):
        assert month_of(client, world, outsider).status_code == 404, outsider
    r = client.get(
        f"/api/fieldwork/presence/{uuid.uuid4()}/{MONTH:%Y-%m}", headers=world.headers("admin_a")
    )
    assert r.status_code == 404


def test_dated_records_outside_the_posting_are_rejected_naming_its_dates(client, world, run):
    """A day outside the posting would be stored out of sight (the month view refuses the
    month): it is rejected, and the reason names the posting's dates (#14.4)."""
    from backend.accounts.tables import Posting

    end = dt.date.today() - dt.timedelta(days=20)  # within the grace after a posting ends (#13)
    run(Posting.update({Posting.end_date: end})
        .where(Posting.cadre == world.ids["cadre_x1"]).run)
    after, before = end + dt.timedelta(days=1), dt.date(2024, 12, 31)
    inside = end - dt.timedelta(days=1)
    items = [
        item({"village_code": VILLAGE_X1, "date": after.isoformat(), "status": "in_village",
              "note": ""}, kind="presence_day"),
        item({"village_code": VILLAGE_X1, "date": before.isoformat(), "status": "away",
              "note": ""}, kind="presence_day"),
        item(log_data("任职期后的走访", date=after)),
        item({"village_code": VILLAGE_X1, "start_date": inside.isoformat(),
              "end_date": after.isoformat(), "reason": "探亲"}, kind="leave_request"),
        item({"village_code": VILLAGE_X1, "date": inside.isoformat(), "status": "in_village",
              "note": ""}, kind="presence_day"),
    ]
    zh = push(client, world, "cadre_x1", *items)
    assert [r["status"] for r in zh] == ["rejected"] * 4 + ["applied"]
    assert [[(e["field"], e["code"]) for e in r["errors"]] for r in zh[:4]] == [
        [("date", "outside_posting")], [("date", "outside_posting")],
        [("date", "outside_posting")], [("end_date", "outside_posting")],
    ]
    assert zh[0]["errors"][0]["message"] == (
        f"该日期不在您驻该村的任职期内（任职期：2025-01-01 至 {end.isoformat()}）")
    en = push(client, world, "cadre_x1", {**items[0], "id": str(uuid.uuid4())}, lang="en")
    assert en[0]["errors"][0]["message"] == (
        f"Outside your posting to this village (posted 2025-01-01 to {end.isoformat()})")
    # What was applied is seen in its month.
    r = client.get(f"/api/fieldwork/presence/{world.ids['cadre_x1']}/{inside:%Y-%m}",
                   headers=world.headers("cadre_x1"))
    assert r.status_code == 200, r.text
    by = {d["date"]: d["status"] for d in r.json()["days"]}
    assert by[inside.isoformat()] == "in_village"
