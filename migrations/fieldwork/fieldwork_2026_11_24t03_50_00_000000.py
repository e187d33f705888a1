"""Hand-written: composite uniqueness that the database enforces (never check-then-insert)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T03:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique households per village, one presence day and one sheet per cadre"

INDEXES = {
    "fieldwork_household_village_external": "fieldwork_household (village_code, external_id)",
    "fieldwork_presence_day_owner_date": "fieldwork_presence_day (owner_id, date)",
    "fieldwork_presence_sheet_owner_month": "fieldwork_presence_sheet (owner_id, month)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="fieldwork", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder

        for name, target in INDEXES.items():
            await engine_finder().run_ddl(f"CREATE UNIQUE INDEX {name} ON {target}")
        await engine_finder().run_ddl(
            "CREATE INDEX fieldwork_work_log_owner_date ON fieldwork_work_log (owner_id, date)"
        )
        await engine_finder().run_ddl(
            "CREATE INDEX fieldwork_work_log_county_date ON fieldwork_work_log (county_code, date)"
        )
        await engine_finder().run_ddl(
            "CREATE INDEX fieldwork_work_log_village_date ON fieldwork_work_log (village_code, date)"
        )
        await engine_finder().run_ddl(
            "CREATE INDEX fieldwork_work_log_owner_fix "
            "ON fieldwork_work_log (owner_id, loc_captured_at)"
        )

    async def back():
        from piccolo.engine import engine_finder

        for name in [*INDEXES, "fieldwork_work_log_owner_date", "fieldwork_work_log_county_date",
                     "fieldwork_work_log_owner_fix", "fieldwork_work_log_village_date"]:
            await engine_finder().run_ddl(f"DROP INDEX {name}")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
