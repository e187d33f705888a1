"""What crosses the wire for dashboards."""

from __future__ import annotations

from pydantic import BaseModel

__all__ = ["DashboardOut", "TrendPoint", "UnitRow"]


class UnitRow(BaseModel):
    """One village or township. Lists sort by code: there is no ranking of any kind."""

    code: str
    name: str
    level: str
    township_code: str
    township_name: str
    tier: str
    tier_label: str
    lat: float | None
    lon: float | None
    cadres: int
    confirmed_days: int
    minimum_days: int
    logs: int
    logs_by_kind: dict[str, int]
    households_visited: int
    flagged_logs: int
    sheets_submitted: int
    sheets_confirmed: int
    #: state → {"count", "fen"} of the month's claims (subsidy and travel).
    claims: dict[str, dict[str, int]] = {}
    #: Cadres whose posting is not covered by accident insurance on some day of the month.
    insurance_gaps: int = 0


class TrendPoint(BaseModel):
    month: str
    logs: int
    flagged_logs: int
    confirmed_days: int


class DashboardOut(BaseModel):
    month: str
    scope: str
    villages: list[UnitRow]
    townships: list[UnitRow]
    totals: UnitRow
    trend: list[TrendPoint]
