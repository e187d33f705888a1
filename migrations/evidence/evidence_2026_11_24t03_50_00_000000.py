"""Hand-written: one link per record and photo."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T03:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique evidence links"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="evidence", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder

        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX evidence_link_record_photo "
            "ON evidence_link (record_kind, record_id, sha256)"
        )

    async def back():
        from piccolo.engine import engine_finder

        await engine_finder().run_ddl("DROP INDEX evidence_link_record_photo")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
