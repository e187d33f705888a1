"""Hand-written: uniqueness the database enforces for notices and pushes, and the due index."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T04:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one scheduled notice per dedupe key, one push per inbox item and subscription"

UNIQUE = {
    "notify_inbox_dedupe_key": "notify_inbox (dedupe_key)",
    "notify_push_delivery_inbox_subscription": "notify_push_delivery (inbox, subscription_id)",
}
#: The dispatcher's claim reads pending rows by due time (a partial index on both engines).
DUE = (
    "CREATE INDEX notify_push_delivery_due ON notify_push_delivery (next_attempt_at) "
    "WHERE state = 'pending'"
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="notify", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder

        for name, target in UNIQUE.items():
            await engine_finder().run_ddl(f"CREATE UNIQUE INDEX {name} ON {target}")
        await engine_finder().run_ddl(DUE)

    async def back():
        from piccolo.engine import engine_finder

        for name in [*UNIQUE, "notify_push_delivery_due"]:
            await engine_finder().run_ddl(f"DROP INDEX {name}")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
