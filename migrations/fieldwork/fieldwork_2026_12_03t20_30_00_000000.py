"""Hand-written: household changes bump the reference-data version, like divisions and postings.

Each API process keeps the household ids of a village it has read, with the version of the
reference data they were read at (``backend/fieldwork/services.py``, ``core/cache.py``); the
version row and its bump are those of the scope cache (accounts' migration of 17:40): any
insert, update, delete (or truncate) of households, by whatever process or hand, bumps it in
the writing transaction.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T20:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "household changes bump the reference-data version"

TABLE = "fieldwork_household"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="fieldwork", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder
        from piccolo.engine.sqlite import SQLiteEngine

        engine = engine_finder()
        if isinstance(engine, SQLiteEngine):
            bump = "UPDATE account_scope_version SET value = value + 1 WHERE id = 1"
            for event in ("INSERT", "UPDATE", "DELETE"):
                await engine.run_ddl(
                    f"CREATE TRIGGER {TABLE}_scope_{event.lower()} AFTER {event} ON {TABLE} "
                    f"BEGIN {bump}; END"
                )
            return
        await engine.run_ddl(
            f"CREATE TRIGGER {TABLE}_scope AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {TABLE} FOR EACH STATEMENT EXECUTE FUNCTION account_scope_bump()"
        )

    async def back():
        from piccolo.engine import engine_finder
        from piccolo.engine.sqlite import SQLiteEngine

        engine = engine_finder()
        if isinstance(engine, SQLiteEngine):
            for event in ("insert", "update", "delete"):
                await engine.run_ddl(f"DROP TRIGGER {TABLE}_scope_{event}")
        else:
            await engine.run_ddl(f"DROP TRIGGER {TABLE}_scope ON {TABLE}")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
