"""Eligibility, the quota run and its publication, nominations within seats, dossiers."""

from __future__ import annotations

import datetime as dt
import io

import pytest
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


def _published_run(client, world, total=2):
    r = client.post("/api/commendation/runs", json={"year": YEAR, "kind": "commendation",
                                                    "total": total},
                    headers=world.headers("admin_a"))
    assert r.status_code == 201, r.text
    run_out = r.json()
    r = client.post(f"/api/commendation/runs/{run_out['id']}/publish",
                    json={"version": run_out["version"]}, headers=world.headers("admin_a"))
    assert r.status_code == 200, r.text
    return r.json()


def test_eligibility_filters_by_township_tier_and_verdict(client, world, run):
    confirm_days(run, world, "cadre_x1", 230, "529801001201")
    confirm_days(run, world, "cadre_y1", 230, "529801002201")

    def names(**params):
        r = client.get("/api/commendation/eligibility", params={"year": YEAR, **params},
                       headers=world.headers("admin_a"))
        assert r.status_code == 200, r.text
        return [e["name"] for e in r.json()]

    assert names() == ["cadre_x1", "cadre_x2", "cadre_y1"]
    assert names(township="529801001") == ["cadre_x1", "cadre_x2"]
    assert names(tier="deep") == ["cadre_x1"]  # 一村 is deep, 二村 key, 三村 ordinary
    assert names(tier="key", eligible="false") == ["cadre_x2"]
    assert names(eligible="true") == ["cadre_x1", "cadre_y1"]
    assert names(township="529801001", eligible="true") == ["cadre_x1"]
    assert names(township="529802001") == []  # another county's township: nothing
    row = client.get("/api/commendation/eligibility", params={"year": YEAR, "tier": "deep"},
                     headers=world.headers("admin_a")).json()[0]
    assert (row["village_name"], row["township_name"], row["tier"]) == ("一村", "甲一镇", "deep")
    assert row["inspections"] == 0 and row["unexcused_absences"] == 0
    for bad in ({"township": "5298"}, {"tier": "gold"}, {"eligible": "maybe"}):
        assert client.get("/api/commendation/eligibility", params=bad,
                          headers=world.headers("admin_a")).status_code in (400, 422)
    # The other county's admin sees none of it, filtered or not: only their own cadre.
    for params, seen in (({}, ["cadre_z1"]), ({"township": "529801001"}, []),
                         ({"eligible": "true"}, []), ({"tier": "deep"}, [])):
        r = client.get("/api/commendation/eligibility", params={"year": YEAR, **params},
                       headers=world.headers("admin_b"))
        assert r.status_code == 200 and [e["name"] for e in r.json()] == seen


def test_inspections_are_counted_in_the_list(client, world, run):
    confirm_days(run, world, "cadre_x1", 230, "529801001201")
    for finding in ("other", "unexcused_absence"):
        assert client.post("/api/commendation/inspections", headers=world.headers("admin_a"),
                           json={"cadre_id": str(world.ids["cadre_x1"]),
                                 "date": f"{YEAR}-06-0{1 if finding == 'other' else 2}",
                                 "finding": finding}).status_code == 204
    [e] = client.get("/api/commendation/eligibility", headers=world.headers("admin_a"),
                     params={"year": YEAR, "tier": "deep"}).json()
    assert (e["inspections"], e["unexcused_absences"], e["eligible"]) == (2, 1, False)


