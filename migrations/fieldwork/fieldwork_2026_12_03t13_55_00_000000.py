"""Hand-written: dashboard rollups per village and month, kept by triggers, filled from the data.

Triggers on ``fieldwork_work_log`` and ``fieldwork_presence_sheet`` append to the three rollup
tables in the writing transaction, whoever writes (sync, review, imports, the demo, SQL by
hand): an insert appends +1, a delete -1, an update of a counted column both. Only appends, so
two writers of the same village and month never wait for each other; readers add the rows up
and fold them now and then (``backend/fieldwork/summary.py``). Existing rows are counted once
here.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-03T13:55:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "dashboard rollups per village and month, kept by triggers"

BY_COUNTY = {
    "fieldwork_village_month_logs_county": "fieldwork_village_month_logs (county_code, month)",
    "fieldwork_village_month_households_county":
        "fieldwork_village_month_households (county_code, month)",
    "fieldwork_village_month_sheets_county": "fieldwork_village_month_sheets (county_code, month)",
}
LOG_COLUMNS = "village_code, county_code, date, kind, flags, household_ids, deleted"
SHEET_COLUMNS = "village_code, county_code, month, state, village_days"


def _sqlite_log_rows(row: str, sign: str) -> list[str]:
    """Statements adding (sign 1) or subtracting (-1) one log row (NEW or OLD) on SQLite."""
    month = f"substr({row}.date, 1, 7) || '-01'"
    return [
        "INSERT INTO fieldwork_village_month_logs "
        "(village_code, county_code, month, kind, logs, flagged) "
        f"SELECT {row}.village_code, {row}.county_code, {month}, {row}.kind, {sign}, "
        f"CASE WHEN coalesce(json_array_length({row}.flags), 0) > 0 THEN {sign} ELSE 0 END "
        f"WHERE NOT {row}.deleted;",
        "INSERT INTO fieldwork_village_month_households "
        "(village_code, county_code, month, household_id, logs) "
        f"SELECT DISTINCT {row}.village_code, {row}.county_code, {month}, "
        f"CAST(h.value AS TEXT), {sign} FROM json_each({row}.household_ids) h "
        f"WHERE NOT {row}.deleted;",
    ]


def _sqlite_sheet_rows(row: str, sign: str) -> list[str]:
    return [
        "INSERT INTO fieldwork_village_month_sheets "
        "(village_code, county_code, month, state, sheets, village_days) "
        f"SELECT {row}.village_code, {row}.county_code, {row}.month, {row}.state, {sign}, "
        f"{sign} * coalesce({row}.village_days, 0);"
    ]


def _sqlite_ddl() -> list[str]:
    out = []
    for table, columns, rows in (
        ("fieldwork_work_log", LOG_COLUMNS, _sqlite_log_rows),
        ("fieldwork_presence_sheet", SHEET_COLUMNS, _sqlite_sheet_rows),
    ):
        out.append(f"CREATE TRIGGER {table}_rollup_insert AFTER INSERT ON {table} BEGIN "
                   + " ".join(rows("NEW", "1")) + " END")
        out.append(f"CREATE TRIGGER {table}_rollup_delete AFTER DELETE ON {table} BEGIN "
                   + " ".join(rows("OLD", "-1")) + " END")
        out.append(f"CREATE TRIGGER {table}_rollup_update AFTER UPDATE OF {columns} ON {table} "
                   "BEGIN " + " ".join(rows("OLD", "-1") + rows("NEW", "1")) + " END")
    return out


_PG_FUNCTIONS = [
    """CREATE OR REPLACE FUNCTION fieldwork_log_rollup_add(
        v text, c text, d date, k text, flags json, households json, n int
    ) RETURNS void LANGUAGE sql AS $$
        INSERT INTO fieldwork_village_month_logs
            (village_code, county_code, month, kind, logs, flagged)
        VALUES (v, c, date_trunc('month', d)::date, k, n,
                CASE WHEN coalesce(json_array_length(flags), 0) > 0 THEN n ELSE 0 END);
        INSERT INTO fieldwork_village_month_households
            (village_code, county_code, month, household_id, logs)
        SELECT DISTINCT v, c, date_trunc('month', d)::date, h, n
        FROM json_array_elements_text(households) AS h;
    $$""",
    """CREATE OR REPLACE FUNCTION fieldwork_work_log_rollup() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            IF NOT OLD.deleted THEN
                PERFORM fieldwork_log_rollup_add(OLD.village_code, OLD.county_code, OLD.date,
                    OLD.kind, OLD.flags, OLD.household_ids, -1);
            END IF;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            IF NOT NEW.deleted THEN
                PERFORM fieldwork_log_rollup_add(NEW.village_code, NEW.county_code, NEW.date,
                    NEW.kind, NEW.flags, NEW.household_ids, 1);
            END IF;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE OR REPLACE FUNCTION fieldwork_sheet_rollup_add(
        v text, c text, m date, s text, days int, n int
    ) RETURNS void LANGUAGE sql AS $$
        INSERT INTO fieldwork_village_month_sheets
            (village_code, county_code, month, state, sheets, village_days)
        VALUES (v, c, m, s, n, n * coalesce(days, 0));
    $$""",
    """CREATE OR REPLACE FUNCTION fieldwork_presence_sheet_rollup() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            PERFORM fieldwork_sheet_rollup_add(OLD.village_code, OLD.county_code, OLD.month,
                OLD.state, OLD.village_days, -1);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            PERFORM fieldwork_sheet_rollup_add(NEW.village_code, NEW.county_code, NEW.month,
                NEW.state, NEW.village_days, 1);
        END IF;
        RETURN NULL;
    END $$""",
]


def _pg_ddl() -> list[str]:
    out = list(_PG_FUNCTIONS)
    for table, columns in (("fieldwork_work_log", LOG_COLUMNS),
                           ("fieldwork_presence_sheet", SHEET_COLUMNS)):
        out.append(f"CREATE TRIGGER {table}_rollup_write AFTER INSERT OR DELETE ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {table}_rollup()")
        out.append(f"CREATE TRIGGER {table}_rollup_update AFTER UPDATE OF {columns} ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {table}_rollup()")
    return out


def _backfill(postgres: bool) -> list[str]:
    month = "date_trunc('month', w.date)::date" if postgres else "substr(w.date, 1, 7) || '-01'"
    flags = "w.flags" if not postgres else "w.flags::json"
    each = ("json_array_elements_text(w.household_ids::json) AS h(value)" if postgres
            else "json_each(w.household_ids) h")
    join = "CROSS JOIN LATERAL" if postgres else ","
    not_deleted = "NOT w.deleted"
    return [
        "INSERT INTO fieldwork_village_month_logs "
        "(village_code, county_code, month, kind, logs, flagged) "
        f"SELECT w.village_code, w.county_code, {month}, w.kind, COUNT(*), "
        f"SUM(CASE WHEN coalesce(json_array_length({flags}), 0) > 0 THEN 1 ELSE 0 END) "
        f"FROM fieldwork_work_log w WHERE {not_deleted} "
        f"GROUP BY w.village_code, w.county_code, {month}, w.kind",
        "INSERT INTO fieldwork_village_month_households "
        "(village_code, county_code, month, household_id, logs) "
        f"SELECT w.village_code, w.county_code, {month}, CAST(h.value AS TEXT), "
        f"COUNT(DISTINCT w.id) FROM fieldwork_work_log w {join} {each} WHERE {not_deleted} "
        f"GROUP BY w.village_code, w.county_code, {month}, CAST(h.value AS TEXT)",
        "INSERT INTO fieldwork_village_month_sheets "
        "(village_code, county_code, month, state, sheets, village_days) "
        "SELECT village_code, county_code, month, state, COUNT(*), "
        "coalesce(SUM(village_days), 0) FROM fieldwork_presence_sheet "
        "GROUP BY village_code, county_code, month, state",
    ]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="fieldwork", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        postgres = engine.engine_type in {"postgres", "cockroach"}
        for name, target in BY_COUNTY.items():
            await engine.run_ddl(f"CREATE INDEX {name} ON {target}")
        for statement in _backfill(postgres):
            await engine.run_ddl(statement)
        for statement in _pg_ddl() if postgres else _sqlite_ddl():
            await engine.run_ddl(statement)

    async def back():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        postgres = engine.engine_type in {"postgres", "cockroach"}
        for table in ("fieldwork_work_log", "fieldwork_presence_sheet"):
            names = ("rollup_write", "rollup_update") if postgres else (
                "rollup_insert", "rollup_delete", "rollup_update")
            for n in names:
                on = f" ON {table}" if postgres else ""
                await engine.run_ddl(f"DROP TRIGGER IF EXISTS {table}_{n}{on}")
        for name in BY_COUNTY:
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
