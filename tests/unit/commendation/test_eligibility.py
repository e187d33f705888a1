"""Eligibility rules."""

from __future__ import annotations

import datetime as dt

from backend.commendation.eligibility import judge, posted_days, required_days

D = dt.date


def test_full_year_needs_200_days_and_prorates_partial_postings():
    assert posted_days(2026, [(D(2025, 1, 1), None)]) == 365
    assert required_days(2026, 365) == 200
    assert posted_days(2026, [(D(2026, 7, 1), None)]) == 184
    assert required_days(2026, 184) == 101
    # Overlapping postings count once.
    assert posted_days(2026, [(D(2026, 1, 1), D(2026, 6, 30)), (D(2026, 6, 1), None)]) == 365


def test_verdicts_and_reasons():
    ok = judge(2026, [(D(2025, 1, 1), None)], confirmed=200, unexcused_absences=0)
    assert ok.eligible and "200" in ok.reasons[0]
    short = judge(2026, [(D(2025, 1, 1), None)], confirmed=150, unexcused_absences=0)
    assert not short.eligible and "少于应驻 200 天" in short.reasons[0]
    absent = judge(2026, [(D(2025, 1, 1), None)], confirmed=250, unexcused_absences=1)
    assert not absent.eligible and "无故脱岗" in absent.reasons[0]
    late = judge(2026, [(D(2026, 10, 1), None)], confirmed=60, unexcused_absences=0)
    assert not late.eligible and "不足 183 天" in late.reasons[0]
    assert all(" / " in r for v in (ok, short, absent, late) for r in v.reasons)
