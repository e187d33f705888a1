"""Hand-written: the dashboard's trend per township and month, kept by the rollups' triggers.

A county's 12-month trend added up every village's rollup rows of the year (25,000 rows at
1,000,000 logs). ``fieldwork_township_month`` holds the same sums per township (the village
code's first nine digits) and month: logs and flagged logs (not deleted), confirmed presence
sheets and their village days. The triggers of the per-village rollups append to it in the
same writing transaction (+1 / -1, ``pending`` until folded, like the others), and list every
village they count in ``fieldwork_rollup_village`` (unique, never removed): a read takes a
township's rows only when every village listed under it is asked for
(``backend/fieldwork/summary.py``). Filled here from the per-village rollups (their pending
rows included), which equal the logs and sheets.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T16:46:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "dashboard trend rollup per township and month"

TOWNSHIP = "fieldwork_township_month"
VILLAGES = "fieldwork_rollup_village"
INDEXES = {
    f"{TOWNSHIP}_read": f"INDEX {TOWNSHIP}_read ON {TOWNSHIP} "
    "(county_code, month, township_code, logs, flagged, sheets, village_days)",
    f"{TOWNSHIP}_pending": f"INDEX {TOWNSHIP}_pending ON {TOWNSHIP} (county_code) WHERE pending",
    f"{VILLAGES}_key": f"UNIQUE INDEX {VILLAGES}_key ON {VILLAGES} "
    "(county_code, township_code, village_code)",
}
VACUUM = ("autovacuum_vacuum_scale_factor", "autovacuum_vacuum_insert_scale_factor",
          "autovacuum_analyze_scale_factor")

BACKFILL = [
    f"INSERT INTO {TOWNSHIP} "
    "(county_code, township_code, month, logs, flagged, sheets, village_days, pending) "
    "SELECT county_code, township_code, month, SUM(logs), SUM(flagged), SUM(sheets), "
    "SUM(village_days), FALSE FROM ("
    "SELECT county_code, substr(village_code, 1, 9) AS township_code, month, logs, flagged, "
    "0 AS sheets, 0 AS village_days FROM fieldwork_village_month_logs "
    "UNION ALL SELECT county_code, substr(village_code, 1, 9), month, 0, 0, sheets, "
    "village_days FROM fieldwork_village_month_sheets WHERE state = 'confirmed') r "
    "GROUP BY county_code, township_code, month "
    "HAVING SUM(logs) <> 0 OR SUM(flagged) <> 0 OR SUM(sheets) <> 0 OR SUM(village_days) <> 0",
    # Every village of the per-village rollups, even at zero: a longer list only sends more
    # reads to the per-village rows, never a wrong sum.
    f"INSERT INTO {VILLAGES} (county_code, township_code, village_code) "
    "SELECT county_code, substr(village_code, 1, 9), village_code FROM ("
    "SELECT county_code, village_code FROM fieldwork_village_month_logs "
    "UNION SELECT county_code, village_code FROM fieldwork_village_month_sheets) v",
]


def _listed(county: str, village: str) -> str:
    """Insert the village into the list unless it is there (one probe of its unique index;
    on PostgreSQL a writer listing the same new village meanwhile is waited for)."""
    return (f"INSERT INTO {VILLAGES} (county_code, township_code, village_code) "
            f"SELECT {county}, substr({village}, 1, 9), {village} WHERE NOT EXISTS ("
            f"SELECT 1 FROM {VILLAGES} WHERE county_code = {county} "
            f"AND township_code = substr({village}, 1, 9) AND village_code = {village})")


def _sqlite_log_rows(row: str, sign: str) -> list[str]:
    month = f"substr({row}.date, 1, 7) || '-01'"
    return [
        f"INSERT INTO {TOWNSHIP} (county_code, township_code, month, logs, flagged) "
        f"SELECT {row}.county_code, substr({row}.village_code, 1, 9), {month}, {sign}, "
        f"CASE WHEN coalesce(json_array_length({row}.flags), 0) > 0 THEN {sign} ELSE 0 END "
        f"WHERE NOT {row}.deleted;",
        _listed(f"{row}.county_code", f"{row}.village_code") + f" AND NOT {row}.deleted;",
    ]


def _sqlite_sheet_rows(row: str, sign: str) -> list[str]:
    return [
        f"INSERT INTO {TOWNSHIP} (county_code, township_code, month, sheets, village_days) "
        f"SELECT {row}.county_code, substr({row}.village_code, 1, 9), {row}.month, {sign}, "
        f"{sign} * coalesce({row}.village_days, 0) WHERE {row}.state = 'confirmed';",
        _listed(f"{row}.county_code", f"{row}.village_code")
        + f" AND {row}.state = 'confirmed';",
    ]


#: Each table's counted columns (an update of any of them moves its counts), as in the
#: per-village rollups' triggers (migration of 3 Dec 13:55).
COUNTED = {
    "fieldwork_work_log": ("village_code, county_code, date, kind, flags, household_ids, deleted",
                           _sqlite_log_rows),
    "fieldwork_presence_sheet": ("village_code, county_code, month, state, village_days",
                                 _sqlite_sheet_rows),
}


def _sqlite_ddl() -> list[str]:
    """Triggers beside the per-village rollups' (``…_rollup_insert`` and the others)."""
    out = []
    for table, (columns, rows) in COUNTED.items():
        out.append(f"CREATE TRIGGER {table}_township_insert AFTER INSERT ON {table} BEGIN "
                   + " ".join(rows("NEW", "1")) + " END")
        out.append(f"CREATE TRIGGER {table}_township_delete AFTER DELETE ON {table} BEGIN "
                   + " ".join(rows("OLD", "-1")) + " END")
        out.append(f"CREATE TRIGGER {table}_township_update AFTER UPDATE OF {columns} "
                   f"ON {table} BEGIN " + " ".join(rows("OLD", "-1") + rows("NEW", "1"))
                   + " END")
    return out


