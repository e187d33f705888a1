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
