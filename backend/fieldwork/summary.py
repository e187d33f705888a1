"""What other capabilities read of field work: confirmed days and a cadre's year, as values.

Commendation (eligibility, dossiers) and dashboards read field work only through here.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field

from backend.core.canonical import loads
from backend.fieldwork.tables import Household, LeaveRequest, PresenceSheet, Talk, WorkLog

__all__ = ["CadreYear", "cadre_year", "confirmed_days"]


async def confirmed_days(cadre_ids: list[uuid.UUID], year: int) -> dict[uuid.UUID, int]:
    """Village days of each cadre's months confirmed by the township in ``year``."""
    if not cadre_ids:
        return {}
    rows = await PresenceSheet.select(PresenceSheet.owner_id, PresenceSheet.village_days).where(
        PresenceSheet.owner_id.is_in(cadre_ids), PresenceSheet.state == "confirmed",
        PresenceSheet.month >= dt.date(year, 1, 1), PresenceSheet.month <= dt.date(year, 12, 1))
    totals: dict[uuid.UUID, int] = dict.fromkeys(cadre_ids, 0)
    for r in rows:
        totals[r["owner_id"]] += r["village_days"]
    return totals


@dataclass
class CadreYear:
    """A cadre's recorded year, assembled from what was already entered (never typed again)."""

    confirmed_by_month: dict[str, int] = field(default_factory=dict)
    logs_by_kind: dict[str, int] = field(default_factory=dict)
    households_visited: int = 0
    households_in_village: int = 0
    photos: int = 0
    flagged_logs: int = 0
    flags_by_code: dict[str, int] = field(default_factory=dict)
    talks: list[tuple[dt.date, str]] = field(default_factory=list)
    approved_leave: list[tuple[dt.date, dt.date, int]] = field(default_factory=list)

    @property
    def confirmed_days(self) -> int:
        return sum(self.confirmed_by_month.values())

    @property
    def coverage(self) -> float:
        """Share of the village's households visited at least once."""
        if not self.households_in_village:
            return 0.0
        return self.households_visited / self.households_in_village


async def cadre_year(cadre_id: uuid.UUID, village_code: str, year: int) -> CadreYear:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    out = CadreYear()
    for r in await PresenceSheet.select(PresenceSheet.month, PresenceSheet.village_days).where(
        PresenceSheet.owner_id == cadre_id, PresenceSheet.state == "confirmed",
        PresenceSheet.month >= start, PresenceSheet.month <= end,
    ).order_by(PresenceSheet.month):
        out.confirmed_by_month[r["month"].strftime("%Y-%m")] = r["village_days"]
    logs = await WorkLog.select(WorkLog.kind, WorkLog.household_ids, WorkLog.evidence,
                                WorkLog.flags).where(
        WorkLog.owner_id == cadre_id, WorkLog.date >= start, WorkLog.date <= end,
        WorkLog.deleted.eq(False))
    kinds: Counter[str] = Counter()
    codes: Counter[str] = Counter()
    visited: set[str] = set()
    for log in logs:
        kinds[log["kind"]] += 1
        visited.update(loads(log["household_ids"]) or [])
        out.photos += len(loads(log["evidence"]) or [])
        flags = loads(log["flags"]) or []
        out.flagged_logs += bool(flags)
        codes.update(f["code"] for f in flags)
    out.logs_by_kind = dict(sorted(kinds.items()))
    out.flags_by_code = dict(sorted(codes.items()))
    village_households = {str(r["id"]) for r in await Household.select(Household.id).where(
        Household.village_code == village_code, Household.deleted.eq(False))}
    out.households_in_village = len(village_households)
    out.households_visited = len(visited & village_households)
    out.talks = [(r["date"], r["summary"]) for r in await Talk.select(Talk.date, Talk.summary)
                 .where(Talk.cadre_id == cadre_id, Talk.date >= start, Talk.date <= end)
                 .order_by(Talk.date)]
    out.approved_leave = [(r["start_date"], r["end_date"], r["days"]) for r in
                          await LeaveRequest.select(LeaveRequest.start_date,
                                                    LeaveRequest.end_date, LeaveRequest.days)
                          .where(LeaveRequest.owner_id == cadre_id,
                                 LeaveRequest.state == "approved",
                                 LeaveRequest.start_date <= end, LeaveRequest.end_date >= start)
                          .order_by(LeaveRequest.start_date)]
    return out
