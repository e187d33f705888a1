"""Hand-written: the near-duplicate index (one index per band, by county), filled for the
links that already exist."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T13:46:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "near-duplicate photo index by county and band"

INDEXES = [f"evidence_link_county_band{b}" for b in range(4)]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="evidence", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder
        from piccolo.querystring import QueryString

        from backend.evidence.near import bands, signed

        engine = engine_finder()
        # Covering, so that a lookup reads the index only; PostgreSQL keeps the hash and the
        # record out of the key.
        postgres = engine.engine_type in {"postgres", "cockroach"}
        for band, name in enumerate(INDEXES):
            target = (
                f"(county_code, band{band}) INCLUDE (phash_bits, record_id)"
                if postgres
                else f"(county_code, band{band}, phash_bits, record_id)"
            )
            await engine.run_ddl(f"CREATE INDEX {name} ON evidence_link {target}")
        rows = await engine.run_ddl(
            "SELECT DISTINCT p.sha256 AS sha256, p.phash AS phash FROM evidence_photo p "
            "JOIN evidence_link l ON l.sha256 = p.sha256"
        )
        for row in rows or []:
            cut = bands(row["phash"] or "")
            if cut is None:
                continue
            await engine.run_querystring(QueryString(
                "UPDATE evidence_link SET phash_bits = {}, band0 = {}, band1 = {}, band2 = {}, "
                "band3 = {} WHERE sha256 = {}",
                signed(row["phash"]), *cut, row["sha256"],
            ))

    async def back():
        from piccolo.engine import engine_finder

        for name in INDEXES:
            await engine_finder().run_ddl(f"DROP INDEX {name}")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
