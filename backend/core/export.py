"""Spreadsheet downloads: one :class:`Sheet` written as XLSX (typed cells) or as CSV (UTF-8 with
a BOM), and one download response. Every export and template of Zhucun goes through here.

Cells are plain values: text, whole numbers, :class:`~decimal.Decimal`, dates and times, and
:class:`Money` for an amount in fen. In XLSX a number stays a number, a date a date and money a
yuan number shown with two decimals, so that Excel and WPS sort and sum them; in CSV the same
cells are written as text (money as yuan with two decimals, dates as ``YYYY-MM-DD``).

Example:
    >>> sheet = Sheet("明细", ["姓名", "金额（元）"], [["张三", Money(132_000)]])
    >>> csv_bytes(sheet).decode("utf-8-sig")
    '姓名,金额（元）\\r\\n张三,1320.00\\r\\n'
    >>> content_disposition("村.csv", "village.csv")
    'attachment; filename="village.csv"; filename*=UTF-8\\'\\'%E6%9D%91.csv'
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from litestar import Response

from backend.core.clock import to_local
from backend.core.money import YUAN_FORMAT, fen_to_yuan, yuan_amount

__all__ = [
    "CSV",
    "XLSX",
    "Money",
    "Sheet",
    "content_disposition",
    "csv_bytes",
    "download",
    "xlsx_bytes",
]

#: The media type of an XLSX workbook.
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The media type of the CSV downloads (always UTF-8, with a BOM).
#: Litestar adds ``; charset=utf-8`` itself to every ``text/`` type: naming it here sent it twice.
CSV = "text/csv"
_DATE_FORMAT = "yyyy-mm-dd"
_DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


@dataclass(frozen=True)
class Money:
    """An amount in fen: a yuan number with two decimals in XLSX, ``"1320.00"`` in CSV."""

    fen: int


@dataclass
class Sheet:
    """A table: a bold header row (none when ``headers`` is empty) and rows of cells.

    Attributes:
        title: the sheet's name in a workbook (Excel allows 31 characters, no ``[]:*?/\\``).
        headers: the first row.
        rows: the table's rows, cells as described in the module.
        bold_rows: indices into ``rows`` shown in bold (subtotals, totals).
        widths: column widths in characters from the first column (None, or past the end:
            the default width).
        text_columns: 0-based columns formatted as text (codes and phones keep their leading
            digits when a user types into them), for ``text_rows`` rows below the header
            (default: the rows given).
    """

    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]] = ()
    bold_rows: frozenset[int] = frozenset()
    widths: Sequence[float | None] = ()
    text_columns: Sequence[int] = ()
    text_rows: int | None = None


def _xlsx_cell(value: Any) -> tuple[Any, str | None]:
    """The value openpyxl stores for a cell, and its number format."""
    if isinstance(value, Money):
        return yuan_amount(value.fen), YUAN_FORMAT
    if isinstance(value, dt.datetime):
        local = to_local(value) if value.tzinfo else value
        return local.replace(tzinfo=None), _DATETIME_FORMAT
    if isinstance(value, dt.date):
        return value, _DATE_FORMAT
    return value, None


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Money):
        return fen_to_yuan(value.fen)
    if isinstance(value, dt.datetime):
        return (to_local(value) if value.tzinfo else value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def xlsx_bytes(sheets: Sequence[Sheet], *, title: str | None = None) -> bytes:
    """A workbook of ``sheets`` in order; ``title`` is the document's title property."""
    from openpyxl import Workbook

    book = Workbook()
    for index, sheet in enumerate(sheets):
        _write(book.active if index == 0 else book.create_sheet(), sheet)
    if title:
        book.properties.title = title
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write(ws: Any, sheet: Sheet) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    ws.title = sheet.title
    offset = 1 if sheet.headers else 0
    if sheet.headers:
        ws.append(list(sheet.headers))
        for cell in ws[1]:
            cell.font = bold
    for number, row in enumerate(sheet.rows):
        typed = [_xlsx_cell(v) for v in row]
        ws.append([v for v, _ in typed])
        for cell, (_, fmt) in zip(ws[number + 1 + offset], typed, strict=False):
            if fmt:
                cell.number_format = fmt
            if number in sheet.bold_rows:
                cell.font = bold
    for column, width in enumerate(sheet.widths, start=1):
        if width is not None:
            ws.column_dimensions[get_column_letter(column)].width = width
    last = offset + (len(sheet.rows) if sheet.text_rows is None else sheet.text_rows)
    for column in sheet.text_columns:
        for row_number in range(offset + 1, last + 1):
            ws.cell(row_number, column + 1).number_format = "@"


def csv_bytes(sheet: Sheet) -> bytes:
    """The sheet as CSV, UTF-8 with a BOM so that Excel opens the Chinese headers."""
    out = io.StringIO()
    writer = csv.writer(out)
    if sheet.headers:
        writer.writerow(sheet.headers)
    writer.writerows([_csv_cell(v) for v in row] for row in sheet.rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def content_disposition(filename: str, fallback: str | None = None) -> str:
    """``attachment`` with the name for every browser: ``filename`` in ASCII (``fallback``, or
    the name itself when it is ASCII) and ``filename*`` in UTF-8 (RFC 5987) for Chinese names."""
    if fallback is None:
        fallback = filename if filename.isascii() else "download" + _suffix(filename)
    plain = fallback.replace("\\", "_").replace('"', "_")
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:] if dot > 0 and name[dot:].isascii() else ""


def download(
    data: bytes, filename: str, media_type: str = XLSX, *, fallback: str | None = None
) -> Response[bytes]:
    """A file to save: ``data`` under ``filename`` (see :func:`content_disposition`)."""
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": content_disposition(filename, fallback)},
    )
