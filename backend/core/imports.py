"""What every import of a table shares: reading the upload, refusing a bad file whole, and
the preview (``dry_run``) that runs the very same import and then rolls it back.

A preview therefore counts exactly what the commit would create and update, and writes
nothing: not a row, not an audit event, not a change number.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from litestar import Response

from backend.core.csvrows import MAX_BYTES
from backend.core.db import write_transaction
from backend.core.errors import FieldError, ValidationFailed

if TYPE_CHECKING:
    from litestar import Request
    from piccolo.engine.base import Engine

__all__ = ["XLSX", "commit_or_preview", "refuse", "template_response", "upload_bytes"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

T = TypeVar("T")


class _Rollback(Exception):
    def __init__(self, result: Any) -> None:
        super().__init__("preview")
        self.result = result


async def upload_bytes(request: Request[Any, Any, Any]) -> bytes:
    """The request body (the file itself: CSV or XLSX), bounded."""
    body = await request.body()
    if len(body) > MAX_BYTES:
        raise ValidationFailed(
            "import_failed",
            errors=[FieldError("file", "file_too_large", {"limit": "8 MB"}, row=1)],
            count=1,
        )
    return body


def refuse(errors: list[FieldError]) -> None:
    """Refuse the whole file when any row is bad, naming every bad row."""
    if errors:
        raise ValidationFailed(
            "import_failed", errors=errors, count=len({e.row for e in errors})
        )


async def commit_or_preview(
    engine: Engine, dry_run: bool, apply: Callable[[], Awaitable[T]]
) -> T:
    """Run ``apply`` in one write transaction: committed, or rolled back for a preview."""
    try:
        async with write_transaction(engine):
            result = await apply()
            if dry_run:
                raise _Rollback(result)
    except _Rollback as preview:
        return preview.result
    return result


def template_response(
    name: str, ascii_name: str, headers: list[str], examples: list[list[Any]], notes: list[str]
) -> Response[bytes]:
    """A template to fill in: Chinese headers as row 1, example rows, and a second sheet of
    notes (which columns are required, the formats). The import reads the first sheet only,
    so the notes never get in the way; the example rows must be replaced."""
    import io
    from urllib.parse import quote

    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "导入"
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in examples:
        sheet.append(row)
    for i, header in enumerate(headers):
        sheet.column_dimensions[sheet.cell(1, i + 1).column_letter].width = max(
            12, 2 * len(header) + 4
        )
        for cell in sheet.iter_rows(min_row=2, min_col=i + 1, max_col=i + 1):
            cell[0].number_format = "@"  # codes and phones stay text in Excel
    help_sheet = book.create_sheet("说明")
    for line in notes:
        help_sheet.append([line])
    help_sheet.column_dimensions["A"].width = 100
    out = io.BytesIO()
    book.save(out)
    return Response(
        out.getvalue(),
        media_type=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="{ascii_name}.xlsx"; '
            f"filename*=UTF-8''{quote(name)}.xlsx"
        },
    )
