"""The hash chain as pure functions: what a row's hash is, and where a chain breaks."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from backend.core.canonical import canonical_json

__all__ = ["GENESIS", "ChainBreak", "canonical_json", "event_hash", "find_break", "hashed_tail"]

GENESIS = "0" * 64

#: The fields a row's hash covers, in this order.
HASHED_FIELDS = (
    "at",
    "actor_id",
    "action",
    "object_kind",
    "object_id",
    "county_code",
    "before",
    "after",
    "reason",
    "request_id",
    "ip",
)


def event_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """SHA-256 of the previous hash and this row's fields (all as text): of the canonical JSON
    of the list ``[prev_hash, *fields]``."""
    head = canonical_json([prev_hash])[:-1]
    return hashlib.sha256((head + hashed_tail(fields)).encode("utf-8")).hexdigest()


def hashed_tail(fields: Mapping[str, Any]) -> str:
    """What a row's hash covers after the previous hash: the canonical JSON of
    ``[prev_hash, *fields]`` is ``'["' + prev_hash + '"' + hashed_tail(fields)`` for a
    ``prev_hash`` of hex digits, as every hash is. With it the database hashes a row with the
    hash of the row before it in the statement that appends it (``services.record``).

    Example:
        >>> hashed_tail({"action": "x"})
        ',null,null,"x",null,null,null,null,null,null,null,null]'
    """
    values = [None if fields.get(k) is None else str(fields[k]) for k in HASHED_FIELDS]
    return "," + canonical_json(values)[1:]


@dataclass(frozen=True)
class ChainBreak:
    """The first row whose stored hash or link does not match."""

    row_id: int
    reason: str


def find_break(rows: Iterable[Mapping[str, Any]], anchor: str | None = None) -> ChainBreak | None:
    """Walk rows in id order; ``anchor`` is the hash the first row should link to.

    With ``anchor`` None the first row's own ``prev_hash`` is trusted: older rows may have
    been purged after the retention period.
    """
    expected_prev = anchor
    for row in rows:
        if expected_prev is not None and row["prev_hash"] != expected_prev:
            return ChainBreak(row["id"], "prev_hash does not match the previous row's hash")
        if event_hash(row["prev_hash"], row) != row["hash"]:
            return ChainBreak(row["id"], "row content does not match its hash")
        expected_prev = row["hash"]
    return None
