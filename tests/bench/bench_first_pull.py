"""A cadre's first pull: the snapshot of what they may see against replaying every change.

Run: ``.venv/bin/python tests/bench/bench_first_pull.py [--logs 52000]`` (SQLite by default,
or ``ZHUCUN_TEST_DB=postgres``). One cadre has ``--logs`` work logs (with location, flags and
households), pushed in batches of 500. Then, in the same run, a new phone pulls everything:

- *replay*: ``GET /api/sync/pull`` page after page (500 changes a page, as before the snapshot),
  every change in the full wire form;
- *snapshot*: ``GET /api/sync/pull?snapshot=true``: the live rows in the compact form, larger
  pages, then the change feed from the snapshot's cursor (empty here).

Both ask with ``Accept-Encoding: br, gzip`` (as a phone does) and count the body bytes on the
wire (what the server sent, compressed) and the uncompressed JSON, and the wall time of the
whole pull through the ASGI app in process (no network in between), with the process's CPU
time beside it (server and client), which a loaded machine does not inflate as much.
Goal (issue #18): the first pull < 4 MB on the wire and < 1 s, for 52,000 changes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests import dbconf  # noqa: E402

logging.getLogger("httpx").setLevel(logging.WARNING)

DB_URL, TOKEN = dbconf.create_database()
os.environ["ZHUCUN_DATABASE_URL"] = DB_URL

import asyncio  # noqa: E402

from litestar.testing import TestClient  # noqa: E402

from backend.app import create_app  # noqa: E402
from backend.core.migrate import migrate  # noqa: E402
from backend.core.settings import Settings  # noqa: E402
from tests.world import VILLAGE_X1, build_world  # noqa: E402

START = dt.datetime(2025, 1, 2, 0, tzinfo=dt.UTC)
KINDS = ["visit", "meeting", "project", "training", "duty", "mediation", "other"]


def record(n: int, spacing_min: float) -> dict:
    """A realistic log inside the cadre's posting (from 2025-01-01 in the test world)."""
    moment = START + dt.timedelta(minutes=spacing_min * n)
    return {
        "kind": "work_log",
        "id": str(uuid.uuid4()),
        "base_version": None,
        "data": {
            "village_code": VILLAGE_X1,
            "date": (moment + dt.timedelta(hours=8)).date().isoformat(),
            "kind": KINDS[n % len(KINDS)],
            "text": f"走访记录 {n}：了解产业和就业情况，讨论了合作社分红和务工培训",
            "household_ids": [],
            "evidence": [],
            "location": {
                "lat": 26.41 + (n % 7) * 1e-4,
                "lon": 107.91 + (n % 5) * 1e-4,
                "accuracy_m": 12.0 + n % 20,
                "captured_at": moment.isoformat(),
            },
        },
    }


def pull_everything(client, headers, params: dict) -> dict:
    """One phone's whole first pull: pages until ``more`` is false."""
    wire = raw = requests = rows = 0
    encodings: set[str] = set()
    cursor = None
    started, cpu = time.perf_counter(), time.process_time()
    while True:
        q = dict(params) | ({"since": cursor} if cursor else {})
        r = client.get("/api/sync/pull", params=q, headers=headers)
        assert r.status_code == 200, r.text[:300]
        requests += 1
        wire += r.num_bytes_downloaded
        raw += len(r.content)
        encodings.add(r.headers.get("content-encoding", "identity"))
        body = r.json()
        rows += len(body["changes"])
        for block in (body.get("snapshot") or {}).get("blocks", []):
            rows += len(block["rows"])
        cursor = body["cursor"]
        if not body["more"]:
            break
    return {
        "seconds": time.perf_counter() - started,
        # Server and client share this process: its CPU time is what the pull costs, whatever
        # else the machine runs (wall time grows with the load average).
        "cpu": time.process_time() - cpu,
        "wire": wire,
        "raw": raw,
        "requests": requests,
        "rows": rows,
        "encoding": "+".join(sorted(encodings)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--logs", type=int, default=52_000)
    args = parser.parse_args()
    asyncio.run(migrate())
    settings = Settings(database_url=DB_URL, env="test", pwa_dir=ROOT / "none")
    days = (dt.datetime(2026, 6, 30, tzinfo=dt.UTC) - START).days
    spacing = days * 24 * 60 / max(args.logs, 1)
    try:
        with TestClient(create_app(settings)) as client:
            world = client.blocking_portal.call(build_world, settings)
            headers = world.headers("cadre_x1")
            logs = [record(i, spacing) for i in range(args.logs)]
            started = time.perf_counter()
            for i in range(0, len(logs), 500):
                r = client.post("/api/sync/push", json={"items": logs[i : i + 500]},
                                headers=headers)
                assert r.status_code == 200, r.text[:300]
            print(f"set-up: {args.logs:,} logs pushed in {time.perf_counter() - started:.1f} s")
            phone = {**headers, "Accept-Encoding": "br, gzip"}
            replay = pull_everything(client, phone, {"limit": 500})
            snapshot = pull_everything(client, phone, {"snapshot": "true"})
    finally:
        dbconf.drop_database(TOKEN)
    engine = dbconf.engine_name()
    mb = 1_000_000
    for name, m in (("replay", replay), ("snapshot", snapshot)):
        print(
            f"first pull on {engine}, {name}: {m['rows']:,} records in {m['requests']} requests, "
            f"{m['wire'] / mb:.2f} MB on the wire ({m['encoding']}), {m['raw'] / mb:.2f} MB "
            f"uncompressed, {m['seconds']:.2f} s ({m['cpu']:.2f} s of CPU)"
        )
    print(
        f"snapshot against replay: {replay['wire'] / max(snapshot['wire'], 1):.1f}x fewer bytes "
        f"on the wire, {replay['seconds'] / max(snapshot['seconds'], 1e-9):.1f}x faster"
    )
    print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    ok = snapshot["wire"] < 4 * mb and snapshot["seconds"] < 1.0
    print(f"goal: first pull < 4 MB on the wire and < 1 s: {'PASS' if ok else 'MISS'}")


if __name__ == "__main__":
    main()
