"""Load over real HTTP on loopback: push throughput with one and two API workers, the cost of a
single-item push, and the realistic mix (cadres pushing 1–20 items, then pulling).

Run: ``.venv/bin/python tests/bench/bench_load.py [--records 20000] [--clients 8]
[--cadres 200] [--rounds 20]`` (SQLite by default, ``ZHUCUN_TEST_DB=postgres`` for
PostgreSQL). Bounded and local: the servers bind 127.0.0.1 on a free port, every phase sends a
fixed amount of work, and the servers are stopped at the end. All figures come from the same
run on the same database, side by side with the goals of issue #18.

The mix runs 20 rounds a phone by default: what it measures is a process under steady load,
where a phone's first cycle (its connection, the process's caches of its village, its first
pull) is one in twenty, not one in three as with 3 rounds (at 128 phones 3 rounds gave about 0.6 ms
of the API's CPU a cycle more than 20, and a p95 carried by the start, when all 128 phones
send at once).

The throughput phase pushes to one API process; to two, each request to the one with fewer
in flight, as nginx sends them to ``zhucun-api@8001`` and ``@8002`` in production; and to
uvicorn's two workers on one socket (``zhucun serve --workers 2``), where the kernel hands each
of the clients' keep-alive connections to one worker for good. For each it prints the CPU a
record of the API, of PostgreSQL's backends and of the load generator, and how busy the
machine's cores were: what the goal of 20,000 records/s costs in cores at those figures, and
whether a second process waits (idle cores) or makes each record dearer (more CPU a record).

The load generator is meant to cost little beside the server it measures: aiohttp's client
(HTTP parsed in C, keep-alive connections) on uvloop, every push body built and encoded before
the clock starts, answers decoded by msgspec. It still sends what a phone sends (the PWA's
headers, compression accepted as a browser does) and checks every answer (status, one result per
item, each applied), so a server that fails cannot look fast. For the single push and the mix,
the API process and the generator are pinned to different cores (``--no-pin`` to leave them to
the scheduler); PostgreSQL's backends are not pinned: the figures say what ran where.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import dataclasses
import datetime as dt
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests import dbconf  # noqa: E402
from tests.bench import cputime  # noqa: E402

DB_URL, TOKEN = dbconf.create_database()
os.environ["ZHUCUN_DATABASE_URL"] = DB_URL

import aiohttp  # noqa: E402
import msgspec  # noqa: E402
import uvloop  # noqa: E402
from aiohttp import compression_utils  # noqa: E402
from yarl import URL  # noqa: E402

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
    """``zhucun serve`` on a free loopback port, stopped on exit; ``python``: the interpreter's
    command when not plain (under valgrind or cProfile), which may take minutes to start."""

    def __init__(self, workers: int, python: list[str] | None = None) -> None:
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
            [*(python or [sys.executable]), "-m", "backend.cli", "serve", "--host", "127.0.0.1",
             "--port", str(self.port), "--workers", str(workers)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=self.log,
            start_new_session=True)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + (600 if python else 60)
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/api/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                time.sleep(0.3)
        # uvicorn's own account (e.g. workers killed for not being ready within its worker
        # health check's 5 s, as on a loaded machine) is in INFO lines the stop does not show.
        self.log.flush()
        tail = Path(self.log.name).read_text(errors="replace").splitlines()[-6:]
        self.stop()
        raise RuntimeError("the server did not start in time; its log ends:\n"
                           + "\n".join(tail))

    def pids(self) -> list[int]:
        """The server and its workers."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [self.proc.pid] + [int(p) for p in children.read_text().split()]

    def cpu_seconds(self) -> float:
        """CPU time of the server and its workers."""
        return cputime.tree_seconds(self.proc.pid)

    def stop(self, how: signal.Signals = signal.SIGTERM) -> None:
        """Stops the server (uvicorn ends on SIGTERM or SIGINT alike, then raises it again:
        only SIGINT, as ``KeyboardInterrupt``, lets cProfile write its profile)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, how)
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


def pin(pids: list[int], cpus: set[int]) -> None:
    """Every thread of ``pids`` on ``cpus`` (``sched_setaffinity`` moves one thread; threads
    started later inherit their starter's set)."""
    for pid in pids:
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(ProcessLookupError):
                os.sched_setaffinity(int(task.name), cpus)


T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """The generator's coroutines on uvloop: less of its CPU per request than asyncio's loop."""
    return uvloop.run(coro)


# What the PWA's fetch sends with every sync request (pwa/src/api.ts): JSON accepted, the
# language, and the encodings a browser accepts over HTTPS ("gzip, deflate, br, zstd"), minus
# any this client could not decode (aiohttp decodes Brotli with the brotli package, which
# Litestar's extra installs, and zstd only with a zstd module).
ACCEPT_ENCODING = ", ".join(
    ["gzip", "deflate"] + ["br"] * getattr(compression_utils, "HAS_BROTLI", False)
    + ["zstd"] * getattr(compression_utils, "HAS_ZSTD", False))
PHONE_HEADERS = {"Accept": "application/json", "Accept-Language": "zh-CN",
                 "Accept-Encoding": ACCEPT_ENCODING}
JSON_BODY = {"Content-Type": "application/json"}
_decode = msgspec.json.Decoder()
_encode = msgspec.json.Encoder()


class Stale(Exception):
    """The connection a request went out on was closed by the server before it answered."""


class Http:
    """One aiohttp session over keep-alive loopback connections, a phone's headers on every
    request. aiohttp decodes compressed answers itself (Brotli or gzip, by Content-Encoding).

    Connections idle longer than 2 s are dropped, under the server's keep-alive (5 s): a
    connection the server is closing just as a request goes out on it is a disconnect, not a
    measurement."""

    def __init__(self, base: str, connections: int) -> None:
        self.base = base
        self.session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=connections, keepalive_timeout=2.0),
            timeout=aiohttp.ClientTimeout(total=120), headers=PHONE_HEADERS,
            skip_auto_headers=("User-Agent",), raise_for_status=False)
        self.push_url = URL(f"{base}/api/sync/push", encoded=True)
        # How the answers came (Content-Encoding): the server compresses those above 1 KB.
        self.encodings: collections.Counter[str] = collections.Counter()

    async def close(self) -> None:
        await self.session.close()

    async def call(self, method: str, url: URL, headers: dict[str, str],
                   body: bytes | None = None) -> tuple[int, bytes]:
        try:
            async with self.session.request(method, url, data=body, headers=headers) as r:
                self.encodings[r.headers.get("Content-Encoding", "identity")] += 1
                return r.status, await r.read()
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as e:
            raise Stale from e

    def pull_url(self, cursor: str | None) -> URL:
        query = f"?since={urllib.parse.quote(cursor, safe='')}" if cursor else ""
        return URL(f"{self.base}/api/sync/pull{query}", encoded=True)


