"""Hand-written: the township rollup's read index ordered by township before month, and on
PostgreSQL the rollups' dead rows always cleared from their indexes when vacuumed.

The dashboard's trend reads, for each township taken whole, its months of a range (a county's
12-month trend: 50 townships, 13 months each). With ``(county_code, month, township_code, …)``
each township's seek walked the whole range of months of every township of the county and kept
its own: 3,400 buffers for 300 rows at 1,000,000 logs, twice (logs, days). With
``(county_code, township_code, month, …)`` each seek reads its own 13 rows. A fold names its
keys (county, month, township) by equality, which either order serves.

A fold deletes and appends rows of the keys written since the last one, so the rows a read
wants are those that leave dead entries behind. PostgreSQL's vacuum (14 and later) skips
clearing the indexes when under 2 % of the table's pages hold dead entries, and a page that
keeps dead entries is not marked all-visible: the index-only reads then fetched the heap for
most of a county's rows (277 of 300 trend rows). ``vacuum_index_cleanup = on`` clears them at
every vacuum (which the rollups' settings already make frequent).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "township rollup read by township then month; rollups' indexes always vacuumed"

TOWNSHIP = "fieldwork_township_month"
INDEX = f"{TOWNSHIP}_read"
COUNTS = "logs, flagged, sheets, village_days"
NEW = f"(county_code, township_code, month, {COUNTS})"
OLD = f"(county_code, month, township_code, {COUNTS})"
ROLLUPS = ("fieldwork_village_month_logs", "fieldwork_village_month_households",
           "fieldwork_village_month_sheets", TOWNSHIP)


async def _index(columns: str, cleanup: str | None) -> None:
    from piccolo.engine import engine_finder

    engine = engine_finder()
    await engine.run_ddl(f"DROP INDEX IF EXISTS {INDEX}")
    await engine.run_ddl(f"CREATE INDEX {INDEX} ON {TOWNSHIP} {columns}")
    if engine.engine_type in {"postgres", "cockroach"}:
        for table in ROLLUPS:
            await engine.run_ddl(f"ALTER TABLE {table} SET (vacuum_index_cleanup = {cleanup})"
                                 if cleanup else
                                 f"ALTER TABLE {table} RESET (vacuum_index_cleanup)")


async def _run() -> None:
    await _index(NEW, "on")


async def _back() -> None:
    await _index(OLD, None)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="fieldwork", description=DESCRIPTION)
    manager.add_raw(_run)
    manager.add_raw_backwards(_back)
    return manager
