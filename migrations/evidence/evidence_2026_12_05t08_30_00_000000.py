from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-05T08:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "near-duplicate photo index: each band keyed by its county in one integer"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="evidence", description=DESCRIPTION
    )
    for band in range(4):
        manager.add_column(
            table_class_name="PhotoLink",
            tablename="evidence_link",
            column_name=f"county_band{band}",
            db_column_name=f"county_band{band}",
            column_class_name="BigInt",
            column_class=BigInt,
            params={
                "default": None,
                "null": True,
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
