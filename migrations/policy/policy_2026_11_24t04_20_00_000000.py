"""Hand-written: one row per county, year and version, enforced by the database."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T04:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique policy version per county and year"

INDEXES = {
    "policy_setting_county_year_version": "policy_setting (county_code, year, version)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="policy", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder

        for name, target in INDEXES.items():
            await engine_finder().run_ddl(f"CREATE UNIQUE INDEX {name} ON {target}")

    async def back():
        from piccolo.engine import engine_finder

        for name in INDEXES:
            await engine_finder().run_ddl(f"DROP INDEX {name}")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
