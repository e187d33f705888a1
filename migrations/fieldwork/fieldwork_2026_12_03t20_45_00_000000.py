"""Auto-style: the rollup rows say whether they are still pending (appended, not yet folded).

A fold used to remember, per process, the highest row id it had folded: every process that
started folded every county anew at its first dashboard read, and a row committed late stayed
unfolded. The triggers now append rows that are ``pending`` (the default); a fold takes the
pending rows of a county with their keys' folded row and writes one folded row per key.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T20:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "rollup rows pending until folded"

TABLES = {
    "VillageMonthLogs": "fieldwork_village_month_logs",
    "VillageMonthHouseholds": "fieldwork_village_month_households",
    "VillageMonthSheets": "fieldwork_village_month_sheets",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="fieldwork", description=DESCRIPTION)
    for class_name, tablename in TABLES.items():
        manager.add_column(
            table_class_name=class_name,
            tablename=tablename,
            column_name="pending",
            db_column_name="pending",
            column_class_name="Boolean",
            column_class=Boolean,
            params={
                "default": True,
                "null": False,
                "primary_key": False,
                "unique": False,
                "index": False,
                "index_method": IndexMethod.btree,
                "choices": None,
                "db_column_name": None,
                "secret": False,
            },
            schema=None,
        )
    return manager
