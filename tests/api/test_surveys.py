"""Surveys over HTTP and sync: define, import an XLSForm, publish, answer offline exactly
once, facts reused, coordination, progress and exports — within scope."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid

from openpyxl import load_workbook

from tests.api.test_households import REGISTER, post
from tests.api.test_sync import item, pull_all, push
from tests.unit.surveys.test_xlsform import EVERY_TYPE, workbook
from tests.world import VILLAGE_X1, VILLAGE_X2, VILLAGE_Y1, VILLAGE_Z1

TODAY = dt.date.today()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def create(client, world, who="admin_a", villages=(VILLAGE_X1, VILLAGE_X2), **extra):
    body = {"title": "农户基本情况摸底", "target": "households", "village_codes": list(villages),
            "period_start": TODAY.isoformat(),
            "period_end": (TODAY + dt.timedelta(days=30)).isoformat(), **extra}
    return client.post("/api/surveys", json=body, headers=world.headers(who))


def upload(client, world, survey_id, data, who="admin_a"):
    return client.put(f"/api/surveys/{survey_id}/xlsform", content=data,
                      headers={**world.headers(who), "content-type": XLSX})


def published(client, world, **extra):
    """A published household survey of X1 and X2 with every question type, and X1's register."""
    post(client, world, "reviewer_x", REGISTER)
    survey = create(client, world, **extra).json()
    assert upload(client, world, survey["id"], workbook(EVERY_TYPE)).status_code == 200
    r = client.post(f"/api/surveys/{survey['id']}/publish", headers=world.headers("admin_a"))
    assert r.status_code == 200, r.text
    return r.json()


def received(client, world, who, kind="survey"):
    return [c for c in pull_all(client, world, who)[0] if c["kind"] == kind]


def households(client, world):
    return {h["external_id"]: h["id"] for h in client.get(
        f"/api/fieldwork/villages/{VILLAGE_X1}/households", headers=world.headers("cadre_x1")
    ).json()}


def answer(survey_record, household_id, answers, confirmed=()):
    data = survey_record["data"]
    return item({"survey_id": data["survey_id"], "form_version_id": data["form_version_id"],
                 "village_code": VILLAGE_X1, "household_id": household_id,
                 "answers": answers, "confirmed": list(confirmed),
                 "answered_at": dt.datetime.now(dt.UTC).isoformat()},
                kind="survey_response")


GOOD = {"members": 4, "phone": "13912345678", "housing": "brick", "has_car": False,
        "spot": {"lat": 26.41, "lon": 107.91, "accuracy_m": 12}}


