"""The database engine: SQLite by default, PostgreSQL when the URL names one."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlparse

from piccolo.columns import JSON, JSONB
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType

from backend.core.canonical import dumps

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Sequence

    from piccolo.engine.base import Engine
    from piccolo.querystring import QueryString
    from piccolo.table import Table

__all__ = [
    "bind_tables",
    "close_engine",
    "compiled",
    "engine_from_url",
    "fetch",
    "fetch_planned",
    "fetch_values",
    "insert_rows",
    "insert_rows_with",
    "is_postgres",
    "prepare_engine",
    "present",
    "run_raw",
    "select_in",
    "write_transaction",
]

_engines: dict[str, Engine] = {}
_Row = TypeVar("_Row")


class SharedSQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine, with two long-lived connections while the app is up: one for
    statements outside a transaction, one for write transactions.

    Piccolo opens a connection (and with aiosqlite a thread) for every statement outside a
    transaction and for every transaction, and sets ``PRAGMA foreign_keys`` before every
    statement in one: milliseconds a request. Here the app opens both connections at start-up
    (``open_shared``) with their pragmas set once, and closes them at shutdown. Write
    transactions of this process take turns on the writer connection, queued on an
    ``asyncio.Lock`` in the order they asked (SQLite lets one writer in at a time anyway; its
    busy handler would make them poll for the lock instead), and so do writes outside a
    transaction (autocommit, on the writer connection); writers of other processes still
    queue on ``BEGIN IMMEDIATE`` and the busy timeout. Outside the app's event loop (the CLI,
    migrations, another thread's loop) Piccolo's own connection per transaction is used.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shared: Any = None
        self.writer: Any = None
        self.write_lock: asyncio.Lock | None = None
        self.shared_loop: Any = None

    async def _connect(self) -> Any:
        import aiosqlite
        from piccolo.engine.sqlite import dict_factory

        connection: Any = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory
        await connection.execute("PRAGMA foreign_keys = 1")
        # WAL with synchronous=NORMAL: a commit no longer waits for an fsync; the database
        # cannot corrupt, though a power cut may lose the last commits (production runs on
        # PostgreSQL).
        await connection.execute("PRAGMA synchronous = NORMAL")
        # PostgreSQL has sha256(); SQLite gets it here (an audit event is hashed by the
        # statement that appends it).
        await connection.create_function("sha256_hex", 1, _sha256_hex, deterministic=True)
        return connection

    async def open_shared(self) -> None:
        if self.shared is None:
            self.shared = await self._connect()
            self.writer = await self._connect()
            self.write_lock = asyncio.Lock()
            self.shared_loop = asyncio.get_running_loop()

    async def get_connection(self) -> Any:
        return await self._connect()

    async def close_shared(self) -> None:
        for connection in (self.shared, self.writer):
            if connection is not None:
                await connection.close()
        self.shared = self.writer = self.write_lock = self.shared_loop = None

    def _held(self) -> bool:
        return self.writer is not None and self.shared_loop is _running_loop()

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        if not self._held():
            return super().transaction(transaction_type, allow_nested)
        return _WriterTransaction(self, transaction_type, allow_nested)

    async def _run_in_new_connection(
        self, query: str, args: Any = None, query_type: str = "generic", table: Any = None
    ) -> Any:
        if self.shared is None or self.shared_loop is not _running_loop():
            return await super()._run_in_new_connection(query, args, query_type, table)
        if not _reads(query):
            # A write outside a transaction takes its turn on the writer connection like a
            # transaction: on the reading connection, whose statements of several requests
            # interleave, it could find a read still open there and fail at once as locked.
            assert self.write_lock is not None
            async with self.write_lock:
                return await self.writer.execute_fetchall(query, args or [])
        # Run and read to the end in one call on the connection's thread: a statement left
        # open between calls (others' statements interleave here) would keep its read
        # snapshot, and the next reads would miss what was committed since
        # (tests/api/test_sqlite_connections.py). One call instead of three, too.
        return await self.shared.execute_fetchall(query, args or [])

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: Any = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        # Every connection of this engine has its foreign keys on from the start (``_connect``):
        # Piccolo's ``PRAGMA foreign_keys`` before each statement is a wasted round trip.
        return await connection.execute_fetchall(query, args or [])


def _sha256_hex(text: str) -> str:
    """SQL ``sha256_hex(text)``: the SHA-256 of the text's UTF-8, in hex digits."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _reads(sql: str) -> bool:
    """Whether a statement only reads (a ``SELECT``); anything else is taken for a write."""
    return sql.lstrip()[:6].upper() == "SELECT"


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class _WriterTransaction(SQLiteTransaction):
    """A transaction on the engine's writer connection, which it holds (the lock) from
    ``BEGIN`` to ``COMMIT`` or ``ROLLBACK``. Nested ones join the outer one, as in Piccolo."""

    engine: SharedSQLiteEngine

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        lock = self.engine.write_lock
        assert lock is not None
        await lock.acquire()
        try:
            self.connection = self.engine.writer
            await self.begin()
        except BaseException:
            lock.release()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        lock = self.engine.write_lock
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            try:
                if self.connection.in_transaction:
                    # A COMMIT or ROLLBACK that failed (or was cancelled) must not leave the
                    # next writer inside this transaction.
                    await self.connection.execute("ROLLBACK")
            finally:
                self.engine.current_transaction.reset(self.context)
                if lock is not None:
                    lock.release()
        return exception is None


