"""Lines and areas answered on the phone (ODK's ``geotrace`` and ``geoshape``), kept in ODK's
own text: points ``lat lon alt acc`` separated by ``;`` (altitude and accuracy may be left
out). A trace has at least 2 points; a shape at least 3 distinct ones and is closed (its last
point repeats its first; the phone closes it). Pure: ``rules.py`` checks answers with it and
the exports draw it; ``pwa/src/surveys/geoshapes.ts`` reads the same text the same way.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["MAX_POINTS", "geometry", "points", "shape_error"]

#: The most points an answer may hold (a walked boundary of a field is far below).
MAX_POINTS = 500
#: A plain decimal (no exponent, no sign but minus), read alike by Python and JavaScript.
_NUMBER = re.compile(r"-?[0-9]{1,6}(\.[0-9]{1,15})?")
_SPACE = re.compile(r"[ \t]+")

Point = tuple[float, float]


def points(value: Any) -> list[Point] | None:
    """The (lat, lon) of each point of an answer, or None when it is not ODK's text of
    points (in range, at most ``MAX_POINTS``)."""
    if not isinstance(value, str) or len(value) > MAX_POINTS * 64:
        return None
    parts = value.split(";")
    if len(parts) > MAX_POINTS:
        return None
    out: list[Point] = []
    for part in parts:
        numbers = [n for n in _SPACE.split(part) if n]
        if not 2 <= len(numbers) <= 4 or not all(_NUMBER.fullmatch(n) for n in numbers):
            return None
        lat, lon = float(numbers[0]), float(numbers[1])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return None
        if len(numbers) == 4 and float(numbers[3]) < 0:
            return None
        out.append((lat, lon))
    return out


def shape_error(kind: str, value: Any) -> str | None:
    """``not_geotrace`` / ``not_geoshape`` for an answer that is not a line / a closed area."""
    found = points(value)
    if kind == "geotrace":
        return None if found is not None and len(found) >= 2 else "not_geotrace"
    ok = (found is not None and len(found) >= 4 and found[0] == found[-1]
          and len(set(found)) >= 3)
    return None if ok else "not_geoshape"


def geometry(kind: str, value: Any) -> dict[str, Any] | None:
    """A valid answer as a GeoJSON geometry (``[lon, lat]``): a LineString or a Polygon."""
    if shape_error(kind, value):
        return None
    line = [[lon, lat] for lat, lon in points(value) or []]
    if kind == "geotrace":
        return {"type": "LineString", "coordinates": line}
    return {"type": "Polygon", "coordinates": [line]}
