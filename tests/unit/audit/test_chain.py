"""The hash chain as pure functions."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from backend.audit.chain import (
    GENESIS,
    HASHED_FIELDS,
    canonical_json,
    event_hash,
    find_break,
    hashed_tail,
)


def chain(n):
    rows, prev = [], GENESIS
    for i in range(1, n + 1):
        row = {
            "id": i,
            "at": f"2026-01-01T00:00:0{i}.000000Z",
            "actor_id": None,
            "action": "x",
            "object_kind": "k",
            "object_id": str(i),
            "county_code": None,
            "before": None,
            "after": '{"a":1}',
            "reason": None,
            "request_id": None,
            "ip": None,
            "prev_hash": prev,
        }
        row["hash"] = event_hash(prev, row)
        prev = row["hash"]
        rows.append(row)
    return rows


def test_intact_chain_has_no_break():
    assert find_break(chain(5), GENESIS) is None


def test_altered_field_breaks_at_that_row():
    rows = chain(5)
    rows[2]["after"] = '{"a":2}'
    assert find_break(rows, GENESIS).row_id == 3


def test_removed_row_breaks_the_link_of_the_next():
    rows = chain(5)
    del rows[1]
    broken = find_break(rows, GENESIS)
    assert broken.row_id == 3 and "prev_hash" in broken.reason


def test_purged_prefix_is_accepted_without_anchor():
    assert find_break(chain(5)[2:], None) is None


_TEXT = st.none() | st.text(max_size=40) | st.integers() | st.datetimes().map(str)


@given(
    prev=st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
    fields=st.fixed_dictionaries({k: _TEXT for k in HASHED_FIELDS}),
)
def test_a_hash_is_the_canonical_json_of_prev_and_fields_and_its_tail_rebuilds_it(prev, fields):
    """``event_hash`` hashes the canonical JSON of ``[prev, *fields]`` (as stored hashes were
    made), and the text the database hashes on PostgreSQL (``'["' || prev || '"' || tail``)
    is that same text."""
    values = [None if fields[k] is None else str(fields[k]) for k in HASHED_FIELDS]
    whole = canonical_json([prev, *values])
    assert event_hash(prev, fields) == hashlib.sha256(whole.encode("utf-8")).hexdigest()
    assert '["' + prev + '"' + hashed_tail(fields) == whole
