"""Hand-written: composite uniqueness Piccolo's auto migrations cannot express."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T03:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique role grants"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder

        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX account_role_grant_unique "
            "ON account_role_grant (account, role, division_code)"
        )

    async def back():
        from piccolo.engine import engine_finder

        await engine_finder().run_ddl("DROP INDEX account_role_grant_unique")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