def test_publish_receive_answer_once_and_read_back(client, world):
    survey = published(client, world)
    assert survey["state"] == "published" and [v["version"] for v in survey["versions"]] == [1]
    [record] = received(client, world, "cadre_x1")
    assert record["data"]["village_code"] == VILLAGE_X1 and record["data"]["form_version"] == 1
    assert len(record["data"]["form"]["questions"]) == len(EVERY_TYPE)
    assert received(client, world, "cadre_y1") == []
    [notice] = received(client, world, "cadre_x1", "inbox")
    assert notice["data"]["event"] == "survey.published"
    ids = households(client, world)

    first = answer(record, ids["H001"], GOOD)
    assert push(client, world, "cadre_x1", first)[0]["status"] == "applied"
    assert push(client, world, "cadre_x1", first)[0]["status"] == "duplicate"
    # The same household again under another id: one response per household.
    [twice] = push(client, world, "cadre_x1", answer(record, ids["H001"], GOOD))
    assert twice["status"] == "rejected" and twice["errors"][0]["code"] == "duplicate"

    progress = client.get(f"/api/surveys/{survey['id']}/progress",
                          headers=world.headers("admin_a")).json()
    assert (progress["done"], progress["targeted"]) == (1, 2)
    assert [(v["village_code"], v["done"], v["targeted"]) for v in progress["villages"]] == [
        (VILLAGE_X1, 1, 2), (VILLAGE_X2, 0, 0)]

    r = client.get(f"/api/surveys/{survey['id']}/responses.xlsx", headers=world.headers("admin_a"))
    assert r.status_code == 200 and r.headers["content-type"].startswith(XLSX)
    rows = list(load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    header, values = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert header[:7] == ("村代码", "村", "户编号", "户主", "调查员", "作答时间", "表单版本")
    assert (values["村"], values["户编号"], values["户主"], values["调查员"]) == (
        "一村", "H001", "王大山", "cadre_x1")
    assert (values["家庭人口"], values["住房"], values["是否有车"]) == (4, "砖混", "否")
    assert (values["位置（纬度）"], values["位置（经度）"]) == (26.41, 107.91)
    text = client.get(f"/api/surveys/{survey['id']}/responses.csv",
                      headers=world.headers("admin_a")).content.decode("utf-8")
    assert text.startswith("\ufeff")
    [csv_row] = list(csv.DictReader(io.StringIO(text[1:])))
    assert csv_row["联系电话"] == "13912345678"
    geo = json.loads(client.get(f"/api/surveys/{survey['id']}/responses.geojson",
                                headers=world.headers("admin_a")).content)
    [feature] = geo["features"]
    assert feature["geometry"]["coordinates"] == [107.91, 26.41]
    assert feature["properties"]["户主"] == "王大山" and feature["properties"]["问题"] == "位置"


def test_the_server_re_validates_and_names_the_question(client, world):
    published(client, world)
    [record] = received(client, world, "cadre_x1")
    ids = households(client, world)
    [bad] = push(client, world, "cadre_x1", answer(record, ids["H001"], {**GOOD, "members": 25}))
    assert bad["status"] == "rejected"
    assert [(e["field"], e["code"]) for e in bad["errors"]] == [("answers.members", "above_max")]
    assert bad["errors"][0]["message"] == "「家庭人口」不能大于 20"
    [english] = push(client, world, "cadre_x1",
                     answer(record, ids["H001"], {**GOOD, "members": 25}), lang="en")
    assert english["errors"][0]["message"] == "“Members”: must be at most 20"
    [hidden] = push(client, world, "cadre_x1",
                    answer(record, ids["H001"], {**GOOD, "housing_note": "土坯房"}))
    assert [(e["field"], e["code"]) for e in hidden["errors"]] == [
        ("answers.housing_note", "not_relevant")]
    [missing] = push(client, world, "cadre_x1",
                     answer(record, ids["H001"], {**GOOD, "housing": "other"}))
    assert [(e["field"], e["code"]) for e in missing["errors"]] == [
        ("answers.housing_note", "required")]
    # Out of the cadre's village, an unknown household, a made-up version.
    [other] = push(client, world, "cadre_y1", answer(record, ids["H001"], GOOD))
    assert other["errors"][0]["field"] == "village_code"
    [nobody] = push(client, world, "cadre_x1", answer(record, str(uuid.uuid4()), GOOD))
    assert nobody["errors"][0]["field"] == "household_id"
    fake = answer(record, ids["H001"], GOOD)
    fake["data"]["form_version_id"] = str(uuid.uuid4())
    assert push(client, world, "cadre_x1", fake)[0]["errors"][0]["field"] == "form_version_id"


def test_known_facts_are_kept_reused_and_shown_before_publishing(client, world):
    first = published(client, world)
    [record] = received(client, world, "cadre_x1")
    ids = households(client, world)
    push(client, world, "cadre_x1", answer(record, ids["H001"], GOOD))
    facts = {f["data"]["fact"]: f["data"] for f in received(client, world, "cadre_x1",
                                                                 "household_fact")}
    assert facts["members"]["value"] == 4 and facts["members"]["type"] == "integer"
    assert facts["members"]["confirmed_by_name"] == "cadre_x1"
    assert facts["phone"]["household_id"] == ids["H001"]
    assert received(client, world, "cadre_y1", "household_fact") == []

    # A second survey asking the same facts: the county sees what is known and the repeat.
    second = create(client, world, villages=(VILLAGE_X1,), title="住房安全复核").json()
    assert upload(client, world, second["id"], workbook(EVERY_TYPE[:2])).status_code == 200
    preview = client.get(f"/api/surveys/{second['id']}/preview",
                         headers=world.headers("admin_a")).json()
    known = {k["fact"]: k for k in preview["known"]}
    assert (known["members"]["known"], known["members"]["targeted"]) == (1, 2)
    assert known["members"]["newest"] is not None
    assert preview["window_days"] == 30 and preview["problems"] == []
    [overlap] = preview["overlaps"]
    assert overlap["survey_id"] == first["id"] and overlap["village_code"] == VILLAGE_X1
    assert overlap["days_apart"] == 0 and overlap["shared_facts"] == ["members", "phone"]
    plan = client.get("/api/surveys/plan", params={"start": TODAY.isoformat(),
                                                   "end": TODAY.isoformat()},
                      headers=world.headers("admin_a")).json()
    x1 = next(v for v in plan["villages"] if v["village_code"] == VILLAGE_X1)
    assert x1["repeated"] and {s["title"] for s in x1["surveys"]} == {"农户基本情况摸底",
                                                                      "住房安全复核"}
    # The cadre confirms the pre-filled fact: it stays, with a new confirmation time.
    client.post(f"/api/surveys/{second['id']}/publish", headers=world.headers("admin_a"))
    record2 = next(r for r in received(client, world, "cadre_x1")
                   if r["data"]["survey_id"] == second["id"])
    [ok] = push(client, world, "cadre_x1", answer(record2, ids["H001"], {"members": 4},
                                                  confirmed=["members"]))
    assert ok["status"] == "applied"
    [stray] = push(client, world, "cadre_x1", answer(record2, ids["H002"], {"members": 2},
                                                     confirmed=["phone"]))
    assert stray["errors"][0]["field"] == "confirmed.0"


def test_versions_are_frozen_and_answers_name_theirs(client, world):
    survey = published(client, world)
    [v1] = received(client, world, "cadre_x1")
    changed = workbook([[*EVERY_TYPE[0][:6], ". >= 1 and . <= 30", *EVERY_TYPE[0][7:]],
                        *EVERY_TYPE[1:]])
    assert upload(client, world, survey["id"], changed).json()["form_changed"] is True
    again = client.post(f"/api/surveys/{survey['id']}/publish", headers=world.headers("admin_a"))
    assert [v["version"] for v in again.json()["versions"]] == [1, 2]
    nothing = client.post(f"/api/surveys/{survey['id']}/publish", headers=world.headers("admin_a"))
    assert nothing.status_code == 409
    [v2] = received(client, world, "cadre_x1")
    assert v2["data"]["form_version"] == 2 and v2["id"] == v1["id"]
    ids = households(client, world)
    # 25 members: too many for version 1, fine for version 2.
    assert push(client, world, "cadre_x1", answer(v1, ids["H001"], {**GOOD, "members": 25})
                )[0]["status"] == "rejected"
    assert push(client, world, "cadre_x1", answer(v2, ids["H001"], {**GOOD, "members": 25})
                )[0]["status"] == "applied"
    # Closed: no more answers.
    closed = client.post(f"/api/surveys/{survey['id']}/close", headers=world.headers("admin_a"))
    assert closed.json()["state"] == "closed"
    [late] = push(client, world, "cadre_x1", answer(v2, ids["H002"], GOOD))
    assert late["errors"][0]["code"] == "survey_closed"
    assert received(client, world, "cadre_x1")[0]["data"]["state"] == "closed"


def test_a_bad_xlsform_changes_nothing(client, world):
    survey = create(client, world).json()
    assert upload(client, world, survey["id"], workbook(EVERY_TYPE[:1])).status_code == 200
    rows = [*EVERY_TYPE[:2], ["video", "route", "路线", "Route", "", "", "", "", "", ""]]
    r = upload(client, world, survey["id"], workbook(rows))
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "xlsform_invalid"
    assert [(e["sheet"], e["row"], e["field"], e["code"]) for e in body["errors"]] == [
        ("survey", 4, "type", "xlsform_type_unanswerable")]
    assert "video" in body["errors"][0]["message"]
    now = client.get(f"/api/surveys/{survey['id']}", headers=world.headers("admin_a")).json()
    assert [q["name"] for q in now["form"]["questions"]] == ["members"]


def test_who_may_define_and_see_surveys(client, world):
    survey = published(client, world)
    url = f"/api/surveys/{survey['id']}"
    assert client.get(url, headers=world.headers("reviewer_x")).status_code == 200
    assert client.post(f"{url}/close", headers=world.headers("reviewer_x")).status_code == 403
    for who in ("reviewer_y", "admin_b", "cadre_x1", "finance_a"):
        assert client.get(url, headers=world.headers(who)).status_code == 404, who
        assert client.get(f"{url}/responses.xlsx", headers=world.headers(who)).status_code == 404
    assert client.get("/api/surveys", headers=world.headers("cadre_x1")).json() == []
    # A township defines surveys for its own villages only.
    own = create(client, world, who="reviewer_x", villages=(VILLAGE_X1,))
    assert own.status_code == 201 and own.json()["division_code"] == "529801001"
    assert create(client, world, who="reviewer_x", villages=(VILLAGE_Y1,)).status_code == 422
    assert create(client, world, who="cadre_x1").status_code == 422
    assert client.get(f"/api/surveys/{own.json()['id']}",
                      headers=world.headers("reviewer_y")).status_code == 404
    # Drafts are changed, published surveys are not.
    assert client.patch(url, json={"title": "新"}, headers=world.headers("admin_a")
                        ).status_code == 409
    patched = client.patch(f"/api/surveys/{own.json()['id']}", json={"title": "新标题"},
                           headers=world.headers("reviewer_x"))
    assert patched.json()["title"] == "新标题"


READS = ["", "/preview", "/progress", "/responses.xlsx", "/responses.csv", "/responses.zip",
         "/responses.geojson",
         "/xlsform"]
# (who, status of every read, status of a write) on the county's survey of X1 and X2.
ROLES = [("admin_a", 200, 200), ("reviewer_x", 200, 403), ("reviewer_y", 404, 404),
         ("reviewer_z", 404, 404), ("admin_b", 404, 404), ("cadre_x1", 404, 404),
         ("finance_a", 404, 404)]


def test_scope_matrix_of_every_survey_route(client, world):
    survey = published(client, world)
    url = f"/api/surveys/{survey['id']}"
    form = client.get(url, headers=world.headers("admin_a")).json()["form"]
    for who, read, write in ROLES:
        for path in READS:
            r = client.get(url + path, headers=world.headers(who))
            assert r.status_code == read, (who, path, r.text)
        r = client.put(f"{url}/form", json=form, headers=world.headers(who))
        assert r.status_code == write, (who, r.text)
        r = upload(client, world, survey["id"], workbook(EVERY_TYPE), who=who)
        assert r.status_code == write, (who, r.text)
        if write != 200:
            for action in ("/publish", "/close"):
                r = client.post(url + action, headers=world.headers(who))
                assert r.status_code == write, (who, action, r.text)
            r = client.patch(url, json={"title": "x"}, headers=world.headers(who))
            assert r.status_code == write, (who, r.text)
    plan = client.get("/api/surveys/plan", params={"start": TODAY.isoformat(),
                                                   "end": TODAY.isoformat()},
                      headers=world.headers("reviewer_y")).json()
    assert plan["villages"] == []
    reviewer = client.get("/api/surveys/plan", params={"start": TODAY.isoformat(),
                                                       "end": TODAY.isoformat()},
                          headers=world.headers("reviewer_x")).json()
    assert {v["village_code"] for v in reviewer["villages"]} == {VILLAGE_X1, VILLAGE_X2}


def test_a_survey_of_villages_is_answered_once_per_village(client, world):
    village_form = [["integer", "roads_km", "通村道路（公里）", "Road (km)", "", "yes",
                     ". >= 0", "", "", ""],
                    ["yes_no", "clinic", "是否有卫生室", "Clinic", "", "yes", "", "", "", ""]]
    survey = create(client, world, target="villages", title="村情调查").json()
    with_fact = workbook(EVERY_TYPE[:1])
    r = upload(client, world, survey["id"], with_fact)
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "fact_needs_households"
    assert upload(client, world, survey["id"], workbook(village_form)).status_code == 200
    client.post(f"/api/surveys/{survey['id']}/publish", headers=world.headers("admin_a"))
    [record] = received(client, world, "cadre_x1")
    assert record["data"]["target"] == "villages"
    [needs] = push(client, world, "cadre_x1", answer(record, str(uuid.uuid4()),
                                                     {"roads_km": 3, "clinic": True}))
    assert needs["errors"][0]["field"] == "household_id"
    [ok] = push(client, world, "cadre_x1", answer(record, None, {"roads_km": 3, "clinic": True}))
    assert ok["status"] == "applied"
    [again] = push(client, world, "cadre_x1", answer(record, None, {"roads_km": 4,
                                                                     "clinic": True}))
    assert again["errors"][0]["code"] == "duplicate"
    progress = client.get(f"/api/surveys/{survey['id']}/progress",
                          headers=world.headers("admin_a")).json()
    assert [(v["done"], v["targeted"]) for v in progress["villages"]] == [(1, 1), (0, 1)]
    rows = list(load_workbook(io.BytesIO(client.get(
        f"/api/surveys/{survey['id']}/responses.xlsx", headers=world.headers("admin_a")
    ).content)).active.iter_rows(values_only=True))
    assert rows[1][1] == "一村" and rows[1][2] is None and rows[1][-2] == "是"
    assert rows[0][-1] == "答卷编号" and len(rows[1][-1]) == 36  # the response id


def test_a_roster_form_over_http_answered_checked_and_exported(client, world):
    """The household census (groups, roster, cascade, calculations): imported, given back as
    an XLSForm that imports unchanged, answered over sync (the server re-checks the roster
    and keeps its own calculations), and exported with a sheet of members."""
    from tests.xlsforms import FORMS
    from tests.xlsforms import workbook as build

    post(client, world, "reviewer_x", REGISTER)
    survey = create(client, world).json()
    r = upload(client, world, survey["id"], build(FORMS["household_census"]))
    assert r.status_code == 200, r.text
    form = r.json()["form"]
    back = client.get(f"/api/surveys/{survey['id']}/xlsform", headers=world.headers("admin_a"))
    assert back.status_code == 200 and back.headers["content-type"].startswith(XLSX)
    assert upload(client, world, survey["id"], back.content).json()["form"] == form
    assert client.post(f"/api/surveys/{survey['id']}/publish",
                       headers=world.headers("admin_a")).status_code == 200
    [record] = received(client, world, "cadre_x1")
    ids = households(client, world)
    good = dict(FORMS["household_census"].good)
    bad = {**good, "members": [{**good["members"][0], "age": 130}], "n_members": "99"}
    [rejected] = push(client, world, "cadre_x1", answer(record, ids["H001"], bad))
    assert [(e["field"], e["code"]) for e in rejected["errors"]] == [
        ("answers.members.0.age", "constraint")]
    [ok] = push(client, world, "cadre_x1", answer(record, ids["H001"], {**good,
                                                                         "n_members": "99"}))
    assert ok["status"] == "applied", ok
    [stored] = received(client, world, "admin_a", kind="survey_response")
    assert stored["data"]["answers"]["n_members"] == "3"  # the server's own calculation
    book = load_workbook(io.BytesIO(client.get(
        f"/api/surveys/{survey['id']}/responses.xlsx", headers=world.headers("admin_a")).content))
    assert book.sheetnames == ["答卷", "家庭成员"]
    members = list(book["家庭成员"].iter_rows(values_only=True))
    key = list(book["答卷"].iter_rows(values_only=True))[1][-1]
    assert [(m[0], m[1], m[2]) for m in members[1:]] == [
        (key, 1, "王秀英"), (key, 2, "李强"), (key, 3, "李小明")]


def test_a_cascade_refuses_a_village_of_another_township(client, world):
    """choice_filter (township → village) is enforced by the server, as the phone offers it:
    a village the township's filter drops is refused, located and in both languages."""
    from tests.xlsforms import FORMS
    from tests.xlsforms import workbook as build

    post(client, world, "reviewer_x", REGISTER)
    survey = create(client, world).json()
    assert upload(client, world, survey["id"], build(FORMS["household_census"])).status_code == 200
    assert client.post(f"/api/surveys/{survey['id']}/publish",
                       headers=world.headers("admin_a")).status_code == 200
    [record] = received(client, world, "cadre_x1")
    ids = households(client, world)
    good = dict(FORMS["household_census"].good)
    elsewhere = {**good, "village": "v21"}  # a village of township t2, answered under t1
    [zh] = push(client, world, "cadre_x1", answer(record, ids["H001"], elsewhere))
    assert zh["status"] == "rejected"
    assert [(e["field"], e["code"]) for e in zh["errors"]] == [
        ("answers.village", "filtered_choice")]
    assert zh["errors"][0]["message"].startswith("「村」的选项不在前面回答所允许的范围内")
    [en] = push(client, world, "cadre_x1", answer(record, ids["H001"], elsewhere), lang="en")
    assert en["errors"][0]["message"].startswith("“Village”: not among the choices")
    [ok] = push(client, world, "cadre_x1",
                answer(record, ids["H001"], {**good, "township": "t2", "village": "v21"}))
    assert ok["status"] == "applied", ok


def test_a_repeat_inside_a_repeat_over_http_answered_checked_and_exported(client, world):
    """Households → members → each member's jobs: imported (and given back unchanged),
    checked by the server at every depth, stored with its calculations, and exported as a
    sheet per repeat, each row joined to the row it sits in (ODK Central's PARENT_KEY/KEY)."""
    from tests.xlsforms import FORMS
    from tests.xlsforms import workbook as build

    sample = FORMS["livelihoods_nested"]
    post(client, world, "reviewer_x", REGISTER)
    survey = create(client, world).json()
    r = upload(client, world, survey["id"], build(sample))
    assert r.status_code == 200, r.text
    form = r.json()["form"]
    assert [(g["name"], g["parent"], g["repeat"]) for g in form["groups"]] == [
        ("households", None, True), ("members", "households", True),
        ("work", "members", False), ("jobs", "work", True)]
    back = client.get(f"/api/surveys/{survey['id']}/xlsform", headers=world.headers("admin_a"))
    assert upload(client, world, survey["id"], back.content).json()["form"] == form
    assert client.post(f"/api/surveys/{survey['id']}/publish",
                       headers=world.headers("admin_a")).status_code == 200
    [record] = received(client, world, "cadre_x1")
    ids = households(client, world)
    [bad, expected] = sample.bad[0]
    [rejected] = push(client, world, "cadre_x1", answer(record, ids["H001"], bad))
    assert [(e["field"], e["code"]) for e in rejected["errors"]] == [
        (f"answers.{q}", code) for q, code in expected]
    [ok] = push(client, world, "cadre_x1", answer(record, ids["H001"], sample.good))
    assert ok["status"] == "applied", ok
    [stored] = received(client, world, "admin_a", kind="survey_response")
    answers = stored["data"]["answers"]
    wang = answers["households"][0]["members"][0]
    assert [j["job_key"] for j in wang["jobs"]] == ["王秀英/王秀英/1", "王秀英/王秀英/2"]
    assert (wang["m_no"], wang["n_jobs"]) == ("1", "2")
    assert answers["households"][0]["hh_income"] == "42000"
    assert answers["total_jobs"] == "3"

    book = load_workbook(io.BytesIO(client.get(
        f"/api/surveys/{survey['id']}/responses.xlsx", headers=world.headers("admin_a")).content))
    sheets = {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}
    assert list(sheets) == ["答卷", "农户", "成员", "jobs"]  # its label holds ${m_name}
    main, homes, people, jobs = sheets.values()

    def rows(sheet):
        return [dict(zip(sheet[0], row, strict=True)) for row in sheet[1:]]

    key = rows(main)[0][main[0][-1]]
    assert [(h["户主"], h["上级编号"]) for h in rows(homes)] == [("王秀英", key), ("赵四", key)]
    home_keys = {h["户主"]: h["编号"] for h in rows(homes)}
    assert [(p["姓名"], p["上级编号"]) for p in rows(people)] == [
        ("王秀英", home_keys["王秀英"]), ("李小明", home_keys["王秀英"]),
        ("赵四", home_keys["赵四"])]
    person_keys = {p["姓名"]: p["编号"] for p in rows(people)}
    assert [(j["工作"], j["年收入（元）"], j["上级编号"]) for j in rows(jobs)] == [
        ("务农", 12000, person_keys["王秀英"]), ("矿工", 30000, person_keys["王秀英"]),
        ("无", None, person_keys["赵四"])]


def test_a_member_roster_kept_as_a_fact_is_reused_member_by_member(client, world):
    """The members roster marked as a household fact: each member keeps the id its entry
    carries; the next survey confirms it unchanged, or edits one, removes one, adds one —
    and the fact follows, with who and when, and only for the caller's villages."""
    from tests.xlsforms import FORMS, LI, WANG, XIAO
    from tests.xlsforms import workbook as build

    sample = FORMS["member_facts"]
    post(client, world, "reviewer_x", REGISTER)
    first = create(client, world).json()
    assert upload(client, world, first["id"], build(sample)).status_code == 200
    assert client.post(f"/api/surveys/{first['id']}/publish",
                       headers=world.headers("admin_a")).status_code == 200
    [record] = received(client, world, "cadre_x1")
    ids = households(client, world)
    [bad, expected] = sample.bad[0]
    [rejected] = push(client, world, "cadre_x1", answer(record, ids["H001"], bad))
    assert [(e["field"], e["code"]) for e in rejected["errors"]] == [
        (f"answers.{q}", code) for q, code in expected]
    assert rejected["errors"][0]["message"] == "名单中有成员缺少编号：请更新应用后重新保存此答卷"
    [hidden] = push(client, world, "cadre_x1", answer(record, ids["H001"], {
        "lives_here": "no", "members": []}), lang="en")
    assert hidden["errors"][0]["message"].startswith("“Members”: not asked")
    [ok] = push(client, world, "cadre_x1", answer(record, ids["H001"], sample.good))
    assert ok["status"] == "applied", ok

    facts = {f["data"]["fact"]: f["data"] for f in received(client, world, "cadre_x1",
                                                                 "household_fact")}
    roster = facts["household_members"]
    assert roster["type"] == "roster" and roster["confirmed_by_name"] == "cadre_x1"
    assert [(m["id"], m["values"]["name"]) for m in roster["value"]["members"]] == [
        (WANG, "王秀英"), (LI, "李强"), (XIAO, "李小明")]
    assert "working" not in str(roster["value"])  # asked anew each time, not a fact
    assert received(client, world, "cadre_y1", "household_fact") == []
    # The county sees, before publishing the next one, that the members are known.
    second = create(client, world, villages=(VILLAGE_X1,), title="成员复核").json()
    assert upload(client, world, second["id"], build(sample)).status_code == 200
    preview = client.get(f"/api/surveys/{second['id']}/preview",
                         headers=world.headers("admin_a")).json()
    known = {k["fact"]: k for k in preview["known"]}
    assert (known["household_members"]["question"], known["household_members"]["label"]) == (
        "members", "家庭成员")
    assert (known["household_members"]["known"], known["household_members"]["targeted"]) == (1, 2)
    assert "household_members" in preview["overlaps"][0]["shared_facts"]
    assert client.post(f"/api/surveys/{second['id']}/publish",
                       headers=world.headers("admin_a")).status_code == 200
    record2 = next(r for r in received(client, world, "cadre_x1")
                   if r["data"]["survey_id"] == second["id"])

    # Pre-filled as it was, the roster is confirmed unchanged (new answers to non-facts).
    same = [{"@id": m["id"], "member_name": m["values"]["name"], "age": m["values"]["age"],
             "relation": m["values"]["relation"]} for m in roster["value"]["members"]]
    same[0]["working"] = "yes"
    edited = [{**same[0], "age": 47}, same[2]]
    [changed] = push(client, world, "cadre_x1", answer(record2, ids["H001"], {
        "lives_here": "yes", "members": edited}, confirmed=["members"]))
    assert [(e["field"], e["code"]) for e in changed["errors"]] == [
        ("confirmed.0", "confirm_changed")]
    assert changed["errors"][0]["message"].startswith("「家庭成员」的答案与已知信息不同")
    [kept] = push(client, world, "cadre_x1", answer(record2, ids["H001"], {
        "lives_here": "yes", "members": same}, confirmed=["members"]))
    assert kept["status"] == "applied", kept
    # Then corrected: one edited, one removed, one added.
    new = str(uuid.uuid4())
    again = [*edited, {"@id": new, "member_name": "张兰", "age": 70, "relation": "parent"}]
    [ok2] = push(client, world, "cadre_x1", item(answer(record2, ids["H001"], {
        "lives_here": "yes", "members": again})["data"], id_=kept["id"],
        base_version=kept["version"], kind="survey_response"))
    assert ok2["status"] == "applied", ok2
    facts = {f["data"]["fact"]: f["data"] for f in received(client, world, "cadre_x1",
                                                                 "household_fact")}
    after = facts["household_members"]["value"]["members"]
    assert [(m["id"], m["values"]["name"], m["values"]["age"]) for m in after] == [
        (WANG, "王秀英", 47), (XIAO, "李小明", 12), (new, "张兰", 70)]
    # Nobody lives here any more: the roster is hidden and the fact is left as it was.
    [gone] = push(client, world, "cadre_x1", answer(record2, ids["H002"], {"lives_here": "no"}))
    assert gone["status"] == "applied"
    # The export names each member by the same id across surveys.
    book = load_workbook(io.BytesIO(client.get(
        f"/api/surveys/{second['id']}/responses.xlsx", headers=world.headers("admin_a")).content))
    rows = list(book["家庭成员"].iter_rows(values_only=True))
    assert rows[0][-1] == "成员编号"
    assert [(r[2], r[-1]) for r in rows[1:]] == [("王秀英", WANG), ("李小明", XIAO), ("张兰", new)]


def test_labels_and_date_names_are_computed_in_the_language_answered_in(client, world):
    """``jr:choice-name`` (over a choices sheet, attached CSVs and a cascade) and
    ``format-date``'s day and month names in calculations: the phone says which language the
    form was answered in, and the server computes and stores them in it, as the cadre saw
    them; without it, in Chinese (the app's first language)."""
    from tests.xlsforms import CROPS_CSV, VILLAGES_CSV, C, S, Sample
    from tests.xlsforms import workbook as build

    sample = Sample(sheets={
        "survey": [
            [*S, "choice_filter"],
            ["select_one township", "township", "乡镇", "Township", "yes"],
            ["select_one_from_file villages.csv", "village", "村", "Village", "yes", "", "",
             "", "", "township=${township}"],
            ["select_multiple_from_file crops.csv", "crops", "作物", "Crops"],
            ["calculate", "place", "", "", "", "", "",
             "concat(jr:choice-name(${village}, '${village}'), ', ', "
             "jr:choice-name(${township}, '${township}'))"],
            ["calculate", "first_crop", "", "", "", "", "",
             "jr:choice-name(selected-at(${crops}, 0), '${crops}')"],
            ["calculate", "day", "", "", "", "", "", "format-date(date('2026-12-03'), '%a %b')"],
        ],
        "choices": [C, ["township", "t1", "城关镇", "Chengguan"],
                    ["township", "t2", "河西乡", "Hexi"]],
    }, good={}, files={"villages.csv": VILLAGES_CSV,
                       "crops.csv": CROPS_CSV.decode("gb18030").replace(
                           "code,title", "name,label").encode()})
    post(client, world, "reviewer_x", REGISTER)
    survey = create(client, world).json()
    parts = [("form", ("f.xlsx", build(sample), XLSX))] + [
        ("files", (name, data, "text/csv")) for name, data in sample.files.items()]
    r = client.put(f"/api/surveys/{survey['id']}/xlsform", files=parts,
                   headers=world.headers("admin_a"))
    assert r.status_code == 200, r.text
    calculations = {q["name"]: q["xpath"]["calculation"] for q in r.json()["form"]["questions"]
                    if q["type"] == "calculate"}
    assert calculations["first_crop"] == "jr:choice-name(selected-at(${crops}, 0), '${crops}')"
    assert client.post(f"/api/surveys/{survey['id']}/publish",
                       headers=world.headers("admin_a")).status_code == 200
    [record] = received(client, world, "cadre_x1")
    ids = households(client, world)
    answers = {"township": "t1", "village": "v12", "crops": ["tea", "rice"]}
    english = answer(record, ids["H001"], answers)
    english["data"]["language"] = "en"
    chinese = answer(record, ids["H002"], answers)
    assert [x["status"] for x in push(client, world, "cadre_x1", english, chinese)] == [
        "applied", "applied"]
    stored = {r["data"]["household_id"]: r["data"]["answers"]
              for r in received(client, world, "admin_a", kind="survey_response")}
    assert {k: stored[ids["H001"]][k] for k in calculations} == {
        "place": "West village, Chengguan", "first_crop": "茶叶", "day": "Thu Dec"}
    assert {k: stored[ids["H002"]][k] for k in calculations} == {
        "place": "西村, 城关镇", "first_crop": "茶叶", "day": "周四 12月"}
    wrong = answer(record, ids["H001"], answers)
    wrong["data"]["language"] = "fr"
    [refused] = push(client, world, "cadre_x1", wrong)
    assert refused["status"] == "rejected"
    assert [e["field"] for e in refused["errors"]] == ["language"]


def test_a_fact_name_the_county_keeps_as_the_other_kind_stops_publishing(client, world):
    """``members`` is a count in the published survey of every type; a second survey keeping
    ``members`` as a roster would overwrite it, and be overwritten, in turn: the preview lists
    the problem at the roster's fact, in words, and publishing is refused.
    Another county keeps its own names; another name publishes."""
    published(client, world)
    roster_form = {
        "groups": [{"name": "people", "repeat": True, "fact": "members",
                    "label": {"zh": "成员", "en": "Members"}}],
        "questions": [{"name": "m_name", "type": "text", "group": "people", "fact": "name",
                       "label": {"zh": "姓名", "en": "Name"}}]}
    second = create(client, world).json()
    r = client.put(f"/api/surveys/{second['id']}/form", json=roster_form,
                   headers=world.headers("admin_a"))
    assert r.status_code == 200, r.text
    preview = client.get(f"/api/surveys/{second['id']}/preview",
                         headers=world.headers("admin_a")).json()
    [problem] = preview["problems"]
    assert (problem["field"], problem["code"]) == ("form.groups.0.fact", "fact_kept_as_answer")
    assert problem["message"].startswith("本县已把农户信息项“members”登记为单个答案")
    r = client.post(f"/api/surveys/{second['id']}/publish", headers=world.headers("admin_a"))
    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("form.groups.0.fact", "fact_kept_as_answer")]

    elsewhere = create(client, world, who="admin_b", villages=(VILLAGE_Z1,)).json()
    assert client.put(f"/api/surveys/{elsewhere['id']}/form", json=roster_form,
                      headers=world.headers("admin_b")).status_code == 200
    assert client.post(f"/api/surveys/{elsewhere['id']}/publish",
                       headers=world.headers("admin_b")).status_code == 200

    roster_form["groups"][0]["fact"] = "household_members"
    assert client.put(f"/api/surveys/{second['id']}/form", json=roster_form,
                      headers=world.headers("admin_a")).status_code == 200
    assert client.post(f"/api/surveys/{second['id']}/publish",
                       headers=world.headers("admin_a")).status_code == 200
