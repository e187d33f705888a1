"""Auto-style: the tables of the dashboard's trend per township and month (raw steps in the
migration after this one)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Date, Integer, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T16:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "tables of the trend rollup per township and month"

TABLES = {
    ("TownshipMonth", "fieldwork_township_month"): [
        ("county_code", Varchar, {"length": 6, "default": ""}),
        ("township_code", Varchar, {"length": 9, "default": ""}),
        ("month", Date, {"default": DateNow()}),
        ("logs", Integer, {"default": 0}),
        ("flagged", Integer, {"default": 0}),
        ("sheets", Integer, {"default": 0}),
        ("village_days", Integer, {"default": 0}),
        ("pending", Boolean, {"default": True}),
    ],
    ("RollupVillage", "fieldwork_rollup_village"): [
        ("county_code", Varchar, {"length": 6, "default": ""}),
        ("township_code", Varchar, {"length": 9, "default": ""}),
        ("village_code", Varchar, {"length": 12, "default": ""}),
    ],
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="fieldwork", description=DESCRIPTION)
    for (class_name, tablename), columns in TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, column_class, params in columns:
            manager.add_column(
                table_class_name=class_name,
                tablename=tablename,
                column_name=name,
                db_column_name=name,
                column_class_name=column_class.__name__,
                column_class=column_class,
                params={
                    **params,
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
