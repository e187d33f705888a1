"""Hand-written: on PostgreSQL, work logs are counted by their rollups a statement at a time,
by one statement written once, for inserts, deletes and updates alike.

Before, a statement trigger called ``fieldwork_log_rollup_add`` for each inserted log (four
statements a log: the village's row, one per household, the township's row, the village's
listing), and deletes and updates ran a row trigger calling the same function. Now each of the
three events has a statement trigger with its transition tables, and all three run
``log_counts``: the one definition of what a log counts (one log, a flagged log when it has
flags, each household it names once, in its village, county, month and township, and its
village listed), applied to the statement's logs with a sign (+1 new, -1 old), summed into
one appended row per key and statement (keys whose counts add up to nothing append nothing: an
update that moves no count, a log deleted and counted again). A sync batch of 500 logs of one
village and month appends a handful of rows instead of some 1,500. The row function and
``fieldwork_log_rollup_add`` are dropped: no second definition is left on PostgreSQL. Presence
sheets keep their row triggers (one per confirmation), and SQLite its row triggers (it has no
transition tables, and no ``WITH`` inside a trigger).

Writers still only append: no key, no lock, so concurrent writers of the same village and
month never wait for each other (the village list is checked with ``NOT EXISTS``, as since the
migration of 4 Dec 17:40).
"""

import importlib.util
from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T20:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "work logs counted by their rollups a statement at a time, one definition"

TABLE = "fieldwork_work_log"
#: The columns a log is counted by (its id keeps each log's households distinct).
COLUMNS = "id, village_code, county_code, date, kind, flags, household_ids"


def log_counts(source: str) -> str:
    """The statement that counts logs: ``source`` yields ``COLUMNS`` and ``n`` (+1 for a log
    counted in, -1 for one counted out) for the logs that count (not deleted). Every rollup
    gets one row per key with the sum of the logs' signs; a key that sums to nothing gets none.
    """
    nonzero = "WHERE logs <> 0 OR flagged <> 0"
    return f"""WITH delta AS MATERIALIZED (
            SELECT id, village_code, county_code, substr(village_code, 1, 9) AS township_code,
                   date_trunc('month', date)::date AS month, kind, household_ids, n,
                   CASE WHEN coalesce(json_array_length(flags), 0) > 0 THEN n ELSE 0 END
                       AS flagged
            FROM ({source}) AS source
        ), logs AS (
            INSERT INTO fieldwork_village_month_logs
                (village_code, county_code, month, kind, logs, flagged)
            SELECT * FROM (
                SELECT village_code, county_code, month, kind, SUM(n) AS logs,
                       SUM(flagged) AS flagged
                FROM delta GROUP BY village_code, county_code, month, kind
            ) AS sums {nonzero}
        ), households AS (
            INSERT INTO fieldwork_village_month_households
                (village_code, county_code, month, household_id, logs)
            SELECT village_code, county_code, month, household_id, SUM(n)
            FROM (SELECT DISTINCT d.id, d.n, d.village_code, d.county_code, d.month,
                         h.household_id
                  FROM delta AS d,
                       json_array_elements_text(d.household_ids) AS h(household_id)) AS each
            GROUP BY village_code, county_code, month, household_id HAVING SUM(n) <> 0
        ), township AS (
            INSERT INTO fieldwork_township_month
                (county_code, township_code, month, logs, flagged)
            SELECT * FROM (
                SELECT county_code, township_code, month, SUM(n) AS logs,
                       SUM(flagged) AS flagged
                FROM delta GROUP BY county_code, township_code, month
            ) AS sums {nonzero}
        )
        INSERT INTO fieldwork_rollup_village (county_code, township_code, village_code)
        SELECT county_code, township_code, village_code
        FROM (SELECT DISTINCT county_code, township_code, village_code FROM delta) AS listed
        WHERE NOT EXISTS (
            SELECT 1 FROM fieldwork_rollup_village AS r
            WHERE r.county_code = listed.county_code
              AND r.township_code = listed.township_code
              AND r.village_code = listed.village_code)"""


