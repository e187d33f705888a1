"""Imports of tables (divisions, household registers, insurance policies): CSV or XLSX, a
preview that writes nothing, all or nothing, every bad row named by row and column at once."""

from __future__ import annotations

import io
import zipfile

from backend.audit.tables import AuditEvent
from backend.claims.tables import InsurancePolicy
from backend.fieldwork.tables import Household
from backend.geo.tables import Division
from tests.sheets import xlsx
from tests.world import COUNTY_A, TOWNSHIP_X, VILLAGE_X1, VILLAGE_Z1


def upload(client, world, url, body, who="admin_a", lang="zh-CN", **params):
    return client.post(
        url,
        params=params,
        content=body,
        headers={**world.headers(who, lang), "content-type": "application/octet-stream"},
    )


DIVISIONS = "/api/geo/divisions/import"
POLICIES = "/api/insurance/policies/import"


def households(village=VILLAGE_X1):
    return f"/api/fieldwork/villages/{village}/households/import"


def test_division_file_names_every_bad_row_in_one_pass(client, world, run):
    # #14: a bad row and an unknown parent in one file are both named, with their columns.
    text = (
        "区划代码,名称,级别,上级代码,帮扶类别\n"
        f"{TOWNSHIP_X}301,好村,村,,深度贫困\n"  # row 2: fine
        f"{TOWNSHIP_X}30,短码村,村,,深度贫困\n"  # row 3: bad code
        "529801009201,孤村,村,,一般\n"  # row 4: unknown parent 529801009
        f"{TOWNSHIP_X}305,,村,,富裕\n"  # row 5: no name, unknown tier
    )
    before = run(Division.count().run)
    r = upload(client, world, DIVISIONS, text.encode())
    assert r.status_code == 422
    got = {(e["row"], e["field"], e.get("column")) for e in r.json()["errors"]}
    assert got == {
        (3, "code", "区划代码"),
        (4, "parent_code", "上级代码"),
        (5, "name", "名称"),
        (5, "tier", "帮扶类别"),
    }
    assert "3" in r.json()["detail"]
    assert [e["row"] for e in r.json()["errors"]] == sorted(e["row"] for e in r.json()["errors"])
    assert run(Division.count().run) == before


def test_division_child_of_a_bad_row_is_not_blamed_for_it(client, world):
    text = (
        "code,name,level,parent_code\n"
        f"{COUNTY_A}777,,township,{COUNTY_A}\n"  # row 2: no name
        f"{COUNTY_A}777201,新村,village,{COUNTY_A}777\n"  # row 3: its parent is row 2
    )
    r = upload(client, world, DIVISIONS, text.encode(), lang="en")
    assert {(e["row"], e["field"]) for e in r.json()["errors"]} == {(2, "name")}


def test_division_xlsx_preview_writes_nothing_then_commits(client, world, run):
    book = xlsx([
        ["区划代码", "名称", "级别", "上级代码", "帮扶类别", "纬度", "经度", "半径米"],
        [int(f"{TOWNSHIP_X}301"), "新一村", "村", int(TOWNSHIP_X), "重点", 26.43, 107.93, 1200],
        [int(f"{TOWNSHIP_X}302"), "新二村", "村", None, None, None, None, None],
    ])
    before = run(Division.count().run)
    events = run(AuditEvent.count().run)
    r = upload(client, world, DIVISIONS, book, dry_run="true")
    assert r.status_code == 200, r.text
    assert r.json() == {"created": 2, "updated": 0, "closed": 0, "rows": 2, "dry_run": True}
    assert run(Division.count().run) == before
    assert run(AuditEvent.count().run) == events
    r = upload(client, world, DIVISIONS, book)
    assert r.json() == {"created": 2, "updated": 0, "closed": 0, "rows": 2, "dry_run": False}
    got = client.get(f"/api/geo/divisions/{TOWNSHIP_X}301", headers=world.headers("admin_a"))
    assert got.json()["tier"] == "key" and got.json()["fence"]["radius_m"] == 1200
    assert run(AuditEvent.count().run) == events + 1


def test_division_of_another_county_is_refused(client, world, run):
    text = f"code,name,level\n{VILLAGE_Z1[:9]}209,外村,village\n"
    r = upload(client, world, DIVISIONS, text.encode())
    assert r.status_code == 422
    assert [(e["row"], e["code"]) for e in r.json()["errors"]] == [(2, "out_of_scope")]
    assert upload(client, world, DIVISIONS, text.encode(), who="reviewer_x").status_code == 403


def test_household_xlsx_gbk_csv_and_preview(client, world, run):
    book = xlsx([["户编号", "户主", "人口", "村民组", "标签"],
                 ["H001", "王大山", 4, "一组", "脱贫户、监测户"],
                 [None, None, None, None, None],
                 ["H002", "李小花", 2.0, "二组", None]])
    r = upload(client, world, households(), book, who="reviewer_x", dry_run="true")
    assert r.status_code == 200, r.text
    assert r.json() == {
        "created": 2, "updated": 0, "unchanged": 0, "rows": 2, "dry_run": True
    }
    assert run(Household.count().run) == 0
    assert upload(client, world, households(), book, who="reviewer_x").json()["created"] == 2
    # The same register saved by Excel as CSV (GB18030), one member changed.
    gbk = "户编号,户主,人口,村民组\r\nH001,王大山,4,一组\r\nH002,李小花,3,二组\r\n"
    gbk = gbk.encode("gb18030")
    r = upload(client, world, households(), gbk, who="admin_a", dry_run="1")
    assert (r.json()["updated"], r.json()["unchanged"], r.json()["dry_run"]) == (2, 0, True)
    r = upload(client, world, households(), gbk, who="admin_a")
    assert (r.json()["updated"], r.json()["dry_run"]) == (2, False)
    listed = client.get(
        f"/api/fieldwork/villages/{VILLAGE_X1}/households", headers=world.headers("admin_a")
    ).json()
    assert {h["name"]: h["members"] for h in listed} == {"王大山": 4, "李小花": 3}


