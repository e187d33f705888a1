"""SQLite's two shared connections (``core/db.SharedSQLiteEngine``): a write committed on the
writer connection is seen by the very next read on the reading connection, however many other
requests' reads run on it at the same time. A statement left open on the reading connection
between two of its thread calls would hold its read snapshot there, and the next reads would
not see the write (a pull answered 500 when the sync epoch it had just written could not be
read back)."""

from __future__ import annotations

import asyncio

import pytest

from backend.core.db import fetch
from backend.fieldwork.tables import WorkLog
from tests.conftest import ENGINE

pytestmark = pytest.mark.skipif(ENGINE != "sqlite", reason="SQLite's shared connections")


def test_a_write_is_read_back_while_other_reads_run(client, world, run):
    async def race() -> list[int]:
        engine = WorkLog._meta.db
        await fetch(engine, "CREATE TABLE IF NOT EXISTS probe_rw (id INTEGER PRIMARY KEY)")
        stop = asyncio.Event()

        async def reader() -> None:
            while not stop.is_set():
                await fetch(engine, "SELECT name FROM sqlite_master")

        async def write_then_read(i: int) -> int:
            await asyncio.sleep(0)
            await fetch(engine, "INSERT INTO probe_rw (id) VALUES ({})", i)
            return len(await fetch(engine, "SELECT id FROM probe_rw WHERE id = {}", i))

        readers = [asyncio.create_task(reader()) for _ in range(16)]
        try:
            return list(await asyncio.gather(*(write_then_read(i) for i in range(200))))
        finally:
            stop.set()
            await asyncio.gather(*readers)
            await fetch(engine, "DROP TABLE probe_rw")

    seen = run(race)
    assert seen == [1] * 200, f"{seen.count(0)} of 200 writes not seen by the next read"