def test_seats_left_per_unit_follow_nominations_and_decisions(client, world, run):
    for who, village in (("cadre_x1", "529801001201"), ("cadre_x2", "529801001202"),
                         ("cadre_y1", "529801002201")):
        confirm_days(run, world, who, 210, village)
    published = _published_run(client, world, total=3)
    url = f"/api/commendation/runs/{published['id']}"
    seats = {u["code"]: u for u in client.get(f"{url}/seats",
                                              headers=world.headers("admin_a")).json()}
    assert set(seats) == {"529801001", "529801002"}
    x = seats["529801001"]
    assert x["seats"] == 2 and x["left"] == 2 and x["nominated"] == 0 and x["eligible"] == 2
    # A reviewer sees their own unit only.
    mine = client.get(f"{url}/seats", headers=world.headers("reviewer_x")).json()
    assert [u["code"] for u in mine] == ["529801001"]
    [n] = client.post(f"{url}/nominations", json={"cadre_ids": [str(world.ids["cadre_x1"])]},
                      headers=world.headers("reviewer_x")).json()
    [x] = client.get(f"{url}/seats", headers=world.headers("reviewer_x")).json()
    assert (x["nominated"], x["left"]) == (1, 1)
    client.post(f"/api/commendation/nominations/{n['id']}/decide", json={"accept": False},
                headers=world.headers("admin_a"))
    [x] = client.get(f"{url}/seats", headers=world.headers("reviewer_x")).json()
    assert (x["nominated"], x["accepted"], x["left"]) == (0, 0, 2)  # a declined one frees it
    for outsider in ("admin_b", "reviewer_z", "cadre_x1"):
        assert client.get(f"{url}/seats", headers=world.headers(outsider)).status_code == 404


def test_over_nomination_is_refused_in_the_callers_language(client, world, run):
    for who, village in (("cadre_x1", "529801001201"), ("cadre_x2", "529801001202")):
        confirm_days(run, world, who, 210, village)
    published = _published_run(client, world, total=1)
    url = f"/api/commendation/runs/{published['id']}/nominations"
    both = {"cadre_ids": [str(world.ids["cadre_x1"]), str(world.ids["cadre_x2"])]}
    zh = client.post(url, json=both, headers=world.headers("reviewer_x"))
    en = client.post(url, json=both, headers=world.headers("reviewer_x", "en"))
    assert zh.status_code == en.status_code == 422
    assert "超过本单位名额（1 名）" in zh.json()["detail"]
    assert "More than the unit's seats (1)" in en.json()["detail"]
    # Nothing was half-nominated.
    assert client.get(url, headers=world.headers("reviewer_x")).json() == []


def test_a_units_dossiers_print_on_pages(client, world, run):
    confirm_days(run, world, "cadre_x1", 230, "529801001201")
    url = "/api/commendation/units/529801001/dossiers/print"
    page = client.get(url, params={"year": YEAR}, headers=world.headers("reviewer_x"))
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert page.text.count("<section>") == 2 and "break-before:page" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    only = client.get(url, params={"year": YEAR, "eligible": "true"},
                      headers=world.headers("admin_a")).text
    assert only.count("<section>") == 1 and "cadre_x1" in only and "cadre_x2" not in only
    for outsider in ("admin_b", "reviewer_y", "cadre_x1"):
        assert client.get(url, headers=world.headers(outsider)).status_code == 404
    for bad in ("529801", "52980100", "5298010011"):
        assert client.get(f"/api/commendation/units/{bad}/dossiers/print",
                          headers=world.headers("admin_a")).status_code == 404


@pytest.mark.parametrize("who, expected", [
    ("admin_a", 200), ("reviewer_x", 200), ("admin_b", 404), ("reviewer_z", 404),
    ("reviewer_y", 200), ("cadre_x1", 404),
])
def test_scope_of_a_published_run(client, world, run, who, expected):
    confirm_days(run, world, "cadre_x1", 230, "529801001201")
    published = _published_run(client, world, total=1)
    url = f"/api/commendation/runs/{published['id']}"
    for path in ("/seats", "/nominations", "/final.xlsx"):
        assert client.get(url + path, headers=world.headers(who)).status_code == expected, path
    runs = client.get("/api/commendation/runs", headers=world.headers(who)).json()
    assert [r["id"] for r in runs] == ([published["id"]] if expected == 200 else [])
