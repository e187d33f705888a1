"""What a push asks the database: the statements a single-item push sends, by their SQL.

A new record is inserted without reading the stored rows first (``ON CONFLICT`` finds a taken
id), and on PostgreSQL the insert runs without a savepoint unless the database refused a
statement of the batch; the audit event is appended with its predecessor's hash in one
statement. On PostgreSQL a push of new records that need nothing after their write is one
statement, the insert and its audit event together, without ``BEGIN`` and ``COMMIT``. Every
answer stays as before: ``test_sync.py``, ``test_sync_race.py``.
"""

from __future__ import annotations

import json

import pytest

from backend.audit import services as audit
from backend.audit.tables import AuditEvent
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


def _pushes_audited(run) -> list[dict]:
    rows = run(AuditEvent.select(AuditEvent.after).where(AuditEvent.action == "sync.push")
               .order_by(AuditEvent.id).run)
    return [json.loads(r["after"]) for r in rows]


@pytest.mark.skipif(ENGINE != "postgres", reason="SQLite numbers a change in a transaction")
def test_new_records_are_written_with_their_event_in_one_statement(client, world, run):
    """The earlier fixes (a log with a location) and one statement: two round trips, the goal
    of issue #18 being four (the session, read by the first push, is kept by the process:
    ``test_kept_sessions.py``). The event is in the chain as any other."""
    push(client, world, "cadre_x1", item(log_data("一")))
    located = log_data("带位置的一条")
    located["location"] = {"lat": 26.41, "lon": 107.91, "accuracy_m": 15.0,
                           "captured_at": f"{located['date']}T02:00:00+00:00"}
    with Statements() as sent:
        [r] = push(client, world, "cadre_x1", item(located))
    assert r["status"] == "applied" and r["version"] == 1
    assert len(sent.sql) == 2, sent.sql
    assert not [s for s in sent.sql if s in ("BEGIN", "COMMIT") or s.startswith("BEGIN")], \
        sent.sql
    [written] = [s for s in sent.sql if "INSERT INTO AUDIT_EVENT" in s]
    assert written.startswith('WITH INS AS (INSERT INTO "FIELDWORK_WORK_LOG"'), written
    assert _pushes_audited(run)[-1] == {"work_log": 1}
    report = run(audit.verify)
    assert report.ok, report.broken


def test_a_resend_beside_new_records_is_answered_and_audited_as_done(client, world, run):
    """An id already taken makes the one statement count fewer rows than its event says: the
    database refuses it whole, and the push is done in a transaction, which answers the resend
    and audits only the record written. Nothing is written twice or without its event."""
    first = item(log_data("已经送达"))
    push(client, world, "cadre_x1", first)
    before = len(_pushes_audited(run))
    fresh = item(log_data("新的"))
    results = push(client, world, "cadre_x1", first, fresh)
    assert [r["status"] for r in results] == ["duplicate", "applied"]
    audited = _pushes_audited(run)
    assert audited[before:] == [{"work_log": 1}]
    # Nothing at all new: no event.
    results = push(client, world, "cadre_x1", first, fresh)
    assert [r["status"] for r in results] == ["duplicate", "duplicate"]
    assert len(_pushes_audited(run)) == before + 1
    ids = [r["id"] for r in run(WorkLog.select(WorkLog.id).run)]
    assert len(ids) == len(set(ids))
    report = run(audit.verify)
    assert report.ok, report.broken
