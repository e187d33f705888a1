"""Writing inbox rows (inside the transaction of the change) and marking them read."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from backend.core.canonical import wire
from backend.core.clock import utc_now
from backend.core.errors import FieldError, ValidationFailed
from backend.core.ids import new_id
from backend.core.validation import parse
from backend.notify.tables import InboxItem
from backend.sync.registry import Prepared
from backend.sync.services import allocate_seqs

if TYPE_CHECKING:
    from backend.core.scope import Actor

__all__ = ["Notice", "inbox_wire", "notify", "prepare_read"]


@dataclass(frozen=True)
class Notice:
    """One event for one person, in both languages."""

    recipient_id: uuid.UUID
    event: str
    title: tuple[str, str]
    body: tuple[str, str] = ("", "")
    link: str = ""
    object_kind: str = ""
    object_id: str = ""
    village_code: str = ""
    county_code: str = ""


async def notify(*notices: Notice) -> None:
    """Write inbox rows. Call inside the write transaction of the change they announce, so
    that a change that rolls back takes its notices with it (outbox pattern)."""
    if not notices:
        return
    seqs = await allocate_seqs(InboxItem._meta.db, len(notices))
    now = utc_now()
    await InboxItem.insert(*[InboxItem(
        id=new_id(), owner_id=n.recipient_id, village_code=n.village_code,
        county_code=n.county_code, version=1, seq=seq, content_hash="", deleted=False,
        created_at=now, updated_at=now, event=n.event, title_zh=n.title[0],
        title_en=n.title[1], body_zh=n.body[0], body_en=n.body[1], link=n.link,
        object_kind=n.object_kind, object_id=n.object_id,
    ) for n, seq in zip(notices, seqs, strict=True)])


def inbox_wire(row: dict[str, Any]) -> dict[str, Any]:
    return {"event": row["event"], "title": {"zh": row["title_zh"], "en": row["title_en"]},
            "body": {"zh": row["body_zh"], "en": row["body_en"]}, "link": row["link"],
            "object_kind": row["object_kind"], "object_id": row["object_id"],
            "created_at": wire(row["created_at"]), "read_at": wire(row["read_at"])}


class ReadData(BaseModel):
    """Sync kind ``inbox`` as pushed: the recipient marks an item read."""

    model_config = ConfigDict(extra="ignore")

    read: bool
    read_at: dt.datetime | None = None


async def prepare_read(actor: Actor, data: dict[str, Any]) -> Prepared:
    read = parse(ReadData, data)
    if not read.read:
        raise ValidationFailed(errors=[FieldError("read", "not_allowed")])
    return Prepared({"read_at": read.read_at or utc_now()}, None, None)
