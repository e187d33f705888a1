"""Coordinate systems and distances: WGS-84 is stored; GCJ-02 and BD-09 exist only at the edge.

Phones report WGS-84. AMap and Tencent maps draw GCJ-02 (offset 300–700 m inside China);
Baidu draws BD-09. ``convert`` is the one function that moves a point between them; never
compare a WGS-84 fix with a GCJ-02 shape.
"""

from __future__ import annotations

import math
from typing import Literal

from geographiclib.geodesic import Geodesic

__all__ = ["CRS", "SPHERE_ERROR", "Point", "convert", "distance_m", "in_china", "sphere_distance_m"]

CRS = Literal["wgs84", "gcj02", "bd09", "cgcs2000"]
Point = tuple[float, float]  # (lat, lon) in decimal degrees

# Krasovsky 1940 ellipsoid parameters used by the GCJ-02 transform.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0


def in_china(lat: float, lon: float) -> bool:
    """The rough box where GCJ-02 applies; outside it GCJ-02 equals WGS-84."""
    return 0.8293 <= lat <= 55.8271 and 72.004 <= lon <= 137.8347


def _delta(lat: float, lon: float) -> Point:
    x, y = lon - 105.0, lat - 35.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    d_lat += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    d_lat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2 / 3
    d_lat += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2 / 3
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    d_lon += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2 / 3
    d_lon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2 / 3
    d_lon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2 / 3
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return d_lat, d_lon


def _wgs_to_gcj(lat: float, lon: float) -> Point:
    if not in_china(lat, lon):
        return lat, lon
    d_lat, d_lon = _delta(lat, lon)
    return lat + d_lat, lon + d_lon


def _gcj_to_wgs(lat: float, lon: float) -> Point:
    # The forward transform has no closed inverse: iterate until it maps back (≈ 1 cm).
    if not in_china(lat, lon):
        return lat, lon
    w_lat, w_lon = lat, lon
    for _ in range(30):
        g_lat, g_lon = _wgs_to_gcj(w_lat, w_lon)
        e_lat, e_lon = g_lat - lat, g_lon - lon
        if abs(e_lat) < 1e-9 and abs(e_lon) < 1e-9:
            break
        w_lat, w_lon = w_lat - e_lat, w_lon - e_lon
    return w_lat, w_lon


def _gcj_to_bd(lat: float, lon: float) -> Point:
    z = math.sqrt(lon * lon + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(lon * _X_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def _bd_to_gcj(lat: float, lon: float) -> Point:
    x, y = lon - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.sin(theta), z * math.cos(theta)


def convert(point: Point, source: CRS, target: CRS) -> Point:
    """Move a (lat, lon) point from one coordinate system to another.

    CGCS2000 (Tianditu) is treated as WGS-84: they differ by centimetres.

    >>> lat, lon = convert((26.5, 107.5), "wgs84", "gcj02")
    >>> round(distance_m((26.5, 107.5), (lat, lon))) > 100
    True
    """
    src = "wgs84" if source == "cgcs2000" else source
    dst = "wgs84" if target == "cgcs2000" else target
    lat, lon = point
    if src == dst:
        return lat, lon
    if src == "bd09":
        lat, lon = _bd_to_gcj(lat, lon)
        src = "gcj02"
    if src == "gcj02" and dst == "wgs84":
        return _gcj_to_wgs(lat, lon)
    if src == "wgs84":
        lat, lon = _wgs_to_gcj(lat, lon)
    return _gcj_to_bd(lat, lon) if dst == "bd09" else (lat, lon)


_WGS84 = Geodesic.WGS84


def distance_m(a: Point, b: Point) -> float:
    """Geodesic distance in metres on the WGS-84 ellipsoid (Karney's algorithm).

    The same computation as ``geopy.distance.geodesic`` — geopy delegates to geographiclib —
    called directly, as it runs for every fix on the sync hot path (2.5× faster).
    """
    return _WGS84.Inverse(a[0], a[1], b[0], b[1], Geodesic.DISTANCE)["s12"]


#: The haversine distance on a sphere of the mean radius differs from the geodesic one by
#: less than this fraction anywhere on Earth (Lambert's bound for WGS-84 is about 0.56 %).
SPHERE_ERROR = 0.006
_MEAN_RADIUS_M = 6_371_008.8


def sphere_distance_m(a: Point, b: Point) -> float:
    """Haversine distance: a fast first look before the exact ``distance_m`` where it matters."""
    lat1, lat2 = math.radians(a[0]), math.radians(b[0])
    d_lat, d_lon = lat2 - lat1, math.radians(b[1] - a[1])
    h = math.sin(d_lat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(d_lon / 2) ** 2
    return 2 * _MEAN_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))
