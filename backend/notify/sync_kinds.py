"""The inbox as a sync kind: pulled by its recipient, pushed back only to mark it read."""

from __future__ import annotations

from backend.notify import services
from backend.notify.schemas import InboxWire, ReadData
from backend.notify.tables import InboxItem
from backend.sync.registry import SyncKind

__all__ = ["INBOX"]


INBOX = SyncKind(
    name="inbox", table=InboxItem, to_wire=services.inbox_wire,
    pull_where=lambda s: InboxItem.owner_id == s.user_id,
    prepare=services.prepare_read, creatable=False,
    data_model=ReadData, wire_model=InboxWire,
)
