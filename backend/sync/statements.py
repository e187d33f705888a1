"""The pull's statements, each written and compiled once for a shape of scope and kept, its
open values filled at each pull: the slots (the cursor, the feed's end) of ``Slot``, and the
values of the caller's scope.

Building the 13 kinds' ``WHERE`` from their ``pull_where`` and compiling it costs more CPU
than a small pull's reads. Kept by the scope's value, as it was, every cadre's first pulls
after a start wrote their own (128 phones at once spent the first second on it), and a
province's 60,000 cadres would turn over any number of kept scopes. A scope's *shape* is the
same for every cadre posted to one village: the statements are written for a stand-in scope
(``_stand_in``) whose values keep everything the writing can see of them (which fields hold
which places, how many, which are shared, in which order) and nothing else; each stand-in
value in the compiled arguments is then a place to fill with the caller's own value.

A ``pull_where`` that derived a value from the scope's (a code's prefix, a pattern) would put
in the statement something that is not a stand-in: writing one with the marker of a stand-in
in its text or arguments raises, and ``tests/api/test_sync_statements_shared.py`` compares
every kind's kept statement with one written for the scope itself, for scopes of every
shape.
"""

from __future__ import annotations

import dataclasses
import functools
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backend.core.db import compiled

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from piccolo.engine.base import Engine
    from piccolo.querystring import QueryString

    from backend.core.scope import Scope
    from backend.sync.cursor import Cursor

__all__ = ["AFTER_SEQ", "AFTER_TXID", "BOUND", "UPTO", "Filled", "Slot", "Statement",
           "statement"]


class Slot:
    """A value of a pull's statement that changes from one pull to the next (the cursor, the
    feed's end), left open in the statements kept (``Statement``)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}>"


AFTER_TXID, AFTER_SEQ, BOUND, UPTO = map(Slot, ("after_txid", "after_seq", "bound", "upto"))

#: A stand-in place code: a private-use character no division code holds, then its rank
#: among the scope's codes, so stand-ins sort as the codes they stand for.
_MARK = "\ue000"
#: The user of every stand-in scope.
_USER = uuid.UUID("e0000000-0000-4000-8000-00000000e000")
#: Fields of a scope kept as they are in its stand-in: the user is replaced on its own, the
#: roles are part of the shape; every other field is a set of place codes.
_NOT_PLACES = frozenset({"user_id", "roles"})


@functools.lru_cache(maxsize=8_192)
def _stand_in(scope: Scope) -> tuple[Scope, Mapping[Any, Any]]:
    """``scope``'s shape, and the value each of its stand-ins stands for.

    Every place code is replaced by a stand-in of its rank among all the scope's codes (one
    code in two fields gets one stand-in), the user by ``_USER``; the roles stay. Two scopes
    of one shape get equal stand-in scopes."""
    places = [f.name for f in dataclasses.fields(scope) if f.name not in _NOT_PLACES]
    codes = sorted(set().union(*(getattr(scope, name) for name in places)))
    stand = {code: f"{_MARK}{rank:06d}" for rank, code in enumerate(codes)}
    shape = dataclasses.replace(
        scope, user_id=_USER,
        **{name: frozenset(stand[code] for code in getattr(scope, name)) for name in places})
    values: dict[Any, Any] = {text: code for code, text in stand.items()}
    values[_USER] = scope.user_id
    return shape, values


def _holds_a_stand_in(text: str) -> bool:
    """Whether ``text`` (a statement's text, an argument, or an argument's ``repr``, which
    writes the marker as its escape) carries a stand-in or part of one."""
    return (_MARK in text or _MARK.encode("unicode_escape").decode() in text
            or str(_USER) in text or _USER.hex in text)


@dataclass(frozen=True)
class Statement:
    """A pull statement compiled for its engine once: the slots to fill at each pull, and the
    places of the scope's values (``fills``, each with the stand-in it was written with)."""

    sql: str
    args: tuple[Any, ...]
    slots: tuple[tuple[int, Slot], ...]
    fills: tuple[tuple[int, Any], ...] = ()

    @classmethod
    def of(cls, query: QueryString, engine: Engine,
           stand_ins: Mapping[Any, Any] | None = None) -> Statement:
        """``query`` compiled; written for a stand-in scope (``stand_ins``: the values of
        its stand-ins), each stand-in becomes a fill (a value derived from one, which no fill
        could give, raises)."""
        sql, args = query.compile_string(engine_type=engine.engine_type)
        slots = tuple((i, a) for i, a in enumerate(args) if isinstance(a, Slot))
        fills = tuple((i, a) for i, a in enumerate(args)
                      if isinstance(a, str | uuid.UUID) and a in (stand_ins or {}))
        filled = {i for i, _ in (*slots, *fills)}
        if _holds_a_stand_in(sql) or any(
            _holds_a_stand_in(a if isinstance(a, str) else repr(a))
            for i, a in enumerate(args) if i not in filled
        ):
            raise RuntimeError(f"a pull_where derived a value from its scope's: {sql} {args}")
        return cls(sql, tuple(args), slots, fills)

    def bind(self, after: Cursor, *, bound: int, upto: int | None,
             values: Mapping[Any, Any] | None = None) -> QueryString:
        """The statement for one pull: after ``after``, below ``bound`` (PostgreSQL) or up to
        ``upto`` (SQLite), for the scope whose stand-ins stand for ``values``."""
        slots = {AFTER_TXID: after.txid, AFTER_SEQ: after.seq, BOUND: bound, UPTO: upto}
        args = list(self.args)
        for i, slot in self.slots:
            args[i] = slots[slot]
        if values is not None:
            for i, stand_in in self.fills:
                args[i] = values[stand_in]
        return compiled(self.sql, args)


@dataclass(frozen=True, slots=True)
class Filled:
    """A kept statement and the values of the scope it is run for."""

    statement: Statement
    values: Mapping[Any, Any]

    def bind(self, after: Cursor, *, bound: int, upto: int | None) -> QueryString:
        return self.statement.bind(after, bound=bound, upto=upto, values=self.values)


#: Statements kept for one shape; past this many (clients asking odd page sizes) they are
#: written again.
_PER_SHAPE = 64


@functools.lru_cache(maxsize=2_048)
def _shape_statements(shape: Scope, engine_type: str) -> dict[tuple[Any, ...], Statement]:
    """The pull's statements of one shape of scope, each written once; the 2,048 shapes used
    last are kept. A scope that changes (a posting, a grant, a reviewed township) takes the
    statements of its new shape."""
    return {}


def statement(
    scope: Scope, engine: Engine, key: tuple[Any, ...], write: Callable[[Scope], QueryString]
) -> Filled:
    """The statement ``key`` for ``scope``: written by ``write`` for the scope's shape the
    first time (``write`` is given the stand-in scope), filled with the scope's values."""
    shape, values = _stand_in(scope)
    kept = _shape_statements(shape, engine.engine_type)
    found = kept.get(key)
    if found is None:
        if len(kept) >= _PER_SHAPE:
            kept.clear()
        found = kept[key] = Statement.of(write(shape), engine, values)
    return Filled(found, values)
