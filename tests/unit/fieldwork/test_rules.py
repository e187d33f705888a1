"""Presence drafting and counting."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from backend.fieldwork.rules import (
    count_days,
    days_of_month,
    draft_month,
    leave_days,
    leave_decider,
)

MARCH = dt.date(2026, 3, 1)


def test_stated_beats_leave_beats_logs():
    d = dt.date
    days = draft_month(
        MARCH,
        stated={d(2026, 3, 2): ("official_business", "县里开会"), d(2026, 3, 5): ("away", "")},
        logs_per_day={d(2026, 3, 2): 1, d(2026, 3, 3): 2, d(2026, 3, 5): 1, d(2026, 3, 9): 1},
        approved_leave=[d(2026, 3, 9), d(2026, 3, 10)],
    )
    by_day = {x.date.day: (x.status, x.source) for x in days}
    assert by_day[2] == ("official_business", "stated")
    assert by_day[3] == ("in_village", "drafted")
    assert by_day[5] == ("away", "stated")
    assert by_day[9] == ("leave", "drafted") and by_day[10] == ("leave", "drafted")
    assert by_day[4] == (None, "none")
    assert len(days) == 31
    counts = count_days(days)
    assert (counts.village_days, counts.leave_days, counts.away_days) == (2, 2, 1)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 1)))
def test_days_of_month_are_the_calendar(day):
    month = day.replace(day=1)
    days = days_of_month(month)
    assert days[0] == month and (days[-1] + dt.timedelta(days=1)).day == 1
    assert len(draft_month(month, {}, {})) == len(days)


def test_leave_routing():
    assert leave_days(dt.date(2026, 3, 1), dt.date(2026, 3, 3)) == 3
    assert leave_decider(3) == "township" and leave_decider(4) == "county"
    assert leave_decider(5, township_limit=5) == "township"
