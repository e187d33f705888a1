"""Typed rows: where a query's ``dict[str, Any]`` becomes the ``TypedDict`` its capability declares.

Piccolo types every ``select()`` as ``list[dict[str, Any]]``. A capability whose rows leave the
module that reads them declares their shape as a ``TypedDict`` next to that function (a whole
row: ``ClaimRow``, named after its table, one key per column) and turns the query's result into
it here, once, so that mypy checks every key and value type from there on. These are casts:
nothing is checked at run time (``tests/unit/test_row_types.py`` holds each whole-row type to
its table's columns).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeAlias, TypeVar, cast

__all__ = ["Json", "row_as", "rows_as"]

_Row = TypeVar("_Row", bound=Mapping[str, Any])

#: A JSON column's value: text on SQLite, parsed on PostgreSQL (read it with
#: ``backend.core.canonical.loads``).
Json: TypeAlias = Any


def rows_as(shape: type[_Row], rows: list[dict[str, Any]]) -> list[_Row]:
    """``rows`` read as ``shape`` (the query selected exactly its keys)."""
    del shape  # only names the type
    return cast("list[_Row]", rows)


def row_as(shape: type[_Row], row: dict[str, Any] | None) -> _Row | None:
    """One row (``.first()``) read as ``shape``."""
    del shape
    return cast("_Row | None", row)