def _counted(transition: str, sign: int) -> str:
    return f"SELECT {COLUMNS}, {sign} AS n FROM {transition} WHERE NOT deleted"


#: Each event's trigger: its transition tables and the logs it counts in and out.
EVENTS = {
    "inserted": ("INSERT", "NEW TABLE AS added", _counted("added", 1)),
    "deleted": ("DELETE", "OLD TABLE AS removed", _counted("removed", -1)),
    "updated": ("UPDATE", "OLD TABLE AS removed NEW TABLE AS added",
                f"{_counted('removed', -1)} UNION ALL {_counted('added', 1)}"),
}


def _statement_level() -> list[str]:
    out = []
    for event, (operation, referencing, source) in EVENTS.items():
        function = f"{TABLE}_rollup_{event}"
        out += [
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            f"    BEGIN\n        {log_counts(source)};\n        RETURN NULL;\n    END $$",
            f"DROP TRIGGER IF EXISTS {function} ON {TABLE}",
            f"CREATE TRIGGER {function} AFTER {operation} ON {TABLE} "
            f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        ]
    return out


def _migration(name: str):
    """An earlier migration of this app (their DDL is reused to go back)."""
    path = Path(__file__).with_name(f"fieldwork_2026_12_{name}.py")
    spec = importlib.util.spec_from_file_location(f"fieldwork_{name}", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: The triggers this replaced: the row function for deletes and updates (3 Dec 13:55), the
#: statement trigger for inserts calling ``fieldwork_log_rollup_add`` for each log (4 Dec 17:10)
#: and the function as it stood (4 Dec 16:46, without the key of 17:40).
_ROW_FUNCTION = next(f for f in _migration("03t13_55_00_000000")._PG_FUNCTIONS
                     if "fieldwork_work_log_rollup()" in f)
_UPDATE_COLUMNS = _migration("03t13_55_00_000000").LOG_COLUMNS
_ADD_FUNCTION = next(f for f in _migration("04t17_40_00_000000")._pg_functions(False)
                     if "fieldwork_log_rollup_add" in f)

#: Both lists can run again and again (``tests/bench/bench_sync.py --compare`` switches
#: between the two in one database).
STATEMENT_LEVEL = [
    f"DROP TRIGGER IF EXISTS {TABLE}_rollup_deleted ON {TABLE}",
    f"DROP TRIGGER IF EXISTS {TABLE}_rollup_update ON {TABLE}",
    *_statement_level(),
    f"DROP FUNCTION IF EXISTS {TABLE}_rollup()",
    "DROP FUNCTION IF EXISTS fieldwork_log_rollup_add(text, text, date, text, json, json, int)",
]
PER_LOG = [
    _ADD_FUNCTION,
    _ROW_FUNCTION,
    *[f"DROP TRIGGER IF EXISTS {TABLE}_rollup_{event} ON {TABLE}" for event in EVENTS],
    f"DROP FUNCTION IF EXISTS {TABLE}_rollup_deleted()",
    f"DROP FUNCTION IF EXISTS {TABLE}_rollup_updated()",
    *_migration("04t17_10_00_000000").STATEMENT_LEVEL,
    f"DROP TRIGGER IF EXISTS {TABLE}_rollup_update ON {TABLE}",
    f"CREATE TRIGGER {TABLE}_rollup_update AFTER UPDATE OF {_UPDATE_COLUMNS} ON {TABLE} "
    f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_rollup()",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="fieldwork", description=DESCRIPTION)

    def steps(statements: list[str]):
        async def run():
            from piccolo.engine import engine_finder

            engine = engine_finder()
            if engine.engine_type in {"postgres", "cockroach"}:
                # One transaction (the migration's): no write between the forms goes uncounted.
                for statement in statements:
                    await engine.run_ddl(statement)

        return run

    manager.add_raw(steps(STATEMENT_LEVEL))
    manager.add_raw_backwards(steps(PER_LOG))
    return manager
