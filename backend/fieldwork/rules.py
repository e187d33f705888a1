"""Presence rules as pure functions: drafting a month from logs, counting days, leave routing."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "DEFAULT_LEAVE_LIMIT_DAYS",
    "DayCounts",
    "DayDraft",
    "count_days",
    "days_of_month",
    "draft_month",
    "leave_days",
    "leave_decider",
    "month_start",
]

#: The township approves leave up to this many days when no limit is given; the county's
#: own limit comes from its policy settings (``backend/policy``).
DEFAULT_LEAVE_LIMIT_DAYS = 3
#: Days that count as village days: in the village, or on official business outside.
VILLAGE_STATUSES = frozenset({"in_village", "official_business"})


@dataclass(frozen=True)
class DayDraft:
    date: dt.date
    status: str | None
    source: str  # "stated" by the cadre, "drafted" from logs or leave, or "none"
    logs: int
    note: str = ""


@dataclass(frozen=True)
class DayCounts:
    village_days: int
    leave_days: int
    away_days: int


def month_start(value: dt.date) -> dt.date:
    return value.replace(day=1)


def days_of_month(month: dt.date) -> list[dt.date]:
    last = calendar.monthrange(month.year, month.month)[1]
    return [month.replace(day=d) for d in range(1, last + 1)]


def draft_month(
    month: dt.date,
    stated: Mapping[dt.date, tuple[str, str]],
    logs_per_day: Mapping[dt.date, int],
    approved_leave: Iterable[dt.date] = (),
) -> list[DayDraft]:
    """Each day of the month: what the cadre stated, else drafted from approved leave or logs.

    A day with a log is drafted as in the village; the cadre corrects it (official business,
    away) where that is wrong. Data entered once (the logs) is reused, not asked again.
    """
    leave = set(approved_leave)
    out = []
    for day in days_of_month(month):
        logs = logs_per_day.get(day, 0)
        if day in stated:
            status, note = stated[day]
            out.append(DayDraft(day, status, "stated", logs, note))
        elif day in leave:
            out.append(DayDraft(day, "leave", "drafted", logs))
        elif logs:
            out.append(DayDraft(day, "in_village", "drafted", logs))
        else:
            out.append(DayDraft(day, None, "none", 0))
    return out


def count_days(days: Iterable[DayDraft]) -> DayCounts:
    """Village days (in the village or on official business), leave days and away days."""
    village = leave = away = 0
    for d in days:
        village += d.status in VILLAGE_STATUSES
        leave += d.status == "leave"
        away += d.status == "away"
    return DayCounts(village, leave, away)


def leave_days(start: dt.date, end: dt.date) -> int:
    """Calendar days of a leave, both ends included."""
    return (end - start).days + 1


def leave_decider(days: int, township_limit: int = DEFAULT_LEAVE_LIMIT_DAYS) -> str:
    """Up to the limit the township decides, above it the county (a county setting)."""
    return "township" if days <= township_limit else "county"
