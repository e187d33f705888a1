"""The change cursor never passes a late commit: writers that commit out of order, pulls between.

A push is held open inside its transaction (after its rows are written, before its commit)
while other pushes commit and the cadre pulls. Whatever the order of the commits, every change
reaches the phone exactly when its transaction has ended, and no pull's cursor skips one.
On SQLite writers queue at ``BEGIN IMMEDIATE`` (nothing can commit out of order); the
Hypothesis property over commit orders runs on PostgreSQL, where writers run side by side.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.sync import services as sync_services
from tests.api.test_sync import item, log_data, pull_all, push
from tests.conftest import ENGINE
from tests.statements import Statements


class _Gate:
    """Holds chosen pushes open just before their commit until released.

    Every push then takes the transaction's way (on PostgreSQL new records are otherwise
    written by one statement, ``_apply_new_at_once``, with no moment inside to hold): a
    statement alone is a transaction too, numbered and delivered by the same rule."""

    def __init__(self, monkeypatch) -> None:
        self.inside: set[str] = set()
        self.release: dict[str, threading.Event] = {}
        original = sync_services._after_write

        async def held(actor, ready, written, *rest):
            await original(actor, ready, written, *rest)
            texts = [it.prepared.values.get("text") for it in ready]
            for text in texts:
                if text in self.release:
                    self.inside.add(text)
                    while not self.release[text].is_set():
                        await asyncio.sleep(0.01)

        monkeypatch.setattr(sync_services, "_after_write", held)

        async def in_a_transaction(*_args: object) -> bool:
            return False

        monkeypatch.setattr(sync_services, "_apply_new_at_once", in_a_transaction)

    def hold(self, text: str) -> None:
        self.release[text] = threading.Event()

    def wait_inside(self, text: str, timeout: float = 20) -> bool:
        deadline = time.monotonic() + timeout
        while text not in self.inside and time.monotonic() < deadline:
            time.sleep(0.01)
        return text in self.inside


def _push_in_thread(client, world, data_text, results):
    def send():
        r = client.post("/api/sync/push", json={"items": [item(log_data(data_text))]},
                        headers=world.headers("cadre_x1"))
        results[data_text] = r.json()["results"][0]["status"]

    t = threading.Thread(target=send)
    t.start()
    return t


def _texts(changes) -> set[str]:
    return {c["data"]["text"] for c in changes if c["kind"] == "work_log"}


def test_a_late_commit_is_delivered_after_an_early_one(client, world, monkeypatch):
    _, cursor = pull_all(client, world, "cadre_x1")
    gate = _Gate(monkeypatch)
    gate.hold("慢的一条")
    statuses: dict[str, str] = {}
    slow = _push_in_thread(client, world, "慢的一条", statuses)
    assert gate.wait_inside("慢的一条")
    fast = _push_in_thread(client, world, "快的一条", statuses)
    fast.join(3)  # on SQLite it queues behind the slow one; on PostgreSQL it commits now
    seen, cursor = pull_all(client, world, "cadre_x1", since=cursor)
    assert "慢的一条" not in _texts(seen)  # not committed yet
    gate.release["慢的一条"].set()
    slow.join(30)
    fast.join(30)
    assert statuses == {"慢的一条": "applied", "快的一条": "applied"}
    later, _ = pull_all(client, world, "cadre_x1", since=cursor)
    assert _texts(seen) | _texts(later) >= {"慢的一条", "快的一条"}


@pytest.mark.postgres_only
def test_no_commit_order_makes_a_pull_skip_a_change(client, world, monkeypatch):
    _, start = pull_all(client, world, "cadre_x1")
    gate = _Gate(monkeypatch)
    run_no = iter(range(10**6))

    @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
    @given(order=st.permutations(range(4)), pulls=st.lists(st.booleans(), min_size=4, max_size=4))
    def commits_in_any_order(order, pulls):
        nonlocal start
        n = next(run_no)
        texts = [f"写者{n}-{i}" for i in range(4)]
        statuses: dict[str, str] = {}
        threads = []
        for text in texts:  # all four write and take their numbers in this order…
            gate.hold(text)
            threads.append(_push_in_thread(client, world, text, statuses))
            assert gate.wait_inside(text)
        cursor, delivered = start, set()
        for i, pull_now in zip(order, pulls, strict=True):  # …and commit in another one
            gate.release[texts[i]].set()
            threads[i].join(30)
            if pull_now:
                changes, cursor = pull_all(client, world, "cadre_x1", since=cursor)
                delivered |= _texts(changes)
                committed = {texts[j] for j in order[: order.index(i) + 1]}
                assert _texts(changes) <= committed | delivered
        changes, cursor = pull_all(client, world, "cadre_x1", since=cursor)
        delivered |= _texts(changes)
        assert set(texts) <= delivered, set(texts) - delivered
        assert set(statuses.values()) == {"applied"}
        start = cursor

    commits_in_any_order()


@pytest.mark.postgres_only
def test_cursor_text(client, world):
    _, cursor = pull_all(client, world, "cadre_x1")
    epoch, body = cursor.split(":")
    assert epoch.isdigit() and body.startswith("x")
    r = client.get("/api/sync/pull", params={"since": "x12.abc"},
                   headers=world.headers("cadre_x1"))
    assert r.status_code in (400, 422)
    # A cursor from before the stamps (plain digits) still reads: rows stamped 0 after it.
    r = client.get("/api/sync/pull", params={"since": "0"}, headers=world.headers("cadre_x1"))
    assert r.status_code == 200


class _OpenTransaction:
    """A transaction holding a transaction id, open in ``database`` of the same server on a
    connection of its own (its own thread and event loop) until closed."""

    def __init__(self, database: str) -> None:
        import asyncpg

        from tests import dbconf

        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

        async def begin():
            conn = await asyncpg.connect(f"{dbconf.PG_ADMIN_DSN.rsplit('/', 1)[0]}/{database}")
            await conn.execute("BEGIN")
            await conn.fetchval("SELECT pg_current_xact_id()")
            return conn

        self.conn = asyncio.run_coroutine_threadsafe(begin(), self.loop).result(10)

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.conn.close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.mark.postgres_only
def test_a_transaction_of_another_database_does_not_hold_the_feed_back(client, world):
    """The bound leaves out transactions running in another database of the same server; one
    running in this database holds back what was written after it began."""
    from tests import dbconf

    _, cursor = pull_all(client, world, "cadre_x1")
    elsewhere = _OpenTransaction(dbconf.PG_ADMIN_DSN.rsplit("/", 1)[1])
    try:
        push(client, world, "cadre_x1", item(log_data("别的库开着事务")))
        seen, cursor = pull_all(client, world, "cadre_x1", since=cursor)
        assert _texts(seen) == {"别的库开着事务"}
    finally:
        elsewhere.close()
    database = client.app.state["engine"].config["dsn"].rsplit("/", 1)[1]
    here = _OpenTransaction(database)
    try:
        push(client, world, "cadre_x1", item(log_data("本库开着事务")))
        held, held_cursor = pull_all(client, world, "cadre_x1", since=cursor)
        assert _texts(held) == set()  # written after this database's open transaction began
    finally:
        here.close()
    later, _ = pull_all(client, world, "cadre_x1", since=held_cursor)
    assert _texts(later) == {"本库开着事务"}


def test_engine_is_known():
    assert ENGINE in {"sqlite", "postgres"}


def test_a_cursor_from_before_a_restore_starts_the_feed_over(client, world):
    push(client, world, "cadre_x1", item(log_data("恢复前")))
    everything, cursor = pull_all(client, world, "cadre_x1")
    epoch, body = cursor.split(":")
    # The same position in another epoch (the database was restored from a backup since).
    again, fresh = pull_all(client, world, "cadre_x1", since=f"{int(epoch) + 1}:{body}")
    assert _texts(again) == _texts(everything) and "恢复前" in _texts(again)
    assert fresh.split(":")[0] == epoch
    # The same epoch: nothing new.
    nothing, _ = pull_all(client, world, "cadre_x1", since=cursor)
    assert _texts(nothing) == set()


def test_a_commit_between_two_kinds_reads_is_not_passed(client, world, monkeypatch):
    """A pull reads kind after kind. A push that commits between two of those reads, with a
    row of a kind already read (the lower number) and one of a kind read later (the higher),
    must not leave the lower one behind the cursor."""
    original = sync_services._read_rows
    pushed: list[str] = []

    async def interleaved(kind, *args, **kwargs):
        found = await original(kind, *args, **kwargs)
        if kind.name == "feedback" and not pushed:
            pushed.append("yes")
            results = await asyncio.to_thread(
                push, client, world, "cadre_x1",
                item({"text": "夹在中间的意见"}, kind="feedback"), item(log_data("夹在中间的日志")),
            )
            assert [r["status"] for r in results] == ["applied", "applied"]
        return found

    _, cursor = pull_all(client, world, "cadre_x1")
    push(client, world, "cadre_x1", item({"text": "又一条意见"}, kind="feedback"))
    monkeypatch.setattr(sync_services, "_read_rows", interleaved)
    seen, cursor = pull_all(client, world, "cadre_x1", since=cursor)
    monkeypatch.undo()
    assert pushed
    later, _ = pull_all(client, world, "cadre_x1", since=cursor)
    texts = {c["data"]["text"] for c in seen + later if c["kind"] in ("feedback", "work_log")}
    assert {"又一条意见", "夹在中间的意见", "夹在中间的日志"} <= texts


def test_a_pull_asks_every_kind_at_once_and_reads_only_those_with_changes(
    client, world, monkeypatch
):
    """Nothing new: one statement for all kinds, not one a kind, besides the feed's end (on
    SQLite the counter, read first; on PostgreSQL the bound, read by that same statement). A
    new work log: that kind alone is read besides."""
    _, cursor = pull_all(client, world, "cadre_x1")
    original = sync_services.pull
    counts: list[int] = []

    async def counted(*args, **kwargs):
        with Statements() as statements:
            out = await original(*args, **kwargs)
        counts.append(statements.count)
        return out

    monkeypatch.setattr(sync_services, "pull", counted)
    nothing, cursor = pull_all(client, world, "cadre_x1", since=cursor)
    end = 0 if ENGINE == "postgres" else 1
    assert nothing == [] and counts == [end + 1]
    push(client, world, "cadre_x1", item(log_data("只有一类有新的")))
    counts.clear()
    one, _ = pull_all(client, world, "cadre_x1", since=cursor)
    assert _texts(one) == {"只有一类有新的"} and counts == [end + 2]


@pytest.mark.postgres_only
def test_every_synced_table_has_its_owners_rows_in_feed_order(client, run):
    """A cadre's pull reads ``owner_id = ?`` after a cursor in ``(txid, seq)`` order: every synced
    table has ``(owner_id, txid, seq)``, which replaces ``(owner_id)`` and ``(owner_id, seq)``
    (a push maintains no more indexes), and making the stamps again changes nothing."""
    from backend.core.db import fetch
    from backend.fieldwork.tables import WorkLog
    from backend.sync.cursor import ensure_stamps

    engine = WorkLog._meta.db

    async def indexes() -> dict[str, str]:
        rows = await fetch(engine, "SELECT indexname AS name, indexdef AS def FROM pg_indexes "
                                   "WHERE schemaname = current_schema()")
        return {r["name"]: r["def"] for r in rows}

    async def synced() -> list[str]:
        rows = await fetch(engine, "SELECT table_name AS name FROM information_schema.columns "
                                   "WHERE table_schema = current_schema() AND column_name = 'txid'")
        return sorted(r["name"] for r in rows)

    tables = run(synced)
    assert "fieldwork_work_log" in tables and len(tables) >= 10
    before = run(indexes)
    for table in tables:
        assert before[f"{table}_owner_feed"].endswith("(owner_id, txid, seq)")
        assert f"{table}_owner_id" not in before and f"{table}_owner_seq" not in before
    run(ensure_stamps, engine)
    assert run(indexes) == before
