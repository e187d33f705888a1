"""The impossible-speed flag compares each pushed fix with the cadre's fix just before it.

``fieldwork/services._earlier_fixes`` reads, of the stored fixes, only the latest in each gap
between the push's times (one statement a cadre, each engine its own). Over random histories
(times that tie, times with and without microseconds, another cadre's fixes, records of the
push already stored and edited, stored fixes beyond the window), the fix each pushed one is
compared with must be the one the rule names: the cadre's latest fix strictly before it, of its
stored fixes from a day before the push's first (the push's own records counted with their new
fix only) and the push's other fixes; of two at one time, the greater id.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.core.db import insert_rows, write_transaction
from backend.evidence.flags import Fix
from backend.fieldwork import services
from backend.fieldwork.tables import WorkLog
from tests.api.test_dashboard_rollups import NOW, VILLAGES, _reset
from tests.api.test_rollup_batches import _row
from tests.dbconf import engine_name

ENGINE = engine_name()

OWNER, OTHER = uuid.UUID(int=7), uuid.UUID(int=8)
IDS = [uuid.UUID(int=1000 + i) for i in range(12)]

#: A time within four days, on the half hour (so that times tie), some with microseconds.
moments = st.builds(
    lambda half_hours, micro: NOW + dt.timedelta(minutes=30 * half_hours, microseconds=micro),
    st.integers(0, 4 * 48), st.sampled_from([0, 250_000]),
)
stored_fixes = st.lists(st.tuples(st.sampled_from(IDS), st.sampled_from([OWNER, OTHER]), moments),
                        max_size=20, unique_by=lambda f: f[0])
pushed_fixes = st.lists(st.tuples(st.sampled_from(IDS + [None] * 4), moments),
                        min_size=1, max_size=8)


def _fix_row(record_id: uuid.UUID, owner: uuid.UUID, at: dt.datetime, n: int) -> dict:
    return {**_row({"village": VILLAGES[0], "date": at.date(), "kind": "visit",
                    "households": [], "flagged": False, "deleted": False}, record_id),
            "owner_id": owner, "loc_lat": 26.0 + n / 100, "loc_lon": 107.9,
            "loc_accuracy_m": 10.0, "loc_captured_at": at}


def _expected(stored: list[tuple[uuid.UUID, uuid.UUID, dt.datetime]],
              batch: list[tuple[uuid.UUID, str, Fix]]) -> dict[str, tuple[str, dt.datetime] | None]:
    """The rule, naively: for each pushed fix, (id, time) of the one it is compared with."""
    pushed = {text for _, text, _ in batch}
    start = min(f.captured_at for _, _, f in batch) - dt.timedelta(days=1)
    candidates = [(at, str(i)) for i, owner, at in stored
                  if owner == OWNER and str(i) not in pushed and at >= start]
    candidates += [(f.captured_at, text) for _, text, f in batch]
    out = {}
    for _, text, fix in batch:
        before = [c for c in candidates if c[0] < fix.captured_at and c[1] != text]
        out[text] = (lambda c: (c[1], c[0]))(max(before)) if before else None
    return out


async def _chosen(stored, pushed) -> tuple[dict, dict]:
    await _reset()
    if stored:
        async with write_transaction(WorkLog._meta.db):
            await insert_rows(WorkLog, [_fix_row(i, o, at, n)
                                        for n, (i, o, at) in enumerate(stored)])
    batch, seen = [], set()
    for n, (record_id, at) in enumerate(pushed):
        record_id = record_id if record_id and record_id not in seen else uuid.uuid4()
        seen.add(record_id)
        batch.append((record_id, str(record_id), Fix(25.0 + n / 100, 107.9, 10.0, at)))
    fixes = await services._earlier_fixes(OWNER, batch)
    times = [f[0] for f in fixes]
    chosen = {}
    for _, text, fix in batch:
        previous = services._previous(fixes, times, text, fix)
        chosen[text] = None if previous is None else next(
            (i, at) for at, i, f in fixes if f is previous)
    return chosen, _expected(stored, batch)


@pytest.mark.parametrize("probes_at_most", [32, 0], ids=["probes", "count first"])
def test_a_pushed_fix_is_compared_with_the_cadres_fix_just_before_it(client, world, run,
                                                                     monkeypatch, probes_at_most):
    """On SQLite a push of many times counts the window's fixes first (``_PROBES_AT_MOST``):
    both ways are checked there (PostgreSQL has one statement)."""
    if probes_at_most == 0 and ENGINE != "sqlite":
        pytest.skip("SQLite only")
    monkeypatch.setattr(services, "_PROBES_AT_MOST", probes_at_most)

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(stored=stored_fixes, pushed=pushed_fixes)
    def check(stored, pushed):
        chosen, expected = run(_chosen, stored, pushed)
        assert chosen == expected

    check()


def test_a_push_reads_one_stored_fix_a_gap_however_many_lie_between(client, world, run):
    """Two hundred stored fixes between two pushed ones: the statement returns only the latest
    of them (and the latest before the first pushed fix), not the two hundred."""
    stored = [(uuid.uuid4(), OWNER, NOW + dt.timedelta(minutes=5 * n)) for n in range(200)]
    pushed = [(None, NOW - dt.timedelta(hours=1)), (None, NOW + dt.timedelta(days=1))]

    async def scenario():
        chosen, expected = await _chosen(stored, pushed)
        assert chosen == expected
        return await services._earlier_fixes(OWNER, [
            (i, str(i), Fix(25.0, 107.9, 10.0, at)) for i, at in
            ((uuid.uuid4(), at) for _, at in pushed)])

    fixes = run(scenario)
    assert len(fixes) == 3  # the latest stored fix, and the two pushed
