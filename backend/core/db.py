"""The database engine: SQLite by default, PostgreSQL when the URL names one."""

from __future__ import annotations

import sqlite3
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from piccolo.engine.base import Engine
    from piccolo.table import Table

__all__ = [
    "bind_tables",
    "close_engine",
    "engine_from_url",
    "fetch",
    "is_postgres",
    "prepare_engine",
    "write_transaction",
]

_engines: dict[str, Engine] = {}


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
        engine: Engine = SQLiteEngine(path=path, timeout=30)
    elif scheme in {"postgres", "postgresql"}:
        engine = PostgresEngine(config={"dsn": url})
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
            conn.execute("PRAGMA synchronous=NORMAL")
    elif isinstance(engine, PostgresEngine) and engine.pool is None:
        await engine.start_connection_pool(min_size=1, max_size=pool_max)


async def close_engine(engine: Engine) -> None:
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()


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


async def fetch(engine: Engine, sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run raw SQL with ``{}`` placeholders (Piccolo's QueryString) and return rows."""
    from piccolo.querystring import QueryString

    return await engine.run_querystring(QueryString(sql, *args))
