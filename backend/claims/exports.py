"""Exports for finance: a month's approved claims as XLSX (with totals per township) and CSV.

Amounts are kept in fen until the cell is written: yuan with two decimals, totals summed in
fen so that they equal the rows to the fen.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from itertools import groupby
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Font

from backend.accounts import services as accounts
from backend.claims.tables import Claim
from backend.core.errors import Forbidden, NotFound
from backend.core.money import YUAN_FORMAT, fen_to_yuan, yuan_amount
from backend.geo import services as geo

if TYPE_CHECKING:
    from backend.core.scope import Scope

__all__ = ["HEADERS", "ExportRow", "approved_rows", "csv_bytes", "xlsx_bytes"]

#: Claims finance pays: approved by the county, and those already paid.
EXPORTED_STATES = ("county_approved", "paid")
HEADERS = [
    "乡镇代码",
    "乡镇",
    "村",
    "姓名",
    "类别",
    "所属月份",
    "明细",
    "金额（元）",
    "状态",
    "支付凭证号",
    "申请编号",
    "更正的申请编号",
]
_KIND = {"subsidy": "生活补贴", "travel": "往返交通费"}
_STATE = {"county_approved": "县已审核", "paid": "已支付"}
_MODE = {"public": "公共交通", "car": "自驾"}
_AMOUNT_COLUMN = HEADERS.index("金额（元）") + 1


@dataclass(frozen=True)
class ExportRow:
    township_code: str
    township_name: str
    village_name: str
    cadre_name: str
    kind: str
    month: str
    detail: str
    payable_fen: int
    state: str
    payment_reference: str
    claim_id: str
    corrects_id: str

    def cells(self) -> list[object]:
        return [
            self.township_code,
            self.township_name,
            self.village_name,
            self.cadre_name,
            _KIND[self.kind],
            self.month,
            self.detail,
            self.payable_fen,
            _STATE[self.state],
            self.payment_reference,
            self.claim_id,
            self.corrects_id,
        ]


def _detail(r: dict) -> str:
    if r["kind"] == "subsidy":
        return f"驻村 {r['village_days']} 天 × {fen_to_yuan(r['rate_fen'])} 元"
    if r["mode"] == "car":
        return (
            f"{r['date']:%Y-%m-%d} 往返 自驾 单程 {r['road_m'] / 1000:g} 公里 × 2 × "
            f"{fen_to_yuan(r['rate_fen'])} 元/公里"
        )
    return f"{r['date']:%Y-%m-%d} 往返 {_MODE[r['mode']]}"


async def approved_rows(scope: Scope, month: dt.date, county_code: str | None) -> list[ExportRow]:
    """The month's county-approved and paid claims of the caller's counties (finance or county
    admin), by township, village, name and date."""
    counties = scope.finance_counties | scope.admin_counties
    if not counties:
        raise Forbidden()
    if county_code is not None:
        if county_code not in counties:
            raise NotFound("unknown_division", code=county_code)
        counties = frozenset({county_code})
    rows = await Claim.select().where(
        Claim.county_code.is_in(sorted(counties)),
        Claim.month == month,
        Claim.state.is_in(list(EXPORTED_STATES)),
    )
    names = await accounts.user_names({r["owner_id"] for r in rows})
    villages = await geo.villages({r["village_code"] for r in rows})
    townships = {d.code: d.name for d in await geo.list_divisions(scope, None, "township")}
    out = [
        ExportRow(
            township_code=r["township_code"],
            township_name=townships.get(r["township_code"], r["township_code"]),
            village_name=villages[r["village_code"]].name
            if r["village_code"] in villages
            else r["village_code"],
            cadre_name=names.get(r["owner_id"], ""),
            kind=r["kind"],
            month=r["month"].strftime("%Y-%m"),
            detail=_detail(r),
            payable_fen=r["payable_fen"],
            state=r["state"],
            payment_reference=r["payment_reference"] or "",
            claim_id=str(r["id"]),
            corrects_id=str(r["corrects_id"]) if r["corrects_id"] else "",
        )
        for r in sorted(
            rows,
            key=lambda r: (
                r["township_code"],
                r["village_code"],
                names.get(r["owner_id"], ""),
                r["kind"],
                r["date"] or r["month"],
            ),
        )
    ]
    return out


def xlsx_bytes(rows: list[ExportRow], month: dt.date) -> bytes:
    """Sheet 明细: every claim, a 小计 row after each township and 合计 at the end; sheet 汇总:
    one row per township and the total. Amounts are numbers in yuan shown with two decimals."""
    book = Workbook()
    detail = book.active
    detail.title = "明细"
    detail.append(HEADERS)
    bold = Font(bold=True)
    for cell in detail[1]:
        cell.font = bold
    totals: list[tuple[str, str, int, int]] = []
    for code, group in groupby(rows, key=lambda r: r.township_code):
        items = list(group)
        subtotal = sum(r.payable_fen for r in items)
        for r in items:
            cells = r.cells()
            cells[_AMOUNT_COLUMN - 1] = yuan_amount(r.payable_fen)
            detail.append(cells)
        detail.append([code, f"{items[0].township_name} 小计", *[None] * 5, yuan_amount(subtotal)])
        for cell in detail[detail.max_row]:
            cell.font = bold
        totals.append((code, items[0].township_name, len(items), subtotal))
    grand = sum(t[3] for t in totals)
    detail.append([None, "合计", *[None] * 5, yuan_amount(grand)])
    for cell in detail[detail.max_row]:
        cell.font = bold
    for row in detail.iter_rows(min_row=2, min_col=_AMOUNT_COLUMN, max_col=_AMOUNT_COLUMN):
        row[0].number_format = YUAN_FORMAT
    widths = (12, 14, 14, 10, 12, 10, 44, 14, 10, 18, 38, 38)
    for column, width in zip("ABCDEFGHIJKL", widths, strict=True):
        detail.column_dimensions[column].width = width

    summary = book.create_sheet("汇总")
    summary.append(["乡镇代码", "乡镇", "笔数", "金额（元）"])
    for code, name, count, fen in totals:
        summary.append([code, name, count, yuan_amount(fen)])
    summary.append([None, "合计", sum(t[2] for t in totals), yuan_amount(grand)])
    for row in summary.iter_rows(min_row=2, min_col=4, max_col=4):
        row[0].number_format = YUAN_FORMAT
    for cell in [*summary[1], *summary[summary.max_row]]:
        cell.font = bold
    summary.column_dimensions["B"].width = 16
    summary.column_dimensions["D"].width = 16
    book.properties.title = f"{month:%Y年%m月} 驻村干部补贴与交通费（已审核）"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[ExportRow]) -> bytes:
    """Every claim, one row each, amounts as yuan text with two decimals; UTF-8 with a BOM so
    that Excel opens the Chinese headers."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for r in rows:
        cells = r.cells()
        cells[_AMOUNT_COLUMN - 1] = fen_to_yuan(r.payable_fen)
        writer.writerow(cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
