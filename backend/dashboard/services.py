"""Dashboard figures composed from the capabilities' own summaries (never their tables)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from backend.accounts import services as accounts
from backend.claims import insurance
from backend.claims import queries as claims
from backend.core.errors import Forbidden
from backend.core.export import Money, Sheet, csv_bytes, xlsx_bytes
from backend.core.validation import parse_month
from backend.dashboard.messages import ClaimStates, Columns, Words, header
from backend.dashboard.schemas import DashboardOut, TrendPoint, UnitRow
from backend.fieldwork import rules, summary
from backend.geo import services as geo
from backend.policy import services as policy

if TYPE_CHECKING:
    from backend.core.scope import Scope

__all__ = ["EXPORT_COLUMNS", "dashboard", "export_csv", "export_xlsx"]


def _month(text: str | None) -> dt.date:
    if not text:
        return dt.date.today().replace(day=1)
    return parse_month(text)


def _total(rows: list[UnitRow], code: str, name: str, level: str, tier: str = "ordinary",
           tier_label: str = "") -> UnitRow:
    """The sum of ``rows`` as one row (a township, or the whole scope)."""
    kinds: Counter[str] = Counter()
    money: dict[str, dict[str, int]] = {}
    for r in rows:
        kinds.update(r.logs_by_kind)
        for state, figures in r.claims.items():
            bucket = money.setdefault(state, {"count": 0, "fen": 0})
            bucket["count"] += figures["count"]
            bucket["fen"] += figures["fen"]

    def total(attribute: str) -> int:
        return sum(getattr(r, attribute) for r in rows)

    return UnitRow(
        code=code, name=name, level=level, township_code=code, township_name=name, tier=tier,
        tier_label=tier_label, lat=None, lon=None, cadres=total("cadres"),
        confirmed_days=total("confirmed_days"), minimum_days=total("minimum_days"),
        logs=total("logs"), logs_by_kind=dict(sorted(kinds.items())),
        households_visited=total("households_visited"), flagged_logs=total("flagged_logs"),
        sheets_submitted=total("sheets_submitted"), sheets_confirmed=total("sheets_confirmed"),
        claims=dict(sorted(money.items())), insurance_gaps=total("insurance_gaps"),
    )


def _months_back(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 - (count - 1)
    return dt.date(index // 12, index % 12 + 1, 1)


async def dashboard(scope: Scope, month_text: str | None, tier: str | None,
                    trend_months: int = 12) -> DashboardOut:
    """Per village and township of the caller's scope, for one month, plus a monthly trend."""
    if not scope.admin_counties and not scope.review_villages:
        raise Forbidden()
    month = _month(month_text)
    end = rules.days_of_month(month)[-1]
    villages = [v for v in await geo.list_divisions(scope, None, "village")
                if (v.code in scope.review_villages or v.county_code in scope.admin_counties)
                and (tier is None or v.tier == tier)]
    codes = [v.code for v in villages]
    townships = {t.code: t for t in await geo.list_divisions(scope, None, "township")}
    posted = await accounts.posted_cadres(scope, month, end)
    cadres: Counter[str] = Counter()
    for c in {(c.cadre_id, c.village_code) for c in posted}:
        cadres[c[1]] += 1
    # With no tier chosen, an admin's counties are asked for whole: read by county alone.
    figures = await summary.village_figures(
        codes, month, end, _months_back(month, trend_months),
        whole_counties=scope.admin_counties if tier is None else ())
    stats = figures.villages
    money = await claims.village_claim_totals(codes, month)
    gaps: Counter[str] = Counter(g.village_code for g in
                                 await insurance.coverage_gaps(scope, None, month, end))
    minimum = {c: (await policy.policy_for(c, month.year)).min_days_month
               for c in {v.county_code for v in villages if v.county_code}}
    rows = []
    for v in villages:
        s = stats[v.code]
        t = townships.get(v.parent_code or "")
        rows.append(UnitRow(
            code=v.code, name=v.name, level="village", township_code=v.parent_code or "",
            township_name=t.name if t else "", tier=v.tier, tier_label=v.tier_label,
            lat=v.fence.center_lat if v.fence else None,
            lon=v.fence.center_lon if v.fence else None, cadres=cadres[v.code],
            confirmed_days=s.confirmed_days,
            minimum_days=cadres[v.code] * minimum[v.county_code or ""], logs=s.logs,
            logs_by_kind=dict(sorted(s.logs_by_kind.items())),
            households_visited=s.households_visited, flagged_logs=s.flagged_logs,
            sheets_submitted=s.sheets_submitted, sheets_confirmed=s.sheets_confirmed,
            claims={state: {"count": n, "fen": fen} for state, (n, fen) in
                    sorted(money[v.code].items())},
            insurance_gaps=gaps[v.code],
        ))
    by_township: dict[str, list[UnitRow]] = defaultdict(list)
    for r in rows:
        by_township[r.township_code].append(r)
    township_rows = []
    for code in sorted(by_township):
        t = townships.get(code)
        township_rows.append(_total(by_township[code], code, t.name if t else code, "township",
                                    t.tier if t else "ordinary", t.tier_label if t else ""))
    label = ",".join(sorted(scope.admin_counties) or sorted(scope.review_townships))
    return DashboardOut(
        month=month.strftime("%Y-%m"), scope=label, villages=rows, townships=township_rows,
        totals=_total(rows, label, header(Words.total), "total"),
        trend=[TrendPoint(month=m, **v) for m, v in figures.trend.items()],
    )


#: (header, attribute) of every exported column, Chinese first.
EXPORT_COLUMNS = [(header(m), attr) for attr, m in Columns.entries().items()]
#: Claim states exported as "count / yuan" columns, in the order of their life.
EXPORT_CLAIM_STATES = [(header(m), state) for state, m in ClaimStates.entries().items()]


def _headers() -> list[str]:
    return [h for h, _ in EXPORT_COLUMNS] + [
        f"{h} {header(unit)}" for h, _ in EXPORT_CLAIM_STATES
        for unit in (Words.claims, Words.yuan)]


def _cells(row: UnitRow) -> list[object]:
    cells: list[object] = [getattr(row, a) for _, a in EXPORT_COLUMNS]
    for _, state in EXPORT_CLAIM_STATES:
        figures = row.claims.get(state, {"count": 0, "fen": 0})
        cells += [figures["count"], Money(figures["fen"])]
    return cells


def _sheet(d: DashboardOut, level: str) -> Sheet:
    rows = d.townships if level == "township" else d.villages
    title = f"{'村' if level == 'village' else '乡镇'} {d.month}"
    return Sheet(title, _headers(), [_cells(row) for row in [*rows, d.totals]])


def export_csv(d: DashboardOut, level: str) -> bytes:
    """One table (villages or townships) and the total, amounts as yuan text."""
    return csv_bytes(_sheet(d, level))


def export_xlsx(d: DashboardOut) -> bytes:
    """Villages, townships (each with the total) and the monthly trend, amounts as numbers."""
    trend = Sheet(
        header(Words.trend),
        [header(m) for m in (Words.month, Words.trend_logs, Words.trend_flagged,
                             Words.trend_confirmed_days)],
        [[p.month, p.logs, p.flagged_logs, p.confirmed_days] for p in d.trend],
    )
    return xlsx_bytes([_sheet(d, "village"), _sheet(d, "township"), trend])
