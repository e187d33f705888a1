"""Hand-written: the list of villages counted by the township rollup, without a unique key.

With a unique key on ``fieldwork_rollup_village``, a writer listing a new village waited, on
PostgreSQL, for any other transaction that had just listed it to end (``ON CONFLICT`` waits
for the other writer): a push held open made every other push to the same new village wait,
so writers no longer committed in any order (``tests/api/test_sync_cursor.py`` hung). Now the
triggers insert a village unless a committed (or their own) row lists it, and two writers
listing the same new village at once both list it: a read only asks whether every village
listed under a township is among those asked for, which a village listed twice answers the
same way. SQLite has one writer at a time; its triggers never used the key.
"""

import importlib.util
from pathlib import Path

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-04T17:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "rollup village list without a unique key"

TABLE = "fieldwork_rollup_village"
UNIQUE = f"{TABLE}_key"
PLAIN = f"{TABLE}_village"
COLUMNS = "(county_code, township_code, village_code)"


def _previous():
    """The migration that made the list and the functions (their text is reused)."""
    path = Path(__file__).with_name("fieldwork_2026_12_04t16_46_00_000000.py")
    spec = importlib.util.spec_from_file_location("fieldwork_township_rollup", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pg_functions(wait: bool) -> list[str]:
    functions = _previous()._pg_functions(True)
    return functions if wait else [f.replace(" ON CONFLICT DO NOTHING", "") for f in functions]


async def _run() -> None:
    from piccolo.engine import engine_finder

    engine = engine_finder()
    await engine.run_ddl(f"CREATE INDEX {PLAIN} ON {TABLE} {COLUMNS}")
    await engine.run_ddl(f"DROP INDEX {UNIQUE}")
    if engine.engine_type in {"postgres", "cockroach"}:
        for statement in _pg_functions(False):
            await engine.run_ddl(statement)


async def _back() -> None:
    from piccolo.engine import engine_finder

    engine = engine_finder()
    await engine.run_ddl(f"DELETE FROM {TABLE} WHERE id NOT IN (SELECT MIN(id) FROM {TABLE} "
                         "GROUP BY county_code, township_code, village_code)")
    await engine.run_ddl(f"CREATE UNIQUE INDEX {UNIQUE} ON {TABLE} {COLUMNS}")
    await engine.run_ddl(f"DROP INDEX {PLAIN}")
    if engine.engine_type in {"postgres", "cockroach"}:
        for statement in _pg_functions(True):
            await engine.run_ddl(statement)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="fieldwork", description=DESCRIPTION)
    manager.add_raw(_run)
    manager.add_raw_backwards(_back)
    return manager
