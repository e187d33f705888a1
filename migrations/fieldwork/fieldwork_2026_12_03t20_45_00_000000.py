"""Hand-written: the rollups' indexes shaped like the dashboard's reads and folds.

The dashboard reads one county and a range of months, grouped per village (and kind, household
or state): ``(county_code, month, village_code, …, counts)`` serves each read from the index
alone, in group order, where ``(county_code, month)`` fetched every row from the table. A fold
looks for the rows appended since the last one in one county: ``(county_code, id)`` finds them
(and the county's highest id) with one seek instead of reading the county's rows (issue #18).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T20:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "rollup indexes shaped like the dashboard's reads and folds"

OLD = {
    "fieldwork_village_month_logs_county": "fieldwork_village_month_logs (county_code, month)",
    "fieldwork_village_month_households_county":
        "fieldwork_village_month_households (county_code, month)",
    "fieldwork_village_month_sheets_county": "fieldwork_village_month_sheets (county_code, month)",
}
NEW = {
    "fieldwork_village_month_logs_read": "fieldwork_village_month_logs "
    "(county_code, month, village_code, kind, logs, flagged)",
    "fieldwork_village_month_logs_appended": "fieldwork_village_month_logs (county_code, id)",
    "fieldwork_village_month_households_read": "fieldwork_village_month_households "
    "(county_code, month, village_code, household_id, logs)",
    "fieldwork_village_month_households_appended":
        "fieldwork_village_month_households (county_code, id)",
    "fieldwork_village_month_sheets_read": "fieldwork_village_month_sheets "
    "(county_code, month, village_code, state, sheets, village_days)",
    "fieldwork_village_month_sheets_appended": "fieldwork_village_month_sheets (county_code, id)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="fieldwork", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        for name, target in NEW.items():
            await engine.run_ddl(f"CREATE INDEX {name} ON {target}")
        for name in OLD:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    async def back():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        for name, target in OLD.items():
            await engine.run_ddl(f"CREATE INDEX {name} ON {target}")
        for name in NEW:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
