"""Which database the suite runs on: ZHUCUN_TEST_DB=sqlite (default) or postgres.

Like Piccolo's own suite, the same tests run once per engine; only the configuration changes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import tempfile
from pathlib import Path

PG_ADMIN_DSN = os.environ.get("ZHUCUN_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def engine_name() -> str:
    return os.environ.get("ZHUCUN_TEST_DB", "sqlite").lower()


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def pg_available() -> bool:
    try:
        asyncio.run(_pg_admin("SELECT 1"))
        return True
    except Exception:
        return False


def create_database() -> tuple[str, object]:
    """A fresh, empty database for this run: (URL, a token to drop it with)."""
    if engine_name() == "postgres":
        name = f"zhucun_test_{secrets.token_hex(4)}"
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
        base = PG_ADMIN_DSN.rsplit("/", 1)[0]
        return f"{base}/{name}", name
    folder = Path(tempfile.mkdtemp(prefix="zhucun-test-"))
    return f"sqlite:///{folder / 'test.sqlite'}", folder


def bench_database(keep: str | None) -> tuple[str, object | None]:
    """A benchmark's database: the kept ``zhucun-bench_<keep>`` (no token: it stays) when
    ``--keep`` names one, else a fresh one (URL, token to drop it with)."""
    if keep:
        return kept_database("zhucun-bench", keep), None
    return create_database()


def drop_database(token: object) -> None:
    if isinstance(token, str):
        with contextlib.suppress(Exception):
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{token}" WITH (FORCE)'))
    else:
        import shutil

        shutil.rmtree(str(token), ignore_errors=True)


if __name__ == "__main__":
    # `python -m tests.dbconf` exits 0 when PostgreSQL is reachable (used by the Makefile).
    raise SystemExit(0 if pg_available() else 1)


def kept_database(prefix: str, name: str) -> str:
    """The URL of a benchmark's kept database ``<prefix>_<name>`` (created empty the first
    time): a province-sized set-up takes minutes, and later runs reuse it."""
    if engine_name() != "postgres":
        return f"sqlite:///{Path(tempfile.gettempdir()) / f'{prefix}-{name}.sqlite'}"
    database = f"{prefix}_{name}".replace("-", "_")
    import asyncpg

    async def create() -> None:
        conn = await asyncpg.connect(PG_ADMIN_DSN)
        try:
            if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1",
                                       database):
                await conn.execute(f'CREATE DATABASE "{database}"')
        finally:
            await conn.close()

    asyncio.run(create())
    return f"{PG_ADMIN_DSN.rsplit('/', 1)[0]}/{database}"
