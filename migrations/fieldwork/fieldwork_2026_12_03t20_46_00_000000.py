"""Hand-written: the rollups' indexes shaped like the dashboard's reads and folds.

The dashboard reads one county and a range of months, grouped per village (and kind, household
or state): ``(county_code, month, village_code, …, counts)`` serves each read from the index
alone, in group order, where ``(county_code, month)`` fetched every row from the table. A fold
looks for a county's pending rows: ``(county_code) WHERE pending`` holds only those, so a read
after no writes in its county costs one seek per table, and a fold reads what was written
since the last one, never the whole county (issue #18). On PostgreSQL the rollups are vacuumed
after a small share of rows changes (folds delete and append all the time; an index-only read
needs the visibility map up to date).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T20:46:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "rollup indexes shaped like the dashboard's reads and folds"

TABLES = ("fieldwork_village_month_logs", "fieldwork_village_month_households",
          "fieldwork_village_month_sheets")
OLD = {
    "fieldwork_village_month_logs_county": "fieldwork_village_month_logs (county_code, month)",
    "fieldwork_village_month_households_county":
        "fieldwork_village_month_households (county_code, month)",
    "fieldwork_village_month_sheets_county": "fieldwork_village_month_sheets (county_code, month)",
}
NEW = {
    "fieldwork_village_month_logs_read": "fieldwork_village_month_logs "
    "(county_code, month, village_code, kind, logs, flagged)",
    "fieldwork_village_month_logs_pending":
        "fieldwork_village_month_logs (county_code) WHERE pending",
    "fieldwork_village_month_households_read": "fieldwork_village_month_households "
    "(county_code, month, village_code, household_id, logs)",
    "fieldwork_village_month_households_pending":
        "fieldwork_village_month_households (county_code) WHERE pending",
    "fieldwork_village_month_sheets_read": "fieldwork_village_month_sheets "
    "(county_code, month, village_code, state, sheets, village_days)",
    "fieldwork_village_month_sheets_pending":
        "fieldwork_village_month_sheets (county_code) WHERE pending",
}
VACUUM = ("autovacuum_vacuum_scale_factor", "autovacuum_vacuum_insert_scale_factor",
          "autovacuum_analyze_scale_factor")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="fieldwork", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        for name, target in NEW.items():
            await engine.run_ddl(f"CREATE INDEX {name} ON {target}")
        for name in OLD:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")
        if engine.engine_type in {"postgres", "cockroach"}:
            for table in TABLES:
                settings = ", ".join(f"{s} = 0.02" for s in VACUUM)
                await engine.run_ddl(f"ALTER TABLE {table} SET ({settings})")

    async def back():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        for name, target in OLD.items():
            await engine.run_ddl(f"CREATE INDEX {name} ON {target}")
        for name in NEW:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")
        if engine.engine_type in {"postgres", "cockroach"}:
            for table in TABLES:
                await engine.run_ddl(f"ALTER TABLE {table} RESET ({', '.join(VACUUM)})")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
