"""The smaller answers of #14.7, each tried as its user would."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.api.test_claims import MONTH, post, step, submitted_trip
from tests.api.test_surveys import GOOD, answer, households, published, received
from tests.api.test_sync import push
from tests.world import VILLAGE_X1, VILLAGE_Z1


def test_dashboard_xlsx_stores_money_as_numbers(client, world):
    submitted_trip(client, world, "cadre_x1", fare_fen=4550)
    submitted_trip(client, world, "cadre_x1", n=5, fare_fen=1005)
    r = client.get("/api/dashboard/export.xlsx", params={"month": f"{MONTH:%Y-%m}"},
                   headers=world.headers("admin_a"))
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    column = header.index("待审 submitted 元 yuan") + 1
    x1 = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == VILLAGE_X1)
    cell = x1[column - 1]
    assert isinstance(cell.value, int | float) and cell.value == 55.55  # SUM adds it
    assert cell.number_format == "#,##0.00"
    count = x1[column - 2]
    assert count.value == 2


def test_push_over_the_body_limit_names_the_limit(client, world):
    body = b'{"items": [' + b" " * (13 * 1024 * 1024) + b"]}"
    for lang, limit in (("zh-CN", "上限 12 MB"), ("en", "limit 12 MB")):
        r = client.post("/api/sync/push", content=body,
                        headers={**world.headers("cadre_x1", lang),
                                 "content-type": "application/json"})
        assert r.status_code == 413
        assert limit in r.json()["title"] and "—" not in r.json()["title"]


def test_households_of_a_village_out_of_scope_answer_as_any_scope_refusal(client, world):
    """A village of another county answers exactly as a code that does not exist: its
    existence is not revealed, and it is not called an unknown code either."""
    answers = []
    for code in (VILLAGE_Z1, "529899999999"):
        r = client.get(f"/api/fieldwork/villages/{code}/households",
                       headers=world.headers("cadre_x1"))
        assert r.status_code == 404
        body = r.json()
        answers.append((body["code"], body["title"]))
    assert answers[0] == answers[1] == ("not_found", "找不到该对象，或您无权查看")
    mine = client.get(f"/api/fieldwork/villages/{VILLAGE_X1}/households",
                      headers=world.headers("cadre_x1"))
    assert mine.status_code == 200


def test_a_month_that_does_not_exist_is_answered_as_a_bad_month(client, world):
    cadre = world.ids["cadre_x1"]
    tries = [
        ("admin_a", "GET", "/api/dashboard?month=2026-13", None),
        ("admin_a", "GET", "/api/claims/?month=2026-13", None),
        ("cadre_x1", "GET", f"/api/fieldwork/presence/{cadre}/2026-13", None),
        ("cadre_x1", "POST", "/api/fieldwork/presence/submit", {"month": "2026-13"}),
        ("reviewer_x", "GET", "/api/fieldwork/presence/sheets?month=2026-00", None),
    ]
    for who, method, url, body in tries:
        r = client.request(method, url, json=body, headers=world.headers(who))
        assert r.status_code == 422, (url, r.text)
        [error] = r.json()["errors"]
        assert (error["field"], error["code"]) == ("month", "not_month"), (url, error)
        assert error["message"] == "应为月份 YYYY-MM（月为 01–12）"


def test_bulk_approval_of_returned_or_rejected_claims_is_wrong_state(client, world):
    returned = submitted_trip(client, world, n=2, mode="car", road_km=30)  # flagged as well
    rejected = submitted_trip(client, world, n=3)
    r1 = step(client, world, "reviewer_x", returned, "return", reason="请补充车票")
    r2 = step(client, world, "reviewer_x", rejected, "reject", reason="重复")
    r = client.post("/api/claims/approve-bulk", headers=world.headers("reviewer_x", "en"),
                    json={"items": [{"id": returned, "version": r1["version"]},
                                    {"id": rejected, "version": r2["version"]}]})
    assert [(x["status"], x["code"]) for x in r.json()["results"]] == [
        ("refused", "wrong_state"), ("refused", "wrong_state")]
    assert post(client, world, "reviewer_x", rejected, "approve",
                version=r2["version"]).json()["code"] == "wrong_state"


def test_confirming_a_known_fact_means_unchanged_and_names_it(client, world):
    published(client, world)
    [record] = received(client, world, "cadre_x1")
    ids = households(client, world)
    first = answer(record, ids["H001"], GOOD)
    assert push(client, world, "cadre_x1", first)[0]["status"] == "applied"
    # The known members of H001 are 4: "confirmed" with 5 is a correction, not a confirmation.
    changed = answer(record, ids["H001"], {**GOOD, "members": 5}, confirmed=["members"])
    changed |= {"id": first["id"], "base_version": 1}
    [r] = push(client, world, "cadre_x1", changed)
    assert r["status"] == "rejected"
    [error] = r["errors"]
    assert (error["field"], error["code"]) == ("confirmed.0", "confirm_changed")
    assert "「家庭人口」" in error["message"]
    # Confirmed but not answered, not a fact, and nothing known yet: each named.
    partial = {k: v for k, v in GOOD.items() if k != "phone"}
    [r] = push(client, world, "cadre_x1", answer(record, ids["H002"], partial,
                                                 confirmed=["phone", "has_car", "members"]),
               lang="en")
    assert [(e["field"], e["code"]) for e in r["errors"]] == [
        ("confirmed.0", "confirm_not_answered"),
        ("confirmed.1", "confirm_not_fact"),
        ("confirmed.2", "confirm_not_known"),
    ]
    assert all("“" in e["message"] for e in r["errors"]), r["errors"]
    # Unchanged: accepted.
    same = answer(record, ids["H001"], GOOD, confirmed=["members", "phone"])
    same |= {"id": first["id"], "base_version": 1}
    [ok] = push(client, world, "cadre_x1", same)
    assert ok["status"] == "applied", ok["errors"]


def test_presence_submit_returns_the_sheet(client, world):
    r = client.post("/api/fieldwork/presence/submit", json={"month": f"{MONTH:%Y-%m}"},
                    headers=world.headers("cadre_x1"))
    assert r.status_code == 200, r.text
    sheet = r.json()
    assert sheet["state"] == "submitted" and sheet["version"] == 1 and sheet["sheet_id"]
    [queued] = client.get("/api/fieldwork/presence/sheets", params={"state": "submitted"},
                          headers=world.headers("reviewer_x")).json()
    assert queued["id"] == sheet["sheet_id"]
    confirm = client.post(f"/api/fieldwork/presence/sheets/{sheet['sheet_id']}/confirm",
                          json={"version": sheet["version"]}, headers=world.headers("reviewer_x"))
    assert confirm.status_code == 200, confirm.text


def test_csv_and_printable_pages_send_one_charset(client, world):
    published_survey = published(client, world)
    urls = [
        ("admin_a", "/api/dashboard/export.csv"),
        ("finance_a", f"/api/claims/export.csv?month={MONTH:%Y-%m}"),
        ("admin_a", f"/api/surveys/{published_survey['id']}/responses.csv"),
        ("cadre_x1", f"/api/commendation/dossiers/{world.ids['cadre_x1']}/print"),
    ]
    for who, url in urls:
        r = client.get(url, headers=world.headers(who))
        assert r.status_code == 200, (url, r.text)
        content_type = r.headers["content-type"]
        assert content_type.lower().count("charset") == 1, (url, content_type)
        assert content_type.split(";")[0] in {"text/csv", "text/html"}


def test_importing_households_into_a_village_out_of_scope_answers_as_any_scope_refusal(
    client, world
):
    """The import answers as the list does: another county's village and a code that does
    not exist get the same not_found, which does not say whether the code exists."""
    answers = []
    for code in (VILLAGE_Z1, "529899999999"):
        r = client.post(f"/api/fieldwork/villages/{code}/households/import",
                        content="户编号,户主\nH1,张三\n".encode(),
                        headers={**world.headers("admin_a"), "content-type": "text/csv"})
        assert r.status_code == 404, r.text
        answers.append(r.json()["code"])
    assert answers[0] == answers[1] == "not_found"
