"""A cadre's first pull: the snapshot of what they may see against replaying every change.

Run: ``.venv/bin/python tests/bench/bench_first_pull.py [--logs 52000]`` (SQLite by default,
or ``ZHUCUN_TEST_DB=postgres``). One cadre has ``--logs`` work logs (with location, flags and
households), pushed in batches of 500. Then, in the same run, a new phone pulls everything:

- *replay*: ``GET /api/sync/pull`` page after page (500 changes a page, as before the snapshot),
  every change in the full wire form;
- *snapshot*: ``GET /api/sync/pull?snapshot=true``, every kind read in its compact form
  (``backend/sync/compact.py``): the live rows, 5,000 a page, then the change feed from the
  snapshot's cursor (empty here); and again with other page sizes (``--pages``).

All ask with ``Accept-Encoding: br, gzip`` (as a phone does) and count the body bytes on the
wire (what the server sent, compressed) and the uncompressed JSON. A pull is timed as a phone
waits for it, through the ASGI app in process (no network in between): from each request to
the last compressed byte of its answer, every page; decompressing and parsing stay off the
clock (the phone's own work). The process's CPU time over the same spans (server and client
framework) is beside it, which a loaded machine inflates less than wall time. Then the
snapshot's pages are compressed at other Brotli qualities and with gzip, for the trade of
bytes against time. Goal (issue #18): the first pull < 4 MB on the wire and < 1 s, for
52,000 changes.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import gzip
import json
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

import brotli  # noqa: E402
from litestar.testing import TestClient  # noqa: E402

from backend.app import create_app  # noqa: E402
from backend.capabilities import migrate  # noqa: E402
from backend.core.settings import Settings  # noqa: E402
from backend.sync import services as sync_services  # noqa: E402
from backend.web.compression import BROTLI_QUALITY  # noqa: E402
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
    """One phone's whole first pull: pages until ``more`` is false.

    Timed as a phone waits for it: from each request to its last compressed byte. Decompressing
    and parsing the answer (the phone's own work) happen off the clock.
    """
    wire = raw = requests = rows = 0
    seconds = cpu = 0.0
    encodings: set[str] = set()
    bodies: list[bytes] = []
    cursor = None
    while True:
        q = dict(params) | ({"since": cursor} if cursor else {})
        started, cpu_started = time.perf_counter(), time.process_time()
        r = client.send(client.build_request("GET", "/api/sync/pull", params=q,
                                             headers=headers), stream=True)
        sent = b"".join(r.iter_raw())
        seconds += time.perf_counter() - started
        cpu += time.process_time() - cpu_started
        r.close()
        assert r.status_code == 200, sent[:300]
        requests += 1
        wire += len(sent)
        encoding = r.headers.get("content-encoding", "identity")
        encodings.add(encoding)
        body = _decoded(sent, encoding)
        bodies.append(body)
        raw += len(body)
        page = json.loads(body)
        rows += len(page["changes"])
        for block in (page.get("snapshot") or {}).get("blocks", []):
            rows += len(block["rows"])
        cursor = page["cursor"]
        if not page["more"]:
            break
    return {
        "seconds": seconds,
        # Server and client share this process: its CPU time is what the pull costs, whatever
        # else the machine runs (wall time grows with the load average).
        "cpu": cpu,
        "wire": wire,
        "raw": raw,
        "requests": requests,
        "rows": rows,
        "encoding": "+".join(sorted(encodings)),
        "bodies": bodies,
    }


def _decoded(sent: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.decompress(sent)
    if encoding == "gzip":
        return gzip.decompress(sent)
    return sent


@contextlib.contextmanager
def page_size(rows: int):
    saved = sync_services.SNAPSHOT_PAGE
    sync_services.SNAPSHOT_PAGE = rows
    try:
        yield
    finally:
        sync_services.SNAPSHOT_PAGE = saved


def compression_costs(bodies: list[bytes]) -> list[tuple[str, int, float]]:
    """The snapshot's pages compressed at a few levels: (name, bytes, CPU seconds)."""
    out = []
    for name, compress in (
        *((f"br {q}", functools.partial(brotli.compress, quality=q, mode=brotli.MODE_TEXT))
          for q in (1, 3, 4, 5, 6)),
        ("gzip 6", functools.partial(gzip.compress, compresslevel=6)),
    ):
        started = time.process_time()
        size = sum(len(compress(b)) for b in bodies)
        out.append((name, size, time.process_time() - started))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--logs", type=int, default=52_000)
    parser.add_argument("--pages", type=int, nargs="*", default=[10_000],
                        help="other snapshot page sizes to time beside the app's")
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
            snap = {"snapshot": "true"}
            pull_everything(client, phone, snap)  # warm: connections, caches, code paths
            runs = {"replay, 500 a page": pull_everything(client, phone, {"limit": 500})}
            runs["snapshot (compact read)"] = pull_everything(client, phone, snap)
            for rows in args.pages:
                if rows != sync_services.SNAPSHOT_PAGE:
                    with page_size(rows):
                        runs[f"snapshot, {rows:,} a page"] = pull_everything(client, phone, snap)
    finally:
        dbconf.drop_database(TOKEN)
    engine = dbconf.engine_name()
    mb = 1_000_000
    print(f"first pull of {args.logs:,} logs on {engine} (time to the last compressed byte of "
          "every page; decompressing and parsing on the phone not counted):")
    for name, m in runs.items():
        print(
            f"  {name:38} {m['rows']:>7,} records {m['requests']:>4} requests "
            f"{m['wire'] / mb:6.2f} MB on the wire ({m['encoding']}) {m['raw'] / mb:6.2f} MB raw "
            f"{m['seconds']:6.2f} s ({m['cpu']:.2f} s CPU)"
        )
    after, replay = runs["snapshot (compact read)"], runs["replay, 500 a page"]
    print(
        f"snapshot against replay: {replay['wire'] / max(after['wire'], 1):.1f}x fewer bytes, "
        f"{replay['seconds'] / max(after['seconds'], 1e-9):.1f}x faster, "
        f"{replay['cpu'] / max(after['cpu'], 1e-9):.1f}x less CPU"
    )
    print(f"the snapshot's {len(after['bodies'])} pages compressed otherwise (the app: br "
          f"{BROTLI_QUALITY}):")
    for name, size, seconds in compression_costs(after["bodies"]):
        print(f"  {name:7} {size / mb:5.2f} MB  {seconds:5.2f} s CPU")
    print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    ok = after["wire"] < 4 * mb and after["seconds"] < 1.0
    print(
        f"goal: first pull < 4 MB on the wire and < 1 s: {after['wire'] / mb:.2f} MB, "
        f"{after['seconds']:.2f} s ({after['cpu']:.2f} s CPU): {'PASS' if ok else 'MISS'}"
    )


if __name__ == "__main__":
    main()
