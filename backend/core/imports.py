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
from backend.core.export import Sheet, download, xlsx_bytes

if TYPE_CHECKING:
    from litestar import Request
    from piccolo.engine.base import Engine

__all__ = ["commit_or_preview", "refuse", "template_response", "upload_bytes"]


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
    widths = [max(12, 2 * len(header) + 4) for header in headers]
    template = Sheet("导入", headers, examples, widths=widths,
                     text_columns=range(len(headers)))  # codes and phones stay text in Excel
    help_sheet = Sheet("说明", [], [[line] for line in notes], widths=[100])
    return download(xlsx_bytes([template, help_sheet]), f"{name}.xlsx",
                    fallback=f"{ascii_name}.xlsx")
