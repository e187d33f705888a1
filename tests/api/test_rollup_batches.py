"""The dashboard's rollups count the logs of a multi-row insert (a sync batch) as it inserted
them.

On PostgreSQL a work log insert is counted once a statement, over the statement's new rows
(migration of 4 Dec 17:10); ``test_dashboard_rollups.py`` inserts one log a statement. Here
random batches go in by ``insert_rows`` (the sync push's insert), some with ids already taken
(``ON CONFLICT DO NOTHING`` skips them: they must not be counted), some logs deleted, some
naming a household twice, and the rollups must still equal the naive counts (a pushed batch
reaches the dashboard: ``test_dashboard.py``).
"""

from __future__ import annotations

import importlib.util
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.core.db import fetch, insert_rows, write_transaction
from backend.fieldwork.tables import WorkLog
from tests.api.test_dashboard_rollups import (
    HOUSEHOLDS,
    MONTHS,
    NOW,
    VILLAGES,
    _compare,
    _reset,
    log_values,
)

batches = st.lists(
    st.lists(st.tuples(log_values, st.booleans()), min_size=1, max_size=8), max_size=4
)


def _row(v: dict, record_id: uuid.UUID) -> dict:
    households = v["households"] + v["households"][:1]  # a household named twice
    return {
        "id": record_id, "owner_id": uuid.UUID(int=7), "village_code": v["village"],
        "county_code": v["village"][:6], "version": 1, "content_hash": "", "deleted": v["deleted"],
        "created_at": NOW, "updated_at": NOW, "date": v["date"], "kind": v["kind"], "text": "",
        "household_ids": households, "loc_lat": None, "loc_lon": None, "loc_accuracy_m": None,
        "loc_captured_at": None, "evidence": [],
        "flags": [{"code": "outside_fence"}] if v["flagged"] else [],
    }


async def _insert(history: list[list[tuple[dict, bool]]]) -> None:
    taken: list[uuid.UUID] = []
    for batch in history:
        rows = []
        for v, again in batch:
            # A taken id (another batch's, with other values) is skipped, and not counted.
            record_id = taken[len(rows) % len(taken)] if again and taken else uuid.uuid4()
            rows.append(_row(v, record_id))
        async with write_transaction(WorkLog._meta.db):
            done = await insert_rows(WorkLog, rows, conflict_target="id", returning="id")
        fresh = {r["id"] for r in rows if r["id"] not in taken}
        assert {uuid.UUID(str(r["id"])) for r in done} == fresh
        taken += fresh


def test_rollups_count_each_row_of_a_batch_insert(client, world, run):
    @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
    @given(history=batches)
    def check(history):
        run(_reset)
        run(_insert, history)
        run(_compare)

    check()



@pytest.mark.postgres_only
def test_the_migration_to_set_wise_counts_goes_back_and_forth(client, world, run):
    """The migration of 4 Dec 20:30 backwards (a log at a time) and forwards again (set-wise):
    each way a batch, an update of several logs and a delete leave the rollups equal to the
    naive counts."""
    path = (Path(__file__).resolve().parents[2] / "migrations" / "fieldwork"
            / "fieldwork_2026_12_04t20_30_00_000000.py")
    spec = importlib.util.spec_from_file_location("set_wise_migration", path)
    assert spec and spec.loader
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    log = {"kind": "visit", "households": HOUSEHOLDS[:2], "flagged": True, "deleted": False}
    batch = [({**log, "village": village, "date": MONTHS[i % 3]}, False)
             for i, village in enumerate(VILLAGES * 2)]

    async def scenario(backwards: bool) -> None:
        await _reset()
        await (await migration.forwards()).run(backwards=backwards)
        names = {r["tgname"] for r in await fetch(
            WorkLog._meta.db, "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
            "AND tgrelid = 'fieldwork_work_log'::regclass")}
        assert ("fieldwork_work_log_rollup_update" in names) is backwards
        await _insert([batch, batch[:3]])
        await _compare()
        await WorkLog.update({WorkLog.date: MONTHS[2], WorkLog.flags: []}).where(
            WorkLog.village_code == VILLAGES[0])
        await WorkLog.delete().where(WorkLog.village_code == VILLAGES[1])
        await _compare()

    run(scenario, True)
    run(scenario, False)
