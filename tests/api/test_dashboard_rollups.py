"""The dashboard's rollups equal the naive counts after any history of writes.

Hypothesis writes random histories straight into the tables (inserts, edits that move a log
to another village, month, kind or household list, flags set and cleared, soft and hard
deletes, presence sheets through their states, dashboard reads that fold the rollups in
between) and compares, per village and month and for the trend, for all the villages and for subsets
of them (one county's, a township's, one village, villages of two counties), what the rollups
say with what counting the rows themselves says. The trend of a township whose villages are all
asked for comes from the rollup per township; one village (``VILLAGE_X3``) has rows but no
division, as a village removed from the map would, so "the villages of township X" on the map
are not all of its villages with rows, and its trend must come from the villages' rollups.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import uuid
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.core.canonical import loads
from backend.fieldwork import summary
from backend.fieldwork.tables import (
    PresenceSheet,
    RollupVillage,
    TownshipMonth,
    VillageMonthHouseholds,
    VillageMonthLogs,
    VillageMonthSheets,
    WorkLog,
)
from tests.world import VILLAGE_X1, VILLAGE_X2, VILLAGE_Y1, VILLAGE_Z1

#: In township X, with rows but not on the map.
VILLAGE_X3 = "529801001203"
VILLAGES = [VILLAGE_X1, VILLAGE_X2, VILLAGE_Y1, VILLAGE_Z1, VILLAGE_X3]
#: What a dashboard may ask for: every village, a county's, a township's (with and without
#: the village not on the map), one, a mix of townships whole and in part.
SELECTIONS = [VILLAGES, VILLAGES[:3], VILLAGES[:2], [VILLAGE_Y1], [VILLAGE_X2, VILLAGE_Z1],
              [VILLAGE_X1, VILLAGE_X2, VILLAGE_X3], [VILLAGE_X3, VILLAGE_Y1, VILLAGE_Z1],
              [VILLAGE_X1], [VILLAGE_X1, VILLAGE_X2, VILLAGE_Z1]]
HOUSEHOLDS = [str(uuid.UUID(int=i)) for i in range(1, 6)]
MONTHS = [dt.date(2026, m, 1) for m in (1, 2, 3)]
NOW = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)

#: Now and then a row whose county code is not its village's prefix (written by hand, say):
#: the rollups must still agree with the counts, which take the villages' counties.
OTHER_COUNTY = st.sampled_from([None, None, None, "529802"])
log_values = st.fixed_dictionaries({
    "village": st.sampled_from(VILLAGES),
    "date": st.sampled_from(MONTHS).flatmap(
        lambda m: st.integers(0, 27).map(lambda d: m + dt.timedelta(days=d))),
    "kind": st.sampled_from(["visit", "meeting", "duty"]),
    "households": st.lists(st.sampled_from(HOUSEHOLDS), max_size=3),
    "flagged": st.booleans(),
    "deleted": st.booleans(),
    "county": OTHER_COUNTY,
})
sheet_values = st.fixed_dictionaries({
    "village": st.sampled_from(VILLAGES),
    "month": st.sampled_from(MONTHS),
    "state": st.sampled_from(["draft", "submitted", "confirmed", "returned"]),
    "days": st.integers(0, 31),
    "county": OTHER_COUNTY,
})
steps = st.lists(
    st.one_of(
        st.tuples(st.just("add_log"), log_values),
        st.tuples(st.just("edit_log"), st.integers(0, 50), log_values),
        st.tuples(st.just("drop_log"), st.integers(0, 50)),
        # Statements of several logs (on PostgreSQL counted a statement at a time): the logs
        # of a village moved to a month and kind (flagged or not), those of a village deleted,
        # every log's text changed (no count moves).
        st.tuples(st.just("edit_logs"), st.sampled_from(VILLAGES), log_values),
        st.tuples(st.just("drop_logs"), st.sampled_from(VILLAGES)),
        # Text as the API lets it in: never a NUL (refused by core/bounds, and by PostgreSQL).
        st.tuples(st.just("touch_logs"),
                  st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=3)),
        st.tuples(st.just("add_sheet"), sheet_values),
        st.tuples(st.just("edit_sheet"), st.integers(0, 50), sheet_values),
        st.tuples(st.just("drop_sheet"), st.integers(0, 50)),
        st.tuples(st.just("read")),
    ),
    max_size=25,
)


def _log_columns(v):
    return {
        WorkLog.village_code: v["village"],
        WorkLog.county_code: v.get("county") or v["village"][:6],
        WorkLog.date: v["date"], WorkLog.kind: v["kind"], WorkLog.household_ids: v["households"],
        WorkLog.flags: [{"code": "outside_fence"}] if v["flagged"] else [],
        WorkLog.deleted: v["deleted"],
    }


def _sheet_columns(v):
    return {
        PresenceSheet.village_code: v["village"],
        PresenceSheet.county_code: v.get("county") or v["village"][:6],
        PresenceSheet.month: v["month"], PresenceSheet.state: v["state"],
        PresenceSheet.village_days: v["days"],
    }


async def _apply(history) -> None:
    logs: list[uuid.UUID] = []
    sheets: list[uuid.UUID] = []
    for step in history:
        op = step[0]
        if op == "add_log":
            new = uuid.uuid4()
            await WorkLog.insert(WorkLog(
                id=new, owner_id=uuid.uuid4(), version=1, seq=0, content_hash="", text="",
                created_at=NOW, updated_at=NOW,
                **{c._meta.name: x for c, x in _log_columns(step[1]).items()}))
            logs.append(new)
        elif op == "edit_log" and logs:
            target = logs[step[1] % len(logs)]
            await WorkLog.update(_log_columns(step[2])).where(WorkLog.id == target)
        elif op == "drop_log" and logs:
            await WorkLog.delete().where(WorkLog.id == logs.pop(step[1] % len(logs)))
        elif op == "edit_logs":
            v = _log_columns(step[2])
            moved = {c: v[c] for c in (WorkLog.date, WorkLog.kind, WorkLog.flags,
                                       WorkLog.household_ids)}
            await WorkLog.update(moved).where(WorkLog.village_code == step[1])
        elif op == "drop_logs":
            gone = {r["id"] for r in await WorkLog.select(WorkLog.id).where(
                WorkLog.village_code == step[1])}
            await WorkLog.delete().where(WorkLog.village_code == step[1])
            logs = [i for i in logs if i not in gone]
        elif op == "touch_logs":
            await WorkLog.update({WorkLog.text: step[1]}, force=True)
        elif op == "add_sheet":
            new = uuid.uuid4()
            v = step[1]
            await PresenceSheet.insert(PresenceSheet(
                id=new, owner_id=uuid.uuid4(), version=1, seq=0, content_hash="",
                created_at=NOW, updated_at=NOW,
                **{c._meta.name: x for c, x in _sheet_columns(v).items()}))
            sheets.append(new)
        elif op == "edit_sheet" and sheets:
            target = sheets[step[1] % len(sheets)]
            await PresenceSheet.update(_sheet_columns(step[2])).where(PresenceSheet.id == target)
        elif op == "read":  # a dashboard read in the middle folds what was appended so far
            await _compare()
        elif op == "drop_sheet" and sheets:
            await PresenceSheet.delete().where(
                PresenceSheet.id == sheets.pop(step[1] % len(sheets)))


async def _compare() -> None:
    for villages in SELECTIONS:
        start, end = MONTHS[0], dt.date(2026, 3, 31)
        # Read by the villages' list, and by county alone as for a county admin's own
        # counties: the rows of villages not asked for (X3, and the map's others when the
        # selection is not a county's) are dropped after the read, the figures the same.
        for whole in ((), {v[:6] for v in villages}):
            for month in MONTHS:
                month_end = (month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
                fast = await summary.village_figures(villages, month, month_end, start,
                                                     whole_counties=whole)
                slow = await summary.village_stats_naive(villages, month, month_end)
                assert fast.villages == slow, (villages, whole, month, fast.villages, slow)
                assert fast.trend == await summary.monthly_trend_naive(villages, start,
                                                                       month_end)
            # A quarter at once (distinct households across months) agrees too.
            quarter = await summary.village_figures(villages, start, end, start,
                                                    whole_counties=whole)
            assert quarter.villages == await summary.village_stats_naive(villages, start, end)
    assert await _rollup_sums() == await _log_counts()


def _month(value) -> str:
    return str(value)[:7]


async def _rollup_sums() -> dict[str, dict[tuple, tuple[int, ...]]]:
    """What the log rollups hold, summed per key (keys at zero left out): a reader asks only
    whether a household's sum is above zero, so a household counted once for two logs would
    pass the reads until one of the logs goes; the sums themselves must be the counts."""
    from backend.core.db import fetch

    engine = WorkLog._meta.db
    out: dict[str, dict[tuple, tuple[int, ...]]] = {}
    for name, key, counts in (
        ("fieldwork_village_month_logs", "village_code, county_code, month, kind",
         ("logs", "flagged")),
        ("fieldwork_village_month_households", "village_code, county_code, month, household_id",
         ("logs",)),
        ("fieldwork_township_month", "county_code, township_code, month", ("logs", "flagged")),
    ):
        sums = ", ".join(f"SUM({c}) AS {c}" for c in counts)
        rows = await fetch(engine, f"SELECT {key}, {sums} FROM {name} GROUP BY {key}")
        columns = [k.strip() for k in key.split(",")]
        out[name] = {
            tuple(_month(r[k]) if k == "month" else r[k] for k in columns):
                tuple(int(r[c] or 0) for c in counts)
            for r in rows if any(int(r[c] or 0) for c in counts)}
    return out


def _json_list(value) -> list:
    return value if isinstance(value, list) else loads(value or "[]")


async def _log_counts() -> dict[str, dict[tuple, tuple[int, ...]]]:
    """``_rollup_sums`` counted from the logs: each live log once per key, its households
    each once."""
    logs: dict[tuple, list[int]] = {}
    households: dict[tuple, list[int]] = {}
    townships: dict[tuple, list[int]] = {}
    for r in await WorkLog.select().where(WorkLog.deleted.eq(False)):
        month = _month(r["date"])
        flagged = int(bool(_json_list(r["flags"])))
        for counts, key in ((logs, (r["village_code"], r["county_code"], month, r["kind"])),
                            (townships, (r["county_code"], r["village_code"][:9], month))):
            total = counts.setdefault(key, [0, 0])
            total[0] += 1
            total[1] += flagged
        for household in set(_json_list(r["household_ids"])):
            key = (r["village_code"], r["county_code"], month, household)
            households.setdefault(key, [0])[0] += 1
    return {"fieldwork_village_month_logs": {k: tuple(v) for k, v in logs.items()},
            "fieldwork_village_month_households": {k: tuple(v) for k, v in households.items()},
            "fieldwork_township_month": {k: tuple(v) for k, v in townships.items()}}


async def _reset() -> None:
    for table in (WorkLog, PresenceSheet):
        await table.delete(force=True)
    # The triggers emptied the counts; the rows left at zero go too.
    for rollup in (VillageMonthLogs, VillageMonthHouseholds, VillageMonthSheets, TownshipMonth,
                   RollupVillage):
        await rollup.delete(force=True)


@pytest.mark.parametrize("named", [summary._KEYS_NAMED, 0], ids=["keys named", "keys joined"])
def test_rollups_equal_the_naive_counts_after_any_history(client, world, run, monkeypatch,
                                                         named):
    monkeypatch.setattr(summary, "_KEYS_NAMED", named)  # both ways a fold takes its rows

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(history=steps)
    def check(history):
        run(_reset)
        run(_apply, history)
        run(_compare)

    check()


def test_a_village_under_two_counties_is_counted_once(client, world, run):
    """X1 has rows under its own county (township X taken whole when X1 and X2 are asked
    for) and under county B (where X3, not asked for, has rows too): X1's county-B rows come
    from its own rollup rows, and its county-A rows only from the township's."""
    log = {"date": MONTHS[0], "kind": "visit", "households": [], "flagged": False,
           "deleted": False}
    history = [("add_log", {**log, "village": VILLAGE_X1}),
               ("add_log", {**log, "village": VILLAGE_X1, "county": "529802"}),
               ("add_log", {**log, "village": VILLAGE_X3, "county": "529802"}),
               ("add_log", {**log, "village": VILLAGE_Z1})]
    run(_reset)
    run(_apply, history)
    figures = run(summary.village_figures, [VILLAGE_X1, VILLAGE_X2, VILLAGE_Z1], MONTHS[0],
                  dt.date(2026, 1, 31), MONTHS[0])
    assert figures.trend == {"2026-01": {"logs": 3, "flagged_logs": 0, "confirmed_days": 0}}
    run(_compare)


