"""What a push asks the database: the statements a single-item push sends, by their SQL.

A new record is inserted without reading the stored rows first (``ON CONFLICT`` finds a taken
id), and on PostgreSQL the insert runs without a savepoint unless the database refused a
statement of the batch; the audit event is appended with its predecessor's hash in one
statement. Every answer stays as before: ``test_sync.py``, ``test_sync_race.py``.
"""

from __future__ import annotations

from backend.fieldwork.tables import WorkLog
from tests.api.test_presence import state_day
from tests.api.test_sync import item, log_data, push
from tests.conftest import ENGINE
from tests.statements import Statements


def _reads_logs(sql: str) -> bool:
    return sql.startswith("SELECT") and 'FROM "FIELDWORK_WORK_LOG"' in sql


def test_a_new_record_is_inserted_without_reading_stored_rows(client, world):
    new = item(log_data("新的一条"))
    with Statements() as sent:
        [r] = push(client, world, "cadre_x1", new)
    assert r["status"] == "applied"
    assert not [s for s in sent.sql if _reads_logs(s)], sent.sql
    assert not [s for s in sent.sql if s.startswith(("SAVEPOINT", "RELEASE"))], sent.sql
    # The audit event is appended to the chain's head by one statement, nothing read first and
    # no lock taken by a statement of its own (the head's row lock queues appends).
    assert not [s for s in sent.sql if s.startswith("SELECT") and "AUDIT_" in s], sent.sql
    assert not [s for s in sent.sql if "ADVISORY" in s], sent.sql
    assert len([s for s in sent.sql if "INSERT INTO AUDIT_EVENT" in s]) == 1, sent.sql
    # A resend: the insert skips the taken id, whose stored row is then read and answered.
    with Statements() as sent:
        [again] = push(client, world, "cadre_x1", new)
    assert again["status"] == "duplicate" and again["version"] == 1
    assert [s for s in sent.sql if _reads_logs(s)], sent.sql


def test_an_edit_reads_its_stored_row_first(client, world):
    created = item(log_data("第一稿"))
    push(client, world, "cadre_x1", created)
    with Statements() as sent:
        [r] = push(client, world, "cadre_x1",
                   {**created, "base_version": 1, "data": log_data("第二稿")})
    assert r["status"] == "applied" and r["version"] == 2
    assert [s for s in sent.sql if _reads_logs(s)], sent.sql


def test_a_refused_batch_is_done_again_in_savepoints(client, world):
    """A second stated day for a date is refused by the database. On PostgreSQL that ends the
    batch's transaction, so the batch is done again with each insert in a savepoint; on SQLite
    the refused statement is undone alone. Either way only the clashing day is rejected."""
    push(client, world, "cadre_x1", state_day(3, "in_village"))
    with Statements() as sent:
        results = push(client, world, "cadre_x1", state_day(4, "away"), state_day(3, "away"))
    assert [r["status"] for r in results] == ["applied", "rejected"]
    savepoints = [s for s in sent.sql if s.startswith("SAVEPOINT")]
    assert (len(savepoints) > 0) == (ENGINE == "postgres"), sent.sql


def test_a_new_record_takes_its_change_number_in_its_insert_on_postgres(client, world, run):
    """On PostgreSQL the ``seq`` column's default draws the change number from the sequence:
    no statement of its own, and every new row still gets a fresh one (SQLite bumps its
    counter row first)."""
    first, second = item(log_data("一")), item(log_data("二"))
    push(client, world, "cadre_x1", first)
    with Statements() as sent:
        [r] = push(client, world, "cadre_x1", second)
    assert r["status"] == "applied"
    numbering = [s for s in sent.sql if "NEXTVAL" in s or "SYNC_CHANGE_COUNTER" in s]
    assert (numbering == []) == (ENGINE == "postgres"), sent.sql
    seqs = {str(row["id"]): row["seq"] for row in run(WorkLog.select(WorkLog.id, WorkLog.seq).run)}
    assert 0 < seqs[first["id"]] < seqs[second["id"]]
