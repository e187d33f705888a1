"""Reading a county's divisions from CSV or XLSX: every bad row reported, as pure functions."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from backend.core.csvrows import Table, read_table
from backend.core.errors import FieldError
from backend.geo.tables import LEVELS, TIERS

__all__ = [
    "CODE_LENGTH",
    "HEADERS",
    "DivisionRow",
    "expected_parent",
    "parse_divisions_csv",
    "read_divisions",
]

#: Length of a division's code by level (statistical division codes).
CODE_LENGTH = {"province": 6, "prefecture": 6, "county": 6, "township": 9, "village": 12}

# English and Chinese headers are both accepted.
HEADERS = {
    "code": "code",
    "代码": "code",
    "区划代码": "code",
    "name": "name",
    "名称": "name",
    "level": "level",
    "级别": "level",
    "parent_code": "parent_code",
    "上级代码": "parent_code",
    "tier": "tier",
    "帮扶类别": "tier",
    "valid_from": "valid_from",
    "启用日期": "valid_from",
    "valid_to": "valid_to",
    "停用日期": "valid_to",
    "center_lat": "center_lat",
    "纬度": "center_lat",
    "center_lon": "center_lon",
    "经度": "center_lon",
    "radius_m": "radius_m",
    "半径米": "radius_m",
    "polygon": "polygon",
    "边界": "polygon",
}
_LEVEL_ALIASES = {
    "省": "province",
    "市": "prefecture",
    "州": "prefecture",
    "县": "county",
    "乡镇": "township",
    "乡": "township",
    "镇": "township",
    "街道": "township",
    "村": "village",
    "社区": "village",
}
_TIER_ALIASES = {"深度贫困": "deep", "重点": "key", "一般": "ordinary", "": "ordinary"}
DEFAULT_VALID_FROM = dt.date(2000, 1, 1)


@dataclass(frozen=True)
class DivisionRow:
    row: int
    code: str
    name: str
    level: str
    parent_code: str | None
    county_code: str | None
    tier: str
    valid_from: dt.date
    valid_to: dt.date | None
    center_lat: float | None
    center_lon: float | None
    radius_m: int | None
    polygon: dict[str, Any] | None


def expected_parent(code: str, level: str) -> str | None:
    """The parent code implied by a code's prefix (township → county, village → township)."""
    if level == "township":
        return code[:6]
    if level == "village":
        return code[:9]
    return None


def _county_of(code: str, level: str) -> str | None:
    return code[:6] if level in {"county", "township", "village"} else None


class _RowReader:
    """Collects the errors of one CSV row while converting its fields."""

    def __init__(self, number: int, raw: dict[str, str]) -> None:
        self.row_number = number
        self.raw = raw
        self.errors: list[FieldError] = []

    def fail(self, field: str, code: str, **params: Any) -> None:
        self.errors.append(FieldError(field=field, code=code, params=params, row=self.row_number))

    def text(self, field: str, *, required: bool = False) -> str:
        value = (self.raw.get(field) or "").strip()
        if required and not value:
            self.fail(field, "required")
        return value

    def date(self, field: str) -> dt.date | None:
        value = self.text(field)
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.fail(field, "not_date")
            return None

    def number(self, field: str, low: float, high: float, *, whole: bool = False) -> Any:
        value = self.text(field)
        if not value:
            return None
        try:
            parsed = int(value) if whole else float(value)
        except ValueError:
            self.fail(field, "not_integer" if whole else "not_number")
            return None
        if not low <= parsed <= high:
            self.fail(field, "too_small" if parsed < low else "too_large")
            return None
        return parsed


def _read_row(number: int, raw: dict[str, str]) -> tuple[DivisionRow | None, list[FieldError]]:
    r = _RowReader(number, raw)
    code = r.text("code", required=True)
    name = r.text("name", required=True)
    level = _LEVEL_ALIASES.get(r.text("level"), r.text("level"))
    if level not in LEVELS:
        r.fail("level", "not_allowed")
    elif code and (not code.isdigit() or len(code) != CODE_LENGTH[level]):
        r.fail("code", "invalid")
    tier = _TIER_ALIASES.get(r.text("tier"), r.text("tier"))
    if tier not in TIERS:
        r.fail("tier", "not_allowed")
    parent = r.text("parent_code") or None
    implied = expected_parent(code, level) if level in LEVELS else None
    if implied and parent and parent != implied:
        r.fail("parent_code", "invalid")
    valid_from = r.date("valid_from") or DEFAULT_VALID_FROM
    valid_to = r.date("valid_to")
    if valid_to and valid_to < valid_from:
        r.fail("valid_to", "too_small")
    lat = r.number("center_lat", -90, 90)
    lon = r.number("center_lon", -180, 180)
    radius = r.number("radius_m", 1, 100_000, whole=True)
    if (lat is None) != (lon is None):
        r.fail("center_lat" if lat is None else "center_lon", "required")
    polygon = _polygon(r)
    if r.errors:
        return None, r.errors
    return DivisionRow(
        row=number,
        code=code,
        name=name,
        level=level,
        parent_code=parent or implied,
        county_code=_county_of(code, level),
        tier=tier,
        valid_from=valid_from,
        valid_to=valid_to,
        center_lat=lat,
        center_lon=lon,
        radius_m=radius if radius is not None else (1500 if level == "village" and lat else None),
        polygon=polygon,
    ), []


def _polygon(r: _RowReader) -> dict[str, Any] | None:
    value = r.text("polygon")
    if not value:
        return None
    try:
        shape = json.loads(value)
        ring = shape["coordinates"][0]
        ok = (
            shape.get("type") == "Polygon"
            and len(ring) >= 4
            and all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in ring)
        )
    except (ValueError, KeyError, TypeError, IndexError):
        ok = False
    if not ok:
        r.fail("polygon", "invalid")
        return None
    return shape


def read_divisions(
    data: bytes | str,
) -> tuple[list[DivisionRow], list[FieldError], Table]:
    """Parse a CSV or XLSX (header row first; row numbers count the header as row 1).

    Returns the good rows, the errors of every bad row, and the table read (its columns
    name the errors; every code in it, good or bad, counts as present for the tree check).
    """
    table = read_table(data, HEADERS, ("code", "name", "level"))
    if table.errors:
        return [], table.errors, table
    rows: list[DivisionRow] = []
    errors: list[FieldError] = []
    seen: dict[tuple[str, dt.date], int] = {}
    for number, raw in table.rows:
        row, row_errors = _read_row(number, raw)
        errors.extend(row_errors)
        if row is None:
            continue
        key = (row.code, row.valid_from)
        if key in seen:
            errors.append(FieldError(field="code", code="duplicate", row=number))
            continue
        seen[key] = number
        rows.append(row)
    return rows, errors, table


def parse_divisions_csv(text: str | bytes) -> tuple[list[DivisionRow], list[FieldError]]:
    """The good rows and every row's errors of a division file (see ``read_divisions``)."""
    rows, errors, table = read_divisions(text)
    return rows, table.named(errors)
