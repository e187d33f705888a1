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
import asyncio
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
from tests.bench import cputime  # noqa: E402

logging.getLogger("httpx").setLevel(logging.WARNING)


def _kept() -> str | None:
    """``--keep NAME`` from the command line, read before the database is chosen."""
    argv = sys.argv[1:]
    return argv[argv.index("--keep") + 1] if "--keep" in argv[:-1] else None


KEEP = _kept()
DB_URL, TOKEN = ((dbconf.kept_database("zhucun-bench-fp", KEEP), None) if KEEP
                 else dbconf.create_database())
os.environ["ZHUCUN_DATABASE_URL"] = DB_URL

import brotli  # noqa: E402
from litestar.testing import TestClient  # noqa: E402

from backend.app import create_app  # noqa: E402
from backend.capabilities import migrate  # noqa: E402
from backend.core.settings import Settings  # noqa: E402
from backend.sync import services as sync_services  # noqa: E402
from backend.sync import statements as sync_statements  # noqa: E402
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


OTHER_COUNTY = "529803"


async def analyze() -> None:
    """Statistics up to date, as autovacuum would have them after a day's writes."""
    from backend.fieldwork.tables import WorkLog

    await WorkLog._meta.db.run_ddl("ANALYZE")


async def add_others(first: int, count: int, cadres: int, spacing_min: float) -> None:
    """``count`` logs of other cadres (``cadres`` of them, three a village, in a county of
    their own), numbered ``first`` on, written in one transaction like a push: a province's
    table, in which the cadre's own logs are a small share, interleaved with theirs."""
    from backend.fieldwork.tables import WorkLog
    from backend.sync.cursor import take_seqs

    engine = WorkLog._meta.db
    async with engine.transaction():
        seqs = await take_seqs(engine, count)
        logs = []
        for n, seq in zip(range(first, first + count), seqs, strict=True):
            k = n % cadres
            moment = START + dt.timedelta(minutes=spacing_min * n / cadres)
            logs.append(WorkLog(
                id=uuid.uuid4(), owner_id=uuid.UUID(int=k + 1),
                village_code=f"{OTHER_COUNTY}{k // 3 % 50 + 1:03d}{k // 150 % 800 + 100:03d}",
                county_code=OTHER_COUNTY, version=1, seq=seq, content_hash="0" * 64,
                deleted=False, created_at=moment, updated_at=moment,
                date=(moment + dt.timedelta(hours=8)).date(), kind=KINDS[n % len(KINDS)],
                text=f"走访记录 {n}", household_ids=[], evidence=[], flags=[],
                loc_lat=26.1, loc_lon=107.5, loc_accuracy_m=15.0, loc_captured_at=moment,
            ))
        for i in range(0, len(logs), 1_000):  # PostgreSQL takes at most 32,767 parameters
            await WorkLog.insert(*logs[i : i + 1_000])


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
    db_started = cputime.postgres_seconds(DB_URL)  # off the clock (a process is started)
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
        # PostgreSQL's backends (0 on SQLite, whose work is in this process's CPU).
        "db_cpu": cputime.postgres_seconds(DB_URL) - db_started,
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


def explain_pull(client, headers, params: dict, url: str) -> None:
    """Print the plan of every read a snapshot page sends, as the database ran it
    (``EXPLAIN (ANALYZE, BUFFERS)`` on PostgreSQL, ``EXPLAIN QUERY PLAN`` on SQLite), for the
    second page, the last page of the snapshot and the feed page after it."""
    from tests.statements import Statements

    class Sent(Statements):
        """The statements with their parameters, as the drivers got them."""

        def _counting(self, original):
            counted = super()._counting(original)

            def kept(*args, **kwargs):
                self.sent.append((str(args[1]) if len(args) > 1 else "", args[2:]))
                return counted(*args, **kwargs)

            return kept

    pages: list[list[tuple[str, tuple]]] = []
    cursor = None
    while True:
        q = dict(params) | ({"since": cursor} if cursor else {})
        with Sent() as sent:
            sent.sent = []
            page = client.get("/api/sync/pull", params=q, headers=headers).json()
        pages.append([(sql, args) for sql, args in sent.sent
                      if sql.lstrip().upper().startswith(("SELECT", "WITH"))])
        cursor = page["cursor"]
        if not page["more"]:
            break
    chosen = {"second page": 1, "last snapshot page": len(pages) - 2, "feed page": len(pages) - 1}
    for name, index in chosen.items():
        if not 0 <= index < len(pages):
            continue
        print(f"--- {name} ({index + 1} of {len(pages)}): {len(pages[index])} reads")
        for sql, args in pages[index]:
            print("  " + " ".join(sql.split())[:300])
            for line in client.blocking_portal.call(_plan, url, sql, args):
                print("    " + line)


