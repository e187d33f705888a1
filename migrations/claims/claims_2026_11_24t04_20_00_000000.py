"""Hand-written: composite and partial uniqueness that the database enforces (never
check-then-insert), and the indexes of the review queues, the trip cap and the exports."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T04:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one subsidy claim per cadre and month, one live correction per claim, unique policies"

UNIQUE = {
    # Drafting the subsidy when a month is confirmed is idempotent.
    "claims_claim_subsidy_month": (
        "claims_claim (owner_id, kind, month) WHERE kind = 'subsidy' AND corrects_id IS NULL"
    ),
    # A claim has at most one correction that is not rejected.
    "claims_claim_one_correction": (
        "claims_claim (corrects_id) WHERE corrects_id IS NOT NULL AND state <> 'rejected'"
    ),
    "claims_insurance_policy_key": (
        "claims_insurance_policy (cadre_id, insurer, policy_number, start_date)"
    ),
}
INDEXES = {
    "claims_claim_owner_kind_month": "claims_claim (owner_id, kind, month)",
    "claims_claim_county_month_state": "claims_claim (county_code, month, state)",
    "claims_insurance_policy_cadre_dates": (
        "claims_insurance_policy (cadre_id, start_date, end_date)"
    ),
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="claims", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder

        for name, target in UNIQUE.items():
            await engine_finder().run_ddl(f"CREATE UNIQUE INDEX {name} ON {target}")
        for name, target in INDEXES.items():
            await engine_finder().run_ddl(f"CREATE INDEX {name} ON {target}")

    async def back():
        from piccolo.engine import engine_finder

        for name in [*UNIQUE, *INDEXES]:
            await engine_finder().run_ddl(f"DROP INDEX {name}")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
