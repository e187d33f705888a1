"""Hand-written: on PostgreSQL, notices on channel ``zhucun_sessions`` when what an API process
keeps of a session changes (``backend/accounts/kept_sessions.py``), whoever writes it.

- a session revoked, given another account, another creation time or id, or deleted:
  ``s`` and its id;
- a user's name, phone, ``active`` or ``must_change_password`` changed, its id changed, or the
  user deleted: ``u`` and its id;
- the reference-data version written (``account_scope_version``, which the triggers of the
  roles, postings, divisions, villages and households bump): ``v``;
- any of the three tables emptied (``TRUNCATE``): ``*``.

A notice goes out when the writing transaction commits (and not at all if it rolls back);
PostgreSQL folds the same notice sent twice in one transaction into one. A refresh moving
``last_used_at`` notifies nothing: it only makes a session live longer. SQLite has no notices;
its processes read the session at every request.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-12-05T23:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "notices when a kept session, its user or the reference-data version changes"

CHANNEL = "zhucun_sessions"
FUNCTION = "account_session_notice"

#: table: (the notice's prefix, the columns whose change matters)
WATCHED = {
    "account_session": ("s", ("id", "account", "revoked_at", "created_at")),
    "account_user": ("u", ("id", "name", "phone", "active", "must_change_password")),
}


def _ddl() -> list[str]:
    out = [
        f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'TRUNCATE' THEN PERFORM pg_notify('{CHANNEL}', '*'); "
        f"ELSIF TG_TABLE_NAME = 'account_scope_version' THEN PERFORM pg_notify('{CHANNEL}', 'v'); "
        f"ELSE PERFORM pg_notify('{CHANNEL}', TG_ARGV[0] || OLD.id::text); "
        "END IF; RETURN NULL; END $$"
    ]
    for table, (prefix, columns) in WATCHED.items():
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
        out += [
            f"CREATE TRIGGER {table}_notice_update AFTER UPDATE ON {table} FOR EACH ROW "
            f"WHEN ({changed}) EXECUTE FUNCTION {FUNCTION}('{prefix}')",
            f"CREATE TRIGGER {table}_notice_delete AFTER DELETE ON {table} FOR EACH ROW "
            f"EXECUTE FUNCTION {FUNCTION}('{prefix}')",
        ]
    out.append(
        "CREATE TRIGGER account_scope_version_notice AFTER INSERT OR UPDATE OR DELETE "
        f"ON account_scope_version FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
    )
    for table in (*WATCHED, "account_scope_version"):
        out.append(
            f"CREATE TRIGGER {table}_notice_truncate AFTER TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
        )
    return out


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def run():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        if engine.engine_type != "postgres":
            return
        for statement in _ddl():
            await engine.run_ddl(statement)

    async def back():
        from piccolo.engine import engine_finder

        engine = engine_finder()
        if engine.engine_type != "postgres":
            return
        await engine.run_ddl(f"DROP FUNCTION IF EXISTS {FUNCTION}() CASCADE")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
