"""Money, months and date ranges as people read them, one format per language.

The same formats as the PWA's ``src/format.ts``: ``¥1,500.00`` in both languages,
``2026年11月`` / ``November 2026``, ``2026年4月1日至4月30日`` / ``1 April – 30 April 2026``.
Texts written server-side (inbox notices) are ``(zh, en)`` pairs.
"""

from __future__ import annotations

from datetime import date

__all__ = ["date_label", "date_range", "money", "month_label"]

_EN_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


def money(fen: int) -> str:
    """Fen as yuan with the sign, thousands separators and two decimals.

    >>> money(150000)
    '¥1,500.00'
    >>> money(-5)
    '-¥0.05'
    """
    whole, cents = divmod(abs(fen), 100)
    return f"{'-' if fen < 0 else ''}¥{whole:,}.{cents:02d}"


def month_label(d: date) -> tuple[str, str]:
    """The month of ``d``.

    >>> month_label(date(2026, 11, 3))
    ('2026年11月', 'November 2026')
    """
    return f"{d.year}年{d.month}月", f"{_EN_MONTHS[d.month - 1]} {d.year}"


def date_label(d: date) -> tuple[str, str]:
    """One day.

    >>> date_label(date(2026, 11, 3))
    ('2026年11月3日', '3 November 2026')
    """
    return f"{d.year}年{d.month}月{d.day}日", f"{_en_day(d)} {d.year}"


def _en_day(d: date) -> str:
    return f"{d.day} {_EN_MONTHS[d.month - 1]}"


def date_range(start: date, end: date) -> tuple[str, str]:
    """From ``start`` to ``end`` with the year, said once when both share it.

    >>> date_range(date(2026, 4, 1), date(2026, 4, 30))
    ('2026年4月1日至4月30日', '1 April – 30 April 2026')
    >>> date_range(date(2026, 12, 20), date(2027, 1, 10))
    ('2026年12月20日至2027年1月10日', '20 December 2026 – 10 January 2027')
    """
    zh_start = f"{start.year}年{start.month}月{start.day}日"
    if start.year == end.year:
        return (
            f"{zh_start}至{end.month}月{end.day}日",
            f"{_en_day(start)} – {_en_day(end)} {end.year}",
        )
    return (
        f"{zh_start}至{end.year}年{end.month}月{end.day}日",
        f"{_en_day(start)} {start.year} – {_en_day(end)} {end.year}",
    )
