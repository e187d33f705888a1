"""The inbox: written with the change, delivered by pull, marked read by sync; feedback
round-trips from any user to the county admins and back."""

from __future__ import annotations

import uuid

import pytest

from backend.notify.tables import InboxItem
from tests.api.test_presence import MONTH, day, submit
from tests.api.test_sync import item, log_data, pull_all, push


def inbox(client, world, who):
    changes, _ = pull_all(client, world, who)
    return [c for c in changes if c["kind"] == "inbox"]


def test_a_returned_month_reaches_the_cadres_inbox_and_is_marked_read(client, world):
    push(client, world, "cadre_x1", item(log_data("日志", date=day(2))))
    submit(client, world)
    [sheet] = client.get("/api/fieldwork/presence/sheets", headers=world.headers("admin_a")).json()
    client.post(f"/api/fieldwork/presence/sheets/{sheet['id']}/return",
                json={"version": sheet["version"], "reason": "2日日志太简单"},
                headers=world.headers("reviewer_x"))
    [notice] = inbox(client, world, "cadre_x1")
    assert notice["data"]["event"] == "presence.returned"
    assert "2日日志太简单" in notice["data"]["body"]["zh"]
    assert notice["data"]["link"] == f"#/month/{MONTH:%Y-%m}" and notice["data"]["read_at"] is None
    assert inbox(client, world, "reviewer_x") == [] and inbox(client, world, "cadre_x2") == []
    # Read state syncs back through the protocol; only the recipient may set it.
    read = {"kind": "inbox", "id": notice["id"], "base_version": 1, "data": {"read": True}}
    [r] = push(client, world, "cadre_x1", read)
    assert r["status"] == "applied"
    [again] = push(client, world, "cadre_x1", read)
    assert again["status"] == "duplicate"
    [other] = push(client, world, "cadre_x2", read)
    assert other["status"] == "rejected"
    [fake] = push(client, world, "cadre_x1", {**read, "id": str(uuid.uuid4())})
    assert fake["status"] == "rejected" and fake["errors"][0]["field"] == "id"
    [notice] = inbox(client, world, "cadre_x1")
    assert notice["data"]["read_at"] is not None


def test_a_change_that_fails_writes_no_inbox_row(client, world, run, monkeypatch):
    from backend.audit import services as audit

    push(client, world, "cadre_x1", item(log_data("日志", date=day(2))))
    submit(client, world)
    [sheet] = client.get("/api/fieldwork/presence/sheets", headers=world.headers("admin_a")).json()

    async def broken(*a, **k):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(audit, "record", broken)
    r = client.post(f"/api/fieldwork/presence/sheets/{sheet['id']}/confirm",
                    json={"version": sheet["version"]}, headers=world.headers("reviewer_x"))
    assert r.status_code == 500
    assert run(InboxItem.count().run) == 0
    monkeypatch.undo()
    [sheet] = client.get("/api/fieldwork/presence/sheets", headers=world.headers("admin_a")).json()
    assert sheet["state"] == "submitted"


def test_leave_decision_notifies(client, world):
    leave = item({"village_code": "529801001201", "start_date": day(10).isoformat(),
                  "end_date": day(11).isoformat(), "reason": "看病"}, kind="leave_request")
    push(client, world, "cadre_x1", leave)
    client.post(f"/api/fieldwork/leave/{leave['id']}/decide",
                json={"approve": True, "version": 1, "note": "注意安全"},
                headers=world.headers("reviewer_x"))
    [notice] = inbox(client, world, "cadre_x1")
    assert notice["data"]["event"] == "leave.approved" and "已批准" in notice["data"]["title"]["zh"]


def feedback(text="村里路灯坏了", **extra):
    return item({"text": text, **extra}, kind="feedback")


def test_feedback_round_trip(client, world):
    message = feedback()
    [r] = push(client, world, "cadre_x1", message)
    assert r["status"] == "applied"
    listed = client.get("/api/feedback", params={"state": "open"},
                        headers=world.headers("admin_a")).json()
    assert [(m["author_name"], m["text"]) for m in listed] == [("cadre_x1", "村里路灯坏了")]
    # Township reviewers never see it (it may concern them); the other county neither.
    for who in ("reviewer_x", "admin_b", "cadre_x2"):
        assert client.get("/api/feedback", headers=world.headers(who)).json() == [], who
        assert not [c for c in pull_all(client, world, who)[0] if c["kind"] == "feedback"]
    url = f"/api/feedback/{message['id']}/answer"
    assert client.post(url, json={"answer": "已安排修理"},
                       headers=world.headers("admin_b")).status_code == 404
    assert client.post(url, json={"answer": "x"},
                       headers=world.headers("cadre_x1")).status_code == 403
    ok = client.post(url, json={"answer": "已安排修理"}, headers=world.headers("admin_a"))
    assert ok.status_code == 200 and ok.json()["state"] == "answered"
    assert client.post(url, json={"answer": "again"},
                       headers=world.headers("admin_a")).status_code == 409
    [notice] = inbox(client, world, "cadre_x1")
    assert notice["data"]["event"] == "feedback.answered"
    assert notice["data"]["body"]["zh"] == "已安排修理"
    mine = [c for c in pull_all(client, world, "cadre_x1")[0] if c["kind"] == "feedback"]
    assert mine[0]["data"]["answer"] == "已安排修理"


@pytest.mark.parametrize("data, field", [({"text": ""}, "text"),
                                          ({"text": "x", "evidence": ["bad"]}, "evidence")])
def test_feedback_validation(client, world, data, field):
    [r] = push(client, world, "reviewer_x", item(data, kind="feedback"))
    assert r["status"] == "rejected" and r["errors"][0]["field"] == field
