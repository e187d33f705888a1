"""A resend racing its original (two connections at once): only ``applied`` or ``duplicate``.

The same batch arrives twice at the same moment, as a phone's resend after a timeout reaches a
second worker while the first still writes. Both requests decide to write every item (new
records are inserted without a read; edits found their version current); the database lets
one insert win (``ON CONFLICT`` waits for the other writer and skips the id) and the other
must answer ``duplicate`` with the stored version, never ``rejected`` for work that was saved.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import threading
import uuid

from backend.sync import services as sync_services
from tests.api.test_sync import item, log_data
from tests.conftest import ENGINE
from tests.world import VILLAGE_X1


def _batch() -> list[dict]:
    today = dt.date.today()
    days = [
        item(
            {"village_code": VILLAGE_X1, "date": (today - dt.timedelta(days=n)).isoformat(),
             "status": "in_village", "note": ""},
            kind="presence_day",
        )
        for n in (1, 2)
    ]
    return [item(log_data(f"走访 {n}")) for n in range(3)] + days


def _race(client, world, monkeypatch, items_a, items_b):
    """Push two batches from two threads; both decide what to write before either writes
    (``_enrich`` runs once a batch, between the decision and the writes)."""
    arrived: list[int] = []
    all_written: list[bool] = []
    both = asyncio.Event()
    original = sync_services._enrich

    async def decide_then_wait(actor, todo):
        await original(actor, todo)
        all_written.append(len(todo) == len(items_a))
        arrived.append(1)
        if len(arrived) >= 2:
            both.set()
        # On SQLite the second writer waits for the first at BEGIN IMMEDIATE: no race to
        # stage there, so the wait is bounded.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(both.wait(), timeout=3)

    monkeypatch.setattr(sync_services, "_enrich", decide_then_wait)
    answers: dict[str, list[dict]] = {}

    def send(name, items):
        r = client.post("/api/sync/push", json={"items": items},
                        headers=world.headers("cadre_x1"))
        assert r.status_code == 200, r.text
        answers[name] = r.json()["results"]

    threads = [threading.Thread(target=send, args=("a", items_a)),
               threading.Thread(target=send, args=("b", items_b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    monkeypatch.undo()
    return answers["a"], answers["b"], all_written


def test_same_batch_twice_at_once_is_applied_once_and_duplicate_once(client, world, monkeypatch):
    batch = _batch()
    a, b, all_written = _race(client, world, monkeypatch, batch, batch)
    if ENGINE == "postgres":
        assert all_written == [True, True]  # the race really happened: both set out to insert
    for first, second in zip(a, b, strict=True):
        assert {first["status"], second["status"]} <= {"applied", "duplicate"}, (first, second)
        assert first["version"] == second["version"] == 1
    statuses = [r["status"] for r in a + b]
    assert statuses.count("applied") == len(batch) and statuses.count("duplicate") == len(batch)
    # A third resend, after both: duplicate everywhere, the stored version.
    r = client.post("/api/sync/push", json={"items": batch}, headers=world.headers("cadre_x1"))
    assert [x["status"] for x in r.json()["results"]] == ["duplicate"] * len(batch)


def test_same_edit_twice_at_once_is_applied_once_and_duplicate_once(client, world, monkeypatch):
    created = item(log_data("第一稿"))
    r = client.post("/api/sync/push", json={"items": [created]},
                    headers=world.headers("cadre_x1"))
    assert r.json()["results"][0]["status"] == "applied"
    edit = {**created, "base_version": 1, "data": log_data("第二稿")}
    a, b, _ = _race(client, world, monkeypatch, [edit], [edit])
    assert sorted(x["status"] for x in a + b) == ["applied", "duplicate"]
    assert a[0]["version"] == b[0]["version"] == 2


def test_two_different_edits_at_once_answer_applied_and_conflict(client, world, monkeypatch):
    created = item(log_data("第一稿"))
    client.post("/api/sync/push", json={"items": [created]}, headers=world.headers("cadre_x1"))
    mine = {**created, "base_version": 1, "data": log_data("手机上的版本")}
    other = {**created, "base_version": 1, "data": log_data("另一台手机的版本")}
    a, b, _ = _race(client, world, monkeypatch, [mine], [other])
    answers = sorted([a[0], b[0]], key=lambda x: x["status"])
    assert [x["status"] for x in answers] == ["applied", "conflict"]
    assert answers[1]["server"]["version"] == 2
    assert uuid.UUID(answers[1]["id"]) == uuid.UUID(created["id"])
