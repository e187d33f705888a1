"""The wire format of push and pull (fixed: the PWA, the tests and any client agree on it)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Change", "ItemError", "PullOut", "PushIn", "PushItem", "PushOut", "PushResult",
    "SnapshotBlock", "SnapshotPage",
]


class PushItem(BaseModel):
    """One record. Validated item by item by the server, so one bad item never fails a batch."""

    model_config = ConfigDict(extra="allow")

    kind: Any = Field(default=None, description="a registered kind, e.g. work_log")
    id: Any = Field(default=None, description="the client's UUID (v7 preferred)")
    base_version: Any = Field(default=None, description="the version edited; null when new")
    data: Any = Field(default=None, description="the record, as the kind defines it")


class PushIn(BaseModel):
    items: list[PushItem] = Field(max_length=500)


class ItemError(BaseModel):
    field: str
    code: str
    message: str


class PushResult(BaseModel):
    id: str
    status: Literal["applied", "duplicate", "conflict", "rejected"]
    version: int | None = None
    server: dict[str, Any] | None = Field(default=None, description="the server copy (conflict)")
    errors: list[ItemError] | None = None


class PushOut(BaseModel):
    results: list[PushResult]


class Change(BaseModel):
    kind: str
    id: str
    version: int
    data: dict[str, Any]
    deleted: bool = False


class SnapshotBlock(BaseModel):
    """Rows of one kind in the compact form: each row is its values in the order of ``fields``
    (``id``, ``version``, then the kind's ``data`` fields)."""

    kind: str
    fields: list[str]
    rows: list[list[Any]]


class SnapshotPage(BaseModel):
    """A page of a snapshot: the live records the caller may see, not their history."""

    reset: bool = Field(
        description="the first page: what the phone holds of the server is replaced by the "
        "snapshot (records it does not contain are dropped once it is complete; the outbox "
        "is never touched)"
    )
    complete: bool = Field(description="the last page: the cursor now continues the feed")
    blocks: list[SnapshotBlock]


class PullOut(BaseModel):
    changes: list[Change]
    cursor: str
    more: bool = False
    snapshot: SnapshotPage | None = Field(
        default=None, description="set while a snapshot is delivered (pull with snapshot=true)"
    )
