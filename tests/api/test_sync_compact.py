"""A snapshot reads every kind straight from its columns (``backend/sync/compact.py``).

For every registered kind, over generated rows (any value each column may hold, JSON stored as
the app writes it and in other spellings), the compact rows equal ``[id, version, *to_wire(row)
.values()]`` of the same rows read through Piccolo, field names and order included, on the
engine under test (run with ``ZHUCUN_TEST_DB=postgres`` for PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from piccolo.columns import (
    JSON,
    UUID,
    BigInt,
    Boolean,
    Date,
    DoublePrecision,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.querystring import QueryString

from backend.capabilities import CAPABILITIES
from backend.core.canonical import dumps
from backend.core.db import fetch_values, insert_rows, is_postgres
from backend.fieldwork.tables import WorkLog
from backend.sync.compact import uuid_text, value
from backend.sync.registry import SyncKind, kinds
from tests.conftest import ENGINE

_TEXT = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
_ZONES = st.sampled_from(
    [dt.UTC, dt.timezone(dt.timedelta(hours=8)), dt.timezone(dt.timedelta(hours=-5, minutes=-30))]
)
_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(_TEXT, max_size=8),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(_TEXT, max_size=5), inner, max_size=3),
    max_leaves=8,
)


def _spelled(values: st.SearchStrategy[Any]) -> st.SearchStrategy[str]:
    """JSON text of ``values`` as the app writes it, with spaces, escaped or indented."""
    return st.tuples(values, st.sampled_from(["app", "spaced", "ascii", "indent"])).map(
        lambda vs: dumps(vs[0]) if vs[1] == "app" else json.dumps(
            vs[0], ensure_ascii=vs[1] == "ascii", indent=1 if vs[1] == "indent" else None
        )
    )


def _json_text(column: Any, postgres: bool) -> st.SearchStrategy[str]:
    """JSON text as a column may hold it, and (on SQLite, whose JSON is plain text) with the
    NaN an older encoder wrote. The work log's household ids and flags are arrays (the
    dashboard's rollup triggers read them)."""
    if column in (WorkLog.household_ids, WorkLog.flags):
        items = st.text(_TEXT, min_size=1, max_size=8) if column is WorkLog.household_ids else (
            st.dictionaries(st.text(_TEXT, max_size=5), _JSON_VALUES, max_size=3))
        return _spelled(st.lists(items, max_size=3)) | st.sampled_from(["[]", "[ ]", " []"])
    common = st.sampled_from(["[]", "{}", "null", "[ ]", " [1]", '""', "0", "1.5", "false"])
    if postgres:
        return common | _spelled(_JSON_VALUES)
    return common | _spelled(_JSON_VALUES) | st.lists(st.floats(), min_size=1, max_size=3).map(
        json.dumps)


def _column(column: Any, postgres: bool) -> st.SearchStrategy[Any]:
    """Any value ``column`` may hold (UUIDs fresh each time: unique indexes hold)."""
    if isinstance(column, UUID):
        base: st.SearchStrategy[Any] = st.builds(uuid.uuid4)
    elif isinstance(column, Varchar):
        base = st.text(_TEXT, max_size=column.length)
    elif isinstance(column, Text):
        base = st.text(_TEXT, max_size=40)
    # Within what the dashboard's rollup triggers can add up in their integer columns.
    elif isinstance(column, BigInt):
        base = st.integers(-(2**40), 2**40)
    elif isinstance(column, Integer):
        base = st.integers(-(2**20), 2**20)
    elif isinstance(column, DoublePrecision):
        base = st.floats(allow_nan=False)
    elif isinstance(column, Timestamptz):
        base = st.datetimes(min_value=dt.datetime(1900, 1, 2), max_value=dt.datetime(9999, 12, 30),
                            timezones=_ZONES)
    elif isinstance(column, Date):
        # From the year 1000: glibc's strftime writes earlier years unpadded ("999-01").
        base = st.dates(min_value=dt.date(1000, 1, 1))
    elif isinstance(column, JSON):
        base = _json_text(column, postgres)
    elif isinstance(column, Boolean):
        base = st.booleans()
    else:
        raise AssertionError(f"no strategy for {type(column).__name__}")
    return st.none() | base if column._meta.null else base


def _rows(kind: SyncKind, postgres: bool) -> st.SearchStrategy[list[dict[str, Any]]]:
    table = kind.table
    skip = {"seq", "deleted", "txid"}
    one = st.fixed_dictionaries({
        c._meta.name: _column(c, postgres) for c in table._meta.columns
        if c._meta.name not in skip
    })
    return st.lists(
        one, min_size=1, max_size=3,
        # A household is unique in its village by its number; an inbox notice by its key.
        unique_by=(
            lambda r: (r.get("village_code"), r.get("external_id")),
            lambda r: object() if r.get("dedupe_key") is None else r["dedupe_key"],
        ),
    )


async def _store(kind: SyncKind, rows: list[dict[str, Any]]) -> None:
    table = kind.table
    await table.delete(force=True)
    await insert_rows(table, [
        {**row, "seq": i + 1, "deleted": False} for i, row in enumerate(rows)
    ])


async def _both(kind: SyncKind) -> tuple[list[str], list[Any], list[str], list[Any]]:
    """(fields, rows) through Piccolo and ``to_wire``, then through ``compact``."""
    table = kind.table
    engine = table._meta.db
    postgres = is_postgres(engine)
    stored = await table.select().order_by(table.seq)
    wire = [kind.to_wire(row) for row in stored]
    want = [[str(r["id"]), r["version"], *w.values()] for r, w in zip(stored, wire, strict=True)]
    assert kind.compact is not None
    query = table.select(
        QueryString(uuid_text(table.id).sql(postgres)),
        QueryString(value(table.version).sql(postgres)),
        *kind.compact.columns(postgres),
    ).order_by(table.seq)
    found = await fetch_values(engine, query.querystrings[0])
    got = kind.compact.rows(found, 0, postgres)
    return list(wire[0]), want, kind.compact.names, got


def _as_client_sees(rows: list[Any]) -> Any:
    return msgspec.json.decode(msgspec.json.encode(rows))


_EXAMPLES = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))


#: Every kind the capabilities declare (registered when the app starts).
KINDS = [kind for capability in CAPABILITIES for kind in capability.sync_kinds]


def test_every_registered_kind_is_checked(client):
    assert {k.name for k in kinds()} == {k.name for k in KINDS}


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_the_compact_rows_are_what_to_wire_makes_of_the_same_rows(client, run, kind):
    assert kind.compact is not None, f"{kind.name}: every kind reads its snapshot compactly"
    postgres = ENGINE == "postgres"

    @_EXAMPLES
    @given(rows=_rows(kind, postgres))
    def same(rows):
        run(_store, kind, rows)
        want_fields, want, got_fields, got = run(_both, kind)
        assert got_fields == want_fields
        assert _as_client_sees(got) == _as_client_sees(want)

    same()