async def _plan(url: str, sql: str, args: tuple) -> list[str]:
    if url.startswith("postgres"):
        import asyncpg

        conn = await asyncpg.connect(url)
        try:
            rows = await conn.fetch("EXPLAIN (ANALYZE, BUFFERS) " + sql, *args)
        finally:
            await conn.close()
        return [r[0] for r in rows]
    import sqlite3

    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        rows = conn.execute("EXPLAIN QUERY PLAN " + sql, *args).fetchall()
    finally:
        conn.close()
    return [str(r[-1]) for r in rows]


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


async def existing_world(settings: Settings):
    """The world of a kept database built by an earlier run, with fresh tokens; None when the
    database is still empty."""
    from backend.accounts.tables import User
    from tests.world import PEOPLE, World, mint_token

    rows = await User.select(User.id, User.phone)
    if not rows:
        return None
    world = World(settings)
    by_phone = {r["phone"]: r["id"] for r in rows}
    for name, (phone, _role, _code) in PEOPLE.items():
        world.ids[name] = by_phone[phone]
        world.tokens[name] = await mint_token(settings, by_phone[phone])
    return world


async def _kinds_exists(actor, after, engine, *, bound, upto, live):
    """The kinds probe as it was before the feed-order probe: ``SELECT i WHERE EXISTS (…)``."""
    from piccolo.querystring import QueryString

    from backend.core.db import fetch_values, is_postgres

    every = sync_services.kinds()
    exists = [
        QueryString(
            f'SELECT 1 FROM "{kind.table._meta.tablename}" WHERE {{}}',
            sync_services._after_where(kind, actor.scope, postgres=is_postgres(engine),
                                       live=live).querystring,
        )
        for kind in every
    ]
    template = " UNION ALL ".join(f"SELECT {i} WHERE EXISTS ({{}})" for i in range(len(every)))
    statement = sync_statements.Statement.of(QueryString(template, *exists), engine)
    found = await fetch_values(engine, statement.bind(after, bound=bound, upto=upto))
    return [every[i] for i in sorted(int(row[0]) for row in found)]


async def _owner_index(before: bool) -> None:
    """On PostgreSQL, the logs' owner index as it was (``(owner_id, seq)``) or as it is
    (``(owner_id, txid, seq)``, made by ``ensure_stamps``)."""
    from backend.core.db import is_postgres
    from backend.fieldwork.tables import WorkLog

    engine = WorkLog._meta.db
    if not is_postgres(engine):
        return
    old, new = "fieldwork_work_log_owner_seq", "fieldwork_work_log_owner_feed"
    if before:
        await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {old} ON fieldwork_work_log "
                             "(owner_id, seq)")
        await engine.run_ddl(f"DROP INDEX IF EXISTS {new}")
    else:
        await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {new} ON fieldwork_work_log "
                             "(owner_id, txid, seq)")
        await engine.run_ddl(f"DROP INDEX IF EXISTS {old}")


@contextlib.contextmanager
def shape(client, before: bool):
    """The pull's reads as they were before the first-pull work of 4 Dec (the kinds probed by
    ``EXISTS``, the logs' owner index in ``seq`` order) or as they are, on the same data."""
    client.blocking_portal.call(_owner_index, before)
    saved = sync_services._kinds_after
    if before:
        sync_services._kinds_after = _kinds_exists
    try:
        yield
    finally:
        sync_services._kinds_after = saved
        client.blocking_portal.call(_owner_index, False)


async def deploy_planner(url: str, deploy: bool) -> None:
    """The planner's costs of ``deploy/postgresql.conf`` for this database's new sessions, or
    the server's (a kept database keeps the setting otherwise)."""
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        name = url.rsplit("/", 1)[1]
        setting = "SET random_page_cost = 1.1" if deploy else "RESET random_page_cost"
        await conn.execute(f'ALTER DATABASE "{name}" {setting}')
    finally:
        await conn.close()


def build(client, headers: dict, args: argparse.Namespace, spacing: float) -> None:
    """The cadre's logs pushed in batches of 500, other cadres' logs written between them."""
    logs = [record(i, spacing) for i in range(args.logs)]
    started = time.perf_counter()
    batches = range(0, len(logs), 500)
    share, others = divmod(args.others, max(len(batches), 1))
    written = 0
    for b, i in enumerate(batches):
        r = client.post("/api/sync/push", json={"items": logs[i : i + 500]}, headers=headers)
        assert r.status_code == 200, r.text[:300]
        count = share + (1 if b < others else 0)
        if count:
            client.blocking_portal.call(add_others, written, count, args.other_cadres, spacing)
            written += count
    client.blocking_portal.call(analyze)
    print(f"set-up: {args.logs:,} logs pushed and {written:,} logs of "
          f"{min(args.other_cadres, written):,} other cadres written in "
          f"{time.perf_counter() - started:.1f} s")


