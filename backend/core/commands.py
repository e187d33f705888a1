"""Running a coroutine from the command line with the database engine bound."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["run_bound"]


def run_bound(make: Callable[[], Awaitable[Any]]) -> Any:
    """Run a coroutine with the engine bound and (on PostgreSQL) a pool open."""
    from piccolo.conf.apps import Finder

    from backend.core.db import bind_tables, close_engine, engine_from_url, prepare_engine
    from backend.core.settings import get_settings

    settings = get_settings()
    engine = engine_from_url(settings.database_url)
    # Every table of every capability registered in piccolo_conf.
    bind_tables(engine, Finder().get_table_classes())

    async def runner() -> Any:
        await prepare_engine(engine, pool_max=2)
        try:
            return await make()
        finally:
            await close_engine(engine)

    return asyncio.run(runner())
