"""Reading an uploaded table, CSV or XLSX: the one header and row handling every import shares.

Every import reads its file here and gets the same output whatever the format: the data rows
as (row number, {field: stripped text}), row numbers as a spreadsheet shows them (the header
is row 1), and the problems of the file itself as errors of row 1. Sizes are bounded: the
upload, the rows, the columns, and an XLSX's inflated size (a zip bomb stops before it is
read). ``Table.named`` adds the column as the file wrote it to each row error, so that a
report says "row 7, 户主: required" in the words of the user's own spreadsheet.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from backend.core.errors import FieldError

__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "MAX_UNZIPPED",
    "Table",
    "read_rows",
    "read_table",
    "unzipped_size_ok",
]

#: The largest upload read (a county's register is far below this).
MAX_BYTES = 8 * 1024 * 1024
#: Data rows at most (one import; split a larger file).
MAX_ROWS = 20_000
MAX_COLUMNS = 60
#: An .xlsx is a zip; its parts may not inflate beyond this (a zip bomb stops here).
MAX_UNZIPPED = 64 * 1024 * 1024

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0"  # the old binary .xls


@dataclass
class Table:
    """The rows of one uploaded table, or the problems that stop reading it."""

    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)
    #: field → the header as the file wrote it.
    columns: dict[str, str] = field(default_factory=dict)

    def named(self, errors: Iterable[FieldError]) -> list[FieldError]:
        """The errors with the file's own column header, sorted by row (file errors first)."""
        out = [
            dataclasses.replace(e, column=self.columns.get(e.field))
            if e.column is None and e.field in self.columns
            else e
            for e in errors
        ]
        return sorted(out, key=lambda e: e.row or 0)


def unzipped_size_ok(data: bytes, limit: int = MAX_UNZIPPED) -> bool:
    """Whether a zip's parts inflate to at most ``limit`` bytes (declared sizes, which
    ``zipfile`` also enforces while inflating)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(i.file_size for i in archive.infolist()) <= limit
    except zipfile.BadZipFile:
        return False


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = wb.worksheets[0]
        for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1):
            yield [_cell(v) for v in values]
    finally:
        wb.close()


def _decode(data: bytes) -> str | None:
    """UTF-8 (with or without BOM), else GB18030: what Excel in China saves as CSV."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _source(data: bytes | str) -> tuple[Iterator[list[str]] | None, FieldError | None]:
    if isinstance(data, str):
        return csv.reader(io.StringIO(data.lstrip("\ufeff"))), None
    if len(data) > MAX_BYTES:
        return None, FieldError("file", "file_too_large", {"limit": "8 MB"}, row=1)
    if data.startswith(_OLE2):
        return None, FieldError("file", "xls_not_supported", row=1)
    if data.startswith(_ZIP):
        if not unzipped_size_ok(data):
            return None, FieldError("file", "not_table", row=1)
        return _xlsx_rows(data), None
    text = _decode(data)
    if text is None or "\x00" in text:
        return None, FieldError("file", "not_table", row=1)
    return csv.reader(io.StringIO(text)), None


def read_table(
    data: bytes | str, headers: Mapping[str, str] | None, required: Iterable[str]
) -> Table:
    """Read a CSV (text, or bytes in UTF-8 or GB18030) or an XLSX (its first sheet).

    ``headers`` maps every accepted header (English in lower case, or Chinese) to a field;
    None takes every header as a field of its own name (a file whose columns the caller
    learns from the file, such as an XLSForm's attached choice list).
    Blank rows are skipped. Unknown and missing headers are errors of row 1, and then no row
    is returned; so are a file too large, too many rows and a file that is no table.
    """
    source, problem = _source(data)
    if problem or source is None:
        return Table(errors=[problem or FieldError("file", "not_table", row=1)])
    try:
        return _read(source, headers, required)
    except Exception:  # csv.Error, and the many kinds openpyxl raises on a broken workbook
        return Table(errors=[FieldError("file", "not_table", row=1)])


def _read(
    source: Iterator[list[str]], headers: Mapping[str, str] | None, required: Iterable[str]
) -> Table:
    header = next(source, None)
    first = 1
    while header is not None and not any(h.strip() for h in header):
        header = next(source, None)  # a sheet may start with empty rows
        first += 1
    if not header:
        return Table(errors=[FieldError("file", "required", row=1)])
    while header and not header[-1].strip():
        header = header[:-1]  # a sheet pads its rows with empty cells
    if len(header) > MAX_COLUMNS:
        return Table(errors=[FieldError("file", "too_many_columns", {"max": MAX_COLUMNS}, row=1)])
    header = [h.strip().lstrip("\ufeff") for h in header]
    names = [h if headers is None else headers.get(h.lower(), headers.get(h, ""))
             for h in header]
    errors = [FieldError(h, "unknown_field", row=1, column=h)
              for h, n in zip(header, names, strict=True) if not n and h]
    seen: set[str] = set()
    for h, n in zip(header, names, strict=True):
        if n and n in seen:
            errors.append(FieldError(n, "duplicate", row=1, column=h))
        seen.add(n)
    errors += [FieldError(f, "required", row=1) for f in required if f not in names]
    columns = {n: h for h, n in zip(header, names, strict=True) if n}
    if errors:
        return Table(errors=errors, columns=columns)
    rows: list[tuple[int, dict[str, str]]] = []
    for number, values in enumerate(source, start=first + 1):
        if not any(v.strip() for v in values):
            continue
        if len(rows) == MAX_ROWS:
            return Table(errors=[FieldError("file", "too_many_rows", {"max": MAX_ROWS}, row=1)])
        rows.append((number, {n: v.strip() for n, v in zip(names, values, strict=False) if n}))
    return Table(rows=rows, columns=columns)


def read_rows(
    data: bytes | str, headers: Mapping[str, str], required: Iterable[str]
) -> tuple[list[tuple[int, dict[str, str]]], list[FieldError]]:
    """The data rows of a CSV or XLSX as (row number, {field: stripped text}), or the
    problems of its header (see ``read_table``)."""
    table = read_table(data, headers, required)
    return table.rows, table.errors