def test_household_bad_rows_named_with_columns_in_english(client, world, run):
    book = xlsx([["户编号", "户主", "人口"], ["H1", "甲", 2], ["H1", "乙", 2], ["H3", None, "x"]])
    r = upload(client, world, households(), book, who="reviewer_x", lang="en")
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert {(e["row"], e["column"]) for e in errors} == {(3, "户编号"), (4, "户主"), (4, "人口")}
    assert {e["message"] for e in errors} >= {"Duplicate", "Required"}
    assert "2 rows" in r.json()["detail"]
    assert run(Household.count().run) == 0


def test_policies_xlsx_with_dates_and_money_cells(client, world, run):
    import datetime as dt

    year = dt.date.today().year
    book = xlsx([
        ["姓名", "手机号", "保险公司", "保单号", "保险金额（元）", "起保日期", "止保日期"],
        ["cadre_x1", 13100000001, "人保财险", "GP-1", 500000, dt.date(year, 1, 1),
         dt.datetime(year, 12, 31)],
        ["外县", 13100000004, "人保财险", "GP-2", 1000, dt.date(year, 1, 1),
         dt.date(year, 12, 31)],
        ["cadre_x2", 13100000002, "人保财险", "GP-3", "abc", "not a date", dt.date(year, 1, 1)],
    ])
    r = upload(client, world, POLICIES, book, county=COUNTY_A)
    assert r.status_code == 422
    assert {(e["row"], e["field"]) for e in r.json()["errors"]} == {
        (3, "phone"), (4, "sum_insured"), (4, "start_date"),
    }
    assert run(InsurancePolicy.count().run) == 0
    good = xlsx([
        ["手机号", "保险公司", "保单号", "保险金额", "起保日期", "止保日期"],
        [13100000001, "人保财险", "GP-1", 500000.5, dt.date(year, 1, 1), dt.date(year, 12, 31)],
    ])
    r = upload(client, world, POLICIES, good, county=COUNTY_A, dry_run="true")
    assert (r.json()["created"], r.json()["dry_run"]) == (1, True)
    assert run(InsurancePolicy.count().run) == 0
    r = upload(client, world, POLICIES, good, county=COUNTY_A)
    assert (r.json()["created"], r.json()["dry_run"]) == (1, False)
    [policy] = client.get("/api/insurance/policies", headers=world.headers("admin_a")).json()
    assert policy["sum_insured_fen"] == 50_000_050


def test_files_that_are_no_table_are_refused_whole(client, world):
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (80 * 1024 * 1024))
    for body, code in [
        (bomb.getvalue(), "not_table"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "xls_not_supported"),
        (b"PK\x03\x04broken", "not_table"),
        (b"\x00\x01\x02\xff\xfe", "not_table"),
    ]:
        r = upload(client, world, DIVISIONS, body)
        assert r.status_code == 422, code
        assert [(e["field"], e["code"], e["row"]) for e in r.json()["errors"]] == [
            ("file", code, 1)
        ]


def test_too_many_rows_is_refused(client, world, monkeypatch):
    from backend.core import csvrows

    monkeypatch.setattr(csvrows, "MAX_ROWS", 3)
    text = "户编号,户主\n" + "".join(f"H{i},户{i}\n" for i in range(4))
    r = upload(client, world, households(), text.encode(), who="reviewer_x")
    assert r.status_code == 422
    assert r.json()["errors"][0]["code"] == "too_many_rows"


def test_templates_have_chinese_headers_that_the_import_reads(client, world):
    from openpyxl import load_workbook

    for url, first in [
        ("/api/geo/divisions/template", "区划代码"),
        ("/api/fieldwork/villages/households/template", "户编号"),
        ("/api/insurance/policies/template", "姓名"),
    ]:
        r = client.get(url, headers=world.headers("admin_a"))
        assert r.status_code == 200, url
        assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
        book = load_workbook(io.BytesIO(r.content), read_only=True)
        assert book.sheetnames == ["导入", "说明"]
        assert next(book.worksheets[0].iter_rows(values_only=True))[0] == first
    # The household template, examples and all, previews cleanly.
    book = client.get(
        "/api/fieldwork/villages/households/template", headers=world.headers("admin_a")
    ).content
    r = upload(client, world, households(), book, dry_run="true")
    assert (r.json()["rows"], r.json()["created"], r.json()["dry_run"]) == (2, 2, True)


def test_tier_labels_are_the_county_s_own_words(client, world):
    labels = {"deep": "深度贫困村", "key": "乡村振兴重点帮扶村", "ordinary": "其他村"}
    r = client.put(
        f"/api/geo/counties/{COUNTY_A}/tier-labels", json=labels, headers=world.headers("admin_a")
    )
    assert r.status_code == 200, r.text
    village = client.get(f"/api/geo/divisions/{VILLAGE_X1}", headers=world.headers("cadre_x1"))
    assert village.json()["tier_label"] == "深度贫困村"
    county = client.get(f"/api/geo/divisions/{COUNTY_A}", headers=world.headers("admin_a"))
    assert county.json()["tier_labels"] == labels
    r = client.put(
        f"/api/geo/counties/{COUNTY_A}/tier-labels",
        json={**labels, "key": ""},
        headers=world.headers("admin_a"),
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"].endswith("key")
