"""Canonical JSON text and its hash: the same value gives the same bytes on every engine."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from typing import Any, overload

import msgspec

__all__ = ["canonical_json", "content_hash", "dumps", "loads", "wire"]

_SORTED = msgspec.json.Encoder(order="sorted")
_PLAIN = msgspec.json.Encoder()
#: A number msgspec writes differently from Python's ``json`` (which switches to exponent form
#: below 1e-4 and from 1e16) has an exponent (a digit, then ``e`` or ``E``) or four zeros after
#: the point. With every digit read as ``0`` and ``E`` as ``e``, the first is a ``0e``: two
#: plain searches (most of an item's hash went to a regular expression over every byte). Text
#: that merely looks so (``"3e"``) takes the exact path.
_DIGITS_AND_E = bytes.maketrans(b"123456789E", b"000000000e")


def _may_differ(encoded: bytes) -> bool:
    return b"0.0000" in encoded or b"0e" in encoded.translate(_DIGITS_AND_E)


@overload
def canonical_json(value: None) -> None: ...
@overload
def canonical_json(value: list[Any] | dict[str, Any]) -> str: ...
@overload
def canonical_json(value: Any) -> str | None: ...


def canonical_json(value: Any) -> str | None:
    """JSON with sorted keys and no spaces; dates, UUIDs and the like as their text."""
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def _canonical_bytes(value: Any) -> bytes:
    """``canonical_json(value)`` as UTF-8, for JSON data (what a JSON parser returns).

    msgspec writes the same bytes as ``json.dumps`` for such data about five times faster,
    except for floats in exponent form (and text Python cannot encode): those, and anything
    the fast path refuses, go through ``json`` so that stored hashes stay valid.
    """
    try:
        out = _SORTED.encode(value)
    except (TypeError, ValueError, UnicodeEncodeError, OverflowError):
        out = b"[:"  # take the exact path
    if _may_differ(out) or not isinstance(value, dict | list):
        return (canonical_json(value) or "null").encode("utf-8")
    return out


def content_hash(value: Any) -> str:
    """SHA-256 of the canonical JSON of JSON data (a dict or list of JSON values)."""
    return hashlib.sha256(_canonical_bytes(value)).hexdigest()


def dumps(value: Any) -> str:
    """Compact JSON text for a JSON column (not canonical: key order is kept)."""
    try:
        return _PLAIN.encode(value).decode("utf-8")
    except (TypeError, ValueError, UnicodeEncodeError, OverflowError):
        return json.dumps(value, ensure_ascii=False, default=str)


def loads(value: Any) -> Any:
    """JSON columns come back as text on SQLite and parsed on PostgreSQL: parse either."""
    if not isinstance(value, str):
        return value
    try:
        return msgspec.json.decode(value)
    except msgspec.DecodeError:  # text msgspec refuses (NaN written by an older json.dumps)
        return json.loads(value)


def wire(value: Any) -> Any:
    """A JSON-able form of a value read from either engine (dates as ISO text, UUIDs as text)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value
