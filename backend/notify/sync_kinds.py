"""The inbox as a sync kind: pulled by its recipient, pushed back only to mark it read."""

from __future__ import annotations

from backend.notify import services
from backend.notify.schemas import InboxWire, ReadData
from backend.notify.tables import InboxItem
from backend.sync.compact import Compact, instant, shaped, value
from backend.sync.registry import SyncKind

__all__ = ["INBOX"]


INBOX: SyncKind[services.InboxItemRow] = SyncKind(
    name="inbox", table=InboxItem,
    pull_where=lambda s: InboxItem.owner_id == s.user_id,
    prepare=services.prepare_read, creatable=False,
    data_model=ReadData, wire_model=InboxWire,
    compact=Compact({
        "event": value(InboxItem.event),
        "title": shaped(services.bilingual, value(InboxItem.title_zh), value(InboxItem.title_en)),
        "body": shaped(services.bilingual, value(InboxItem.body_zh), value(InboxItem.body_en)),
        "link": value(InboxItem.link),
        "object_kind": value(InboxItem.object_kind),
        "object_id": value(InboxItem.object_id),
        "created_at": instant(InboxItem.created_at),
        "read_at": instant(InboxItem.read_at),
    }),
)
