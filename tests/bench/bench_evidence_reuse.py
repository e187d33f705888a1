"""Reused-photo lookup at county scale: the near-duplicate index against the full scan.

Run: ``.venv/bin/python tests/bench/bench_evidence_reuse.py [--photos 1000000] [--per-push 10]
[--keep NAME]`` (SQLite by default; ``ZHUCUN_TEST_DB=postgres`` for PostgreSQL). ``--keep``
builds the photos into a database kept after the run (``zhucun-bench_NAME``) and reuses it
the next time (migrating it first), so that a 1,000,000-photo set-up is made once.
Synthetic data: one county with ``--photos`` stored photos, each linked to one work log, with
uniformly random 64-bit perceptual hashes (what a DCT hash of varied photos looks like). A
push carries ``--per-push`` photos, half of them near copies (1 to 10 bits away, spread over
the bands) of stored photos. Measures, in the same run, per push:

- index: ``evidence.near_links`` (band lookups, then Hamming verification), as a push does now;
- scan: every photo hash of the county loaded and compared one by one in Python
  (``flags.reuse_flag``), as a push did before.

Both must find the same closest photo for every photo of the push. Goals: under 5 ms per
photo, and at least 100 times faster than the scan. On a shared machine the wall time follows
the load, so the CPU per photo (this process, which runs the lookup as the API would, and
the PostgreSQL backends serving it: ``cputime.py``) is printed beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests import dbconf  # noqa: E402
from tests.bench import cputime  # noqa: E402


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=1_000_000)
    parser.add_argument("--per-push", type=int, default=10)
    parser.add_argument("--pushes", type=int, default=40)
    parser.add_argument("--scans", type=int, default=3)
    parser.add_argument("--keep", metavar="NAME",
                        help="build into (or reuse) a database kept after the run")
    return parser.parse_args()


ARGS = arguments()
DB_URL, TOKEN = dbconf.bench_database(ARGS.keep)
os.environ["ZHUCUN_DATABASE_URL"] = DB_URL

from backend.app import all_tables  # noqa: E402
from backend.capabilities import migrate  # noqa: E402
from backend.core.db import (  # noqa: E402
    bind_tables,
    close_engine,
    engine_from_url,
    fetch,
    prepare_engine,
)
from backend.evidence import services as evidence  # noqa: E402
from backend.evidence.flags import reuse_flag  # noqa: E402
from backend.evidence.imaging import PHASH_NEAR  # noqa: E402
from backend.evidence.near import county_bands, signed  # noqa: E402

COUNTY = "529910"
VILLAGE = "529910001201"
GOAL_MS_PER_PHOTO = 5.0
GOAL_RATIO = 100.0
LINK_COLUMNS = ["id", "sha256", "record_kind", "record_id", "owner_id", "village_code",
                "county_code", "phash_bits", "county_band0", "county_band1", "county_band2",
                "county_band3"]
PHOTO_COLUMNS = ["id", "sha256", "uploaded_by", "format", "width", "height", "size_bytes",
                 "captured_at", "gps_lat", "gps_lon", "gps_accuracy_m", "phash", "created_at"]


def rows(count: int, rng: random.Random) -> tuple[list[tuple], list[tuple], list[int]]:
    owner = uuid.uuid4()
    now = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    links, photos, values = [], [], []
    for n in range(count):
        value = rng.getrandbits(64)
        h = f"{value:016x}"
        sha = f"{n:064x}"
        values.append(value)
        links.append((uuid.uuid4(), sha, "work_log", uuid.uuid4(), owner, VILLAGE, COUNTY,
                      signed(h), *county_bands(COUNTY, h)))
        photos.append((uuid.uuid4(), sha, owner, "JPEG", 1600, 1200, 300_000, now, None, None,
                       None, h, now))
    return links, photos, values


def load_sqlite(path: str, links: list[tuple], photos: list[tuple]) -> None:
    import sqlite3

    conn = sqlite3.connect(path)
    for table, columns, data in (("evidence_link", LINK_COLUMNS, links),
                                 ("evidence_photo", PHOTO_COLUMNS, photos)):
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        conn.executemany(sql, (tuple(str(v) if isinstance(v, uuid.UUID | dt.datetime) else v
                                     for v in row) for row in data))
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


async def load_postgres(url: str, links: list[tuple], photos: list[tuple]) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await conn.copy_records_to_table("evidence_link", columns=LINK_COLUMNS, records=links)
        await conn.copy_records_to_table("evidence_photo", columns=PHOTO_COLUMNS, records=photos)
        await conn.execute("ANALYZE evidence_photo")
    finally:
        await conn.close()
    await vacuum(url)


async def vacuum(url: str) -> None:
    """Set the links' visibility map, so that the band lookups read the index only."""
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await conn.execute("VACUUM ANALYZE evidence_link")
    finally:
        await conn.close()


def pushes(values: list[int], per_push: int, count: int, rng: random.Random) -> list[list[str]]:
    """Photos of each push: half new, half near copies of stored photos (1 to 10 bits off)."""
    out = []
    for _ in range(count):
        photos = []
        for k in range(per_push):
            if k % 2:
                value = rng.getrandbits(64)
            else:
                value = values[rng.randrange(len(values))]
                for bit in rng.sample(range(64), rng.randint(1, PHASH_NEAR)):
                    value ^= 1 << bit
            photos.append(f"{value:016x}")
        out.append(photos)
    return out


