"""CSV parsing of divisions as a pure function."""

from __future__ import annotations

import datetime as dt

from backend.geo.importer import expected_parent, parse_divisions_csv


def test_good_rows_parse_with_implied_parents_and_default_radius():
    rows, errors = parse_divisions_csv(
        "\ufeffcode,name,level,tier,center_lat,center_lon\n"
        "529801001,甲一镇,township,deep,,\n"
        "529801001201,一村,village,key,26.41,107.91\n"
    )
    assert errors == []
    township, village = rows
    assert township.parent_code == "529801" and township.county_code == "529801"
    assert village.parent_code == "529801001" and village.radius_m == 1500
    assert village.valid_from == dt.date(2000, 1, 1)


def test_every_bad_field_of_every_row_is_reported():
    rows, errors = parse_divisions_csv(
        "code,name,level,parent_code,valid_from,valid_to,polygon\n"
        "52980100120,一村,village,,2026-13-01,,\n"
        "529801001202,二村,village,529801002,2026-01-01,2025-01-01,{bad\n"
    )
    assert rows == []
    got = {(e.row, e.field, e.code) for e in errors}
    assert (2, "code", "invalid") in got and (2, "valid_from", "not_date") in got
    assert (3, "parent_code", "invalid") in got and (3, "valid_to", "too_small") in got
    assert (3, "polygon", "invalid") in got


def test_unknown_header_and_duplicates():
    _, errors = parse_divisions_csv("code,name,level,colour\n")
    assert [(e.row, e.field, e.code) for e in errors] == [(1, "colour", "unknown_field")]
    _, errors = parse_divisions_csv("code,name,level\n529801,甲县,county\n529801,甲县,county\n")
    assert [(e.row, e.code) for e in errors] == [(3, "duplicate")]
    _, errors = parse_divisions_csv("")
    assert errors[0].field == "file"


def test_expected_parent():
    assert expected_parent("529801001201", "village") == "529801001"
    assert expected_parent("529801001", "township") == "529801"
    assert expected_parent("529801", "county") is None