def phone_headers(token: str, body: bool = False) -> dict[str, str]:
    """A cadre's own headers (the session's carry the rest)."""
    return {"Authorization": f"Bearer {token}", **(JSON_BODY if body else {})}


class Push(msgspec.Struct):
    """A push made before the clock starts: its encoded body and the ids it carries."""

    body: bytes
    ids: list[str]

    @classmethod
    def of(cls, items: list[dict]) -> Push:
        return cls(_encode.encode({"items": items}), [item["id"] for item in items])


def applied(status: int, answer: bytes, push: Push, resent: bool = False) -> int:
    """Checks a push's answer: 200, one result per item in the order sent, each ``applied``
    (or ``duplicate`` when the push was sent again after a closed connection); the count."""
    if status != 200:
        raise AssertionError(f"push answered {status}: {answer[:300]!r}")
    results = _decode.decode(answer)["results"]
    ok = ("applied", "duplicate") if resent else ("applied",)
    if [r["id"] for r in results] != push.ids or any(r["status"] not in ok for r in results):
        raise AssertionError(f"push not applied: {answer[:300]!r}")
    return len(results)


class Balancer:
    """Pushes to one or more API processes, each request to the one with the fewest requests in
    flight (in turn among equals), as nginx's ``least_conn`` sends them in production
    (``deploy/nginx.conf``)."""

    def __init__(self, bases: list[str], connections: int) -> None:
        self.https = [Http(base, connections) for base in bases]
        self.in_flight = [0] * len(bases)
        self.turn = 0

    async def push(self, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        count = len(self.https)
        i = min(range(count), key=lambda k: (self.in_flight[k], (k - self.turn) % count))
        self.turn = (i + 1) % count
        self.in_flight[i] += 1
        try:
            return await self.https[i].call("POST", self.https[i].push_url, headers, body)
        finally:
            self.in_flight[i] -= 1

    async def close(self) -> None:
        for http in self.https:
            await http.close()


async def push_throughput(bases: list[str], tokens: list[str], records: int,
                          clients: int) -> float:
    """``clients`` phones pushing batches of 500 at once to the API processes at ``bases``;
    records per second."""
    per_client = records // clients
    pushes = [
        [Push.of([record(start + k + i * per_client,
                         VILLAGE_X1 if (i % len(tokens)) % 2 == 0 else VILLAGE_X2)
                  for k in range(min(500, per_client - start))])
         for start in range(0, per_client, 500)]
        for i in range(clients)]
    balancer = Balancer(bases, clients)
    try:

        async def phone(i: int) -> None:
            headers = phone_headers(tokens[i % len(tokens)], body=True)
            for push in pushes[i]:
                applied(*await balancer.push(headers, push.body), push)

        started = time.perf_counter()
        await asyncio.gather(*(phone(i) for i in range(clients)))
        return per_client * clients / (time.perf_counter() - started)
    finally:
        await balancer.close()


@dataclasses.dataclass
class Throughput:
    """One run of the throughput phase: its rate and where the CPU went, in seconds over the
    run (the API process and its workers, PostgreSQL's backends of its database, the load
    generator, and the whole machine: busy and in all, every core)."""

    records: int
    rate: float
    api: float
    postgres: float
    generator: float
    busy: float
    every: float

    @classmethod
    def merged(cls, runs: list[Throughput]) -> Throughput:
        """Several runs of one set-up: the median rate, the CPU and records summed."""

        def total(field: str) -> float:
            return sum(getattr(r, field) for r in runs)

        return cls(records=int(total("records")), rate=statistics.median(r.rate for r in runs),
                   api=total("api"), postgres=total("postgres"), generator=total("generator"),
                   busy=total("busy"), every=total("every"))

    def per_record(self, seconds: float) -> float:
        """Microseconds of CPU a record."""
        return seconds * 1e6 / self.records

    @property
    def stack(self) -> float:
        """CPU a record of the API and the database together (µs): what a record costs a
        deployment, whatever cores it has."""
        return self.per_record(self.api + self.postgres)

    def report(self, label: str, engine: str) -> str:
        database = (f"PostgreSQL {self.per_record(self.postgres):.0f} µs, "
                    if engine == "postgres" else "")
        return (f"  {label}: {self.rate:,.0f} records/s; CPU a record: API "
                f"{self.per_record(self.api):.0f} µs, {database}load generator "
                f"{self.per_record(self.generator):.0f} µs; the machine's cores busy "
                f"{self.busy / self.every:.0%}")


def measured_throughput(servers: list[Server], tokens: list[str], records: int,
                        clients: int) -> Throughput:
    """The throughput phase with the CPU of each process it keeps busy."""

    def api_seconds() -> float:
        return sum(server.cpu_seconds() for server in servers)

    api, postgres = api_seconds(), cputime.postgres_seconds(DB_URL)
    generator, (busy, every) = time.process_time(), cputime.machine_seconds()
    rate = run(push_throughput([server.base for server in servers], tokens, records, clients))
    busy_after, every_after = cputime.machine_seconds()
    return Throughput(
        records=records // clients * clients, rate=rate, api=api_seconds() - api,
        postgres=cputime.postgres_seconds(DB_URL) - postgres,
        generator=time.process_time() - generator, busy=busy_after - busy,
        every=every_after - every)


#: The throughput phase's set-ups, each a list of API processes by their ``--workers``: one
#: process; two behind the balancer (as nginx in front of ``zhucun-api@8001`` and ``@8002``);
#: and uvicorn's two workers on one socket, where the kernel hands each keep-alive connection
#: to a worker for good (8 connections may go 5 and 3, or 6 and 2).
SETUPS = {"one process": [1], "two processes": [1, 1], "uvicorn --workers 2": [2]}


def throughput_phase(args: argparse.Namespace, tokens: list[str]) -> dict[str, Throughput]:
    """The push throughput of each set-up, the processes and the clients on every core; with
    ``--repeat N`` the set-ups take turns N times (this machine's speed drifts within minutes),
    each one's median rate and its CPU over all its runs."""
    runs: dict[str, list[Throughput]] = {label: [] for label in SETUPS}
    for _ in range(args.repeat):
        for label, workers in SETUPS.items():
            servers: list[Server] = []
            try:
                for count in workers:
                    servers.append(Server(count))
                runs[label].append(
                    measured_throughput(servers, tokens, args.records, args.clients))
            finally:
                for server in servers:
                    server.stop()
    return {label: Throughput.merged(each) for label, each in runs.items()}


async def single_pushes(server: Server, token: str, count: int) -> tuple[float, float]:
    """One item a request, one after another: median latency (ms), server CPU per push (ms)."""
    headers = phone_headers(token, body=True)
    warm = [Push.of([record(10**6 + n)]) for n in range(20)]
    pushes = [Push.of([record(2 * 10**6 + n)]) for n in range(count)]
    times = []
    http = Http(server.base, 1)
    try:
        for push in warm:
            applied(*await http.call("POST", http.push_url, headers, push.body), push)
        cpu = server.cpu_seconds()
        for push in pushes:
            started = time.perf_counter()
            status, answer = await http.call("POST", http.push_url, headers, push.body)
            times.append((time.perf_counter() - started) * 1000)
            applied(status, answer, push)
        cpu = server.cpu_seconds() - cpu
    finally:
        await http.close()
    return statistics.median(times), cpu * 1000 / count


def plan_mix(villages: list[str], concurrency: int, rounds: int) -> list[list[Push]]:
    """The pushes of the mix, made before the clock starts: ``rounds`` pushes of 1–20 logs
    for each of ``concurrency`` phones (cadres taken in turn)."""
    rng = random.Random(concurrency)
    return [[Push.of([record(rng.randrange(10**7), villages[i % len(villages)])
                      for _ in range(rng.randint(1, 20))]) for _ in range(rounds)]
            for i in range(concurrency)]


@dataclasses.dataclass
class Feeds:
    """What each cadre's phone holds of the pull feed: its cursor and the ids it was sent."""

    cursors: dict[int, str | None] = dataclasses.field(default_factory=dict)
    seen: collections.defaultdict[int, set[str]] = dataclasses.field(
        default_factory=lambda: collections.defaultdict(set))

    def take(self, who: int, status: int, answer: bytes) -> bool:
        """Checks a pull's answer (200, changes and a cursor) and files it; whether there is
        more."""
        if status != 200:
            raise AssertionError(f"pull answered {status}: {answer[:300]!r}")
        out: dict[str, Any] = _decode.decode(answer)
        if not isinstance(out.get("cursor"), str) or not isinstance(out.get("changes"), list):
            raise AssertionError(f"not a pull's answer: {answer[:300]!r}")
        self.cursors[who] = out["cursor"]
        self.seen[who].update(change["id"] for change in out["changes"])
        return bool(out.get("more"))


async def mix(base: str, tokens: list[str], plans: list[list[Push]], feeds: Feeds,
              ) -> tuple[int, float, float, int, dict[str, int]]:
    """Each phone of ``plans`` (cadres taken in turn) sends its pushes, each followed by a
    pull: the records pushed, records per second, the p95 of all requests (ms), how many
    requests were resent and how many answers came in each Content-Encoding.

    A request is resent once, as the phone does (a push is idempotent: a resend answers
    ``duplicate``), when the connection it went out on turns out closed: the server closes a
    connection idle for its keep-alive, and a client whose loop is starved on a loaded machine
    may take it from its pool after that (aiohttp itself resends a GET once in that case,
    not counted here). Its latency counts from the first attempt."""
    latencies: list[float] = []
    pushed = 0
    resent = 0
    http = Http(base, len(plans))

    async def send(method: str, url: URL, headers: dict[str, str],
                   body: bytes | None = None) -> tuple[int, bytes, bool]:
        nonlocal resent
        try:
            return (*await http.call(method, url, headers, body), False)
        except Stale:
            resent += 1
            return (*await http.call(method, url, headers, body), True)

    async def phone(i: int) -> None:
        nonlocal pushed
        who = i % len(tokens)
        push_headers, pull_headers = phone_headers(tokens[who], True), phone_headers(tokens[who])
        for push in plans[i]:
            started = time.perf_counter()
            status, answer, again = await send("POST", http.push_url, push_headers, push.body)
            latencies.append((time.perf_counter() - started) * 1000)
            pushed += applied(status, answer, push, again)
            started = time.perf_counter()
            status, answer, _ = await send("GET", http.pull_url(feeds.cursors.get(who)),
                                           pull_headers)
            latencies.append((time.perf_counter() - started) * 1000)
            feeds.take(who, status, answer)

    try:
        started = time.perf_counter()
        await asyncio.gather(*(phone(i) for i in range(len(plans))))
        elapsed = time.perf_counter() - started
    finally:
        await http.close()
    return (pushed, pushed / elapsed, statistics.quantiles(latencies, n=20)[-1], resent,
            dict(http.encodings))


async def delivered(base: str, tokens: list[str], plans: list[list[Push]],
                    feeds: Feeds) -> int:
    """After the mix (not timed, no push running): each cadre pulls until the feed has no
    more (at most 100 pages), and every record its phones pushed must have come back in its
    pulls; how many records were checked. A server that drops or withholds a record fails
    here, however fast it answered."""
    http = Http(base, 8)
    gate = asyncio.Semaphore(8)

    async def catch_up(who: int) -> None:
        async with gate:
            for _ in range(100):
                status, answer = await http.call(
                    "GET", http.pull_url(feeds.cursors.get(who)), phone_headers(tokens[who]))
                if not feeds.take(who, status, answer):
                    return
            raise AssertionError(f"cadre {who}: the feed still had more after 100 pages")

    try:
        cadres = sorted({i % len(tokens) for i in range(len(plans))})
        await asyncio.gather(*(catch_up(who) for who in cadres))
    finally:
        await http.close()
    checked = 0
    for i, pushes in enumerate(plans):
        ids = {id_ for push in pushes for id_ in push.ids}
        missing = ids - feeds.seen[i % len(tokens)]
        if missing:
            raise AssertionError(f"{len(missing)} of the records pushed by phone {i} never "
                                 f"came back in its pulls, e.g. {sorted(missing)[:3]}")
        checked += len(ids)
    return checked


@dataclasses.dataclass
class MixFigures:
    """One mix run: its rates and where the CPU went (seconds over the run): the API process,
    the PostgreSQL backends of its database (0 on SQLite, whose work is in the API's) and the
    load generator (this process: aiohttp and the phones' answers)."""

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
    encodings: dict[str, int]
    delivered: int

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
                f"server closed an idle connection; answers by Content-Encoding: "
                + ", ".join(f"{k} {v}" for k, v in sorted(self.encodings.items()))
                + f"; every pushed record came back in its cadre's pulls ({self.delivered:,})\n"
                f"  CPU: API {split(self.api)} (busy {self.api / self.wall:.0%} of a core); "
                + (f"PostgreSQL {split(self.postgres)}; " if engine == "postgres" else "")
                + f"load generator {split(self.generator)} (busy "
                f"{self.generator / self.wall:.0%} of a core)\n"
                f"  capacity of one API process with a core to itself: {capacity:,.0f} "
                f"records/s (goal >= 2,500: {verdict(capacity >= 2500)}{short})")


