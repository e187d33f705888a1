"""What feedback stores."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, Text, Timestamptz, Varchar
from piccolo.table import Table

from backend.sync.tables import SyncedColumns

__all__ = ["Feedback"]


class Feedback(SyncedColumns, Table, tablename="feedback_message"):
    """投诉建议: written offline by anyone, read and answered by the county admins only.

    Township reviewers never see it: a complaint may concern them.
    """

    text = Text()
    evidence = JSON(default=[])
    state = Varchar(length=10, default="open")
    answer = Text(null=True, default=None)
    answered_by = UUID(null=True, default=None)
    answered_at = Timestamptz(null=True, default=None)
