"""Exports for finance: a month's approved claims as XLSX (with totals per township) and CSV.

Amounts are kept in fen until the cell is written: yuan with two decimals, totals summed in
fen so that they equal the rows to the fen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import groupby
from typing import TYPE_CHECKING

from backend.accounts import services as accounts
from backend.claims.records import ClaimRow, claim_rows
from backend.claims.tables import Claim
from backend.core.errors import Forbidden, NotFound
from backend.core.export import Money, Sheet
from backend.core.export import csv_bytes as csv_bytes_of
from backend.core.export import xlsx_bytes as xlsx_bytes_of
from backend.core.money import fen_to_yuan
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
            Money(self.payable_fen),
            _STATE[self.state],
            self.payment_reference,
            self.claim_id,
            self.corrects_id,
        ]


def _detail(r: ClaimRow) -> str:
    if r["kind"] == "subsidy":
        return f"驻村 {r['village_days']} 天 × {fen_to_yuan(r['rate_fen'])} 元"
    mode, road_m = r["mode"], r["road_m"]  # a trip has its mode; a car trip its distance
    if mode == "car" and road_m is not None:
        return (
            f"{r['date']:%Y-%m-%d} 往返 自驾 单程 {road_m / 1000:g} 公里 × 2 × "
            f"{fen_to_yuan(r['rate_fen'])} 元/公里"
        )
    return f"{r['date']:%Y-%m-%d} 往返 {_MODE[mode or '']}"


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
    rows = claim_rows(await Claim.select().where(
        Claim.county_code.is_in(sorted(counties)),
        Claim.month == month,
        Claim.state.is_in(list(EXPORTED_STATES)),
    ))
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


def _detail_sheet(rows: list[ExportRow]) -> tuple[Sheet, list[tuple[str, str, int, int]]]:
    """Sheet 明细: every claim, a 小计 row after each township and 合计 at the end; and the
    townships' totals (code, name, claims, fen)."""
    cells: list[list[object]] = []
    bold: set[int] = set()
    totals: list[tuple[str, str, int, int]] = []
    for code, group in groupby(rows, key=lambda r: r.township_code):
        items = list(group)
        subtotal = sum(r.payable_fen for r in items)
        cells += [r.cells() for r in items]
        bold.add(len(cells))
        cells.append([code, f"{items[0].township_name} 小计", *[None] * 5, Money(subtotal)])
        totals.append((code, items[0].township_name, len(items), subtotal))
    bold.add(len(cells))
    cells.append([None, "合计", *[None] * 5, Money(sum(t[3] for t in totals))])
    widths = (12, 14, 14, 10, 12, 10, 44, 14, 10, 18, 38, 38)
    return Sheet("明细", HEADERS, cells, bold_rows=frozenset(bold), widths=widths), totals


def xlsx_bytes(rows: list[ExportRow], month: dt.date) -> bytes:
    """Sheet 明细 (see ``_detail_sheet``) and sheet 汇总: one row per township and the total.
    Amounts are numbers in yuan shown with two decimals."""
    detail, totals = _detail_sheet(rows)
    summary = [[code, name, count, Money(fen)] for code, name, count, fen in totals]
    summary.append([None, "合计", sum(t[2] for t in totals), Money(sum(t[3] for t in totals))])
    return xlsx_bytes_of(
        [
            detail,
            Sheet("汇总", ["乡镇代码", "乡镇", "笔数", "金额（元）"], summary,
                  bold_rows=frozenset({len(summary) - 1}), widths=(None, 16, None, 16)),
        ],
        title=f"{month:%Y年%m月} 驻村干部补贴与交通费（已审核）",
    )


def csv_bytes(rows: list[ExportRow]) -> bytes:
    """Every claim, one row each, amounts as yuan text with two decimals; UTF-8 with a BOM so
    that Excel opens the Chinese headers."""
    return csv_bytes_of(Sheet("明细", HEADERS, [r.cells() for r in rows]))