def test_rollups_are_emptied_by_deletes_and_folded_by_reads(client, world, run):
    async def sums():
        rows = await VillageMonthLogs.select().where(VillageMonthLogs.village_code == VILLAGE_X1)
        return len(rows), sum(r["logs"] for r in rows), sum(r["flagged"] for r in rows)

    async def scenario():
        await _reset()
        await _apply([("add_log", {"village": VILLAGE_X1, "date": MONTHS[0], "kind": "visit",
                                    "households": HOUSEHOLDS[:2], "flagged": True,
                                    "deleted": False})])
        assert await sums() == (1, 1, 1)
        await WorkLog.delete(force=True)
        assert await sums() == (2, 0, 0)  # appended, never updated in place
        figures = await summary.village_figures([VILLAGE_X1], MONTHS[0], dt.date(2026, 1, 31),
                                                MONTHS[0])
        assert figures.villages[VILLAGE_X1].logs == 0
        assert await sums() == (0, 0, 0)  # folded: nothing left to add up
        assert await VillageMonthHouseholds.select() == []
        # Two logs of one key: one folded row, no longer pending (whichever process reads
        # next sees nothing to fold), and a new log appends a pending row beside it.
        for _ in range(2):
            await _apply([("add_log", {"village": VILLAGE_X1, "date": MONTHS[0],
                                        "kind": "visit", "households": [], "flagged": False,
                                        "deleted": False})])
        await summary.fold_rollups([VILLAGE_X1])
        rows = await VillageMonthLogs.select(VillageMonthLogs.logs, VillageMonthLogs.pending)
        assert [(r["logs"], bool(r["pending"])) for r in rows] == [(2, False)]
        await _apply([("add_log", {"village": VILLAGE_X1, "date": MONTHS[0], "kind": "visit",
                                    "households": [], "flagged": False, "deleted": False})])
        rows = await VillageMonthLogs.select(VillageMonthLogs.logs, VillageMonthLogs.pending
                                             ).order_by(VillageMonthLogs.id)
        assert [(r["logs"], bool(r["pending"])) for r in rows] == [(2, False), (1, True)]

    run(scenario)


