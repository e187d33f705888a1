"""Load over real HTTP on loopback: push throughput with one and two API workers, the cost of a
single-item push, and the realistic mix (cadres pushing 1–20 items, then pulling).

Run: ``.venv/bin/python tests/bench/bench_load.py [--records 20000] [--clients 8]
[--cadres 200] [--rounds 3]`` (SQLite by default, ``ZHUCUN_TEST_DB=postgres`` for
PostgreSQL). Bounded and local: the servers bind 127.0.0.1 on a free port, every phase sends a
fixed amount of work, and the servers are stopped at the end. All figures come from the same
run on the same database, side by side with the goals of issue #18.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import logging
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests import dbconf  # noqa: E402
from tests.bench import cputime  # noqa: E402

DB_URL, TOKEN = dbconf.create_database()
os.environ["ZHUCUN_DATABASE_URL"] = DB_URL
# One INFO line per request from the HTTP client would drown the figures.
logging.getLogger("httpx").setLevel(logging.WARNING)

import httpx  # noqa: E402

from backend.accounts import services as accounts  # noqa: E402
from backend.accounts.schemas import PostingDetails, RoleIn, UserIn  # noqa: E402
from backend.app import all_tables  # noqa: E402
from backend.capabilities import migrate  # noqa: E402
from backend.core.context import RequestContext  # noqa: E402
from backend.core.db import bind_tables, close_engine, engine_from_url, prepare_engine  # noqa: E402
from backend.core.settings import Settings  # noqa: E402
from tests import world as world_module  # noqa: E402
from tests.world import VILLAGE_X1, VILLAGE_X2, build_world, mint_token  # noqa: E402


def record(n: int, village: str = VILLAGE_X1) -> dict:
    moment = dt.datetime(2020, 1, 1, 8, tzinfo=dt.UTC) + dt.timedelta(hours=2 * (n % 20_000))
    return {
        "kind": "work_log", "id": str(uuid.uuid4()), "base_version": None,
        "data": {
            "village_code": village, "date": (moment + dt.timedelta(hours=8)).date().isoformat(),
            "kind": "visit", "text": f"走访记录 {n}：了解产业和就业情况", "household_ids": [],
            "evidence": [],
            "location": {"lat": 26.41 + (n % 7) * 1e-4, "lon": 107.91, "accuracy_m": 20.0,
                         "captured_at": moment.isoformat()},
        },
    }


async def make_people(settings: Settings, cadres: int) -> tuple[list[str], list[str]]:
    """Tokens of ``cadres`` cadres (half in each of two villages) and their villages."""
    engine = engine_from_url(DB_URL)
    bind_tables(engine, all_tables())
    await prepare_engine(engine)
    try:
        from backend.capabilities import plug_in

        plug_in()
        await build_world(settings)
        ctx = RequestContext.system("bench")
        tokens, villages = [], []
        for i in range(cadres):
            village = VILLAGE_X1 if i % 2 == 0 else VILLAGE_X2
            user = await accounts.create_user(ctx, None, UserIn(
                phone=f"139{i:08d}", name=f"干部{i}", password=world_module.PASSWORD,
                roles=[RoleIn(role="cadre", division_code=village)],
                posting=PostingDetails(dispatching_unit="县农业农村局", unit_lat=26.42,
                                       unit_lon=107.88, start_date=dt.date(2019, 1, 1))),
                password_hash=world_module._HASH)
            tokens.append(await mint_token(settings, user.id))
            villages.append(village)
        return tokens, villages
    finally:
        await close_engine(engine)


class Server:
    """``zhucun serve`` on a free loopback port, stopped on exit."""

    def __init__(self, workers: int) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        # The server's log (uvicorn's warnings: a refused connection, an over-limit answer).
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed in stop)
            prefix=f"zhucun-bench-{workers}w-", suffix=".log", delete=False)
        env = {**os.environ, "ZHUCUN_DATABASE_URL": DB_URL, "ZHUCUN_ENV": "test",
               "ZHUCUN_PWA_DIR": str(ROOT / "none")}
        # This checkout's backend (``-m`` from ROOT), whichever environment runs the bench.
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "backend.cli", "serve", "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", str(workers)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self.log,
            start_new_session=True)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/api/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("the server did not start")

    def cpu_seconds(self) -> float:
        """CPU time of the server and its workers."""
        return cputime.tree_seconds(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()
        lines = Path(self.log.name).read_text(errors="replace").splitlines()
        notable = [line for line in lines if (" WARNING " in line or " ERROR " in line)
                   and "PWA not built" not in line]
        if notable:
            print(f"server log {self.log.name}: {len(notable)} warnings or errors, e.g.:")
            for line in notable[:5]:
                print("   ", line[:200])
        else:
            Path(self.log.name).unlink()


def _limits(connections: int) -> httpx.Limits:
    """Connections kept idle for less than the server's keep-alive (5 s): a connection the
    server is closing just as a request goes out on it is a disconnect, not a measurement."""
    return httpx.Limits(max_connections=connections, keepalive_expiry=2.0)


async def push_throughput(base: str, tokens: list[str], records: int, clients: int) -> float:
    """``clients`` phones pushing batches of 500 at once; records per second."""
    per_client = records // clients
    async with httpx.AsyncClient(base_url=base, timeout=120,
                                 limits=_limits(clients)) as http:

        async def phone(i: int) -> None:
            headers = {"Authorization": f"Bearer {tokens[i % len(tokens)]}"}
            village = VILLAGE_X1 if (i % len(tokens)) % 2 == 0 else VILLAGE_X2
            for start in range(0, per_client, 500):
                items = [record(start + k + i * per_client, village)
                         for k in range(min(500, per_client - start))]
                r = await http.post("/api/sync/push", json={"items": items}, headers=headers)
                assert r.status_code == 200, r.text[:300]

        started = time.perf_counter()
        await asyncio.gather(*(phone(i) for i in range(clients)))
        return per_client * clients / (time.perf_counter() - started)


async def single_pushes(server: Server, token: str, count: int) -> tuple[float, float]:
    """One item a request, one after another: median latency (ms), server CPU per push (ms)."""
    headers = {"Authorization": f"Bearer {token}"}
    times = []
    async with httpx.AsyncClient(base_url=server.base, timeout=30, limits=_limits(1)) as http:
        for n in range(20):  # warm up
            await http.post("/api/sync/push", json={"items": [record(10**6 + n)]},
                            headers=headers)
        cpu = server.cpu_seconds()
        for n in range(count):
            started = time.perf_counter()
            r = await http.post("/api/sync/push", json={"items": [record(2 * 10**6 + n)]},
                                headers=headers)
            times.append((time.perf_counter() - started) * 1000)
            assert r.json()["results"][0]["status"] == "applied"
        cpu = server.cpu_seconds() - cpu
    return statistics.median(times), cpu * 1000 / count


async def mix(base: str, tokens: list[str], villages: list[str], concurrency: int,
              rounds: int) -> tuple[int, float, float, int]:
    """Each of ``concurrency`` phones (cadres taken in turn) pushes 1–20 logs and then pulls,
    ``rounds`` times: the records pushed, records per second, the p95 of all requests (ms)
    and how many requests were resent.

    A request is resent once, as the phone does (a push is idempotent: a resend answers
    ``duplicate``), when the connection it went out on turns out closed
    (``httpx.ReadError`` or ``RemoteProtocolError``): the server closes a connection idle for
    its keep-alive, and a client whose loop is starved on a loaded machine may take it from
    its pool after that. Its latency counts from the first attempt."""
    rng = random.Random(concurrency)
    latencies: list[float] = []
    pushed = 0
    resent = 0
    cursors: dict[int, str | None] = {}
    async with httpx.AsyncClient(base_url=base, timeout=120,
                                 limits=_limits(concurrency)) as http:

        async def send(method: str, url: str, **kwargs: object) -> httpx.Response:
            nonlocal resent
            try:
                return await http.request(method, url, **kwargs)  # type: ignore[arg-type]
            except (httpx.ReadError, httpx.RemoteProtocolError):
                resent += 1
                return await http.request(method, url, **kwargs)  # type: ignore[arg-type]

        async def phone(i: int) -> None:
            nonlocal pushed
            who = i % len(tokens)
            headers = {"Authorization": f"Bearer {tokens[who]}"}
            for _ in range(rounds):
                items = [record(rng.randrange(10**7), villages[who])
                         for _ in range(rng.randint(1, 20))]
                started = time.perf_counter()
                r = await send("POST", "/api/sync/push", json={"items": items}, headers=headers)
                latencies.append((time.perf_counter() - started) * 1000)
                assert r.status_code == 200, r.text[:300]
                pushed += sum(x["status"] in ("applied", "duplicate")
                              for x in r.json()["results"])
                params = {"since": cursors[who]} if cursors.get(who) else {}
                started = time.perf_counter()
                r = await send("GET", "/api/sync/pull", params=params, headers=headers)
                latencies.append((time.perf_counter() - started) * 1000)
                assert r.status_code == 200, r.text[:300]
                cursors[who] = r.json()["cursor"]

        started = time.perf_counter()
        await asyncio.gather(*(phone(i) for i in range(concurrency)))
        elapsed = time.perf_counter() - started
    return pushed, pushed / elapsed, statistics.quantiles(latencies, n=20)[-1], resent


@dataclasses.dataclass
class MixFigures:
    """One mix run: its rates and where the CPU went (seconds over the run): the API process,
    the PostgreSQL backends of its database (0 on SQLite, whose work is in the API's) and the
    load generator (this process: httpx and the phones' JSON)."""

    records: int
    cycles: int
    rate: float
    p95: float
    resent: int
    wall: float
    api: float
    postgres: float
    generator: float
    load: float

    def report(self, engine: str, phones: int, cadres: int) -> str:
        # A whole core for the API alone: the rate its CPU per record allows.
        capacity = self.records / self.api
        short = f", {2500 / capacity:.1f}x short" if capacity < 2500 else ""

        def split(seconds: float) -> str:
            return (f"{seconds * 1000 / self.records:.2f} ms a record, "
                    f"{seconds * 1000 / self.cycles:.1f} ms a cycle")

        return (f"realistic mix on {engine}, one worker, {phones} phones at once ({cadres} "
                f"cadres, pushes of 1-20 then a pull; {self.records:,} records in "
                f"{self.cycles} cycles, load average {self.load:.1f}): {self.rate:,.0f} "
                f"records/s, p95 {self.p95:.0f} ms; {self.resent} requests resent after the "
                f"server closed an idle connection\n"
                f"  CPU: API {split(self.api)} (busy {self.api / self.wall:.0%} of a core); "
                + (f"PostgreSQL {split(self.postgres)}; " if engine == "postgres" else "")
                + f"load generator {split(self.generator)}\n"
                f"  capacity of one API process with a core to itself: {capacity:,.0f} "
                f"records/s (goal >= 2,500: {verdict(capacity >= 2500)}{short})")


def measured_mix(server: Server, tokens: list[str], villages: list[str], phones: int,
                 rounds: int) -> MixFigures:
    """The mix with ``phones`` phones, with the CPU of each process it keeps busy."""
    api, postgres = server.cpu_seconds(), cputime.postgres_seconds(DB_URL)
    generator, started = time.process_time(), time.perf_counter()
    records, rate, p95, resent = asyncio.run(mix(server.base, tokens, villages, phones, rounds))
    return MixFigures(
        records=records, cycles=phones * rounds, rate=rate, p95=p95, resent=resent,
        wall=time.perf_counter() - started, api=server.cpu_seconds() - api,
        postgres=cputime.postgres_seconds(DB_URL) - postgres,
        generator=time.process_time() - generator, load=os.getloadavg()[0])


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--cadres", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--single", type=int, default=300)
    parser.add_argument("--phases", default="throughput,single,mix",
                        help="which of throughput, single, mix to run (comma-separated)")
    args = parser.parse_args()
    phases = set(args.phases.split(","))
    name = dbconf.engine_name()
    settings = Settings(database_url=DB_URL, env="test", pwa_dir=ROOT / "none")
    try:
        asyncio.run(migrate())
        tokens, villages = asyncio.run(make_people(settings, args.cadres))
        rates: dict[int, float] = {}
        single: tuple[float, float] | None = None
        mixes: dict[int, MixFigures] = {}
        for workers in (1, 2):
            if workers == 2 and "throughput" not in phases:
                break
            server = Server(workers)
            try:
                if "throughput" in phases:
                    rates[workers] = asyncio.run(
                        push_throughput(server.base, tokens, args.records, args.clients))
                if workers == 1 and "single" in phases:
                    single = asyncio.run(single_pushes(server, tokens[0], args.single))
                if workers == 1 and "mix" in phases:
                    for c in (32, 128):
                        mixes[c] = measured_mix(server, tokens, villages, c, args.rounds)
            finally:
                server.stop()
    finally:
        dbconf.drop_database(TOKEN)
    cores = os.cpu_count() or 1
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end "
          f"({cores} cores)")
    if rates:
        print(f"load over HTTP on {name}, {args.clients} clients, batches of 500:")
        print(f"  one worker: {rates[1]:,.0f} records/s; two workers: {rates[2]:,.0f} records/s "
              f"({rates[2] / rates[1]:.2f}x)")
        goal = 10_000 if name == "sqlite" else 20_000
        print(f"  goal: >= {goal:,} records/s: {verdict(max(rates.values()) >= goal)}; "
              f"two workers >= 1.6x one where cores allow: {verdict(rates[2] / rates[1] >= 1.6)}")
    if single:
        median, cpu = single
        print(f"single-item push on {name}: median {median:.1f} ms over HTTP, server CPU "
              f"{cpu:.2f} ms a push (goal <= 2 ms: {verdict(cpu <= 2)})")
    for c, m in mixes.items():
        print(m.report(name, c, args.cadres))
    if 128 in mixes:
        m = mixes[128]
        print(f"  goal: >= 2,500 records/s and p95 < 300 ms at 128: "
              f"{verdict(m.rate >= 2500 and m.p95 < 300)}")

if __name__ == "__main__":
    main()
