"""Test set-up: one fresh database per run (SQLite or PostgreSQL), emptied between tests."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests import dbconf

# Property tests check what holds, never how fast: a loaded CI machine must not fail them by time.
settings.register_profile("zhucun", deadline=None)
settings.load_profile("zhucun")

ROOT = Path(__file__).resolve().parents[1]
DB_URL, _DB_TOKEN = dbconf.create_database()
os.environ["ZHUCUN_DATABASE_URL"] = DB_URL
os.environ["ZHUCUN_ENV"] = "test"
os.environ.setdefault("ZHUCUN_MEDIA_DIR", tempfile.mkdtemp(prefix="zhucun-media-"))

from litestar.testing import TestClient  # noqa: E402

from backend.app import all_tables, create_app  # noqa: E402
from backend.capabilities import migrate  # noqa: E402
from backend.core.db import engine_from_url, fetch  # noqa: E402
from backend.core.settings import Settings  # noqa: E402
from tests.world import World, build_world  # noqa: E402

ENGINE = dbconf.engine_name()
E2E_DIR = ROOT / "tests" / "e2e"


def pytest_report_header(config: pytest.Config) -> str:
    return f"zhucun database: {ENGINE} ({DB_URL})"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        # Every browser test is an e2e test, marked or not, so `-m "not e2e"` never runs one.
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)
        if "postgres_only" in item.keywords and ENGINE != "postgres":
            item.add_marker(pytest.mark.skip(reason="PostgreSQL only"))
        if "sqlite_only" in item.keywords and ENGINE != "sqlite":
            item.add_marker(pytest.mark.skip(reason="SQLite only"))
    # Browser tests last: Playwright's sync API keeps an event loop running in the main thread
    # while its session's browser lives, and an async test after it could not start its own.
    items.sort(key=lambda item: E2E_DIR in item.path.parents)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    dbconf.drop_database(_DB_TOKEN)


@pytest.fixture(scope="session")
def settings() -> Settings:
    asyncio.run(migrate())
    return Settings(
        database_url=DB_URL,
        env="test",
        pwa_dir=ROOT / "pwa" / "dist",
        media_dir=Path(os.environ["ZHUCUN_MEDIA_DIR"]),
        secret_key_file=Path(tempfile.mkdtemp(prefix="zhucun-key-")) / "secret_key",
        # The test client's peer is "testclient": trusted like nginx, so tests can set the
        # client address with X-Real-IP.
        trusted_proxies=["127.0.0.1", "::1", "testclient"],
    )


@pytest.fixture(scope="session")
def _client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def _table_names() -> list[str]:
    return [t._meta.tablename for t in all_tables()]


def empty_database(client: TestClient) -> None:
    """Delete every row of every table (not the migrations), in one go."""
    tables = _table_names()
    if ENGINE == "postgres":
        names = ", ".join(f'"{t}"' for t in tables)
        engine = engine_from_url(DB_URL)
        client.blocking_portal.call(fetch, engine, f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        return
    path = DB_URL.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        for table in tables:
            conn.execute(f'DELETE FROM "{table}"')


@pytest.fixture
def client(_client: TestClient) -> TestClient:
    """The app over HTTP, on an empty database."""
    empty_database(_client)
    return _client


@pytest.fixture
def world(client: TestClient, settings: Settings) -> World:
    """Two counties, three townships, four villages and every role (see tests/world.py)."""
    return client.blocking_portal.call(build_world, settings)


@pytest.fixture
def run(client: TestClient):
    """Run an async function in the app's event loop: ``run(service_fn, *args)``."""

    def call(fn, *args):
        return client.blocking_portal.call(fn, *args)

    return call
