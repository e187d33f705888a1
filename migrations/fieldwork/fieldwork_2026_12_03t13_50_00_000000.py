"""Hand-written: drop the work-log indexes that composite ones already cover.

(owner_id), (village_code) and (county_code) are the leading columns of (owner_id, date),
(village_code, date) and (county_code, date): every query they served uses the composite one,
and each insert of a log maintained three indexes for nothing (issue #18).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T13:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "drop work-log indexes covered by composite ones"

COVERED = {
    "fieldwork_work_log_owner_id": "owner_id",
    "fieldwork_work_log_village_code": "village_code",
    "fieldwork_work_log_county_code": "county_code",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="fieldwork", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder

        for name in COVERED:
            await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {name}")

    async def back():
        from piccolo.engine import engine_finder

        for name, column in COVERED.items():
            await engine_finder().run_ddl(f"CREATE INDEX {name} ON fieldwork_work_log ({column})")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
