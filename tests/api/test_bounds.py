"""Issue 13, numbers and nesting: every body, integer, string and date bounded; never a 500;
the same answer on SQLite and PostgreSQL (control characters are refused, not stored)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from backend.core.bounds import MAX_DEPTH, body_problems, problems_each
from backend.core.clock import local_date
from backend.fieldwork.tables import Talk, WorkLog
from tests.world import VILLAGE_X1

NOBODY = "00000000-0000-7000-8000-000000000000"


def _json(client, method, path, body: bytes, headers):
    return client.request(method, path, content=body,
                          headers={**headers, "content-type": "application/json"})


@pytest.mark.parametrize("method, path, who", [
    ("POST", "/api/sync/push", "cadre_x1"),
    ("POST", "/api/fieldwork/talks/", "reviewer_x"),
    ("POST", "/api/accounts/postings", "admin_a"),
    ("POST", "/api/auth/login", None),
    ("PUT", "/api/policy/529801/2026", "admin_a"),
])
@pytest.mark.parametrize("body", [b"[" * 50_000, b'{"a":' * 50_000, b"[" * 40 + b"]" * 40])
def test_deep_nesting_is_a_clear_422(client, world, method, path, who, body):
    headers = world.headers(who, "en") if who else {"Accept-Language": "en"}
    r = _json(client, method, path, body, headers)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["code"] == "too_deep"
    assert f"limit {MAX_DEPTH}" in r.json()["errors"][0]["message"]


def test_huge_cursor_and_numbers_are_refused_in_the_callers_language(client, world):
    r = client.get("/api/sync/pull?since=99999999999999999999", headers=world.headers("cadre_x1"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "since"
    run = f"/api/commendation/runs/{NOBODY}/publish"
    for version in (8.7e32, 10**40, -(10**30)):
        r = client.post(run, json={"version": version}, headers=world.headers("admin_a", "en"))
        assert r.status_code == 422, (version, r.text)
        assert r.json()["errors"][0]["code"] == "too_large"
    # A number no double can hold is not JSON the decoder takes: a plain 400.
    r = client.post(run, content=b'{"version": 1e999}',
                    headers={**world.headers("admin_a"), "content-type": "application/json"})
    assert r.status_code == 400 and r.json()["title"] == "请求有误"
    r = client.get("/api/policy/529801/99999999999999999999", headers=world.headers("admin_a"))
    assert r.status_code in (400, 404, 422)


def test_a_nul_byte_is_refused_the_same_on_both_engines(client, world, run):
    body = {"cadre_id": str(world.ids["cadre_x1"]), "date": "2026-03-02", "summary": "谈\x00心"}
    r = client.post("/api/fieldwork/talks/", json=body, headers=world.headers("reviewer_x", "en"))
    assert r.status_code == 422, r.text
    err = r.json()["errors"][0]
    assert (err["field"], err["code"]) == ("summary", "control_character")
    assert "control character" in err["message"]
    assert run(Talk.count().run) == 0
    # Other invisible controls too; tab and line breaks are ordinary text.
    for bad in ("\x07", "\x1b[31m", "\x7f", "\u0085"):
        r = client.post("/api/fieldwork/talks/", json={**body, "summary": f"a{bad}b"},
                        headers=world.headers("reviewer_x"))
        assert r.status_code == 422, repr(bad)
    ok = {**body, "summary": "第一行\n第二行\t缩进\r\n"}
    assert client.post("/api/fieldwork/talks/", json=ok,
                       headers=world.headers("reviewer_x")).status_code == 201
    # In a query string as well.
    r = client.get("/api/claims/?month=2026-03%00", headers=world.headers("admin_a"))
    assert r.status_code == 422


def _log(text: str, day: str = "2026-03-02") -> dict:
    return {"kind": "work_log", "id": str(uuid.uuid4()), "base_version": None,
            "data": {"village_code": VILLAGE_X1, "date": day, "kind": "visit", "text": text,
                     "household_ids": [], "location": None, "evidence": []}}


def test_sync_rejects_only_the_item_with_a_control_character(client, world, run):
    items = [_log("正常的日志"), _log("坏\x00的日志"), _log("也正常")]
    r = client.post("/api/sync/push", json={"items": items}, headers=world.headers("cadre_x1"))
    assert r.status_code == 200, r.text
    statuses = [x["status"] for x in r.json()["results"]]
    assert statuses == ["applied", "rejected", "applied"]
    assert r.json()["results"][1]["errors"][0] == {
        "field": "data.text", "code": "control_character",
        "message": r.json()["results"][1]["errors"][0]["message"]}
    assert run(WorkLog.count().run) == 2


def test_sync_rejects_only_the_item_whose_data_breaks_a_bound(client, world, run):
    """Each item's data is held to every bound item by item; the envelope with the body."""
    deep: object = "x"
    for _ in range(40):
        deep = [deep]
    huge = {**_log("太大的数"), "data": {**_log("")["data"], "text": "数", "extra": 10**20}}
    nested = {**_log("太深"), "data": {**_log("")["data"], "text": "深", "extra": deep}}
    items = [_log("正常的日志"), huge, nested, _log("也正常")]
    r = client.post("/api/sync/push", json={"items": items}, headers=world.headers("cadre_x1"))
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["status"] for x in results] == ["applied", "rejected", "rejected", "applied"]
    assert (results[1]["errors"][0]["field"], results[1]["errors"][0]["code"]) == (
        "data.extra", "too_large")
    assert results[2]["errors"][0]["code"] == "too_deep"
    assert run(WorkLog.count().run) == 2
    # Outside the items' data the body's bounds still refuse the whole request.
    r = client.post("/api/sync/push", json={"items": items[:1], "other": 10**20},
                    headers=world.headers("cadre_x1"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "other"
    r = client.post("/api/sync/push", json={"items": [{**items[0], "id": 10**20}]},
                    headers=world.headers("cadre_x1"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "items.0.id"


@pytest.mark.parametrize("day, code", [
    ("0001-01-01", "date_too_early"),
    ("2017-12-31", "date_too_early"),
    ("future", "date_in_future"),
])
def test_record_dates_lie_in_a_plausible_window(client, world, day, code):
    if day == "future":
        day = (local_date() + dt.timedelta(days=2)).isoformat()
    r = client.post("/api/sync/push", json={"items": [_log("日志", day)]},
                    headers=world.headers("cadre_x1"))
    result = r.json()["results"][0]
    assert result["status"] == "rejected"
    assert {"field": "date", "code": code} == {k: result["errors"][0][k]
                                               for k in ("field", "code")}
    talk = {"cadre_id": str(world.ids["cadre_x1"]), "date": day, "summary": "谈心"}
    r = client.post("/api/fieldwork/talks/", json=talk, headers=world.headers("reviewer_x"))
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == code


def test_leave_may_be_planned_ahead_but_not_years_ahead(client, world):
    def leave(start):
        return {"kind": "leave_request", "id": str(uuid.uuid4()), "base_version": None,
                "data": {"village_code": VILLAGE_X1, "start_date": start, "end_date": start,
                         "reason": "探亲"}}

    soon = (local_date() + dt.timedelta(days=10)).isoformat()
    far = (local_date() + dt.timedelta(days=800)).isoformat()
    r = client.post("/api/sync/push", json={"items": [leave(soon), leave(far)]},
                    headers=world.headers("cadre_x1")).json()["results"]
    assert r[0]["status"] == "applied", r[0]
    assert r[1]["status"] == "rejected" and r[1]["errors"][0]["code"] == "date_too_late"


def test_body_rules_by_themselves():
    assert body_problems({"a": [1, 2.5, "x", None, True]}) == []
    assert [p.code for p in body_problems({"n": 2**53 + 1})] == ["too_large"]
    assert [p.field for p in body_problems({"a": {"b": ["ok", "no\x00"]}})] == ["a.b.1"]
    assert [p.code for p in body_problems(["x" * 100_001])] == ["too_long"]
    assert [p.code for p in body_problems(list(range(10_001)))] == ["too_many_items"]
    assert [p.code for p in body_problems({"k\x00": 1})] == ["control_character"]
    assert body_problems({"t": "no\x00"}, text=False) == []
    deep: list = []
    for _ in range(MAX_DEPTH + 5):
        deep = [deep]
    assert [p.code for p in body_problems(deep)] == ["too_deep"]


def _nested(depth: int) -> list:
    deep: list = []
    for _ in range(depth):
        deep = [deep]
    return deep


@pytest.mark.parametrize("bad", [
    None, {"t": "no\x00"}, {"k\x00": 1}, {"n": 2**53 + 1}, {"x": float("nan")},
    {"s": "x" * 100_001}, {"d": _nested(MAX_DEPTH)}, {"d": _nested(MAX_DEPTH - 2)},
    {"l": list(range(10_001))},
])
def test_problems_of_many_values_are_each_values_own(bad):
    """A batch's data checked in one pass answers for each value what checking it alone
    would, whichever value breaks a bound (a value at the deepest depth allowed stays fine)."""
    fine = [{"a": [1, 2.5, "文字", None, True], "b": {"c": "d\te"}}, {"e": []}]
    values = [*fine, bad, *fine] if bad is not None else fine
    assert problems_each(values, path="data") == [
        body_problems(v, path="data") for v in values]


def test_more_values_than_a_list_may_hold_are_each_fine_alone():
    assert problems_each([{"a": "b"}] * 10_001) == [[]] * 10_001