def _sqlite_path(url: str) -> str:
    # sqlite:///relative/path and sqlite:////absolute/path, as in SQLAlchemy.
    path = url.removeprefix("sqlite://")
    if path.startswith("//"):
        return path[1:]
    return path.removeprefix("/")


def engine_from_url(url: str) -> Engine:
    """One engine per database URL in this process."""
    if url in _engines:
        return _engines[url]
    scheme = urlparse(url).scheme
    if scheme == "sqlite":
        path = _sqlite_path(url)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        # timeout is sqlite3's busy timeout: writers wait for each other instead of failing.
        engine: Engine = SharedSQLiteEngine(path=path, timeout=30)
    elif scheme in {"postgres", "postgresql"}:
        # asyncpg keeps prepared statements up to 15 KB by default; a sync batch's multi-row
        # insert (500 rows of some 17 values) is far longer and was prepared again, a round
        # trip and a parse, on every push.
        engine = PostgresEngine(config={"dsn": url, "max_cacheable_statement_size": 512 * 1024})
    else:
        raise ValueError(f"unsupported database URL scheme: {scheme!r}")
    _engines[url] = engine
    return engine


def is_postgres(engine: Engine) -> bool:
    return engine.engine_type in {"postgres", "cockroach"}


async def prepare_engine(engine: Engine, *, pool_max: int = 10) -> None:
    """Per-process start: WAL journal on SQLite, a connection pool on PostgreSQL."""
    if isinstance(engine, SQLiteEngine):
        with sqlite3.connect(engine.path) as conn:
            conn.execute("PRAGMA journal_mode=WAL")
        if isinstance(engine, SharedSQLiteEngine):
            await engine.open_shared()
    elif isinstance(engine, PostgresEngine) and engine.pool is None:
        await engine.start_connection_pool(min_size=1, max_size=pool_max, reset=_keep_session)


async def _keep_session(connection: Any) -> None:
    """What a pooled PostgreSQL connection needs on its way back to the pool: nothing more.

    asyncpg rolls back a transaction left open before calling this, as it always does. Its
    default reset then sends ``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL``,
    a round trip on every release (two a request: the session's read and the transaction),
    to undo session state this application never makes: its advisory locks are transaction
    locks (``pg_advisory_xact_lock``), and it opens no cursor, LISTEN or session ``SET``
    outside a transaction. ``tests/unit/core/test_pool_reset.py`` holds the code to that.
    """
    del connection


