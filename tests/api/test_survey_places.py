"""Lines, areas and a roster's places over HTTP: answered over sync, checked by the server,
and exported (GeoJSON LineString / Polygon / roster points with their keys; text in XLSX,
CSV and the zip of CSVs)."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from openpyxl import load_workbook

from tests.api.test_households import REGISTER, post
from tests.api.test_surveys import answer, create, households, push, received, upload
from tests.xlsforms import FORMS, PARCEL, workbook


def _published(client, world):
    post(client, world, "reviewer_x", REGISTER)
    survey = create(client, world).json()
    r = upload(client, world, survey["id"], workbook(FORMS["land_parcels"]))
    assert r.status_code == 200, r.text
    assert client.post(f"/api/surveys/{survey['id']}/publish",
                       headers=world.headers("admin_a")).status_code == 200
    [record] = received(client, world, "cadre_x1")
    return survey, record


def test_lines_and_areas_are_checked_stored_and_exported(client, world):
    survey, record = _published(client, world)
    ids = households(client, world)
    good = FORMS["land_parcels"].good
    [open_shape] = push(client, world, "cadre_x1", answer(record, ids["H001"], {
        **good, "parcel": PARCEL.rsplit(";", 1)[0], "track": "26.5 106.7"}))
    assert open_shape["status"] == "rejected"
    assert [(e["field"], e["code"]) for e in open_shape["errors"]] == [
        ("answers.parcel", "not_geoshape"), ("answers.track", "not_geotrace")]
    assert open_shape["errors"][0]["message"] == (
        "「地块范围」不是有效的范围（至少 3 个点，首尾相接）")
    [ok] = push(client, world, "cadre_x1", answer(record, ids["H001"], good))
    assert ok["status"] == "applied", ok
    [stored] = received(client, world, "admin_a", kind="survey_response")
    assert stored["data"]["answers"]["parcel"] == PARCEL  # ODK's own text, as answered
    url = f"/api/surveys/{survey['id']}"
    headers = world.headers("admin_a")

    geo = json.loads(client.get(f"{url}/responses.geojson", headers=headers).content)
    kinds = {f["properties"]["问题"]: f for f in geo["features"]}
    assert kinds["地块范围"]["geometry"] == {"type": "Polygon", "coordinates": [[
        [106.7, 26.5], [106.7, 26.501], [106.701, 26.501], [106.7, 26.5]]]}
    assert kinds["机耕道"]["geometry"]["type"] == "LineString"
    well = kinds["水井位置"]
    assert well["geometry"] == {"type": "Point", "coordinates": [106.7005, 26.5005]}
    key = well["properties"]["答卷编号"]
    assert key == stored["id"] == kinds["地块范围"]["properties"]["答卷编号"]
    assert well["properties"]["编号"] == f"{key}/wells[1]"
    assert well["properties"]["户编号"] == "H001"

    book = load_workbook(io.BytesIO(client.get(f"{url}/responses.xlsx", headers=headers).content))
    main = list(book["答卷"].iter_rows(values_only=True))
    row = dict(zip(main[0], main[1], strict=True))
    assert row["地块范围"] == PARCEL and row["机耕道"] == good["track"]
    wells = list(book["水井"].iter_rows(values_only=True))
    assert wells[0] == ("答卷编号", "序号", "水井位置（纬度）", "水井位置（经度）", "深度（米）",
                        "上级编号", "编号")
    assert wells[1] == (key, 1, 26.5005, 106.7005, 12.5, key, f"{key}/wells[1]")

    text = client.get(f"{url}/responses.csv", headers=headers).content.decode("utf-8-sig")
    assert dict(zip(*list(csv.reader(io.StringIO(text)))[:2], strict=True))["地块范围"] == PARCEL
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"{url}/responses.zip",
                                                    headers=headers).content))
    assert sorted(archive.namelist()) == ["水井.csv", "答卷.csv"]
    rows = list(csv.reader(io.StringIO(archive.read("水井.csv").decode("utf-8-sig"))))
    assert rows[1] == [key, "1", "26.5005", "106.7005", "12.5", key, f"{key}/wells[1]"]
    # Another county's admin gets nothing of it.
    assert client.get(f"{url}/responses.zip", headers=world.headers("admin_b")).status_code == 404


def _multipart(client, world, survey_id, files, who="admin_a"):
    from tests.xlsforms import workbook as build
    parts = [("form", ("register.xlsx", build(FORMS["village_register"]), "application/"
                       "vnd.openxmlformats-officedocument.spreadsheetml.sheet"))]
    parts += [("files", (name, data, "text/csv")) for name, data in files.items()]
    return client.put(f"/api/surveys/{survey_id}/xlsform", files=parts,
                      headers=world.headers(who))


def test_a_form_with_attached_choice_lists_is_imported_answered_and_exported(client, world):
    post(client, world, "reviewer_x", REGISTER)
    survey = create(client, world).json()
    sample = FORMS["village_register"]
    # Without its CSV: refused at the question's row, naming the file; nothing imported.
    missing = _multipart(client, world, survey["id"], {"crops.csv": sample.files["crops.csv"]})
    assert missing.status_code == 422, missing.text
    [error] = missing.json()["errors"]
    assert (error["sheet"], error["row"], error["code"]) == (
        "survey", 3, "xlsform_attachment_missing")
    assert "villages.csv" in error["message"]
    assert client.get(f"/api/surveys/{survey['id']}", headers=world.headers("admin_a")
                      ).json()["form"]["questions"] == []
    # Another county's admin cannot import into it.
    assert _multipart(client, world, survey["id"], sample.files, who="admin_b"
                      ).status_code == 404
    r = _multipart(client, world, survey["id"], sample.files)
    assert r.status_code == 200, r.text
    village = r.json()["form"]["questions"][1]
    assert [(c["name"], c["filters"]) for c in village["choices"]] == [
        ("v11", {"township": "t1"}), ("v12", {"township": "t1"}), ("v21", {"township": "t2"})]
    # Given back as an XLSForm, it imports unchanged without the attachments.
    back = client.get(f"/api/surveys/{survey['id']}/xlsform", headers=world.headers("admin_a"))
    assert upload(client, world, survey["id"], back.content).json()["form"] == r.json()["form"]
    assert client.post(f"/api/surveys/{survey['id']}/publish",
                       headers=world.headers("admin_a")).status_code == 200
    [record] = received(client, world, "cadre_x1")
    ids = households(client, world)
    [bad] = push(client, world, "cadre_x1", answer(record, ids["H001"], sample.bad[0][0]))
    assert [(e["field"], e["code"]) for e in bad["errors"]] == [
        ("answers.village", "not_choice"), ("answers.crops", "not_choice")]
    [ok] = push(client, world, "cadre_x1", answer(record, ids["H001"], sample.good))
    assert ok["status"] == "applied", ok
    book = load_workbook(io.BytesIO(client.get(f"/api/surveys/{survey['id']}/responses.xlsx",
                                               headers=world.headers("admin_a")).content))
    header, values = list(book["答卷"].iter_rows(values_only=True))[:2]
    assert len(set(header)) == len(header)  # a question labelled 村 beside the village column
    row = dict(zip(header, values, strict=True))
    assert (row["村（village）"], row["作物"]) == ("西村", "水稻、茶叶")
    assert row["村"] == "一村"


def test_too_many_attachments_are_refused(client, world):
    survey = create(client, world).json()
    files = {f"f{i}.csv": b"name,label\na,A\n" for i in range(21)}
    r = _multipart(client, world, survey["id"], files)
    assert r.status_code == 422
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [
        ("files", "xlsform_too_many_attachments")]
