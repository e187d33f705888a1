"""Sync ingest benchmark: records pushed in batches of 500 against one record per request.

Run: ``.venv/bin/python tests/bench/bench_sync.py [--records 20000] [--single 2000]``.
Both are measured in the same run on the same fresh database (SQLite by default, or
``ZHUCUN_TEST_DB=postgres``). Goals on a 2-core machine (issue #18): ≥ 10,000 records/s
batched on either engine from one client, and ≥ 10× the one-per-request rate (the goal of
≥ 20,000 records/s on PostgreSQL with several clients and workers is measured over HTTP by
``bench_load.py``). Requests go through the whole ASGI app in process
(routing, auth, validation, database), without a network in between.

On PostgreSQL the CPU of the database's backends a batch is read from ``/proc`` as well, and
``--compare N`` alternates the batches in 2N blocks between the rollups' triggers on work logs
as they are (one statement a statement, summed per key; migration of 4 Dec 20:30) and as they
were (``fieldwork_log_rollup_add`` called for each new log) and prints each one's figures.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gc
import importlib.util
import json
import logging
import os
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests import dbconf  # noqa: E402
from tests.bench import cputime  # noqa: E402

DB_URL, TOKEN = dbconf.create_database()
os.environ["ZHUCUN_DATABASE_URL"] = DB_URL
# One INFO line per request from the HTTP client would drown the figures.
logging.getLogger("httpx").setLevel(logging.WARNING)

import asyncio  # noqa: E402

from litestar.testing import TestClient  # noqa: E402

from backend.app import create_app  # noqa: E402
from backend.capabilities import migrate  # noqa: E402
from backend.core.db import engine_from_url  # noqa: E402
from backend.core.settings import Settings  # noqa: E402
from tests.statements import Statements  # noqa: E402
from tests.world import VILLAGE_X1, build_world  # noqa: E402


def record(n: int, offset: int = 0) -> dict:
    """A realistic log: a few a day, each with a fix taken that day in the village, within the
    cadre's posting (from 2025-01-01 in the test world)."""
    moment = dt.datetime(2025, 1, 2, 8, tzinfo=dt.UTC) + dt.timedelta(minutes=30 * (n + offset))
    return {
        "kind": "work_log",
        "id": str(uuid.uuid4()),
        "base_version": None,
        "data": {
            "village_code": VILLAGE_X1,
            "date": (moment + dt.timedelta(hours=8)).date().isoformat(),
            "kind": "visit",
            "text": f"走访记录 {n}：了解产业和就业情况",
            "household_ids": [],
            "evidence": [],
            "location": {
                "lat": 26.41 + (n % 7) * 1e-4,
                "lon": 107.91,
                "accuracy_m": 20.0,
                "captured_at": moment.isoformat(),
            },
        },
    }


def body(items: list[dict]) -> bytes:
    """A push's request body."""
    return json.dumps({"items": items}, ensure_ascii=False, separators=(",", ":")).encode()


