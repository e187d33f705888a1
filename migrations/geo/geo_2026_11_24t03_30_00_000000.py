"""Hand-written: composite uniqueness Piccolo's auto migrations cannot express."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T03:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique (code, valid_from) on divisions"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="geo", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder

        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX geo_division_code_valid_from "
            "ON geo_division (code, valid_from)"
        )

    async def back():
        from piccolo.engine import engine_finder

        await engine_finder().run_ddl("DROP INDEX geo_division_code_valid_from")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
