"""Eligibility, the quota run and its publication, nominations within seats, dossiers."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from backend.core.clock import utc_now
from backend.core.ids import new_id
from backend.fieldwork.tables import PresenceSheet
from tests.api.test_sync import item, log_data, pull_all, push

YEAR = 2026


def confirm_days(run, world, who, days, village, county="529801"):
    """Confirmed months as the township would have confirmed them (arranged directly)."""
    now = utc_now()
    rows = []
    for month in range(1, 11):
        rows.append(PresenceSheet(
            id=new_id(), owner_id=world.ids[who], village_code=village, county_code=county,
            version=2, seq=0, content_hash="", created_at=now, updated_at=now,
            month=dt.date(YEAR, month, 1), state="confirmed", days=[],
            village_days=days // 10 + (1 if month <= days % 10 else 0)))
    run(PresenceSheet.insert(*rows).run)


def test_eligibility_reasons_and_inspection(client, world, run):
    confirm_days(run, world, "cadre_x1", 230, "529801001201")
    confirm_days(run, world, "cadre_x2", 120, "529801001202")
    listed = client.get("/api/commendation/eligibility", params={"year": YEAR},
                        headers=world.headers("reviewer_x")).json()
    verdicts = {e["name"]: e for e in listed}
    assert set(verdicts) == {"cadre_x1", "cadre_x2"}
    assert verdicts["cadre_x1"]["eligible"] and verdicts["cadre_x1"]["confirmed_days"] == 230
    assert not verdicts["cadre_x2"]["eligible"]
    mine = client.get("/api/commendation/eligibility/me", params={"year": YEAR},
                      headers=world.headers("cadre_x2")).json()
    assert "少于应驻" in mine["reasons"][0]
    # An unexcused absence found by the county's inspection bars eligibility.
    body = {"cadre_id": str(world.ids["cadre_x1"]), "date": f"{YEAR}-05-06",
            "finding": "unexcused_absence", "note": "抽查不在岗"}
    assert client.post("/api/commendation/inspections", json=body,
                       headers=world.headers("reviewer_x")).status_code == 403
    assert client.post("/api/commendation/inspections", json=body,
                       headers=world.headers("admin_b")).status_code == 404
    assert client.post("/api/commendation/inspections", json=body,
                       headers=world.headers("admin_a")).status_code == 204
    mine = client.get("/api/commendation/eligibility/me", params={"year": YEAR},
                      headers=world.headers("cadre_x1")).json()
    assert not mine["eligible"] and "无故脱岗" in mine["reasons"][0]
    others = client.get("/api/commendation/eligibility", params={"year": YEAR},
                        headers=world.headers("reviewer_y")).json()
    assert [(e["name"], e["eligible"]) for e in others] == [("cadre_y1", False)]


def test_quota_run_publish_nominate_decide_and_final_list(client, world, run):
    for who, village in (("cadre_x1", "529801001201"), ("cadre_x2", "529801001202"),
                         ("cadre_y1", "529801002201")):
        confirm_days(run, world, who, 210, village)
    r = client.post("/api/commendation/runs", json={"year": YEAR, "kind": "commendation",
                                                    "total": 2},
                    headers=world.headers("admin_a"))
    assert r.status_code == 201, r.text
    run_out = r.json()
    seats = {row["code"]: row["seats"] for row in run_out["table"]}
    assert sum(seats.values()) == 2 and run_out["state"] == "draft"
    # Weighted toward the deep-tier township: 甲一镇 (deep, 2 eligible) before 甲二乡 (key, 1).
    assert seats["529801001"] >= seats["529801002"]
    assert client.post("/api/commendation/runs", json={"year": YEAR, "kind": "excellent"},
                       headers=world.headers("reviewer_x")).status_code == 403
    # Drafts are the county's own; reviewers see published runs only.
    assert client.get("/api/commendation/runs", headers=world.headers("reviewer_x")).json() == []
    url = f"/api/commendation/runs/{run_out['id']}"
    assert client.post(f"{url}/publish", json={"version": 1},
                       headers=world.headers("admin_b")).status_code == 404
    published = client.post(f"{url}/publish", json={"version": 1},
                            headers=world.headers("admin_a"))
    assert published.status_code == 200 and published.json()["state"] == "published"
    assert client.post(f"{url}/publish", json={"version": 1},
                       headers=world.headers("admin_a")).status_code == 409
    notices = [c for c in pull_all(client, world, "reviewer_x")[0] if c["kind"] == "inbox"]
    assert notices and notices[0]["data"]["event"] == "quota.published"
    # The unit nominates within its seats, eligible cadres of its own township only.
    too_many = [str(world.ids["cadre_x1"]), str(world.ids["cadre_x2"])]
    if seats["529801001"] < 2:
        r = client.post(f"{url}/nominations", json={"cadre_ids": too_many},
                        headers=world.headers("reviewer_x"))
        assert r.status_code == 422 and r.json()["code"] == "over_quota"
    r = client.post(f"{url}/nominations", json={"cadre_ids": [str(world.ids["cadre_y1"])]},
                    headers=world.headers("reviewer_x"))
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "out_of_scope"
    r = client.post(f"{url}/nominations", json={"cadre_ids": [str(world.ids["cadre_x1"])]},
                    headers=world.headers("reviewer_x"))
    assert r.status_code == 200, r.text
    [nomination] = r.json()
    decide = f"/api/commendation/nominations/{nomination['id']}/decide"
    assert client.post(decide, json={"accept": True},
                       headers=world.headers("reviewer_x")).status_code == 404
    assert client.post(decide, json={"accept": True},
                       headers=world.headers("admin_a")).json()["state"] == "accepted"
    xlsx = client.get(f"{url}/final.xlsx", headers=world.headers("admin_a"))
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("乡镇", "姓名") and rows[1][1] == "cadre_x1" and len(rows) == 2


def test_dossier_is_assembled_from_records(client, world, run):
    confirm_days(run, world, "cadre_x1", 205, "529801001201")
    push(client, world, "cadre_x1", item(log_data("走访", date=dt.date(YEAR, 3, 2))),
         item({**log_data("会议", date=dt.date(YEAR, 3, 3)), "kind": "meeting"}))
    d = client.get(f"/api/commendation/dossiers/{world.ids['cadre_x1']}",
                   params={"year": YEAR}, headers=world.headers("reviewer_x")).json()
    assert d["eligibility"]["confirmed_days"] == 205 and d["eligibility"]["eligible"]
    assert d["logs_by_kind"] == {"meeting": 1, "visit": 1}
    assert sum(d["confirmed_by_month"].values()) == 205
    page = client.get(f"/api/commendation/dossiers/{world.ids['cadre_x1']}/print",
                      params={"year": YEAR}, headers=world.headers("cadre_x1"))
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "年度驻村工作档案" in page.text and "@media print" in page.text
    for outsider in ("cadre_x2", "reviewer_y", "admin_b"):
        assert client.get(f"/api/commendation/dossiers/{world.ids['cadre_x1']}",
                          headers=world.headers(outsider)).status_code == 404


def test_unit_dossiers_xlsx(client, world, run):
    confirm_days(run, world, "cadre_x1", 205, "529801001201")
    r = client.get("/api/commendation/units/529801001/dossiers.xlsx", params={"year": YEAR},
                   headers=world.headers("reviewer_x"))
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "姓名" and [row[0] for row in rows[1:]] == ["cadre_x1", "cadre_x2"]
    assert rows[1][2] == 205 and rows[1][4] == "是" and rows[2][4] == "否"
    assert client.get("/api/commendation/units/529801001/dossiers.xlsx",
                      headers=world.headers("admin_b")).status_code == 404


def test_the_countys_yearly_minimum_drives_eligibility(client, world, run):
    from tests.api.test_claims import set_policy

    confirm_days(run, world, "cadre_x2", 160, "529801001202")
    mine = client.get("/api/commendation/eligibility/me", params={"year": YEAR},
                      headers=world.headers("cadre_x2")).json()
    assert not mine["eligible"] and mine["required_days"] == 200
    set_policy(client, world, year=YEAR, min_days_year=150)
    mine = client.get("/api/commendation/eligibility/me", params={"year": YEAR},
                      headers=world.headers("cadre_x2")).json()
    assert mine["eligible"] and mine["required_days"] == 150
