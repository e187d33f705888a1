"""Hand-written: the rollups' ids are 64-bit on PostgreSQL.

Every log, sheet or fold appends rollup rows (a trigger's +1 / -1, a fold's sum), each taking
the next id, so the ids run through far more numbers than the rows they leave: a 32-bit
``serial`` would run out after about two billion writes. SQLite's ``INTEGER PRIMARY KEY`` is
64-bit already.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T18:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "rollup ids 64-bit"

TABLES = ("fieldwork_village_month_logs", "fieldwork_village_month_households",
          "fieldwork_village_month_sheets", "fieldwork_township_month",
          "fieldwork_rollup_village")


def _retype(table: str, to: str) -> str:
    return (
        f"DO $$ DECLARE s text; BEGIN "
        f"ALTER TABLE {table} ALTER COLUMN id TYPE {to}; "
        f"s := pg_get_serial_sequence('{table}', 'id'); "
        f"IF s IS NOT NULL THEN EXECUTE format('ALTER SEQUENCE %s AS {to}', s); END IF; "
        f"END $$"
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="fieldwork", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        if engine.engine_type in {"postgres", "cockroach"}:
            for table in TABLES:
                await engine.run_ddl(_retype(table, "bigint"))

    async def back():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        if engine.engine_type in {"postgres", "cockroach"}:
            for table in TABLES:
                await engine.run_ddl(_retype(table, "integer"))

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
