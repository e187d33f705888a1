"""Hand-written: a version number for what scopes are made of, bumped by triggers.

A caller's scope comes from their role grants, their postings and the division tree. Each API
process keeps the scopes it resolved with the version they were read at
(``backend/accounts/services.py``); every request reads this one row, and any change to those
tables, by whatever process or hand, bumps it in the writing transaction, so no process keeps
a stale scope past the change.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T17:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "scope version, bumped on role grant, posting and division changes"

TABLES = ("account_role_grant", "account_posting", "geo_division")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder
        from piccolo.engine.sqlite import SQLiteEngine

        engine = engine_finder()
        await engine.run_ddl(
            "CREATE TABLE account_scope_version (id INTEGER PRIMARY KEY, value BIGINT NOT NULL)"
        )
        await engine.run_ddl("INSERT INTO account_scope_version (id, value) VALUES (1, 0)")
        bump = "UPDATE account_scope_version SET value = value + 1 WHERE id = 1"
        if isinstance(engine, SQLiteEngine):
            for table in TABLES:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    await engine.run_ddl(
                        f"CREATE TRIGGER {table}_scope_{event.lower()} AFTER {event} ON {table} "
                        f"BEGIN {bump}; END"
                    )
            return
        await engine.run_ddl(
            "CREATE OR REPLACE FUNCTION account_scope_bump() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$ BEGIN {bump}; RETURN NULL; END $$"
        )
        for table in TABLES:
            await engine.run_ddl(
                f"CREATE TRIGGER {table}_scope AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION account_scope_bump()"
            )

    async def back():
        from piccolo.engine import engine_finder
        from piccolo.engine.sqlite import SQLiteEngine

        engine = engine_finder()
        for table in TABLES:
            if isinstance(engine, SQLiteEngine):
                for event in ("insert", "update", "delete"):
                    await engine.run_ddl(f"DROP TRIGGER {table}_scope_{event}")
            else:
                await engine.run_ddl(f"DROP TRIGGER {table}_scope ON {table}")
        if not isinstance(engine, SQLiteEngine):
            await engine.run_ddl("DROP FUNCTION account_scope_bump()")
        await engine.run_ddl("DROP TABLE account_scope_version")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
