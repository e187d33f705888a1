"""Lines and areas: ODK's text read the same here and on the phone (the shared fixture)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.surveys.geoshapes import MAX_POINTS, geometry, shape_error

CASES = json.loads((Path(__file__).parents[2] / "fixtures" / "geoshapes.json").read_text(
    encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_shared_fixture(case):
    assert shape_error(case["kind"], case["value"]) == case["code"]


def test_too_many_points_are_refused():
    line = ";".join(f"26.{i:04d} 106.7" for i in range(MAX_POINTS + 1))
    assert shape_error("geotrace", line) == "not_geotrace"
    assert shape_error("geotrace", line.rsplit(";", 1)[0]) is None


def test_geometries_are_geojson_lon_lat():
    assert geometry("geotrace", "26.5 106.7 0 5;26.51 106.71 0 5") == {
        "type": "LineString", "coordinates": [[106.7, 26.5], [106.71, 26.51]]}
    shape = "26.5 106.7;26.51 106.71;26.5 106.72;26.5 106.7"
    assert geometry("geoshape", shape) == {"type": "Polygon", "coordinates": [
        [[106.7, 26.5], [106.71, 26.51], [106.72, 26.5], [106.7, 26.5]]]}
    assert geometry("geoshape", "26.5 106.7;26.51 106.71") is None
