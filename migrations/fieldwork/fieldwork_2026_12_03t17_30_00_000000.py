"""Hand-written: a cadre's logs in change order, for pull and the first pull's snapshot.

A cadre pulls their own logs (``owner_id = ?``) after a change number, in change order, a page
at a time. With only ``(owner_id, date)`` and ``(seq)`` the database read every log of the
cadre and sorted them for each page, so a first pull of 52,000 logs read them all a hundred
times over; with ``(owner_id, seq)`` each page is one range scan.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T17:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "work logs by owner in change order"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="fieldwork", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder

        await engine_finder().run_ddl(
            "CREATE INDEX fieldwork_work_log_owner_seq ON fieldwork_work_log (owner_id, seq)"
        )

    async def back():
        from piccolo.engine import engine_finder

        await engine_finder().run_ddl("DROP INDEX IF EXISTS fieldwork_work_log_owner_seq")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
