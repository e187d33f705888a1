"""Reading an uploaded CSV table: the one header and row handling every import shares."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from backend.core.errors import FieldError

__all__ = ["read_rows"]


def read_rows(
    text: str, headers: Mapping[str, str], required: Iterable[str]
) -> tuple[list[tuple[int, dict[str, str]]], list[FieldError]]:
    """The data rows of a CSV text as (row number, {field: stripped text}).

    ``headers`` maps every accepted header (English in lower case, or Chinese) to a field.
    A leading BOM is dropped (spreadsheet programs write one), blank lines are skipped, and
    row numbers count the header as row 1, as a spreadsheet shows them. Unknown and missing
    headers are errors of row 1, and then no row is returned.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if not header:
        return [], [FieldError("file", "required", row=1)]
    names = [headers.get(h.strip().lower(), headers.get(h.strip(), "")) for h in header]
    errors = [FieldError(h, "unknown_field", row=1)
              for h, n in zip(header, names, strict=True) if not n and h.strip()]
    errors += [FieldError(f, "required", row=1) for f in required if f not in names]
    if errors:
        return [], errors
    rows = []
    for number, values in enumerate(reader, start=2):
        if any(v.strip() for v in values):
            rows.append((number, {n: v.strip() for n, v in zip(names, values, strict=False)
                                  if n}))
    return rows, []