_LOG_VILLAGE = """INSERT INTO fieldwork_village_month_logs
            (village_code, county_code, month, kind, logs, flagged)
        VALUES (v, c, date_trunc('month', d)::date, k, n,
                CASE WHEN coalesce(json_array_length(flags), 0) > 0 THEN n ELSE 0 END);
        INSERT INTO fieldwork_village_month_households
            (village_code, county_code, month, household_id, logs)
        SELECT DISTINCT v, c, date_trunc('month', d)::date, h, n
        FROM json_array_elements_text(households) AS h;"""
_SHEET_VILLAGE = """INSERT INTO fieldwork_village_month_sheets
            (village_code, county_code, month, state, sheets, village_days)
        VALUES (v, c, m, s, n, n * coalesce(days, 0));"""
_LOG_SIGNATURE = ("fieldwork_log_rollup_add(v text, c text, d date, k text, flags json, "
                  "households json, n int)")
_SHEET_SIGNATURE = "fieldwork_sheet_rollup_add(v text, c text, m date, s text, days int, n int)"


def _pg_functions(township: bool) -> list[str]:
    """The functions the per-village rollups' triggers call for each row counted (+1) or
    uncounted (-1): with the township's rows and the village's listing, in PL/pgSQL (which
    keeps its statements' plans for the session; a SQL function's were made again at every
    row, and the two statements more cost a 500-log insert a third more of PostgreSQL's CPU
    in SQL), or as they were."""
    log, sheet = _LOG_VILLAGE, _SHEET_VILLAGE
    language = "sql"
    if township:
        language = "plpgsql"
        log += f"""
        INSERT INTO {TOWNSHIP} (county_code, township_code, month, logs, flagged)
        VALUES (c, substr(v, 1, 9), date_trunc('month', d)::date, n,
                CASE WHEN coalesce(json_array_length(flags), 0) > 0 THEN n ELSE 0 END);
        {_listed('c', 'v')} ON CONFLICT DO NOTHING;"""
        sheet += f"""
        INSERT INTO {TOWNSHIP} (county_code, township_code, month, sheets, village_days)
        SELECT c, substr(v, 1, 9), m, n, n * coalesce(days, 0) WHERE s = 'confirmed';
        {_listed('c', 'v')} AND s = 'confirmed' ON CONFLICT DO NOTHING;"""
    if language == "plpgsql":
        log, sheet = (f"BEGIN\n        {body}\n    END;" for body in (log, sheet))
    return [
        f"CREATE OR REPLACE FUNCTION {_LOG_SIGNATURE} RETURNS void LANGUAGE {language} "
        f"AS $$\n        {log}\n    $$",
        f"CREATE OR REPLACE FUNCTION {_SHEET_SIGNATURE} RETURNS void LANGUAGE {language} "
        f"AS $$\n        {sheet}\n    $$",
    ]


async def _run() -> None:
    from piccolo.engine import engine_finder

    engine = engine_finder()
    postgres = engine.engine_type in {"postgres", "cockroach"}
    if postgres:
        # No write between the fill's snapshot and the functions' change may be left out
        # (SQLite: this transaction is the one writer already).
        await engine.run_ddl("LOCK TABLE fieldwork_work_log, fieldwork_presence_sheet "
                             "IN SHARE ROW EXCLUSIVE MODE")
    for statement in BACKFILL:
        await engine.run_ddl(statement)
    for target in INDEXES.values():
        await engine.run_ddl(f"CREATE {target}")
    if postgres:
        settings = ", ".join(f"{s} = 0.02" for s in VACUUM)
        await engine.run_ddl(f"ALTER TABLE {TOWNSHIP} SET ({settings})")
    for statement in _pg_functions(True) if postgres else _sqlite_ddl():
        await engine.run_ddl(statement)


async def _back() -> None:
    from piccolo.engine import engine_finder

    engine = engine_finder()
    if engine.engine_type in {"postgres", "cockroach"}:
        for statement in _pg_functions(False):
            await engine.run_ddl(statement)
    else:
        for table in COUNTED:
            for event in ("insert", "delete", "update"):
                await engine.run_ddl(f"DROP TRIGGER IF EXISTS {table}_township_{event}")
    for name in INDEXES:
        await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="fieldwork", description=DESCRIPTION)
    manager.add_raw(_run)
    manager.add_raw_backwards(_back)
    return manager
