"""Money is integer fen (分) everywhere; yuan with two decimals only for people."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

__all__ = ["YUAN_FORMAT", "fen_to_yuan", "yuan_amount", "yuan_to_fen"]

#: How spreadsheets show a yuan amount (two decimals, thousands grouped).
YUAN_FORMAT = "#,##0.00"


def fen_to_yuan(fen: int) -> str:
    """Show fen as yuan with two decimals.

    >>> fen_to_yuan(6000)
    '60.00'
    >>> fen_to_yuan(-5)
    '-0.05'
    """
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def yuan_amount(fen: int) -> Decimal:
    """Fen as an exact yuan number, for spreadsheet cells (Excel sums numbers, not text).

    >>> yuan_amount(6005)
    Decimal('60.05')
    """
    return Decimal(fen) / 100


def yuan_to_fen(yuan: str | int | Decimal) -> int:
    """Parse yuan text (at most two decimals) into fen, exactly.

    >>> yuan_to_fen("1.80")
    180
    """
    value = Decimal(str(yuan))
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("at most two decimals / 最多两位小数")
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
