"""人员与派驻 over HTTP: search, create, import, end and transfer postings, disable and enable,
roles; always cut to the admin's county, every change audited."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from backend.core.clock import local_date
from tests.world import (
    COUNTY_A,
    PASSWORD,
    TOWNSHIP_X,
    TOWNSHIP_Y,
    TOWNSHIP_Z,
    VILLAGE_X1,
    VILLAGE_X2,
    VILLAGE_Y1,
    VILLAGE_Z1,
)

R = "/api/accounts/roster"


def people(client, world, who, **params):
    r = client.get(f"{R}/people", headers=world.headers(who), params=params)
    assert r.status_code == 200, r.text
    return r.json()


def names(page):
    return [p["name"] for p in page["items"]]


def events(client, world, who="admin_a", **params):
    r = client.get("/api/audit/events", headers=world.headers(who), params=params)
    assert r.status_code == 200, r.text
    return r.json()


# --- search -------------------------------------------------------------------------------


def test_the_county_admin_searches_their_county_by_township_village_role_and_name(client, world):
    everyone = people(client, world, "admin_a")
    assert names(everyone) == sorted(
        ["admin_a", "cadre_x1", "cadre_x2", "cadre_y1", "finance_a", "reviewer_x", "reviewer_y"]
    )
    assert everyone["total"] == 7 and everyone["can_edit"] is True
    assert names(people(client, world, "admin_a", township=TOWNSHIP_X)) == [
        "cadre_x1", "cadre_x2", "reviewer_x"]
    assert names(people(client, world, "admin_a", village=VILLAGE_X2)) == ["cadre_x2"]
    assert names(people(client, world, "admin_a", role="cadre")) == [
        "cadre_x1", "cadre_x2", "cadre_y1"]
    assert names(people(client, world, "admin_a", role="township_reviewer")) == [
        "reviewer_x", "reviewer_y"]
    assert names(people(client, world, "admin_a", q="x2")) == ["cadre_x2"]
    assert names(people(client, world, "admin_a", q=world.phone("cadre_y1"))) == ["cadre_y1"]
    assert names(people(client, world, "admin_a", q="%")) == []
    # Another county's township or village filters to nothing, never widens.
    assert people(client, world, "admin_a", township=TOWNSHIP_Z)["total"] == 0
    assert people(client, world, "admin_a", village=VILLAGE_Z1)["total"] == 0
    # Pages of two, by name.
    first = people(client, world, "admin_a", page=1, page_size=2)
    last = people(client, world, "admin_a", page=4, page_size=2)
    assert names(first) == ["admin_a", "cadre_x1"] and names(last) == ["reviewer_y"]
    assert first["total"] == last["total"] == 7
    cadre = next(p for p in everyone["items"] if p["name"] == "cadre_x1")
    assert cadre["roles"] == ["cadre"]
    assert cadre["postings"][0]["village_code"] == VILLAGE_X1
    assert cadre["postings"][0]["township_name"] == "甲一镇"
    assert cadre["postings"][0]["current"] is True


def test_a_township_reviewer_reads_only_their_township_and_may_not_edit(client, world):
    page = people(client, world, "reviewer_x")
    assert names(page) == ["cadre_x1", "cadre_x2"] and page["can_edit"] is False
    assert people(client, world, "reviewer_x", township=TOWNSHIP_Y)["total"] == 0
    r = client.get(f"{R}/people/{world.ids['cadre_y1']}", headers=world.headers("reviewer_x"))
    assert r.status_code == 404


@pytest.mark.parametrize("who", ["cadre_x1", "finance_a"])
def test_cadres_and_finance_have_no_roster(client, world, who):
    assert client.get(f"{R}/people", headers=world.headers(who)).status_code == 403


def test_the_other_county_is_invisible(client, world):
    assert names(people(client, world, "admin_b")) == ["admin_b", "cadre_z1", "reviewer_z"]
    for target in ("cadre_x1", "reviewer_x", "admin_a"):
        r = client.get(f"{R}/people/{world.ids[target]}", headers=world.headers("admin_b"))
        assert r.status_code == 404, target


# --- creating a cadre -----------------------------------------------------------------------


def new_cadre(village=VILLAGE_X1, phone="13322223333", **extra):
    return {"name": "新书记", "phone": phone, "village_code": village,
            "position": "first_secretary", "dispatching_unit": "县教育局",
            "start_date": "2026-03-01", **extra}


def test_a_county_admin_creates_a_cadre_with_a_posting_and_a_temporary_password(client, world):
    r = client.post(f"{R}/cadres", json=new_cadre(), headers=world.headers("admin_a"))
    assert r.status_code == 201, r.text
    body = r.json()
    assert len(body["temporary_password"]) >= 10
    person = body["person"]
    assert person["roles"] == ["cadre"] and person["active"] is True
    [posting] = person["postings"]
    assert (posting["village_code"], posting["position"], posting["start_date"]) == (
        VILLAGE_X1, "first_secretary", "2026-03-01")
    login = client.post("/api/auth/login", json={"phone": "13322223333",
                                                 "password": body["temporary_password"]})
    assert login.status_code == 200, login.text
    assert any(e["action"] == "accounts.user_created" and e["object_id"] == person["id"]
               for e in events(client, world))
    # The same phone again, and a village of the other county.
    again = client.post(f"{R}/cadres", json=new_cadre(), headers=world.headers("admin_a"))
    assert again.status_code == 422 and again.json()["errors"][0]["code"] == "phone_taken"
    other = client.post(f"{R}/cadres", json=new_cadre(VILLAGE_Z1, "13322224444"),
                        headers=world.headers("admin_a", "en"))
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "village_code"
    assert "Unknown division" in other.json()["errors"][0]["message"]
    bad_dates = client.post(f"{R}/cadres", json=new_cadre(phone="13322225555",
                                                          end_date="2026-01-01"),
                            headers=world.headers("admin_a"))
    assert bad_dates.status_code == 422
    assert bad_dates.json()["errors"][0]["field"] == "end_date"


@pytest.mark.parametrize("who", ["reviewer_x", "cadre_x1", "finance_a"])
def test_only_admins_create_cadres(client, world, who):
    r = client.post(f"{R}/cadres", json=new_cadre(), headers=world.headers(who))
    assert r.status_code == 403


# --- postings -------------------------------------------------------------------------------


def posting_of(client, world, who, target="cadre_x1"):
    r = client.get(f"{R}/people/{world.ids[target]}", headers=world.headers(who))
    assert r.status_code == 200, r.text
    return r.json()["postings"]


def test_ending_a_posting_is_audited_and_cannot_be_repeated(client, world):
    [p] = posting_of(client, world, "admin_a")
    yesterday = (local_date() - dt.timedelta(days=1)).isoformat()
    r = client.post(f"{R}/postings/{p['id']}/end", json={"end_date": yesterday, "reason": "期满"},
                    headers=world.headers("admin_a"))
    assert r.status_code == 200, r.text
    [ended] = r.json()["postings"]
    assert ended["end_date"] == yesterday and ended["current"] is False
    [event] = events(client, world, object_id=p["id"])
    assert event["action"] == "accounts.posting_ended" and event["reason"] == "期满"
    assert event["actor_name"] == "admin_a"
    again = client.post(f"{R}/postings/{p['id']}/end", json={"end_date": yesterday},
                        headers=world.headers("admin_a"))
    assert again.status_code == 422 and again.json()["code"] == "posting_ended"
    early = posting_of(client, world, "admin_a", "cadre_x2")[0]
    r = client.post(f"{R}/postings/{early['id']}/end", json={"end_date": "2024-12-31"},
                    headers=world.headers("admin_a"))
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "before_start"


def test_a_transfer_ends_the_posting_and_starts_the_next_day_in_one_step(client, world):
    [p] = posting_of(client, world, "admin_a")
    r = client.post(
        f"{R}/postings/{p['id']}/transfer",
        json={"end_date": "2026-06-30", "village_code": VILLAGE_Y1, "reason": "工作需要"},
        headers=world.headers("admin_a"),
    )
    assert r.status_code == 200, r.text
    old, new = r.json()["postings"]
    assert old["end_date"] == "2026-06-30" and old["village_code"] == VILLAGE_X1
    assert new["start_date"] == "2026-07-01" and new["village_code"] == VILLAGE_Y1
    assert new["end_date"] is None and new["dispatching_unit"] == old["dispatching_unit"]
    assert any(e["action"] == "accounts.posting_transferred"
               for e in events(client, world, object_id=p["id"]))
    # The person's trail includes what was done to their postings.
    trail = events(client, world, person_id=str(world.ids["cadre_x1"]))
    assert "accounts.posting_transferred" in {e["action"] for e in trail}
    # To a village of another county: refused, and nothing changed.
    [p2] = posting_of(client, world, "admin_a", "cadre_x2")
    r = client.post(f"{R}/postings/{p2['id']}/transfer",
                    json={"end_date": "2026-06-30", "village_code": VILLAGE_Z1},
                    headers=world.headers("admin_a"))
    assert r.status_code == 422
    assert posting_of(client, world, "admin_a", "cadre_x2")[0]["end_date"] is None


@pytest.mark.parametrize(
    "who, expected",
    [("admin_a", 200), ("admin_b", 404), ("reviewer_x", 403), ("cadre_x1", 403)],
)
def test_posting_changes_by_role_and_county(client, world, who, expected):
    [p] = posting_of(client, world, "admin_a")
    r = client.post(f"{R}/postings/{p['id']}/end", json={"end_date": "2026-12-31"},
                    headers=world.headers(who))
    assert r.status_code == expected, r.text


# --- accounts and roles ---------------------------------------------------------------------


def test_a_disabled_account_cannot_log_in_and_its_sessions_end(client, world):
    target = world.ids["cadre_x1"]
    assert client.get("/api/auth/me", headers=world.headers("cadre_x1")).status_code == 200
    r = client.post(f"{R}/people/{target}/disable", json={"reason": "调离"},
                    headers=world.headers("admin_a"))
    assert r.status_code == 200 and r.json()["active"] is False
    assert client.get("/api/auth/me", headers=world.headers("cadre_x1")).status_code == 401
    login = client.post("/api/auth/login", json={"phone": world.phone("cadre_x1"),
                                                 "password": PASSWORD})
    assert login.status_code == 403 and login.json()["code"] == "account_disabled"
    assert names(people(client, world, "admin_a", status="disabled")) == ["cadre_x1"]
    r = client.post(f"{R}/people/{target}/enable", json={}, headers=world.headers("admin_a"))
    assert r.status_code == 200 and r.json()["active"] is True
    login = client.post("/api/auth/login", json={"phone": world.phone("cadre_x1"),
                                                 "password": PASSWORD})
    assert login.status_code == 200
    actions = [e["action"] for e in events(client, world, person_id=str(target))]
    assert actions[:2] == ["accounts.user_enabled", "accounts.user_disabled"]


def test_nobody_disables_themselves_or_the_last_admin(client, world):
    me = world.ids["admin_a"]
    r = client.post(f"{R}/people/{me}/disable", json={}, headers=world.headers("admin_a"))
    assert r.status_code == 403 and r.json()["code"] == "own_account"
    # The last admin cannot give up the role either…
    [grant] = people(client, world, "admin_a", role="county_admin")["items"][0]["grants"]
    r = client.delete(f"{R}/people/{me}/roles/{grant['id']}", headers=world.headers("admin_a"))
    assert r.status_code == 403 and r.json()["code"] == "last_admin"
    # …until a second admin exists; then the first may step down.
    reviewer = world.ids["reviewer_x"]
    r = client.post(f"{R}/people/{reviewer}/roles",
                    json={"role": "county_admin", "division_code": COUNTY_A},
                    headers=world.headers("admin_a"))
    assert r.status_code == 200, r.text
    assert sorted(r.json()["roles"]) == ["county_admin", "township_reviewer"]
    r = client.delete(f"{R}/people/{me}/roles/{grant['id']}", headers=world.headers("admin_a"))
    assert r.status_code == 200, r.text
    assert r.json()["grants"] == []
    # Now reviewer_x is the last admin: their own admin role stays.
    mine = next(g for g in client.get(f"{R}/people/{reviewer}",
                                      headers=world.headers("reviewer_x")).json()["grants"]
                if g["role"] == "county_admin")
    r = client.delete(f"{R}/people/{reviewer}/roles/{mine['id']}",
                      headers=world.headers("reviewer_x"))
    assert r.status_code == 403 and r.json()["code"] == "last_admin"
    assert {e["action"] for e in events(client, world, "reviewer_x", person_id=str(me))} >= {
        "accounts.role_revoked"}


def test_roles_are_granted_only_within_the_admins_county(client, world):
    target = world.ids["cadre_x1"]
    for division, role in ((TOWNSHIP_Z, "township_reviewer"), ("529802", "county_admin"),
                           (VILLAGE_X1, "township_reviewer"), (TOWNSHIP_X, "county_finance")):
        r = client.post(f"{R}/people/{target}/roles",
                        json={"role": role, "division_code": division},
                        headers=world.headers("admin_a"))
        assert r.status_code == 422, (role, division, r.text)
    r = client.post(f"{R}/people/{target}/roles",
                    json={"role": "township_reviewer", "division_code": TOWNSHIP_X},
                    headers=world.headers("admin_a"))
    assert r.status_code == 200 and "township_reviewer" in r.json()["roles"]
    again = client.post(f"{R}/people/{target}/roles",
                        json={"role": "township_reviewer", "division_code": TOWNSHIP_X},
                        headers=world.headers("admin_a"))
    assert again.status_code == 422
    # The new reviewer reads their township now.
    assert client.get(f"{R}/people", headers=world.headers("cadre_x1")).status_code == 200
    # A person of the other county cannot be reached at all.
    r = client.post(f"{R}/people/{world.ids['cadre_z1']}/roles",
                    json={"role": "township_reviewer", "division_code": TOWNSHIP_X},
                    headers=world.headers("admin_a"))
    assert r.status_code == 404


# --- import ---------------------------------------------------------------------------------

HEAD = "姓名,手机号,村代码,职务,派出单位,开始日期,结束日期\n"


def import_(client, world, body, *, dry_run, who="admin_a", lang="zh-CN", ctype="text/csv"):
    return client.post(f"{R}/import", params={"dry_run": str(dry_run).lower()}, content=body,
                       headers={**world.headers(who, lang), "content-type": ctype})


def test_a_good_file_is_previewed_then_imported_whole(client, world):
    body = (HEAD + f"张三,13355550001,{VILLAGE_X1},第一书记,县水务局,2026-03-01,\n"
            f"李四,13355550002,{VILLAGE_Y1},工作队队员,,2026/3/1,2027-02-28\n").encode()
    preview = import_(client, world, body, dry_run=True)
    assert preview.status_code == 200, preview.text
    report = preview.json()
    assert report["dry_run"] is True and report["count"] == 2
    assert [r["row"] for r in report["rows"]] == [2, 3]
    assert report["rows"][0]["village_name"] == "一村"
    assert report["rows"][0]["position"] == "first_secretary"
    assert all(r["temporary_password"] is None for r in report["rows"])
    assert people(client, world, "admin_a", q="张三")["total"] == 0
    done = import_(client, world, body, dry_run=False)
    assert done.status_code == 200, done.text
    rows = done.json()["rows"]
    assert all(r["temporary_password"] for r in rows)
    li = people(client, world, "admin_a", q="李四")["items"][0]
    assert li["postings"][0]["end_date"] == "2027-02-28"
    login = client.post("/api/auth/login", json={"phone": "13355550002",
                                                 "password": rows[1]["temporary_password"]})
    assert login.status_code == 200
    assert events(client, world, action="accounts.cadres_imported")


def test_a_bad_file_is_refused_whole_with_every_row_and_column_named(client, world):
    body = (HEAD
            + f"好人,13355550001,{VILLAGE_X1},第一书记,,2026-03-01,\n"
            + f"重复,13355550001,{VILLAGE_X2},队员,,2026-03-01,\n"
            + f"老号,{world.phone('cadre_y1')},{VILLAGE_X2},,,2026-03-01,\n"
            + f"外县,13355550004,{VILLAGE_Z1},,,2026-03-01,\n"
            + "无村,13355550005,529801009999,,,2026-03-01,\n"
            + f"坏日,13355550006,{VILLAGE_X1},,,2026-02-30,\n"
            + f"坏职,13355550007,{VILLAGE_X1},村主任,,2026-03-01,2026-01-01\n"
            + f",12345,{VILLAGE_X1},,,,\n").encode()
    r = import_(client, world, body, dry_run=False)
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["code"] == "import_failed" and "8" not in problem["detail"]
    found = {(e["row"], e["field"], e["code"]) for e in problem["errors"]}
    assert found == {
        (3, "phone", "duplicate_in_file"),
        (4, "phone", "phone_taken"),
        (5, "village_code", "other_county"),
        (6, "village_code", "unknown_division"),
        (7, "start_date", "not_date"),
        (8, "position", "bad_position"),
        (8, "end_date", "before_start"),
        (9, "name", "required"),
        (9, "phone", "bad_phone"),
        (9, "start_date", "required"),
    }
    assert "7" in problem["detail"]  # rows 3 to 9 are bad
    assert "第 2 行" in next(e["message"] for e in problem["errors"] if e["row"] == 3)
    assert people(client, world, "admin_a", q="好人")["total"] == 0, "nothing half-imported"
    english = import_(client, world, body, dry_run=True, lang="en").json()
    messages = {e["message"] for e in english["errors"]}
    assert "Same phone as row 2" in messages
    assert f"Not a village of your county: {VILLAGE_Z1}" in messages


def test_wrong_headers_are_refused_before_any_row(client, world):
    r = import_(client, world, "名字,电话\n张三,13355550001\n".encode(), dry_run=True)
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert all(e["row"] == 1 for e in errors)
    assert {e["field"] for e in errors} >= {"名字", "电话", "phone", "village_code"}


def test_an_xlsx_file_and_a_gbk_csv_are_read_too(client, world):
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "手机号", "村代码", "职务", "派出单位", "开始日期", "结束日期"])
    sheet.append(["王五", 13355550011, VILLAGE_X2, "工作队队长", "县医院",
                  dt.datetime(2026, 4, 1), None])
    out = io.BytesIO()
    book.save(out)
    r = import_(client, world, out.getvalue(), dry_run=False,
                ctype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert r.status_code == 200, r.text
    [row] = r.json()["rows"]
    assert (row["phone"], row["start_date"], row["position"]) == (
        "13355550011", "2026-04-01", "team_leader")
    gbk = (HEAD + f"赵六,13355550012,{VILLAGE_X1},,,2026-04-01,\n").encode("gb18030")
    r = import_(client, world, gbk, dry_run=True)
    assert r.status_code == 200 and r.json()["rows"][0]["name"] == "赵六"
    r = import_(client, world, b"PK\x03\x04 not really a workbook", dry_run=True)
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "not_table"


def test_the_template_has_the_chinese_headers_and_reads_back(client, world):
    r = client.get(f"{R}/import/template", headers=world.headers("admin_a"))
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers == ["姓名", "手机号", "村代码", "职务", "派出单位", "开始日期", "结束日期"]
    csv_template = client.get(f"{R}/import/template", params={"format": "csv"},
                              headers=world.headers("admin_a"))
    assert csv_template.content.decode("utf-8-sig").startswith("姓名,手机号")
    empty = import_(client, world, r.content, dry_run=True,
                    ctype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert empty.status_code == 422 and empty.json()["errors"][0]["code"] == "no_rows"


@pytest.mark.parametrize("who, expected", [("admin_b", 422), ("reviewer_x", 403),
                                           ("cadre_x1", 403)])
def test_import_into_another_county_is_refused(client, world, who, expected):
    body = (HEAD + f"张三,13355550001,{VILLAGE_X1},,,2026-03-01,\n").encode()
    r = import_(client, world, body, dry_run=False, who=who)
    assert r.status_code == expected
    if expected == 422:
        assert r.json()["errors"][0]["code"] == "other_county"
