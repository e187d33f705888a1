"""Eligibility for the year's excellent grades and commendations, as pure functions."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from backend.commendation.messages import Reasons

__all__ = ["DEFAULT_MIN_DAYS_YEAR", "DEFAULT_MIN_POSTED_DAYS", "Verdict", "judge",
           "posted_days", "required_days"]

#: domain.md defaults: 200 village days a year; a posting must cover at least half a year.
DEFAULT_MIN_DAYS_YEAR = 200
DEFAULT_MIN_POSTED_DAYS = 183


def _days_in_year(year: int) -> int:
    return (dt.date(year, 12, 31) - dt.date(year, 1, 1)).days + 1


def posted_days(year: int, periods: Sequence[tuple[dt.date, dt.date | None]]) -> int:
    """Calendar days of ``year`` covered by any of the posting periods (overlaps once)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    covered: set[int] = set()
    for start, end in periods:
        a, b = max(start, first), min(end or last, last)
        covered.update(range(a.toordinal(), b.toordinal() + 1))
    return len(covered)


def required_days(year: int, posted: int, annual_minimum: int = DEFAULT_MIN_DAYS_YEAR) -> int:
    """The year's minimum prorated to the days posted, rounded up.

    >>> required_days(2026, 365)
    200
    >>> required_days(2026, 183)
    101
    """
    return math.ceil(annual_minimum * posted / _days_in_year(year))


@dataclass(frozen=True)
class Verdict:
    eligible: bool
    confirmed_days: int
    required_days: int
    posted_days: int
    reasons: tuple[str, ...]


def judge(year: int, periods: Sequence[tuple[dt.date, dt.date | None]], confirmed: int,
          unexcused_absences: int, *, annual_minimum: int = DEFAULT_MIN_DAYS_YEAR,
          min_posted_days: int = DEFAULT_MIN_POSTED_DAYS) -> Verdict:
    """Eligible when posted long enough, enough confirmed village days (prorated), and no
    unexcused absence found by an inspection. Every reason is given, in Chinese and English."""
    posted = posted_days(year, periods)
    required = required_days(year, posted, annual_minimum)
    reasons = []
    if posted < min_posted_days:
        reasons.append(Reasons.posted_too_short.fill(posted=posted,
                                                     min_posted_days=min_posted_days))
    if confirmed < required:
        reasons.append(Reasons.too_few_days.fill(confirmed=confirmed, required=required))
    if unexcused_absences:
        reasons.append(Reasons.absences.fill(count=unexcused_absences))
    eligible = not reasons
    if eligible:
        reasons.append(Reasons.enough_days.fill(confirmed=confirmed, required=required))
    return Verdict(eligible, confirmed, required, posted, tuple(r.both() for r in reasons))