def test_a_dashboard_read_folds_once_and_not_at_all_when_nothing_was_written(
    client, world, run, monkeypatch
):
    folds, transactions = [], []
    real_fold, real_tx = summary._fold, summary.write_transaction

    async def counted_fold(*args):
        folds.append(args)
        await real_fold(*args)

    def counted_tx(engine):
        transactions.append(engine)
        return real_tx(engine)

    monkeypatch.setattr(summary, "_fold", counted_fold)
    monkeypatch.setattr(summary, "write_transaction", counted_tx)
    run(_apply, [("add_log", {"village": VILLAGE_X1, "date": MONTHS[0], "kind": "visit",
                              "households": HOUSEHOLDS[:1], "flagged": False,
                              "deleted": False})])

    def read():
        r = client.get("/api/dashboard", params={"month": "2026-01"},
                       headers=world.headers("admin_a"))
        assert r.status_code == 200, r.text
        return r.json()

    first = read()
    assert len(folds) == 1 and len(transactions) == 1  # one fold for the table and the trend
    assert first["totals"]["logs"] == 1  # read with the pending rows, folded after
    again = read()
    assert len(folds) == 1 and len(transactions) == 1  # nothing new: no fold, no transaction
    assert again["totals"] == first["totals"] and again["trend"] == first["trend"]


