"""The dashboard: cut to the caller's scope, figures from the records, exports read back."""

from __future__ import annotations

import csv
import datetime as dt
import io

from openpyxl import load_workbook

from tests.api.test_sync import item, log_data, push

TODAY = dt.date.today()


def test_county_and_township_dashboards(client, world):
    register = "户编号,户主\nH1,甲\nH2,乙\n"
    client.post("/api/fieldwork/villages/529801001201/households/import",
                content=register.encode(), headers={**world.headers("reviewer_x"),
                                                    "content-type": "text/csv"})
    households = client.get("/api/fieldwork/villages/529801001201/households",
                            headers=world.headers("cadre_x1")).json()
    ids = [h["id"] for h in households]
    push(client, world, "cadre_x1",
         item(log_data("走访", date=TODAY, household_ids=ids)),
         item(log_data("再访", date=TODAY, household_ids=ids[:1])),
         item({**log_data("开会", date=TODAY), "kind": "meeting",
               "location": {"lat": 26.9, "lon": 107.9, "accuracy_m": 10,
                            "captured_at": dt.datetime.now(dt.UTC).isoformat()}}))
    push(client, world, "cadre_y1", item(log_data("三村", village="529801002201", date=TODAY)))
    county = client.get("/api/dashboard", headers=world.headers("admin_a")).json()
    villages = {v["code"]: v for v in county["villages"]}
    assert set(villages) == {"529801001201", "529801001202", "529801002201"}
    x1 = villages["529801001201"]
    assert x1["logs"] == 3 and x1["logs_by_kind"] == {"meeting": 1, "visit": 2}
    assert x1["households_visited"] == 2 and x1["cadres"] == 1 and x1["minimum_days"] == 20
    assert x1["flagged_logs"] == 3 and x1["lat"] is not None and x1["tier"] == "deep"
    assert [t["code"] for t in county["townships"]] == ["529801001", "529801002"]
    assert county["totals"]["logs"] == 4 and county["totals"]["cadres"] == 3
    assert county["trend"][-1]["logs"] == 4
    township = client.get("/api/dashboard", headers=world.headers("reviewer_x")).json()
    assert {v["code"] for v in township["villages"]} == {"529801001201", "529801001202"}
    assert township["totals"]["logs"] == 3
    deep = client.get("/api/dashboard", params={"tier": "deep"},
                      headers=world.headers("admin_a")).json()
    assert [v["code"] for v in deep["villages"]] == ["529801001201"]
    for who in ("cadre_x1", "finance_a"):
        assert client.get("/api/dashboard", headers=world.headers(who)).status_code == 403
    other = client.get("/api/dashboard", headers=world.headers("admin_b")).json()
    assert {v["code"] for v in other["villages"]} == {"529802001201"}
    assert other["totals"]["logs"] == 0
    assert client.get("/api/dashboard", params={"month": "2026-13"},
                      headers=world.headers("admin_a")).status_code in {400, 422}


def test_exports_read_back(client, world):
    push(client, world, "cadre_x1", item(log_data("走访", date=TODAY)))
    r = client.get("/api/dashboard/export.xlsx", headers=world.headers("admin_a"))
    assert r.status_code == 200
    book = load_workbook(io.BytesIO(r.content))
    villages = list(book.worksheets[0].iter_rows(values_only=True))
    assert villages[0][0].startswith("区划代码") and len(villages) == 1 + 3 + 1
    assert villages[-1][7] == 1  # total logs
    townships = list(book.worksheets[1].iter_rows(values_only=True))
    assert [row[0] for row in townships[1:-1]] == ["529801001", "529801002"]
    text = client.get("/api/dashboard/export.csv", params={"level": "township"},
                      headers=world.headers("reviewer_x")).text
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][1].startswith("名称") and [r[0] for r in rows[1:-1]] == ["529801001"]


def test_claims_and_insurance_gaps_on_the_dashboard(client, world):
    from tests.api.test_claims import MONTH, submitted_trip

    submitted_trip(client, world, "cadre_x1", fare_fen=4550)
    submitted_trip(client, world, "cadre_x1", n=5, fare_fen=1000)
    d = client.get("/api/dashboard", params={"month": f"{MONTH:%Y-%m}"},
                   headers=world.headers("admin_a")).json()
    x1 = next(v for v in d["villages"] if v["code"] == "529801001201")
    assert x1["claims"]["submitted"]["count"] == 2
    assert x1["claims"]["submitted"]["fen"] == 4550 + 1000
    assert d["totals"]["claims"]["submitted"]["count"] == 2
    # No policy at all: every posted cadre is uncovered that month.
    assert x1["insurance_gaps"] == 1 and d["totals"]["insurance_gaps"] == 3
    text = client.get("/api/dashboard/export.csv", params={"month": f"{MONTH:%Y-%m}"},
                      headers=world.headers("admin_a")).text
    header = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert "待审 submitted 元 yuan" in header and "未覆盖保险 insurance gaps" in header
