"""Hand-written: the near-duplicate index keyed by county and band in one integer
(``near.county_band``), filled from the links' bands; the (county, band) indexes and the band
columns go. One way: going back would need the bands refilled."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T08:31:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "near-duplicate photo index by one county-and-band key"

OLD_INDEXES = [f"evidence_link_county_band{b}" for b in range(4)]
INDEXES = [f"evidence_link_near{b}" for b in range(4)]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="evidence", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        postgres = engine.engine_type in {"postgres", "cockroach"}
        for old in OLD_INDEXES:  # first, so that the update does not maintain them
            await engine.run_ddl(f"DROP INDEX {old}")
        # near.county_band: the county code times 2**16 plus the band's value; one statement,
        # so that each row is rewritten once.
        keys = ", ".join(
            f"county_band{b} = CAST(county_code AS BIGINT) * 65536 + band{b}" for b in range(4)
        )
        await engine.run_ddl(f"UPDATE evidence_link SET {keys} WHERE band0 IS NOT NULL")
        for band, name in enumerate(INDEXES):
            target = (
                f"(county_band{band}) INCLUDE (phash_bits, record_id)"
                if postgres
                else f"(county_band{band}, phash_bits, record_id)"
            )
            await engine.run_ddl(f"CREATE INDEX {name} ON evidence_link {target}")

    manager.add_raw(run)
    for band in range(4):
        manager.drop_column(
            table_class_name="PhotoLink",
            tablename="evidence_link",
            column_name=f"band{band}",
            db_column_name=f"band{band}",
            schema=None,
        )
    return manager
