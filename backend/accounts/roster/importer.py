"""Importing cadres and their postings from a CSV or XLSX file: all rows or none.

The file has one header row (Chinese or English headers) and a cadre a row. Every problem is
named by its row (the header is row 1, as a spreadsheet shows it) and its column; a preview
(``dry_run``) checks everything and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from backend.accounts import services as accounts
from backend.accounts.messages import RosterColumns
from backend.accounts.passwords import hash_password_async, new_temporary_password
from backend.accounts.roster.schemas import ImportReport, ImportRowOut
from backend.accounts.schemas import PostingDetails, RoleIn, UserIn
from backend.accounts.tables import User
from backend.audit import services as audit
from backend.core.csvrows import read_table
from backend.core.db import write_transaction
from backend.core.errors import FieldError, ValidationFailed
from backend.core.export import Sheet, csv_bytes, xlsx_bytes
from backend.core.messages import Message
from backend.geo import services as geo

if TYPE_CHECKING:
    from backend.core.context import RequestContext
    from backend.core.scope import Scope

__all__ = [
    "COLUMNS",
    "MAX_ROWS",
    "CadreRow",
    "import_cadres",
    "parse_cadres",
    "template_csv",
    "template_xlsx",
]

#: Rows of one import (each new account costs an Argon2 hash when committed).
MAX_ROWS = 1000

#: field → (Chinese header of the template, English header). Both are accepted.
COLUMNS: dict[str, Message] = RosterColumns.entries()
_HEADERS = {
    **{zh: f for f, (zh, _) in COLUMNS.items()},
    **{en: f for f, (_, en) in COLUMNS.items()},
    "手机": "phone",
    "手机号码": "phone",
    "村编码": "village_code",
    "村行政区划代码": "village_code",
    "驻村开始日期": "start_date",
    "驻村结束日期": "end_date",
}
_REQUIRED = ("name", "phone", "village_code", "start_date")
_POSITIONS = {
    "第一书记": "first_secretary",
    "first_secretary": "first_secretary",
    "工作队队长": "team_leader",
    "队长": "team_leader",
    "team_leader": "team_leader",
    "工作队队员": "team_member",
    "队员": "team_member",
    "驻村干部": "team_member",
    "team_member": "team_member",
    "": "team_member",
}
_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00)?)?$"
)


@dataclass(frozen=True)
class CadreRow:
    row: int
    name: str
    phone: str
    village: geo.VillageInfo
    position: str
    dispatching_unit: str
    start_date: dt.date
    end_date: dt.date | None


def _date(text: str) -> dt.date | None:
    m = _DATE.match(text)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _check_text(number: int, raw: dict[str, str], errors: list[FieldError]) -> None:
    name = raw.get("name", "")
    if not name:
        errors.append(FieldError("name", "required", row=number))
    elif len(name) > 50:
        errors.append(FieldError("name", "too_long", row=number))
    if len(raw.get("dispatching_unit", "")) > 100:
        errors.append(FieldError("dispatching_unit", "too_long", row=number))
    if raw.get("position", "") not in _POSITIONS:
        errors.append(FieldError("position", "bad_position", {"value": raw["position"]},
                                 row=number))


def _check_dates(
    number: int, raw: dict[str, str], errors: list[FieldError]
) -> tuple[dt.date | None, dt.date | None]:
    start = _date(raw.get("start_date", ""))
    if start is None:
        errors.append(FieldError("start_date", "required" if not raw.get("start_date")
                                 else "not_date", row=number))
    end = None
    if raw.get("end_date"):
        end = _date(raw["end_date"])
        if end is None:
            errors.append(FieldError("end_date", "not_date", row=number))
        elif start and end < start:
            errors.append(FieldError("end_date", "before_start", row=number))
    return start, end


def _check_phone(
    number: int, phone: str, seen: dict[str, int], errors: list[FieldError]
) -> None:
    if not re.fullmatch(r"1\d{10}", phone):
        errors.append(FieldError("phone", "required" if not phone else "bad_phone", row=number))
    elif phone in seen:
        errors.append(FieldError("phone", "duplicate_in_file", {"first": seen[phone]},
                                 row=number))
    else:
        seen[phone] = number


async def parse_cadres(scope: Scope, data: bytes) -> list[CadreRow]:
    """Every row checked against the file, the database and the admin's county; raises
    ``import_failed`` naming every bad row and column, or returns all rows."""
    table = read_table(data, _HEADERS, _REQUIRED)
    if table.errors:
        raise ValidationFailed("import_failed", errors=table.named(table.errors), count=1)
    raw_rows = table.rows
    if not raw_rows:
        raise ValidationFailed("import_failed", errors=[FieldError("file", "no_rows", row=2)],
                               count=1)
    if len(raw_rows) > MAX_ROWS:
        raise ValidationFailed(
            "import_failed",
            errors=[FieldError("file", "too_many_rows", {"max": MAX_ROWS}, row=MAX_ROWS + 2)],
            count=1,
        )
    codes = {r.get("village_code", "") for _, r in raw_rows}
    villages = await geo.villages({c for c in codes if re.fullmatch(r"\d{12}", c)})
    phones = [r.get("phone", "") for _, r in raw_rows]
    taken = {
        r["phone"] for r in await User.select(User.phone).where(User.phone.is_in(phones or [""]))
    }
    seen: dict[str, int] = {}
    rows: list[CadreRow] = []
    errors: list[FieldError] = []
    for number, raw in raw_rows:
        row_errors: list[FieldError] = []
        _check_text(number, raw, row_errors)
        phone = raw.get("phone", "")
        _check_phone(number, phone, seen, row_errors)
        if phone in taken:
            row_errors.append(FieldError("phone", "phone_taken", row=number))
        code = raw.get("village_code", "")
        village = villages.get(code)
        if village is None:
            row_errors.append(FieldError("village_code", "unknown_division", {"code": code},
                                         row=number))
        elif village.county_code not in scope.admin_counties:
            row_errors.append(FieldError("village_code", "other_county", {"code": code},
                                         row=number))
        start, end = _check_dates(number, raw, row_errors)
        errors += row_errors
        if row_errors or village is None or start is None:
            continue
        rows.append(CadreRow(number, raw["name"], phone, village,
                             _POSITIONS[raw.get("position", "")],
                             raw.get("dispatching_unit", ""), start, end))
    if errors:
        raise ValidationFailed("import_failed", errors=table.named(errors),
                               count=len({e.row for e in errors}))
    return rows


async def _township_names(rows: list[CadreRow]) -> dict[str, str]:
    out = {}
    for code in {r.village.township_code for r in rows}:
        row = await geo.current(code)
        out[code] = row["name"] if row else ""
    return out


async def import_cadres(
    ctx: RequestContext, scope: Scope, data: bytes, *, dry_run: bool
) -> ImportReport:
    """Check the file (``dry_run``) or create every cadre with their posting in one
    transaction, each with a temporary password shown once."""
    rows = await parse_cadres(scope, data)
    townships = await _township_names(rows)
    passwords: list[str | None] = [None] * len(rows)
    if not dry_run:
        fresh = [new_temporary_password() for _ in rows]
        passwords = list(fresh)
        hashes = [await hash_password_async(p) for p in fresh]
        async with write_transaction(User._meta.db):
            for r, hashed in zip(rows, hashes, strict=True):
                await accounts.create_user(
                    ctx, scope,
                    UserIn(phone=r.phone, name=r.name,
                           roles=[RoleIn(role="cadre", division_code=r.village.code)],
                           posting=PostingDetails(position=r.position,
                                                  dispatching_unit=r.dispatching_unit,
                                                  start_date=r.start_date, end_date=r.end_date)),
                    password_hash=hashed,
                )
            await audit.record(ctx, "accounts.cadres_imported", "import", ctx.request_id or "-",
                               county_code=sorted(scope.admin_counties)[0],
                               after={"count": len(rows)})
    return ImportReport(
        dry_run=dry_run,
        count=len(rows),
        rows=[
            ImportRowOut(
                row=r.row, name=r.name, phone=r.phone, village_code=r.village.code,
                village_name=r.village.name, township_name=townships.get(r.village.township_code,
                                                                         ""),
                position=r.position, dispatching_unit=r.dispatching_unit,
                start_date=r.start_date, end_date=r.end_date, temporary_password=p,
            )
            for r, p in zip(rows, passwords, strict=True)
        ],
    )


def _template() -> Sheet:
    """The header row to fill; phones, codes and dates kept as text for the first 500 rows, so
    that spreadsheet programs keep leading digits and long codes intact."""
    return Sheet("驻村干部", [zh for zh, _ in COLUMNS.values()], [],
                 widths=(10, 14, 16, 14, 24, 12, 12), text_columns=(1, 2, 5, 6), text_rows=500)


def template_csv() -> bytes:
    return csv_bytes(_template())


_NOTES = [
    ("姓名", "必填，50 字以内"),
    ("手机号", "必填，11 位手机号，用于登录，不能与已有账号或本表其他行重复"),
    ("村代码", "必填，本县的村 12 位统计用区划代码"),
    ("职务", "第一书记、工作队队长或工作队队员（空白为工作队队员）"),
    ("派出单位", "选填，100 字以内"),
    ("开始日期", "必填，如 2026-03-01"),
    ("结束日期", "选填，不早于开始日期"),
]


def template_xlsx() -> bytes:
    """The import template: the header row to fill, and a sheet explaining each column."""
    notes = Sheet("填写说明", ["列", "说明"], [list(line) for line in _NOTES], widths=(None, 70))
    return xlsx_bytes([_template(), notes])
