"""What a kind sends, field by field: its ``data`` from a stored row, and its snapshot rows read
straight from the database in the wire's compact form.

A kind's ``Compact`` is the one list of its wire fields. ``wire(row)`` makes the ``data`` of a
row Piccolo selected (a pull's change, a conflict's server copy); ``columns`` and ``rows``
read a snapshot.

A snapshot hands over tens of thousands of rows. Read through Piccolo and ``wire``, each value
is converted twice (text to ``uuid.UUID`` to text, text to ``datetime`` to text, JSON text to
objects to JSON text): most of the cost of a first pull. A kind's ``Compact`` says, field by
field of its ``data`` and in order, which columns carry the field and in which form. The
snapshot then selects each value in its wire form in SQL (a UUID as text, a date as ISO text,
a month as ``YYYY-MM``; on PostgreSQL an instant as ``isoformat`` writes it), passes stored
JSON through as it is stored (``msgspec.Raw``), and builds a row from a tuple with no
per-value conversion.

The forms:

- ``value``: the stored value as it is (text, integer, float, null).
- ``uuid_text``: ``str(uuid)`` (null stays null).
- ``iso_date``: ``date.isoformat()``; ``month``: ``date.strftime("%Y-%m")``.
- ``instant``: ``datetime.isoformat()`` of the UTC instant.
- ``stored_json``: the stored JSON as the client gets it from ``loads(text)``, or
  ``loads(text) or empty`` where ``empty`` is given.
- ``shaped``: several of the above combined by a function (a location object, a yuan amount).

``tests/api/test_sync_compact.py`` proves, on both engines, that every registered kind's
compact rows equal ``wire`` (the kind's ``to_wire``) over generated rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import msgspec
from piccolo.querystring import QueryString

from backend.core.canonical import loads, wire

if TYPE_CHECKING:
    from piccolo.columns import Column

__all__ = [
    "Compact", "Part", "Shaped", "instant", "iso_date", "month", "shaped", "stored_json",
    "uuid_text", "value",
]


@dataclass(frozen=True)
class Part:
    """One column in one wire form (see the module's docstring)."""

    column: Column
    form: str
    #: ``stored_json`` only: the wire value of an empty or null stored value (``[]``, ``{}``),
    #: or ``None`` for "as stored".
    empty: Any = None

    def sql(self, postgres: bool) -> str:
        col = f'"{self.column._meta.table._meta.tablename}"."{self.column._meta.db_column_name}"'
        if postgres:
            return _POSTGRES[self.form].format(col=col)
        return _SQLITE[self.form].format(col=col)

    def wire(self, row: Mapping[str, Any]) -> Any:
        """This part's wire value in a row as Piccolo selects it (converted values)."""
        stored = row[self.column._meta.name]
        if self.form == "value":
            return stored
        if self.form == "stored_json":
            decoded = loads(stored)
            return decoded if self.empty is None else decoded or self.empty
        if self.form == "month":
            return None if stored is None else stored.strftime("%Y-%m")
        return wire(stored)  # a UUID, a date, an instant

    def python(self, postgres: bool) -> Callable[[Any], Any] | None:
        """What is left to do in Python for a value the SQL gives (None: nothing)."""
        if self.form == "stored_json":
            return _json_reader(self.empty)
        if self.form == "instant" and not postgres:
            return _sqlite_instant
        return None


@dataclass(frozen=True)
class Shaped:
    """A field made of several parts by ``make`` (given their wire values in order)."""

    make: Callable[..., Any]
    parts: tuple[Part, ...]

    def wire(self, row: Mapping[str, Any]) -> Any:
        return self.make(*(part.wire(row) for part in self.parts))


def value(column: Column) -> Part:
    return Part(column, "value")


def uuid_text(column: Column) -> Part:
    return Part(column, "uuid")


def iso_date(column: Column) -> Part:
    return Part(column, "date")


def month(column: Column) -> Part:
    return Part(column, "month")


def instant(column: Column) -> Part:
    return Part(column, "instant")


def stored_json(column: Column, empty: Any = None) -> Part:
    return Part(column, "stored_json", empty)


def shaped(make: Callable[..., Any], *parts: Part) -> Shaped:
    return Shaped(make, parts)


# SQLite: a result column that is a plain typed column goes through Piccolo's converters
# (detect_types), an expression does not, hence the unary plus. Dates and UUIDs are stored as
# their ISO and hyphenated text, instants as ``str(datetime)`` in UTC (fixed up in Python).
_SQLITE = {
    "value": "+{col}", "uuid": "+{col}", "date": "+{col}", "month": "substr({col}, 1, 7)",
    "instant": "+{col}", "stored_json": "+{col}",
}
_UTC = "({col} AT TIME ZONE 'UTC')"
_POSTGRES = {
    "value": "{col}",
    "uuid": "{col}::text",
    "date": "to_char({col}, 'YYYY-MM-DD')",
    "month": "to_char({col}, 'YYYY-MM')",
    # datetime.isoformat(): microseconds only when there are any, then the UTC offset.
    "instant": (
        f"to_char({_UTC}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || CASE WHEN to_char({_UTC}, 'US') "
        f"= '000000' THEN '' ELSE to_char({_UTC}, '.US') END || '+00:00'"
    ),
    "stored_json": "{col}::text",
}


def _sqlite_instant(text: str | None) -> str | None:
    """``str(datetime)`` in UTC as stored on SQLite (``2025-01-02 08:00:00+00:00``) → the
    ``isoformat()`` Piccolo's converter and ``wire`` make of it."""
    if text is None:
        return None
    if len(text) in (25, 32) and text[10] == " " and text.endswith("+00:00"):
        return f"{text[:10]}T{text[11:]}"
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC).isoformat()


