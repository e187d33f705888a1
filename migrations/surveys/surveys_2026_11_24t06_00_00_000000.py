"""Hand-written: composite uniqueness that the database enforces (never check-then-insert)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-24T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "one version number per survey, one assignment per village, one response per "
DESCRIPTION += "household, one fact per household and key"

INDEXES = {
    "surveys_form_version_survey_version": "surveys_form_version (survey_id, version)",
    "surveys_assignment_survey_village": "surveys_assignment (survey_id, village_code)",
    "surveys_response_survey_subject": "surveys_response (survey_id, subject)",
    "surveys_household_fact_household_fact": "surveys_household_fact (household_id, fact)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="surveys", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder

        for name, target in INDEXES.items():
            await engine_finder().run_ddl(f"CREATE UNIQUE INDEX {name} ON {target}")

    async def back():
        from piccolo.engine import engine_finder

        for name in INDEXES:
            await engine_finder().run_ddl(f"DROP INDEX {name}")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
