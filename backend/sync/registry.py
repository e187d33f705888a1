"""The kinds of record that travel through sync, registered by the capabilities that own them."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypedDict, TypeVar

if TYPE_CHECKING:
    from piccolo.columns.combination import Combinable
    from piccolo.table import Table
    from pydantic import BaseModel

    from backend.core.scope import Actor, Scope
    from backend.sync.compact import Compact

__all__ = [
    "Prepared",
    "SyncKind",
    "SyncedRow",
    "get_kind",
    "kinds",
    "register",
    "registered_kind",
]

#: The row type a kind's functions take (its table's row ``TypedDict``); sync itself reads
#: every kind's rows as ``dict[str, Any]``.
_Row = TypeVar("_Row")


class SyncedRow(TypedDict):
    """The columns of ``SyncedColumns`` as a select returns them: the base of every synced
    table's row type (``ClaimRow(SyncedRow)``)."""

    id: uuid.UUID
    owner_id: uuid.UUID
    village_code: str
    county_code: str
    version: int
    seq: int
    content_hash: str
    deleted: bool
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class Prepared:
    """A pushed item, validated: the row's own columns and where it belongs."""

    values: dict[str, Any]
    #: None keeps the stored row's village and county (an edit that cannot move the record).
    village_code: str | None
    county_code: str | None

    def place(self) -> tuple[str, str]:
        """Village and county of a record whose kind always places it (a work log, a trip)."""
        if self.village_code is None or self.county_code is None:
            raise LookupError("this kind's prepare() gives the village and county of every record")
        return self.village_code, self.county_code


@dataclass(frozen=True)
class SyncKind(Generic[_Row]):
    """How one kind of record is validated, stored, shown and scoped.

    Attributes:
        name: the wire name (``work_log``).
        table: the Piccolo table, which has the ``SyncedColumns``.
        prepare: given an item's ``data`` validated as ``data_model`` (by sync, a batch at a
            time), checks it for ``actor``; raises ``ValidationFailed`` with field errors (the
            item is rejected) or returns the row values.
        pull_where: the rows a scope receives on pull.
        compact: the kind's wire fields, the one list of what it sends: ``to_wire`` makes a
            stored row's ``data`` of it, and a snapshot reads the fields straight from the
            columns with no per-value conversion (``backend/sync/compact.py``).
        pushable: whether clients may push this kind (reference data is pull-only).
        creatable: whether a push may create a row (an inbox item may only be marked read).
        locked: a stored row → an error code when the owner may no longer edit it.
        enrich: called inside the push transaction with the items about to be written,
            as (id, owner, Prepared); adds server-derived values (flags) to ``values``. They
            do not count as content: a resend is still recognised as a duplicate.
        after_write: called inside the push transaction with the rows just written.
        after_write_needed: given the written values and the new version, whether that row
            needs ``after_write`` at all; rows that do not are neither re-read nor passed
            (a new log without photos links nothing). ``None``: every row does.
    """

    name: str
    table: type[Table]
    pull_where: Callable[[Scope], Combinable]
    compact: Compact
    prepare: Callable[[Actor, Any], Awaitable[Prepared]] | None = None
    locked: Callable[[_Row], str | None] = field(default=lambda row: None)
    creatable: bool = True
    enrich: Callable[[list[tuple[uuid.UUID, uuid.UUID, Prepared]]], Awaitable[None]] | None = None
    after_write: Callable[[Actor, list[_Row]], Awaitable[None]] | None = None
    data_model: type[BaseModel] | None = None
    wire_model: type[BaseModel] | None = None
    after_write_needed: Callable[[dict[str, Any], int], bool] | None = None

    def __post_init__(self) -> None:
        if self.prepare is not None and self.data_model is None:
            raise ValueError(f"sync kind {self.name!r}: prepare() takes data of a data_model")

    @property
    def pushable(self) -> bool:
        return self.prepare is not None

    def to_wire(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """A stored row (as Piccolo selects it) → the ``data`` a client receives."""
        return self.compact.wire(row)


_KINDS: dict[str, SyncKind[Any]] = {}


def register(kind: SyncKind[_Row]) -> SyncKind[_Row]:
    existing = _KINDS.get(kind.name)
    if existing is not None and existing.table is not kind.table:
        raise ValueError(f"sync kind {kind.name!r} registered by two capabilities")
    _KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> SyncKind[Any] | None:
    return _KINDS.get(name)


def registered_kind(name: str) -> SyncKind[Any]:
    """A kind the caller's own capability registered: its absence is a wiring error."""
    kind = _KINDS.get(name)
    if kind is None:
        raise LookupError(f"sync kind {name!r} is not registered")
    return kind


def kinds() -> list[SyncKind[Any]]:
    return [_KINDS[name] for name in sorted(_KINDS)]