def measured_mix(server: Server, tokens: list[str], villages: list[str], phones: int,
                 rounds: int) -> MixFigures:
    """The mix with ``phones`` phones, with the CPU of each process it keeps busy."""
    plans = plan_mix(villages, phones, rounds)
    feeds = Feeds()
    api, postgres = server.cpu_seconds(), cputime.postgres_seconds(DB_URL)
    generator, started = time.process_time(), time.perf_counter()
    records, rate, p95, resent, encodings = run(mix(server.base, tokens, plans, feeds))
    figures = MixFigures(
        records=records, cycles=phones * rounds, rate=rate, p95=p95, resent=resent,
        wall=time.perf_counter() - started, api=server.cpu_seconds() - api,
        postgres=cputime.postgres_seconds(DB_URL) - postgres,
        generator=time.process_time() - generator, load=os.getloadavg()[0],
        encodings=encodings, delivered=0)
    figures.delivered = run(delivered(server.base, tokens, plans, feeds))
    return figures


async def in_turn(base: str, tokens: list[str], plans: list[list[Push]], feeds: Feeds,
                  first: int = 0, pull: bool = True) -> int:
    """The mix's cycles one after another on one connection, round by round (phone ``i``
    is cadre ``first + i``): each push, then (``pull``) its cadre's pull; the records
    pushed."""
    http = Http(base, 1)
    pushed = 0
    try:
        for round_ in range(max(map(len, plans), default=0)):
            for i, pushes in enumerate(plans):
                if round_ >= len(pushes):
                    continue
                who = (first + i) % len(tokens)
                push = pushes[round_]
                pushed += applied(*await http.call(
                    "POST", http.push_url, phone_headers(tokens[who], True), push.body), push)
                if pull:
                    feeds.take(who, *await http.call("GET", http.pull_url(feeds.cursors.get(who)),
                                                phone_headers(tokens[who])))
    finally:
        await http.close()
    return pushed


