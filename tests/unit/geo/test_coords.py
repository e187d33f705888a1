"""Coordinate conversion round trips and known offsets."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from backend.geo.coords import convert, distance_m, in_china

china_lat = st.floats(min_value=18.0, max_value=53.0)
china_lon = st.floats(min_value=74.0, max_value=134.0)


@given(china_lat, china_lon)
def test_gcj02_round_trip_is_within_a_centimetre(lat, lon):
    there = convert((lat, lon), "wgs84", "gcj02")
    back = convert(there, "gcj02", "wgs84")
    assert distance_m((lat, lon), back) < 0.01


@given(china_lat, china_lon)
def test_bd09_round_trip_is_within_a_metre(lat, lon):
    back = convert(convert((lat, lon), "wgs84", "bd09"), "bd09", "wgs84")
    assert distance_m((lat, lon), back) < 1.0


@given(china_lat, china_lon)
def test_gcj02_offset_is_the_known_hundreds_of_metres(lat, lon):
    offset = distance_m((lat, lon), convert((lat, lon), "wgs84", "gcj02"))
    assert 1 < offset < 1200


def test_outside_china_nothing_moves():
    assert not in_china(48.85, 2.35)
    assert convert((48.85, 2.35), "wgs84", "gcj02") == (48.85, 2.35)


def test_cgcs2000_is_wgs84_and_same_system_is_identity():
    assert convert((26.5, 107.5), "cgcs2000", "wgs84") == (26.5, 107.5)
    assert convert((26.5, 107.5), "gcj02", "gcj02") == (26.5, 107.5)


def test_known_point_tiananmen():
    # WGS-84 of Tiananmen and its widely published GCJ-02 position (AMap).
    gcj = convert((39.90734, 116.39131), "wgs84", "gcj02")
    assert distance_m(gcj, (39.90874, 116.39755)) < 15


def test_geodesic_distance_guiyang_to_kaili():
    assert 120_000 < distance_m((26.647, 106.630), (26.566, 107.982)) < 150_000


@given(st.floats(-89.9, 89.9), st.floats(-180, 180), st.floats(-89.9, 89.9), st.floats(-180, 180))
def test_sphere_distance_is_within_its_stated_error(lat1, lon1, lat2, lon2):
    from backend.geo.coords import SPHERE_ERROR, sphere_distance_m

    exact = distance_m((lat1, lon1), (lat2, lon2))
    rough = sphere_distance_m((lat1, lon1), (lat2, lon2))
    assert abs(rough - exact) <= exact * SPHERE_ERROR + 1e-6