class Collections:
    """CPU spent in the garbage collector (every thread of this process), while entered."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._started: dict[int, float] = {}

    def _callback(self, phase: str, info: dict) -> None:
        thread = threading.get_ident()
        if phase == "start":
            self._started[thread] = time.thread_time()
        elif thread in self._started:
            self.seconds += time.thread_time() - self._started.pop(thread)

    def __enter__(self) -> Collections:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)


class Span:
    """Wall time, this process's CPU, its garbage collector's and PostgreSQL's backends' CPU
    over the blocks measured with it, and the batches and records pushed in them."""

    def __init__(self) -> None:
        self.seconds = self.cpu = self.collecting = self.database = 0.0
        self.batches = self.records = 0

    @contextlib.contextmanager
    def measure(self) -> Iterator[None]:
        wall, cpu, database = time.perf_counter(), time.process_time(), _database_seconds()
        with Collections() as collections:
            yield
        self.seconds += time.perf_counter() - wall
        self.cpu += time.process_time() - cpu
        self.database += _database_seconds() - database
        self.collecting += collections.seconds


def _migration(path: str) -> Any:
    spec = importlib.util.spec_from_file_location(Path(path).stem, ROOT / path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: The migration that made the rollups count a statement's logs set-wise: its DDL both ways.
ROLLUP_TRIGGER = _migration("migrations/fieldwork/fieldwork_2026_12_04t20_30_00_000000.py")


def _database_seconds() -> float:
    return cputime.postgres_seconds(DB_URL)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument(
        "--compare",
        type=int,
        default=0,
        metavar="N",
        help="PostgreSQL: alternate 2N blocks of batches between the rollups' triggers "
        "summing a statement's logs per key (now) and counting each log (before)",
    )
    parser.add_argument(
        "--single",
        type=int,
        default=2_000,
        help="records pushed one per request (the rate is what is compared)",
    )
    args = parser.parse_args()
    asyncio.run(migrate())
    settings = Settings(database_url=DB_URL, env="test", pwa_dir=ROOT / "none")
    try:
        with TestClient(create_app(settings)) as client:
            world = client.blocking_portal.call(build_world, settings)
            headers = world.headers("cadre_x1")
            # The phones' payloads, encoded beforehand: the client's work is not the server's, and
            # bytes are nothing for the server's garbage collector to walk (they share a process
            # here, not in production).
            batched = [
                body([record(i) for i in range(start, min(start + 500, args.records))])
                for start in range(0, args.records, 500)
            ]
            single = [body([record(i, offset=args.records)]) for i in range(args.single)]
            headers = {**headers, "content-type": "application/json"}

            compare = args.compare if dbconf.engine_name() == "postgres" else 0
            blocks = max(1, 2 * compare)
            size = -(-len(batched) // blocks)
            spans: dict[bool, Span] = {True: Span(), False: Span()}
            for block in range(blocks):
                # Block 0 is the triggers as they are (set-wise), then as they were, and so on.
                now = block % 2 == 0
                if compare:
                    for ddl in ROLLUP_TRIGGER.STATEMENT_LEVEL if now else ROLLUP_TRIGGER.PER_LOG:
                        client.blocking_portal.call(engine_from_url(DB_URL).run_ddl, ddl)
                with spans[now].measure():
                    for payload in batched[block * size : (block + 1) * size]:
                        r = client.post("/api/sync/push", content=payload, headers=headers)
                        assert r.status_code == 200, r.text[:300]
                        results = r.json()["results"]
                        assert all(x["status"] == "applied" for x in results), r.text[:300]
                        spans[now].batches += 1
                        spans[now].records += len(results)
            if compare:
                for ddl in ROLLUP_TRIGGER.STATEMENT_LEVEL:
                    client.blocking_portal.call(engine_from_url(DB_URL).run_ddl, ddl)
            current = spans[True]
            batch_rate = current.records / current.seconds
            # This process's CPU (app, client and on SQLite the database's thread), a batch.
            batch_cpu_ms = current.cpu * 1000 / current.batches
            batch_gc_ms = current.collecting * 1000 / current.batches

            started = time.perf_counter()
            for payload in single:
                r = client.post("/api/sync/push", content=payload, headers=headers)
                assert r.json()["results"][0]["status"] == "applied"
            single_rate = len(single) / (time.perf_counter() - started)

            with Statements() as statements:
                one = record(args.records + args.single)
                r = client.post("/api/sync/push", json={"items": [one]}, headers=headers)
                assert r.json()["results"][0]["status"] == "applied"
    finally:
        dbconf.drop_database(TOKEN)
    ratio = batch_rate / single_rate
    engine = dbconf.engine_name()
    postgres = (f", PostgreSQL's backends {current.database * 1000 / current.batches:.1f} ms"
                if engine == "postgres" else "")
    print(
        f"sync ingest on {engine}: batches of 500: {batch_rate:,.0f} records/s "
        f"({current.records:,} records); one per request: {single_rate:,.0f} records/s "
        f"({args.single:,} records); ratio {ratio:.1f}x; process CPU {batch_cpu_ms:.1f} ms "
        f"a batch of 500, {batch_gc_ms:.1f} ms of it collecting garbage{postgres}; load "
        f"average {os.getloadavg()[0]:.1f}"
    )
    if compare:
        old = spans[False]
        for name, span in (("set-wise (now)", current), ("each log (before)", old)):
            print(f"  rollups' triggers {name}: "
                  f"{span.records / span.seconds:,.0f} records/s, process CPU "
                  f"{span.cpu * 1000 / span.batches:.1f} ms a batch, PostgreSQL's "
                  f"backends {span.database * 1000 / span.batches:.1f} ms ({span.batches} "
                  f"batches in {compare} blocks)")
        cpu = (old.cpu / old.batches) / (current.cpu / current.batches)
        database = (old.database / old.batches) / max(current.database / current.batches, 1e-9)
        print(f"  before against now: process CPU {cpu:.2f}x, PostgreSQL's backends "
              f"{database:.2f}x; records/s now {batch_rate / (old.records / old.seconds):.2f}x "
              f"before's")
    goal_rate = 10_000
    ok = batch_rate >= goal_rate and ratio >= 10
    print(f"goal: >= {goal_rate:,} records/s batched and >= 10x: {'PASS' if ok else 'MISS'}")
    where = ("round trips" if engine == "postgres"
             else "calls into SQLite in this process, where the goal's round trips cost none")
    print(f"single-item push on {engine}: {statements.count} statements to the database, "
          f"{where} (authentication included; issue #18 measured about 12 on PostgreSQL); "
          f"goal <= 4: {'PASS' if statements.count <= 4 else 'MISS'}")


if __name__ == "__main__":
    main()
