"""Each whole-row type (``ClaimRow``: a ``TypedDict`` named after its table) matches its table.

``backend.core.rows`` casts Piccolo's ``dict[str, Any]`` to these types without a check at run
time, so a column added, renamed or made nullable must show here, not as a wrong type in mypy.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import typing
import uuid
from typing import Any, get_type_hints, is_typeddict

import pytest
from piccolo.columns import (
    JSON,
    JSONB,
    UUID,
    BigInt,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Real,
    Serial,
    SmallInt,
    Text,
    Timestamp,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

import backend

_PYTHON: list[tuple[type, object]] = [
    (JSON, Any),
    (JSONB, Any),
    (UUID, uuid.UUID),
    (Boolean, bool),
    (Timestamptz, dt.datetime),
    (Timestamp, dt.datetime),
    (Date, dt.date),
    (DoublePrecision, float),
    (Real, float),
    (Serial, int),
    (BigInt, int),
    (SmallInt, int),
    (Integer, int),
    (Varchar, str),
    (Text, str),
]


def _python_type(column: Any) -> object:
    stored = column
    if isinstance(column, ForeignKey):
        stored = column._foreign_key_meta.resolved_references._meta.primary_key
    for kind, python in _PYTHON:
        if isinstance(stored, kind):
            if column._meta.null and python is not Any:
                return python | None
            return python
    raise TypeError(f"no Python type for {type(stored).__name__}")


def _modules() -> list[Any]:
    return [
        importlib.import_module(m.name)
        for m in pkgutil.walk_packages(backend.__path__, "backend.")
        if not m.name.endswith("__main__")
    ]


def _tables() -> dict[str, type[Table]]:
    found: dict[str, type[Table]] = {}
    todo = list(Table.__subclasses__())
    while todo:
        table = todo.pop()
        todo += table.__subclasses__()
        if table.__module__.startswith("backend."):
            found[table.__name__] = table
    return found


def _row_types() -> list[tuple[str, type, type[Table]]]:
    modules = _modules()
    tables = _tables()
    seen: dict[int, tuple[str, type, type[Table]]] = {}
    for module in modules:
        for name, value in vars(module).items():
            if (
                is_typeddict(value)
                and value.__module__ == module.__name__
                and name.endswith("Row")
                and name[: -len("Row")] in tables
            ):
                seen[id(value)] = (f"{module.__name__}.{name}", value, tables[name[:-3]])
    return sorted(seen.values(), key=lambda t: t[0])


ROW_TYPES = _row_types()


def test_row_types_are_found() -> None:
    names = {name.rsplit(".", 1)[-1] for name, _, _ in ROW_TYPES}
    assert {"ClaimRow", "WorkLogRow", "PresenceSheetRow"} <= names


@pytest.mark.parametrize(("name", "row_type", "table"), ROW_TYPES, ids=[t[0] for t in ROW_TYPES])
def test_row_type_matches_its_table(name: str, row_type: type, table: type[Table]) -> None:
    hints = get_type_hints(row_type)
    expected = {c._meta.name: _python_type(c) for c in table._meta.columns}
    assert sorted(hints) == sorted(expected), name
    wrong = {k: (hints[k], expected[k]) for k in expected if hints[k] != expected[k]}
    assert not wrong, f"{name}: declared vs column type {wrong}"
    assert all(k in row_type.__required_keys__ for k in expected), name
    assert typing.get_origin(hints.get("id")) is None  # a key, never optional
