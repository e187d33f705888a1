"""Hand-written: on PostgreSQL, a work log insert is counted by its rollups once a statement.

The rollups' trigger on ``fieldwork_work_log`` (migration of 3 Dec 13:55) ran for each row
inserted: a PL/pgSQL call that ran ``fieldwork_log_rollup_add`` for the row, about 75 ms of
the database's CPU for a sync batch of 500 logs, where the rest of the insert took 12–15.
Inserts are now counted by a statement trigger that reads the statement's new rows (a
transition table) and calls the same ``fieldwork_log_rollup_add`` for each, in one query: the
same rows appended, and whatever that function appends (it stays the one definition of what a
log counts) is appended for every insert. Deletes and updates keep their row trigger (rare;
an ``UPDATE OF`` trigger cannot have a transition table). SQLite has row triggers only: its
triggers stay as they were.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T17:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "work log inserts counted by the rollups once a statement on PostgreSQL"

TABLE = "fieldwork_work_log"

#: The rollups' triggers of work logs on PostgreSQL after this migration (inserts: one call a
#: statement; deletes: the row trigger's function as before, which handles both events).
STATEMENT_LEVEL = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_rollup_inserted() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM fieldwork_log_rollup_add(village_code, county_code, date, kind, flags,
                                         household_ids, 1)
        FROM inserted WHERE NOT deleted;
        RETURN NULL;
    END $$""",
    f"DROP TRIGGER IF EXISTS {TABLE}_rollup_write ON {TABLE}",
    f"DROP TRIGGER IF EXISTS {TABLE}_rollup_inserted ON {TABLE}",
    f"DROP TRIGGER IF EXISTS {TABLE}_rollup_deleted ON {TABLE}",
    f"CREATE TRIGGER {TABLE}_rollup_inserted AFTER INSERT ON {TABLE} "
    f"REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT "
    f"EXECUTE FUNCTION {TABLE}_rollup_inserted()",
    f"CREATE TRIGGER {TABLE}_rollup_deleted AFTER DELETE ON {TABLE} "
    f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_rollup()",
]

#: As they were. Both lists can run again (``tests/bench/bench_sync.py --compare`` switches
#: between the two).
ROW_LEVEL = [
    f"DROP TRIGGER IF EXISTS {TABLE}_rollup_inserted ON {TABLE}",
    f"DROP TRIGGER IF EXISTS {TABLE}_rollup_deleted ON {TABLE}",
    f"DROP TRIGGER IF EXISTS {TABLE}_rollup_write ON {TABLE}",
    f"CREATE TRIGGER {TABLE}_rollup_write AFTER INSERT OR DELETE ON {TABLE} "
    f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_rollup()",
    f"DROP FUNCTION IF EXISTS {TABLE}_rollup_inserted()",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="fieldwork", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        if engine.engine_type in {"postgres", "cockroach"}:
            # One transaction (the migration's): no insert between the two forms goes uncounted.
            for statement in STATEMENT_LEVEL:
                await engine.run_ddl(statement)

    async def back():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        if engine.engine_type in {"postgres", "cockroach"}:
            for statement in ROW_LEVEL:
                await engine.run_ddl(statement)

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