async def close_engine(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()
    if isinstance(engine, SharedSQLiteEngine):
        await engine.close_shared()


def bind_tables(engine: Engine, tables: list[type[Table]]) -> None:
    """Point every table at ``engine`` (Piccolo otherwise looks it up in piccolo_conf)."""
    for table in tables:
        table._meta.db = engine


@asynccontextmanager
async def write_transaction(engine: Engine) -> AsyncIterator[Any]:
    """A transaction that writes.

    On SQLite it begins IMMEDIATE so that two writers queue on the busy timeout instead of
    deadlocking when a reader upgrades; nested calls join the outer transaction.
    """
    if isinstance(engine, SQLiteEngine):
        tx = engine.transaction(transaction_type=TransactionType.immediate)
    else:
        tx = engine.transaction()
    async with tx as transaction:
        yield transaction


async def insert_rows(
    table: type[Table],
    rows: list[dict[str, Any]],
    *,
    conflict_target: str | tuple[str, ...] | None = None,
    returning: str | None = None,
) -> list[dict[str, Any]]:
    """Insert many rows in few statements (hot paths: sync ingest, imports).

    Piccolo builds a query per row; this builds one multi-row ``INSERT`` per chunk with the
    same placeholders and adapters, with ``ON CONFLICT (target) DO NOTHING`` when asked.
    Every row must have the same keys.
    """
    if not rows:
        return []
    names = tuple(rows[0])
    targets = (conflict_target,) if isinstance(conflict_target, str) else conflict_target
    json_at = _json_columns(table, names)
    per_chunk = max(1, 30_000 // len(names))
    out: list[dict[str, Any]] = []
    for start in range(0, len(rows), per_chunk):
        chunk = rows[start : start + per_chunk]
        sql = _insert_sql(table, names, len(chunk), targets, returning)
        args = _arguments(chunk, names, json_at)
        out.extend(await run_raw(table._meta.db, sql, args))
    return out


async def insert_rows_with(
    table: type[Table],
    rows: list[dict[str, Any]],
    parts: str,
    args: list[Any],
    *,
    conflict_target: str,
    returning: str,
) -> list[dict[str, Any]] | None:
    """PostgreSQL, outside any transaction: ``insert_rows``'s ``INSERT`` as the ``WITH`` part
    ``ins`` (its rows' ``returning`` column), followed by ``parts`` (more ``WITH`` parts, which
    may read ``ins``; ``args`` their values), in one statement: atomic without ``BEGIN`` and
    ``COMMIT``, so one round trip writes it all or nothing. The ``ins`` rows, or None when it
    cannot be one statement here (SQLite, a transaction already open, rows past one chunk, no
    pool); a refusal of the database is raised."""
    engine = table._meta.db
    pool = getattr(engine, "pool", None)
    if not rows or not is_postgres(engine) or pool is None or engine.current_transaction.get():
        return None
    names = tuple(rows[0])
    if len(rows) > max(1, 30_000 // len(names)):
        return None
    insert = _insert_sql(table, names, len(rows), (conflict_target,), returning)
    sql = _numbered(f"WITH ins AS ({insert}), {parts} SELECT {returning} FROM ins")
    values = _arguments(rows, names, _json_columns(table, names))
    async with pool.acquire() as conn:
        return [dict(r) for r in await conn.fetch(sql, *values, *args)]


@lru_cache(maxsize=256)
def _insert_sql(
    table: type[Table], names: tuple[str, ...], count: int,
    targets: tuple[str, ...] | None, returning: str | None,
) -> str:
    """The ``INSERT`` of ``count`` rows of the columns ``names``: the same few every push (a
    batch's size, one item), written once."""
    columns = [table._meta.get_column_by_name(n) for n in names]
    quoted = ", ".join(f'"{c._meta.db_column_name}"' for c in columns)
    row_sql = "(" + ", ".join(["{}"] * len(names)) + ")"
    sql = f'INSERT INTO "{table._meta.tablename}" ({quoted}) VALUES ' + ", ".join(
        [row_sql] * count)
    if targets:
        sql += " ON CONFLICT (" + ", ".join(f'"{t}"' for t in targets) + ") DO NOTHING"
    if returning:
        sql += f' RETURNING "{returning}"'
    return sql


@lru_cache(maxsize=64)
def _json_columns(table: type[Table], names: tuple[str, ...]) -> tuple[int, ...]:
    """Where among ``names`` the JSON columns of ``table`` are."""
    return tuple(i for i, n in enumerate(names)
            if isinstance(table._meta.get_column_by_name(n), JSON | JSONB))


def _arguments(
    rows: list[dict[str, Any]], names: tuple[str, ...], json_at: tuple[int, ...]
) -> list[Any]:
    """The rows' values in column order, one after another; JSON columns' values as text
    (text is taken as JSON already written)."""
    args: list[Any] = []
    for row in rows:
        values = [row[n] for n in names]
        for i in json_at:
            value = values[i]
            if value is not None and not isinstance(value, str):
                values[i] = dumps(value)
        args += values
    return args


async def select_in(
    table: type[Table], column: str, values: list[Any], *, chunk: int = 1_000
) -> list[dict[str, Any]]:
    """Every column of the rows whose ``column`` is among ``values`` (hot paths: the stored
    rows of a sync batch), as ``table.select().where(column.is_in(values))`` returns them.

    Piccolo builds and inspects a where-clause value by value, which costs more than the
    read for a 500-value list; this hands the values to the driver as they are.
    """
    names = ", ".join(f'"{c._meta.db_column_name}"' for c in table._meta.columns)
    target = table._meta.get_column_by_name(column)._meta.db_column_name
    out: list[dict[str, Any]] = []
    for start in range(0, len(values), chunk):
        part = values[start : start + chunk]
        sql = (f'SELECT {names} FROM "{table._meta.tablename}" WHERE "{target}" IN ('
               + ", ".join(["{}"] * len(part)) + ")")
        out.extend(await run_raw(table._meta.db, sql, list(part)))
    return out


async def run_raw(engine: Engine, sql: str, args: list[Any]) -> list[dict[str, Any]]:
    """Run ``{}``-placeholder SQL on the current transaction's own connection.

    Piccolo's query strings inspect every argument, which dominates a 10,000-value insert;
    inside a transaction the driver can take the values directly (Piccolo's sqlite3
    adapters for UUIDs and dates are registered process-wide). Outside one, Piccolo runs it.
    """
    tx = engine.current_transaction.get()
    if tx is None or getattr(tx, "connection", None) is None:
        return await fetch(engine, sql, *args) or []
    if isinstance(engine, SQLiteEngine):
        async with tx.connection.execute(sql.replace("{}", "?"), args) as cursor:
            return list(await cursor.fetchall())
    return [dict(r) for r in await tx.connection.fetch(_numbered(sql), *args)]


@lru_cache(maxsize=256)
def _numbered(sql: str) -> str:
    """``{}`` placeholders as PostgreSQL's ``$1, $2, …`` (the same few statements every push:
    numbered once)."""
    parts = sql.split("{}")
    return parts[0] + "".join(f"${i}{part}" for i, part in enumerate(parts[1:], start=1))


async def fetch(engine: Engine, sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run raw SQL with ``{}`` placeholders (Piccolo's QueryString) and return rows."""
    from piccolo.querystring import QueryString

    return await engine.run_querystring(QueryString(sql, *args))


async def fetch_planned(engine: Engine, sql: str, *args: Any) -> list[dict[str, Any]]:
    """``fetch``, planned for its values at every run on PostgreSQL.

    asyncpg prepares every statement and keeps it per connection; from its sixth run
    PostgreSQL may switch to a generic plan, made without the values, when it estimates that
    plan no dearer. For a statement whose best plan depends on its values (ranges of an index,
    the length of an array) the generic one can be many times slower: this one is planned
    anew each time (``plan_cache_mode``, for one transaction). SQLite has no such cache.
    """
    if not is_postgres(engine):
        return await fetch(engine, sql, *args)
    async with engine.transaction():
        await fetch(engine, "SET LOCAL plan_cache_mode = force_custom_plan")
        return await fetch(engine, sql, *args)


def present(row: _Row | None) -> _Row:
    """The row a query just wrote or checked: a missing one is a broken invariant, not a 404."""
    if row is None:
        raise LookupError("a row written or checked in this request has gone")
    return row


def compiled(sql: str, args: list[Any]) -> QueryString:
    """A statement already compiled for its engine (``$n`` or ``?`` placeholders) with its
    arguments, run like any query string: Piccolo takes a frozen query string's compiled text
    as it is (``QueryString.freeze``), without walking a tree of clauses again."""
    from piccolo.querystring import QueryString

    query = QueryString(sql)
    query._frozen_compiled_strings = (sql, args)
    return query


async def fetch_values(engine: Engine, querystring: QueryString) -> list[Sequence[Any]]:
    """Run a query and return its rows as the driver's values, in select order.

    For bulk reads (a sync snapshot): no dict per row, and none of Piccolo's per-value work.
    PostgreSQL gives asyncpg's records. SQLite gives tuples; its connections still apply
    Piccolo's converters to a result column that *is* a typed column (a UUID becomes a
    ``uuid.UUID``, an integer goes through ``Decimal``): select an expression (``+"col"``)
    to have the stored value as it is.
    """
    if not isinstance(engine, SQLiteEngine):
        return list(await engine.run_querystring(querystring))
    sql, args = querystring.compile_string(engine_type="sqlite")
    tx = engine.current_transaction.get()
    owned = None
    if tx is not None and getattr(tx, "connection", None) is not None:
        connection = tx.connection
    elif (
        isinstance(engine, SharedSQLiteEngine)
        and engine.shared is not None
        and engine.shared_loop is asyncio.get_running_loop()
    ):
        connection = engine.shared
    else:
        connection = owned = await engine.get_connection()
    try:
        async with connection.execute(sql, args) as cursor:
            cursor.row_factory = None
            return list(await cursor.fetchall())
    finally:
        if owned is not None:
            await owned.close()
