"""Hand-written: the audit chain's head, one row holding the newest event's hash.

An append links to the head and moves it in the same statement (``services.record``). On
PostgreSQL the head's row lock is what queues concurrent appends, where an advisory lock took a
statement of its own before every append; on SQLite a trigger moves it after each insert. The
head also shows a deleted tail: ``audit verify`` reports the chain broken when the head's event
is gone (issue #18).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T16:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the audit chain's head"

GENESIS = "0" * 64


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="audit", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder
        from piccolo.engine.sqlite import SQLiteEngine

        engine = engine_finder()
        await engine.run_ddl(
            "CREATE TABLE audit_chain_head (id INTEGER PRIMARY KEY, prev VARCHAR(64) NOT NULL, "
            "hash VARCHAR(64) NOT NULL)"
        )
        await engine.run_ddl(
            "INSERT INTO audit_chain_head (id, prev, hash) SELECT 1, coalesce(e.prev_hash, "
            f"'{GENESIS}'), coalesce(e.hash, '{GENESIS}') FROM (SELECT 1 AS one) AS o LEFT JOIN "
            "(SELECT prev_hash, hash FROM audit_event ORDER BY id DESC LIMIT 1) AS e ON true"
        )
        if isinstance(engine, SQLiteEngine):
            await engine.run_ddl(
                "CREATE TRIGGER audit_chain_head_moves AFTER INSERT ON audit_event BEGIN "
                "UPDATE audit_chain_head SET prev = NEW.prev_hash, hash = NEW.hash "
                "WHERE id = 1; END"
            )

    async def back():
        from piccolo.engine import engine_finder
        from piccolo.engine.sqlite import SQLiteEngine

        engine = engine_finder()
        if isinstance(engine, SQLiteEngine):
            await engine.run_ddl("DROP TRIGGER audit_chain_head_moves")
        await engine.run_ddl("DROP TABLE audit_chain_head")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
