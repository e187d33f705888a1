"""The SQLite engine's kept connections: writes take turns on the writer, reads never block."""

from __future__ import annotations

import asyncio
from pathlib import Path

from backend.core.db import SharedSQLiteEngine, fetch, prepare_engine, write_transaction


def _engine(tmp_path: Path) -> SharedSQLiteEngine:
    return SharedSQLiteEngine(path=str(tmp_path / "t.sqlite"), timeout=5)


def test_a_write_outside_a_transaction_is_not_refused_by_a_read_still_open(tmp_path):
    """Statements of several requests interleave on the reading connection: a read left open
    there (a cursor not yet drained) must not make another request's write fail as locked."""

    async def main() -> list[int]:
        engine = _engine(tmp_path)
        await prepare_engine(engine)
        try:
            await fetch(engine, "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)")
            await fetch(engine, "INSERT INTO t (id, v) VALUES (1, 0), (2, 0)")
            cursor = await engine.shared.execute("SELECT id FROM t")  # left open
            await cursor.fetchone()
            async with write_transaction(engine):
                await fetch(engine, "UPDATE t SET v = v + 1 WHERE id = 1")
            await fetch(engine, "UPDATE t SET v = v + 10 WHERE id = 2")
            await cursor.close()
            return [r["v"] for r in await fetch(engine, "SELECT v FROM t ORDER BY id")]
        finally:
            await engine.close_shared()

    assert asyncio.run(main()) == [1, 10]


def test_write_transactions_take_turns_and_a_failed_one_leaves_nothing(tmp_path):
    async def main() -> list[dict]:
        engine = _engine(tmp_path)
        await prepare_engine(engine)
        try:
            await fetch(engine, "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)")
            await fetch(engine, "INSERT INTO t (id, v) VALUES (1, 0)")

            async def add(n: int) -> None:
                async with write_transaction(engine):
                    [row] = await fetch(engine, "SELECT v FROM t WHERE id = 1")
                    await asyncio.sleep(0)  # another writer would lose this update
                    await fetch(engine, "UPDATE t SET v = {} WHERE id = 1", row["v"] + n)

            async def fail() -> None:
                async with write_transaction(engine):
                    await fetch(engine, "UPDATE t SET v = 1000 WHERE id = 1")
                    raise RuntimeError("refused")

            results = await asyncio.gather(*(add(1) for _ in range(20)), fail(),
                                           return_exceptions=True)
            assert sum(isinstance(r, RuntimeError) for r in results) == 1
            assert not engine.writer.in_transaction
            return await fetch(engine, "SELECT v FROM t")
        finally:
            await engine.close_shared()

    assert asyncio.run(main()) == [{"v": 20}]
