"""Reading a county's accident-insurance policies from CSV or XLSX: every bad row reported,
pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import InvalidOperation

from backend.core.csvrows import Table, read_table
from backend.core.errors import FieldError
from backend.core.money import yuan_to_fen

__all__ = ["HEADERS", "PolicyRow", "parse_policies_csv", "read_policies"]

# English and Chinese headers are both accepted.
HEADERS = {
    "phone": "phone",
    "手机号": "phone",
    "手机号码": "phone",
    "insurer": "insurer",
    "保险公司": "insurer",
    "policy_number": "policy_number",
    "保单号": "policy_number",
    "sum_insured": "sum_insured",
    "保险金额": "sum_insured",
    "保额": "sum_insured",
    "保险金额（元）": "sum_insured",
    "保险金额(元)": "sum_insured",
    "start_date": "start_date",
    "起保日期": "start_date",
    "生效日期": "start_date",
    "end_date": "end_date",
    "止保日期": "end_date",
    "终止日期": "end_date",
    "name": "name",
    "姓名": "name",
}
_REQUIRED = ("phone", "insurer", "policy_number", "sum_insured", "start_date", "end_date")


@dataclass(frozen=True)
class PolicyRow:
    row: int
    phone: str
    insurer: str
    policy_number: str
    sum_insured_fen: int
    start_date: dt.date
    end_date: dt.date


def _date(value: str, field: str, number: int, errors: list[FieldError]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.replace("/", "-"))
    except ValueError:
        errors.append(FieldError(field, "required" if not value else "not_date", row=number))
        return None


def _fen(value: str, number: int, errors: list[FieldError]) -> int | None:
    """Yuan with at most two decimals (thousands separators allowed) → fen."""
    try:
        fen = yuan_to_fen(value.replace(",", "").replace("，", ""))
    except (InvalidOperation, ValueError):
        errors.append(
            FieldError("sum_insured", "required" if not value else "not_number", row=number)
        )
        return None
    if fen <= 0:
        errors.append(FieldError("sum_insured", "too_small", row=number))
        return None
    return fen


def _read_row(number: int, raw: dict[str, str]) -> tuple[PolicyRow | None, list[FieldError]]:
    errors: list[FieldError] = []
    text = {k: (raw.get(k) or "").strip() for k in _REQUIRED}
    phone = text["phone"]
    if not phone.isdigit() or not 5 <= len(phone) <= 20:
        errors.append(FieldError("phone", "required" if not phone else "invalid", row=number))
    for field, limit in (("insurer", 100), ("policy_number", 64)):
        if not text[field]:
            errors.append(FieldError(field, "required", row=number))
        elif len(text[field]) > limit:
            errors.append(FieldError(field, "too_long", row=number))
    fen = _fen(text["sum_insured"], number, errors)
    start = _date(text["start_date"], "start_date", number, errors)
    end = _date(text["end_date"], "end_date", number, errors)
    if start and end and end < start:
        errors.append(FieldError("end_date", "too_small", row=number))
    if errors or fen is None or start is None or end is None:
        return None, errors
    return PolicyRow(number, phone, text["insurer"], text["policy_number"], fen, start, end), []


def read_policies(data: bytes | str) -> tuple[list[PolicyRow], list[FieldError], Table]:
    """Parse a CSV or XLSX (header row first; row numbers count the header as row 1).

    Columns: phone/手机号, insurer/保险公司, policy_number/保单号, sum_insured/保险金额 (yuan),
    start_date/起保日期, end_date/止保日期 (YYYY-MM-DD); name/姓名 is accepted and ignored.
    """
    table = read_table(data, HEADERS, _REQUIRED)
    if table.errors:
        return [], table.errors, table
    rows: list[PolicyRow] = []
    errors: list[FieldError] = []
    seen: set[tuple[str, str, str, dt.date]] = set()
    for number, raw in table.rows:
        row, row_errors = _read_row(number, raw)
        errors += row_errors
        if row is None:
            continue
        key = (row.phone, row.insurer, row.policy_number, row.start_date)
        if key in seen:
            errors.append(FieldError("policy_number", "duplicate", row=number))
            continue
        seen.add(key)
        rows.append(row)
    return rows, errors, table


def parse_policies_csv(data: bytes | str) -> tuple[list[PolicyRow], list[FieldError]]:
    """The good rows and every row's errors (see ``read_policies``)."""
    rows, errors, table = read_policies(data)
    return rows, table.named(errors)