def test_a_fold_finds_its_keys_through_the_pending_index_whatever_the_statistics(
    client, world, run, monkeypatch
):
    """SQLite keeps the statistics of its last ``ANALYZE``: taken after a load, when nearly
    every rollup row was pending, they made it read a fold's pending keys by scanning the
    county's rows in the covering ``…_read`` index (30–50 ms at 1,000,000 logs) rather than
    the few pending rows. PostgreSQL's autovacuum keeps its statistics current."""
    import sqlite3

    from piccolo.querystring import QueryString

    engine = WorkLog._meta.db
    if engine.engine_type != "sqlite":
        pytest.skip("SQLite's planner")
    statements = []
    real = summary.fetch

    async def recorded(engine, sql, *args):
        statements.append(QueryString(sql, *args).compile_string(engine_type="sqlite"))
        return await real(engine, sql, *args)

    monkeypatch.setattr(summary, "fetch", recorded)
    run(_reset)
    run(_apply, [("add_log", {"village": VILLAGE_X1, "date": MONTHS[0], "kind": "visit",
                              "households": HOUSEHOLDS[:1], "flagged": False,
                              "deleted": False})])
    run(summary.fold_rollups, [VILLAGE_X1])
    keys = [(sql, args) for sql, args in statements
            if sql.startswith("SELECT DISTINCT") and "fieldwork_village_month_logs" in sql]
    assert keys
    conn = sqlite3.connect(engine.path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        conn.execute("ANALYZE")
        conn.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'fieldwork_village_month_logs'")
        conn.executemany("INSERT INTO sqlite_stat1 VALUES ('fieldwork_village_month_logs', ?, ?)",
                         [("fieldwork_village_month_logs_pending", "950000 47500"),
                          ("fieldwork_village_month_logs_read", "988791 49440 4000 4 1 1 1")])
        conn.execute("ANALYZE sqlite_schema")  # loads the statistics just written
        for sql, args in keys:
            plan = " ".join(str(r[-1]) for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", args))
            assert "fieldwork_village_month_logs_pending" in plan, plan
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def fieldwork_migration(stamp: str) -> Any:
    """The module of the fieldwork migration ``fieldwork_<stamp>.py``, loaded from its file."""
    path = (Path(__file__).resolve().parents[2] / "migrations" / "fieldwork"
            / f"fieldwork_{stamp}.py")
    spec = importlib.util.spec_from_file_location(f"fieldwork_{stamp}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def planned_statements(monkeypatch, returned: list[dict] | None = None) -> list[str]:
    """The SQL of every statement the dashboard's reads plan for their values, from now on;
    the rows they return into ``returned`` when given."""
    calls: list[str] = []
    real = summary.fetch_planned

    async def recorded(engine, sql, *args):
        calls.append(sql)
        rows = await real(engine, sql, *args)
        if returned is not None:
            returned.extend(rows)
        return rows

    monkeypatch.setattr(summary, "fetch_planned", recorded)
    return calls


def test_the_figures_are_planned_for_their_values_at_every_read(client, world, run,
                                                                monkeypatch):
    """From a prepared statement's sixth run PostgreSQL may use a generic plan: for the
    dashboard's statement it was 10x slower. ``fetch_planned`` asks for the values' own plan
    for its transaction only; the pooled connection keeps no setting."""
    from backend.core.db import fetch, fetch_planned

    engine = WorkLog._meta.db
    if engine.engine_type != "postgres":
        pytest.skip("PostgreSQL's plan cache")
    setting = "SELECT current_setting('plan_cache_mode') AS mode"

    async def modes():
        return ((await fetch_planned(engine, setting))[0]["mode"],
                (await fetch(engine, setting))[0]["mode"])

    assert run(modes) == ("force_custom_plan", "auto")
    calls = planned_statements(monkeypatch)
    run(summary.village_figures, [VILLAGE_X1], MONTHS[0], dt.date(2026, 1, 31), MONTHS[0])
    assert len(calls) == 1 and "UNION ALL" in calls[0]


def test_the_trend_reads_the_villages_rollups_only_for_townships_asked_for_in_part(
    client, world, run, monkeypatch
):
    """Township X's listed villages are X1 and X2 (both have logs): asked for both, its
    trend comes from the township's rows in the one statement; asked for X1 alone, X1's trend
    is read from its own rows by a second statement, and the figures are X1's only."""
    calls = planned_statements(monkeypatch)
    run(_reset)
    log = {"date": MONTHS[0], "kind": "visit", "households": [], "flagged": False,
           "deleted": False}
    run(_apply, [("add_log", {**log, "village": VILLAGE_X1}),
                 ("add_log", {**log, "village": VILLAGE_X2, "flagged": True})])
    end = dt.date(2026, 1, 31)

    def trend(villages):
        calls.clear()
        figures = run(summary.village_figures, villages, MONTHS[0], end, MONTHS[0])
        return figures.trend, len(calls)

    point = {"logs": 2, "flagged_logs": 1, "confirmed_days": 0}
    assert trend([VILLAGE_X1, VILLAGE_X2, VILLAGE_Y1]) == ({"2026-01": point}, 1)
    assert trend([VILLAGE_X1]) == (
        {"2026-01": {"logs": 1, "flagged_logs": 0, "confirmed_days": 0}}, 2)
    assert "fieldwork_village_month_logs" in calls[1]


def test_the_migration_fills_the_township_rollup_as_the_triggers_keep_it(client, world, run):
    """The migration for existing databases fills the rollup per township and the list of
    villages from the per-village rollups: after any history, what it writes adds up to what
    the triggers appended."""
    from backend.core.db import fetch

    migration = fieldwork_migration("2026_12_04t16_46_00_000000")
    engine = WorkLog._meta.db
    log = {"kind": "visit", "households": HOUSEHOLDS[:2], "flagged": True, "deleted": False}
    sheet = {"days": 12, "state": "confirmed"}
    history = [
        ("add_log", {**log, "village": VILLAGE_X1, "date": MONTHS[0]}),
        ("add_log", {**log, "village": VILLAGE_X3, "date": MONTHS[1], "flagged": False}),
        ("add_log", {**log, "village": VILLAGE_Z1, "date": MONTHS[2]}),
        ("add_log", {**log, "village": VILLAGE_Y1, "date": MONTHS[2], "deleted": True}),
        ("edit_log", 0, {**log, "village": VILLAGE_X2, "date": MONTHS[1]}),
        ("add_sheet", {**sheet, "village": VILLAGE_X1, "month": MONTHS[0]}),
        ("add_sheet", {**sheet, "village": VILLAGE_Y1, "month": MONTHS[1], "state": "draft"}),
        ("read",),
        ("add_sheet", {**sheet, "village": VILLAGE_Z1, "month": MONTHS[2], "days": 20}),
    ]

    async def township_sums():
        rows = await fetch(engine, "SELECT county_code, township_code, month, SUM(logs) AS l, "
                           "SUM(flagged) AS f, SUM(sheets) AS s, SUM(village_days) AS d "
                           "FROM fieldwork_township_month "
                           "GROUP BY county_code, township_code, month")
        return {(r["county_code"], r["township_code"], str(r["month"])):
                (int(r["l"]), int(r["f"]), int(r["s"]), int(r["d"]))
                for r in rows if any(int(r[c]) for c in "lfsd")}

    async def listed():
        rows = await fetch(engine, "SELECT village_code FROM fieldwork_rollup_village")
        return sorted(r["village_code"] for r in rows)

    async def scenario():
        await _reset()
        await _apply(history)
        kept, villages = await township_sums(), await listed()
        assert kept == {
            ("529801", "529801001", "2026-02-01"): (2, 1, 0, 0),
            ("529801", "529801001", "2026-01-01"): (0, 0, 1, 12),
            ("529802", "529802001", "2026-03-01"): (1, 1, 1, 20),
        }
        for table in (TownshipMonth, RollupVillage):
            await table.delete(force=True)
        for statement in migration.BACKFILL:
            await fetch(engine, statement)
        assert await township_sums() == kept
        # X1's log moved to X2: X1 stays listed (by its sheet and its old log), never less.
        assert set(villages) <= set(await listed())

    run(scenario)


def test_a_township_reviewers_read_returns_only_its_villages_rows(client, world, run,
                                                                  monkeypatch):
    """The scope is cut in the statement: a township reviewer's dashboard (township X: X1
    and X2) gets no row of the county's other villages (Y1, township Y) from the database,
    where it used to get the whole county's month and drop the rest in Python; and the
    townships it checks for the trend are X's only."""
    from backend.core import db

    returned: list[dict] = []
    statements = planned_statements(monkeypatch, returned)
    run(_reset)
    log = {"date": dt.date.today().replace(day=1), "kind": "visit",
           "households": HOUSEHOLDS[:2], "flagged": True, "deleted": False}
    run(_apply, [("add_log", {**log, "village": VILLAGE_X1}),
                 ("add_log", {**log, "village": VILLAGE_Y1}),
                 ("add_sheet", {"village": VILLAGE_Y1, "month": log["date"],
                                "state": "confirmed", "days": 20})])
    r = client.get("/api/dashboard", headers=world.headers("reviewer_x"))
    assert r.status_code == 200, r.text
    assert r.json()["totals"]["logs"] == 1
    villages = {row["code"] for row in returned
                if row["part"] in {"kind", "visited", "sheets"}}
    assert villages == {VILLAGE_X1}  # X1's rows came, Y1's (same county) did not
    # The same read for the county admin does get Y1's rows (the test can fail).
    returned.clear()
    r = client.get("/api/dashboard", headers=world.headers("admin_a"))
    assert r.status_code == 200 and r.json()["totals"]["logs"] == 2
    assert {row["code"] for row in returned if row["part"] == "kind"} == {VILLAGE_X1, VILLAGE_Y1}
    assert db.is_postgres(WorkLog._meta.db) == ("ANY(string_to_array(" in statements[0])


def test_a_county_admins_read_takes_its_county_by_county_alone(client, world, run,
                                                               monkeypatch):
    """A county admin's dashboard with no tier chosen reads the month of its county (A) by
    county and month alone: no list of its villages in the statement (PostgreSQL estimated
    it code by code for each part), no row of county B (Z1) from the database, and the rows
    of a village off the map (X3) dropped after the read. With a tier chosen, the villages
    of that tier are listed again, and only theirs come back."""
    returned: list[dict] = []
    statements = planned_statements(monkeypatch, returned)
    run(_reset)
    log = {"date": dt.date.today().replace(day=1), "kind": "visit",
           "households": HOUSEHOLDS[:2], "flagged": False, "deleted": False}
    run(_apply, [("add_log", {**log, "village": village})
                 for village in (VILLAGE_X1, VILLAGE_Y1, VILLAGE_Z1, VILLAGE_X3)])
    r = client.get("/api/dashboard", headers=world.headers("admin_a"))
    assert r.status_code == 200, r.text
    assert r.json()["totals"]["logs"] == 2 and len(statements) == 2  # X's trend per village
    period = {row["code"] for row in returned if row["part"] in {"kind", "visited", "sheets"}}
    assert period == {VILLAGE_X1, VILLAGE_Y1, VILLAGE_X3}  # county A's rows, not B's
    body = statements[0][statements[0].index("SELECT 'kind'"):].split(" UNION ALL ")
    period_parts = [p for p in body if "fieldwork_village_month_" in p and "pending" not in p]
    assert len(period_parts) == 3
    assert not any("village_code IN" in p or "village_code = ANY" in p for p in period_parts)
    returned.clear()
    statements.clear()
    r = client.get("/api/dashboard?tier=deep", headers=world.headers("admin_a"))
    assert r.status_code == 200 and r.json()["totals"]["logs"] == 1
    assert {row["code"] for row in returned if row["part"] == "kind"} == {VILLAGE_X1}


def test_the_township_rollup_is_read_by_township_then_month(client, world, run):
    """The migration of 5 Dec 08:00 backwards and forwards: the township rollup's read index
    orders a county's rows by township, then month (a township's months are one range), and
    on PostgreSQL every rollup's vacuum clears its indexes (pages with dead entries are never
    all-visible); backwards, as before. The figures agree with the counts either way."""
    from backend.core.db import fetch, is_postgres

    migration = fieldwork_migration("2026_12_05t08_00_00_000000")
    engine = WorkLog._meta.db
    log = {"kind": "visit", "households": HOUSEHOLDS[:1], "flagged": False, "deleted": False}

    async def state() -> tuple[str, set[str]]:
        if is_postgres(engine):
            [index] = await fetch(engine, "SELECT indexdef AS sql FROM pg_indexes "
                                  "WHERE indexname = {}", migration.INDEX)
            options = await fetch(engine, "SELECT unnest(reloptions) AS o FROM pg_class "
                                  "WHERE relname = ANY({})", list(migration.ROLLUPS))
        else:
            [index] = await fetch(engine, "SELECT sql FROM sqlite_master WHERE name = {}",
                                  migration.INDEX)
            options = []
        columns = index["sql"][index["sql"].rindex("(") + 1:].split(",")
        return (",".join(c.strip() for c in columns[:3]),
                {r["o"] for r in options if r["o"].startswith("vacuum_index_cleanup")})

    async def scenario(backwards: bool) -> tuple[str, set[str]]:
        await _reset()
        await (await migration.forwards()).run(backwards=backwards)
        await _apply([("add_log", {**log, "village": village, "date": month})
                      for village in (VILLAGE_X1, VILLAGE_X2) for month in MONTHS])
        await _compare()
        return await state()

    cleanup = {"vacuum_index_cleanup=on"} if is_postgres(engine) else set()
    assert run(scenario, True) == ("county_code,month,township_code", set())
    after = run(scenario, False)
    assert after[0] == "county_code,township_code,month"
    assert after[1] == cleanup


def test_a_fold_reads_every_rollups_keys_at_once_and_folds_in_one_statement_on_postgresql(
    client, world, run, monkeypatch
):
    """Pending rows in every rollup of two counties: the fold reads their keys in one
    statement (both engines); on PostgreSQL it is three statements in all, whatever it folds
    (the lock, the keys, the deletes with their sums' inserts), where it took three a rollup.
    The rollups still add up to the counts after it (the property test folds every way)."""
    from backend.core.db import is_postgres

    run(_reset)
    log = {"kind": "visit", "households": HOUSEHOLDS[:2], "flagged": True, "deleted": False}
    run(_apply, [("add_log", {**log, "village": VILLAGE_X1, "date": MONTHS[0]}),
                 ("add_log", {**log, "village": VILLAGE_Z1, "date": MONTHS[1]}),
                 ("add_sheet", {"village": VILLAGE_X1, "month": MONTHS[0],
                                "state": "confirmed", "days": 20})])
    statements: list[str] = []
    real = summary.fetch

    async def recorded(engine, sql, *args):
        statements.append(sql)
        return await real(engine, sql, *args)

    monkeypatch.setattr(summary, "fetch", recorded)
    run(summary.fold_rollups, [VILLAGE_X1, VILLAGE_Z1])
    folding = statements[1:]  # after the check for pending rows outside the fold
    assert sum(s.startswith("SELECT DISTINCT") for s in folding) == 1
    if is_postgres(WorkLog._meta.db):
        assert len(folding) == 3
    monkeypatch.setattr(summary, "fetch", real)
    run(_compare)
    assert run(summary._pending, WorkLog._meta.db,
               [(t, c) for t, _, _ in summary._ROLLUPS for c in ("529801", "529802")]) == set()
