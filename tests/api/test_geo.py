"""Division import (all or nothing, every bad row named), code changes, fences across maps."""

from __future__ import annotations

from backend.geo.coords import convert, distance_m
from backend.geo.tables import Division
from tests.world import COUNTY_A, TOWNSHIP_X, VILLAGE_X1


def post_csv(client, world, text, who="admin_a", lang="zh-CN"):
    return client.post(
        "/api/geo/divisions/import",
        content=text.encode("utf-8"),
        headers={**world.headers(who, lang), "content-type": "text/csv"},
    )


def test_bad_rows_are_all_reported_and_nothing_is_imported(client, world, run):
    before = run(Division.count().run)
    text = (
        "code,name,level,parent_code,tier,center_lat,center_lon,radius_m\n"
        f"{TOWNSHIP_X}301,好村,village,,deep,26.4,107.9,1500\n"  # row 2: fine
        f"{TOWNSHIP_X}30,短码村,village,,deep,26.4,107.9,1500\n"  # row 3: code length
        f"{TOWNSHIP_X}302,,village,,ordinary,26.4,107.9,1500\n"  # row 4: no name
        f"{TOWNSHIP_X}303,坏等级,village,,rich,26.4,107.9,1500\n"  # row 5: tier
        f"{TOWNSHIP_X}304,北极村,village,,key,96.0,107.9,1500\n"  # row 6: latitude
        f"{COUNTY_A}999304,孤村,village,,key,26.4,107.9,abc\n"  # row 7: radius, parent
    )
    r = post_csv(client, world, text)
    assert r.status_code == 422
    problem = r.json()
    assert "5" in problem["detail"] and "未导入" in problem["detail"]
    got = {(e["row"], e["field"]) for e in problem["errors"]}
    assert {(3, "code"), (4, "name"), (5, "tier"), (6, "center_lat"), (7, "radius_m")} <= got
    assert not any(row == 2 for row, _ in got)
    assert run(Division.count().run) == before


def test_unknown_parent_is_reported_with_its_code(client, world):
    r = post_csv(client, world, "code,name,level\n529801009201,孤村,village\n", lang="en")
    assert r.status_code == 422
    err = r.json()["errors"][0]
    assert err["row"] == 2 and err["field"] == "parent_code"
    assert "529801009" in err["message"]


def test_chinese_headers_and_a_new_code_closing_the_old_one(client, world, run):
    text = (
        "代码,名称,级别,上级代码,帮扶类别,启用日期\n"
        f"{TOWNSHIP_X[:6]}003,三宝街道,街道,{COUNTY_A},重点,2026-06-01\n"
        f"{TOWNSHIP_X},甲一街道,乡镇,{COUNTY_A},深度贫困,2026-06-01\n"
    )
    r = post_csv(client, world, text)
    assert r.status_code == 200, r.text
    assert r.json() == {"created": 2, "updated": 0, "closed": 1, "rows": 2, "dry_run": False}
    versions = run(
        Division.select(Division.name, Division.valid_from, Division.valid_to)
        .where(Division.code == TOWNSHIP_X)
        .order_by(Division.valid_from)
        .run
    )
    assert [v["name"] for v in versions] == ["甲一镇", "甲一街道"]
    assert str(versions[0]["valid_to"]) == "2026-05-31" and versions[1]["valid_to"] is None
    # Re-importing the same file changes nothing new: it updates in place.
    assert post_csv(client, world, text).json() == {
        "created": 0, "updated": 2, "closed": 0, "rows": 2, "dry_run": False
    }
    # The villages under the township are still reviewed by its reviewer.
    r = client.get(f"/api/geo/divisions/{VILLAGE_X1}", headers=world.headers("reviewer_x"))
    assert r.status_code == 200


def test_fence_picked_on_an_amap_is_stored_as_wgs84(client, world):
    wgs = (26.4123, 107.9234)
    gcj = convert(wgs, "wgs84", "gcj02")
    assert distance_m(wgs, gcj) > 300  # the offset that must never be compared raw
    r = client.patch(
        f"/api/geo/divisions/{VILLAGE_X1}/fence",
        headers=world.headers("admin_a"),
        json={"center_lat": gcj[0], "center_lon": gcj[1], "radius_m": 1800, "crs": "gcj02"},
    )
    assert r.status_code == 200, r.text
    fence = r.json()["fence"]
    assert distance_m(wgs, (fence["center_lat"], fence["center_lon"])) < 1.0
    assert fence["radius_m"] == 1800


def test_fence_validation(client, world):
    r = client.patch(
        f"/api/geo/divisions/{VILLAGE_X1}/fence",
        headers=world.headers("admin_a"),
        json={"center_lat": 126.0, "center_lon": 107.9, "radius_m": 5},
    )
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} >= {"center_lat", "radius_m"}


def test_tier_labels_and_listing_by_parent(client, world):
    r = client.get(
        "/api/geo/divisions", params={"parent": TOWNSHIP_X}, headers=world.headers("admin_a")
    )
    assert [d["code"] for d in r.json()] == sorted(d["code"] for d in r.json())
    assert {d["tier_label"] for d in r.json()} <= {"深度贫困地区", "重点帮扶", "一般"}
    assert client.get(
        "/api/geo/divisions", params={"parent": "abc"}, headers=world.headers("admin_a")
    ).status_code in {400, 422}
