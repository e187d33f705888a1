"""Hand-written: one nomination per cadre and run."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T04:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique nominations"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="commendation", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder

        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX commendation_nomination_run_cadre "
            "ON commendation_nomination (run_id, cadre_id)"
        )

    async def back():
        from piccolo.engine import engine_finder

        await engine_finder().run_ddl("DROP INDEX commendation_nomination_run_cadre")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