_FILLED = frozenset("]} \t\r\n")
#: Stored texts that ``loads(text) or empty`` turns into ``empty``, the most common ones.
_EMPTY = frozenset(("[]", "{}", "null"))


def _json_reader(empty: Any) -> Callable[[str | None], Any]:
    """Stored JSON text → what the client gets: the text itself where it is plainly the
    same value, else ``loads`` (``loads(text) or empty`` when ``empty`` is given)."""

    def read(text: Any) -> Any:
        if text is None or (empty is not None and text in _EMPTY):
            return empty
        if not isinstance(text, str):  # SQLite: a JSON column stores "0" as the number 0
            return text if text or empty is None else empty
        if (
            # A non-empty array or object is truthy: ``or empty`` cannot apply.
            (empty is None or (text[:1] in ("[", "{") and text[1:2] not in _FILLED))
            # Text an older encoder wrote with NaN: msgspec writes null, as it did before.
            and "NaN" not in text
            and "Infinity" not in text
        ):
            return msgspec.Raw(text)
        decoded = loads(text)
        return decoded if decoded or empty is None else empty

    return read


@dataclass(frozen=True, eq=False)
class Compact:
    """What a kind sends: wire field → part or shaped parts, in the order of its ``data``."""

    fields: dict[str, Part | Shaped]
    _makers: dict[tuple[bool, int], Callable[[Sequence[Any]], list[Any]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @property
    def names(self) -> list[str]:
        return list(self.fields)

    def wire(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """The ``data`` of a row as Piccolo selects it."""
        return {name: spec.wire(row) for name, spec in self.fields.items()}

    def columns(self, postgres: bool) -> list[QueryString]:
        """The select list of the fields, part after part."""
        return [QueryString(p.sql(postgres)) for p in self._parts()]

    def rows(self, found: Sequence[Sequence[Any]], at: int, postgres: bool) -> list[list[Any]]:
        """Wire rows (``id``, ``version``, then the fields) from selected rows that hold ``id``
        as text at ``at``, ``version`` after it, then ``columns(postgres)``."""
        maker = self._makers.get((postgres, at))
        if maker is None:
            maker = self._makers[(postgres, at)] = self._maker(postgres, at)
        return list(map(maker, found))

    def _parts(self) -> list[Part]:
        return [p for spec in self.fields.values()
                for p in (spec.parts if isinstance(spec, Shaped) else (spec,))]

    def _maker(self, postgres: bool, at: int) -> Callable[[Sequence[Any]], list[Any]]:
        """One function per kind and engine that makes a wire row of a selected row,
        ``lambda r: [r[at], r[at + 1], r[at + 2], f(r[at + 3]), make(r[at + 4], …), …]``:
        a single list display, as ``collections.namedtuple`` builds its code. Only indices
        and names of this module go into the text; the functions are passed by name."""
        names: dict[str, Any] = {}
        items = [f"r[{at}]", f"r[{at + 1}]"]
        index = at + 2
        for n, spec in enumerate(self.fields.values()):
            args = []
            for part in spec.parts if isinstance(spec, Shaped) else (spec,):
                fn = part.python(postgres)
                if fn is None:
                    args.append(f"r[{index}]")
                else:
                    names[f"f{index}"] = fn
                    args.append(f"f{index}(r[{index}])")
                index += 1
            if isinstance(spec, Shaped):
                names[f"m{n}"] = spec.make
                items.append(f"m{n}({', '.join(args)})")
            else:
                items.append(args[0])
        maker: Callable[[Sequence[Any]], list[Any]] = eval(  # see the docstring
            f"lambda r: [{', '.join(items)}]", names
        )
        return maker
