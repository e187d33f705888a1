"""Money, months and ranges in notices: one format per language."""

from __future__ import annotations

from datetime import date

from backend.core.formats import date_label, date_range, money, month_label


def test_money_has_the_sign_separators_and_two_decimals():
    assert money(150_000) == "¥1,500.00"
    assert money(5) == "¥0.05"
    assert money(-123_456_789) == "-¥1,234,567.89"


def test_months_days_and_ranges_carry_the_year():
    assert month_label(date(2026, 11, 3)) == ("2026年11月", "November 2026")
    assert date_label(date(2026, 4, 1)) == ("2026年4月1日", "1 April 2026")
    assert date_range(date(2026, 4, 1), date(2026, 4, 30)) == (
        "2026年4月1日至4月30日",
        "1 April – 30 April 2026",
    )
    assert date_range(date(2026, 12, 20), date(2027, 1, 10))[0] == "2026年12月20日至2027年1月10日"
