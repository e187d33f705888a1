from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T13:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "near-duplicate photo index: a link carries its photo's pHash and bands"


def _params(**extra):
    return {
        "default": None,
        "null": True,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
        **extra,
    }


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="evidence", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="PhotoLink",
        tablename="evidence_link",
        column_name="phash_bits",
        db_column_name="phash_bits",
        column_class_name="BigInt",
        column_class=BigInt,
        params=_params(),
        schema=None,
    )
    for band in range(4):
        manager.add_column(
            table_class_name="PhotoLink",
            tablename="evidence_link",
            column_name=f"band{band}",
            db_column_name=f"band{band}",
            column_class_name="Integer",
            column_class=Integer,
            params=_params(),
            schema=None,
        )

    return manager