class Profiled:
    """A server run under cProfile (``--profile FILE``, written when it stops): the same work
    as the callgrind phase, where a cycle's time goes by Python function (start-up and the
    warm-up included)."""

    def __init__(self, path: str) -> None:
        self.python = [sys.executable, "-m", "cProfile", "-o", path]
        self.folder = path

    def instructions(self, server: Server, work: Coroutine[Any, Any, T]) -> tuple[int, T]:
        return 0, run(work)


class Callgrind:
    """A server run under valgrind's callgrind with instrumentation off, switched on (by
    ``callgrind_control``) only while a piece of work is measured: instructions executed by
    the API process (every thread: on SQLite the database's too), the same under any load."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="zhucun-callgrind-"))
        self.python = ["valgrind", "--tool=callgrind", "--instr-atstart=no",
                       f"--callgrind-out-file={self.folder}/callgrind.out.%p", sys.executable]

    def instructions(self, server: Server, work: Coroutine[Any, Any, T]) -> tuple[int, T]:
        """Instructions the server executed while ``work`` ran, and what it returned. The
        dump is kept in the folder for ``callgrind_annotate``."""
        pid = str(server.proc.pid)

        def control(*what: str) -> None:
            subprocess.run(["callgrind_control", *what, pid], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        control("-z")
        control("-i", "on")
        result = run(work)
        before = set(self.folder.iterdir())
        control("-d")
        control("-i", "off")
        dump = max(set(self.folder.iterdir()) - before, key=lambda f: f.stat().st_mtime)
        for line in dump.read_text(errors="replace").splitlines():
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1]), result
        raise RuntimeError(f"no totals in {dump}")


#: Single-item pushes counted by the callgrind phase.
SINGLES = 50


def counted(args: argparse.Namespace, tokens: list[str], villages: list[str]) -> list[str]:
    """The ``callgrind`` phase: one API process under callgrind, one connection, nothing else
    asked of it. After a warm-up (other cadres), the instructions of the mix's cycles at
    ``--phones`` phones and ``--rounds`` rounds in turn (a push of 1-20 logs, then a pull;
    the mix's own pushes), of single-item pushes and of pulls with nothing new; the lines to
    print."""
    grind = Profiled(args.profile) if args.profile else Callgrind()
    server = Server(1, python=grind.python)
    phones = args.phones
    try:
        # Warm-up: the caches of a process that has served a while, other cadres than below.
        run(in_turn(server.base, tokens, plan_mix(villages, 16, 1), Feeds(), first=phones))
        plans = plan_mix(villages, phones, args.rounds)
        feeds = Feeds()
        cycle_ir, records = grind.instructions(
            server, in_turn(server.base, tokens, plans, feeds))
        cycles = sum(map(len, plans))
        singles = [[Push.of([record(3 * 10**6 + n, villages[-1])]) for n in range(SINGLES)]]
        single_ir, _ = grind.instructions(server, in_turn(
            server.base, tokens, singles, Feeds(), first=len(tokens) - 1, pull=False))
        pulls = 50
        idle_ir, _ = grind.instructions(server, quiet_pulls(server.base, tokens[0], feeds, pulls))
    finally:
        server.stop(signal.SIGINT)
    million = 1e6
    return [
        f"callgrind, one API process on {dbconf.engine_name()}, one connection (dumps in "
        f"{grind.folder}):",
        f"  mix cycles in turn ({phones} phones x {args.rounds} rounds, {records:,} records in "
        f"{cycles} cycles): {cycle_ir / cycles / million:.2f} M instructions a cycle, "
        f"{cycle_ir / records / million:.2f} M a record",
        f"  single-item push ({SINGLES}): {single_ir / SINGLES / million:.2f} M a push",
        f"  pull with nothing new ({pulls}): {idle_ir / pulls / million:.2f} M a pull",
    ]


async def quiet_pulls(base: str, token: str, feeds: Feeds, count: int) -> None:
    """``count`` pulls of cadre 0 from the end of its feed (nothing new)."""
    http = Http(base, 1)
    try:
        for _ in range(count):
            feeds.take(0, *await http.call("GET", http.pull_url(feeds.cursors.get(0)),
                                           phone_headers(token)))
    finally:
        await http.close()


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def placement(server: Server, pinned: bool) -> str:
    """Pins the API process (and any workers) to one core and this process, the load generator,
    to another when ``pinned`` and there are two cores or more; says what runs where."""
    cores = sorted(os.sched_getaffinity(0))
    if not pinned or len(cores) < 2:
        return (f"the API process, the load generator and PostgreSQL's backends on any of "
                f"{len(cores)} cores (not pinned)")
    pin(server.pids(), {cores[-1]})
    pin([os.getpid()], {cores[0]})
    return (f"the API process pinned to CPU {cores[-1]}, the load generator to CPU {cores[0]}; "
            f"PostgreSQL's backends (on PostgreSQL) and every other process on the machine on "
            f"any of CPUs {', '.join(map(str, cores))}")


def measure(args: argparse.Namespace, phases: set[str], tokens: list[str], villages: list[str],
            ) -> tuple[dict[str, Throughput], tuple[float, float] | None, dict[int, MixFigures],
                       str]:
    """Every phase asked for: the throughput of one process and of two, the single push, the
    mix at 32 and 128 phones, and where the single push and the mix ran."""
    every_core = os.sched_getaffinity(0)
    where = ""
    rates = throughput_phase(args, tokens) if "throughput" in phases else {}
    single: tuple[float, float] | None = None
    mixes: dict[int, MixFigures] = {}
    if phases & {"single", "mix"}:
        server = Server(1)
        try:
            where = placement(server, args.pin)
            if "single" in phases:
                single = run(single_pushes(server, tokens[0], args.single))
            if "mix" in phases:
                for c in (32, 128):
                    mixes[c] = measured_mix(server, tokens, villages, c, args.rounds)
        finally:
            server.stop()
            pin([os.getpid()], every_core)
    return rates, single, mixes, where


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--cadres", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--single", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3,
                        help="throughput: how many times the set-ups take turns (the median "
                             "rate of each is printed)")
    parser.add_argument("--phases", default="throughput,single,mix",
                        help="which of throughput, single, mix, callgrind to run "
                             "(comma-separated; callgrind counts instructions a cycle, slowly)")
    parser.add_argument("--profile", metavar="FILE",
                        help="callgrind: run the server under cProfile instead, into FILE")
    parser.add_argument("--phones", type=int, default=32,
                        help="callgrind: the mix's phones whose cycles are counted in turn")
    parser.add_argument("--no-pin", dest="pin", action="store_false",
                        help="leave the API and the load generator to the scheduler for the "
                             "single push and the mix (pinned to one core each by default)")
    args = parser.parse_args()
    phases = set(args.phases.split(","))
    name = dbconf.engine_name()
    settings = Settings(database_url=DB_URL, env="test", pwa_dir=ROOT / "none")
    try:
        asyncio.run(migrate())
        tokens, villages = asyncio.run(make_people(settings, args.cadres))
        rates, single, mixes, where = measure(args, phases, tokens, villages)
        grind = counted(args, tokens, villages) if "callgrind" in phases else []
    finally:
        dbconf.drop_database(TOKEN)
    cores = os.cpu_count() or 1
    print(f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end "
          f"({cores} cores); load generator: aiohttp {aiohttp.__version__} on uvloop, "
          f"Accept-Encoding: {ACCEPT_ENCODING}")
    if rates:
        one, two, shared = (rates[label] for label in SETUPS)
        goal = 10_000 if name == "sqlite" else 20_000
        times = f"{args.repeat} time{'s' * (args.repeat != 1)}"
        print(f"load over HTTP on {name}, {args.clients} clients, batches of 500 (not pinned), "
              f"the set-ups in turn {times}, each one's median rate; two processes: each "
              f"request to the one with fewer in flight, as nginx's least_conn "
              f"(deploy/nginx.conf):")
        for label, figures in rates.items():
            print(figures.report(label, name))
        # Idle cores say the processes wait (for a lock, for the database, for requests); more
        # CPU a record says each record costs more with two (a retry, a core shared).
        for label, figures in (("two processes", two), ("uvicorn --workers 2", shared)):
            print(f"  {label}: {figures.rate / one.rate:.2f}x one's records/s, the API's CPU "
                  f"a record {figures.per_record(figures.api) / one.per_record(one.api):.2f}x "
                  f"one process's")
        if name == "postgres":
            # What the goal's rate costs at the measured CPU a record, the load generator left
            # out (the phones are elsewhere in production): the cores it needs.
            stack = min(f.stack for f in rates.values())
            print(f"  at {stack:.0f} µs of the API's and PostgreSQL's CPU a record, {goal:,} "
                  f"records/s needs {goal * stack / 1e6:.1f} cores busy; this machine has "
                  f"{cores}, shared with the load generator")
            # One process left the rest of the cores idle; two can at most fill them, at the
            # same CPU a record: the ratio the cores allow here.
            print(f"  one process kept {one.busy / one.every:.0%} of the cores busy: at its CPU "
                  f"a record the cores allow two at most {one.every / one.busy:.2f}x one; two "
                  f"processes kept {two.busy / two.every:.0%} busy")
        else:
            print("  SQLite takes one writer at a time: a second process's push waits for the "
                  "first's to commit (a province runs on PostgreSQL)")
        best = max(f.rate for f in rates.values())
        print(f"  goal: >= {goal:,} records/s: {verdict(best >= goal)}; two processes >= 1.6x "
              f"one where cores allow: {verdict(two.rate / one.rate >= 1.6)}")
    if where:
        print(f"single push and mix: {where}")
    if single:
        median, cpu = single
        print(f"single-item push on {name}: median {median:.1f} ms over HTTP, server CPU "
              f"{cpu:.2f} ms a push (goal <= 2 ms: {verdict(cpu <= 2)})")
    for c, m in mixes.items():
        print(m.report(name, c, args.cadres))
    for line in grind:
        print(line)
    if 128 in mixes:
        m = mixes[128]
        print(f"  goal: >= 2,500 records/s and p95 < 300 ms at 128: "
              f"{verdict(m.rate >= 2500 and m.p95 < 300)}")


if __name__ == "__main__":
    main()
