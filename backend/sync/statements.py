"""The pull's statements, each written and compiled once and kept, its open values filled at
each pull: the slots (the cursor, the feed's end) of ``Slot``."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backend.core.db import compiled

if TYPE_CHECKING:
    from collections.abc import Callable

    from piccolo.engine.base import Engine
    from piccolo.querystring import QueryString

    from backend.core.scope import Scope
    from backend.sync.cursor import Cursor

__all__ = ["AFTER_SEQ", "AFTER_TXID", "BOUND", "UPTO", "Slot", "Statement", "statement"]


class Slot:
    """A value of a pull's statement that changes from one pull to the next (the cursor, the
    feed's end), left open in the statements kept per scope (``Statement``)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


AFTER_TXID, AFTER_SEQ, BOUND, UPTO = map(Slot, ("after_txid", "after_seq", "bound", "upto"))


@dataclass(frozen=True)
class Statement:
    """A pull statement compiled for its engine once, its slots to fill at each pull."""

    sql: str
    args: tuple[Any, ...]
    slots: tuple[tuple[int, Slot], ...]

    @classmethod
    def of(cls, query: QueryString, engine: Engine) -> Statement:
        sql, args = query.compile_string(engine_type=engine.engine_type)
        slots = tuple((i, a) for i, a in enumerate(args) if isinstance(a, Slot))
        return cls(_shared_text(sql), tuple(args), slots)

    def bind(self, after: Cursor, *, bound: int, upto: int | None) -> QueryString:
        """The statement for one pull: after ``after``, below ``bound`` (PostgreSQL) or up to
        ``upto`` (SQLite)."""
        values = {AFTER_TXID: after.txid, AFTER_SEQ: after.seq, BOUND: bound, UPTO: upto}
        args = list(self.args)
        for i, slot in self.slots:
            args[i] = values[slot]
        return compiled(self.sql, args)


@functools.lru_cache(maxsize=4_096)
def _shared_text(sql: str) -> str:
    """One copy of a statement's text for every scope of the same shape (the values differ,
    not the text)."""
    return sql


#: Statements kept for one scope; past this many (clients asking odd page sizes) they are
#: written again.
_PER_SCOPE = 64


@functools.lru_cache(maxsize=2_048)
def _scope_statements(scope: Scope, engine_type: str) -> dict[tuple[Any, ...], Statement]:
    """The pull's statements of one scope, each written once: building the 13 kinds' ``WHERE``
    from their ``pull_where`` and compiling them cost more CPU than the pull's reads. Kept by
    the scope's value: a scope that changes (a posting, a grant, a reviewed township) is
    another key, its statements written afresh; the 2,048 scopes used last are kept."""
    return {}


def statement(
    scope: Scope, engine: Engine, key: tuple[Any, ...], write: Callable[[], QueryString]
) -> Statement:
    """The statement ``key`` of ``scope``, written by ``write`` the first time."""
    kept = _scope_statements(scope, engine.engine_type)
    found = kept.get(key)
    if found is None:
        if len(kept) >= _PER_SCOPE:
            kept.clear()
        found = kept[key] = Statement.of(write(), engine)
    return found