def measure(client, phone: dict, args: argparse.Namespace) -> dict[str, dict]:
    """Every pull the arguments ask for, timed (a warm-up pull first)."""
    snap = {"snapshot": "true"}
    pull_everything(client, phone, snap)  # warm: connections, caches, code paths
    if args.explain:
        explain_pull(client, phone, snap, DB_URL)
    runs = {}
    if not args.no_replay:
        runs["replay, 500 a page"] = pull_everything(client, phone, {"limit": 500})
    runs["snapshot (compact read)"] = pull_everything(client, phone, snap)
    for rows in args.pages:
        if rows != sync_services.SNAPSHOT_PAGE:
            with page_size(rows):
                runs[f"snapshot, {rows:,} a page"] = pull_everything(client, phone, snap)
    for n in range(1, args.compare + 1):
        for label, before in (("now", False), ("before", True)):
            with shape(client, before):
                pull_everything(client, phone, snap)  # the plans made anew
                runs[f"snapshot {label} #{n}"] = pull_everything(client, phone, snap)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--logs", type=int, default=52_000)
    parser.add_argument("--pages", type=int, nargs="*", default=[10_000],
                        help="other snapshot page sizes to time beside the app's")
    parser.add_argument("--others", type=int, default=0,
                        help="logs of other cadres in the table (a province's share), written "
                             "between the cadre's pushes")
    parser.add_argument("--other-cadres", type=int, default=60_000)
    parser.add_argument("--explain", action="store_true",
                        help="print the plans of a snapshot page's reads")
    parser.add_argument("--keep", metavar="NAME",
                        help="build into (or reuse) a database kept after the run")
    parser.add_argument("--compare", type=int, default=0, metavar="ROUNDS",
                        help="time the snapshot as it is against the reads before the first-pull "
                             "work (the EXISTS probe, the (owner_id, seq) index), alternated")
    parser.add_argument("--no-replay", action="store_true", help="skip the replay")
    parser.add_argument("--deploy-planner", action="store_true",
                        help="PostgreSQL: the planner costs of deploy/postgresql.conf "
                             "(random_page_cost 1.1; the server's default is 4)")
    args = parser.parse_args()
    asyncio.run(migrate())
    if DB_URL.startswith("postgres"):
        asyncio.run(deploy_planner(DB_URL, args.deploy_planner))
    settings = Settings(database_url=DB_URL, env="test", pwa_dir=ROOT / "none")
    days = (dt.datetime(2026, 6, 30, tzinfo=dt.UTC) - START).days
    spacing = days * 24 * 60 / max(args.logs, 1)
    try:
        with TestClient(create_app(settings)) as client:
            world = client.blocking_portal.call(existing_world, settings)
            if world is not None:
                print(f"set-up: reusing the kept database {KEEP!r}")
            else:
                world = client.blocking_portal.call(build_world, settings)
                build(client, world.headers("cadre_x1"), args, spacing)
            runs = measure(client, {**world.headers("cadre_x1"), "Accept-Encoding": "br, gzip"},
                           args)
    finally:
        if TOKEN is not None:
            dbconf.drop_database(TOKEN)
    engine = dbconf.engine_name()
    mb = 1_000_000
    print(f"first pull of {args.logs:,} logs on {engine} (time to the last compressed byte of "
          "every page; decompressing and parsing on the phone not counted):")
    for name, m in runs.items():
        print(
            f"  {name:38} {m['rows']:>7,} records {m['requests']:>4} requests "
            f"{m['wire'] / mb:6.2f} MB on the wire ({m['encoding']}) {m['raw'] / mb:6.2f} MB raw "
            f"{m['seconds']:6.2f} s ({m['cpu']:.2f} s CPU"
            + (f", PostgreSQL {m['db_cpu']:.2f} s" if DB_URL.startswith("postgres") else "")
            + ")"
        )
    after = runs["snapshot (compact read)"]
    if "replay, 500 a page" in runs:
        replay = runs["replay, 500 a page"]
        print(
            f"snapshot against replay: {replay['wire'] / max(after['wire'], 1):.1f}x fewer "
            f"bytes, {replay['seconds'] / max(after['seconds'], 1e-9):.1f}x faster, "
            f"{replay['cpu'] / max(after['cpu'], 1e-9):.1f}x less CPU"
        )
    for n in range(1, args.compare + 1):
        now, then = runs[f"snapshot now #{n}"], runs[f"snapshot before #{n}"]
        print(
            f"round {n}, now against before: {then['seconds'] / max(now['seconds'], 1e-9):.2f}x "
            f"faster, {then['cpu'] / max(now['cpu'], 1e-9):.2f}x less CPU here"
            + (f", PostgreSQL's CPU {now['db_cpu']:.2f} s against {then['db_cpu']:.2f} s"
               if DB_URL.startswith("postgres") else "")
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