async def by_index(photos: list[str]) -> dict[str, tuple[int, str] | None]:
    found = await evidence.near_links(COUNTY, photos)
    return {h: min(((n.distance, str(n.record_id)) for n in found[h]), default=None)
            for h in photos}


async def by_scan(photos: list[str]) -> dict[str, tuple[int, str] | None]:
    rows = await fetch(
        engine_from_url(DB_URL),
        "SELECT l.record_id AS record_id, p.phash AS phash FROM evidence_link l "
        "JOIN evidence_photo p ON p.sha256 = l.sha256 WHERE l.county_code = {}",
        COUNTY,
    )
    candidates = [(str(r["record_id"]), r["phash"]) for r in rows]
    out: dict[str, tuple[int, str] | None] = {}
    for h in photos:
        flag = reuse_flag(h, candidates)
        out[h] = (flag.params["hamming"], flag.params["other_record_id"]) if flag else None
    return out


async def timed(fn, batches: list[list[str]]) -> tuple[list[float], list[dict]]:
    times, answers = [], []
    for photos in batches:
        started = time.perf_counter()
        answers.append(await fn(photos))
        times.append((time.perf_counter() - started) * 1000)
    return times, answers


async def stored(engine) -> int:
    """How many photos a kept database holds already (an earlier run built them)."""
    [row] = await fetch(engine, "SELECT COUNT(*) AS n FROM evidence_link")
    return int(row["n"])


async def main(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    await migrate()  # on a kept database, the migrations it lacks (filled from its data)
    migrated = time.perf_counter() - started
    rng = random.Random(2026)
    engine = engine_from_url(DB_URL)
    bind_tables(engine, all_tables())
    await prepare_engine(engine)
    kept = await stored(engine)
    started = time.perf_counter()
    if kept:
        if kept != args.photos:
            sys.exit(f"the kept database holds {kept:,} photos, not {args.photos:,}")
        values = [rng.getrandbits(64) for _ in range(args.photos)]  # as rows() drew them
        if dbconf.engine_name() == "postgres":  # what a migration rewrote, as autovacuum would
            await vacuum(DB_URL)
    else:
        links, photos, values = rows(args.photos, rng)
        if dbconf.engine_name() == "postgres":
            await load_postgres(DB_URL, links, photos)
        else:
            load_sqlite(DB_URL.removeprefix("sqlite:///"), links, photos)
        del links, photos
    loaded = time.perf_counter() - started
    batches = pushes(values, args.per_push, args.pushes + args.scans + 1, rng)
    try:
        await by_index(batches[0])  # warm up: connections, caches
        database_cpu, own_cpu = cputime.postgres_seconds(DB_URL), time.process_time()
        index_ms, index_answers = await timed(by_index, batches[1 : args.pushes + 1])
        database_cpu = cputime.postgres_seconds(DB_URL) - database_cpu
        own_cpu = time.process_time() - own_cpu
        scan_batches = batches[args.pushes + 1 :]
        scan_ms, scan_answers = await timed(by_scan, scan_batches)
        _, check_answers = await timed(by_index, scan_batches)
    finally:
        await close_engine(engine)
    same = check_answers == scan_answers
    found = sum(a is not None for answers in index_answers for a in answers.values())
    name = dbconf.engine_name()
    per_push = statistics.median(index_ms)
    scan = statistics.median(scan_ms)
    per_photo = per_push / args.per_push
    ratio = scan / per_push
    how = (f"kept, migrated in {migrated:.1f} s" if kept else f"loaded in {loaded:.0f} s")
    print(f"reused-photo lookup on {name}: {args.photos:,} stored photos in one county "
          f"({how}); pushes of {args.per_push} photos, half near copies")
    print(f"index: median {per_push:.1f} ms per push (p95 "
          f"{statistics.quantiles(index_ms, n=20)[-1]:.1f} ms), {per_photo:.2f} ms per photo; "
          f"{found} of {args.pushes * args.per_push} photos matched")
    looked_up = args.pushes * args.per_push
    print(f"index CPU per photo: {1000 * own_cpu / looked_up:.2f} ms in this process (the "
          f"API's share), {1000 * database_cpu / looked_up:.2f} ms in PostgreSQL's backends; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"full scan: median {scan:.0f} ms per push over {len(scan_ms)} pushes; "
          f"ratio {ratio:.0f}x; same closest photo as the index: {same}")
    print(f"goal: < {GOAL_MS_PER_PHOTO:.0f} ms per photo: "
          f"{'PASS' if per_photo < GOAL_MS_PER_PHOTO else 'MISS'} ({per_photo:.2f} ms); "
          f">= {GOAL_RATIO:.0f}x the scan: {'PASS' if ratio >= GOAL_RATIO else 'MISS'} "
          f"({ratio:.0f}x)")
    if not same or per_photo >= GOAL_MS_PER_PHOTO or ratio < GOAL_RATIO:
        sys.exit(1)


if __name__ == "__main__":
    try:
        asyncio.run(main(ARGS))
    finally:
        if TOKEN is not None:
            dbconf.drop_database(TOKEN)
