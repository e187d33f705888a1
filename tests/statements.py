"""Counting the statements a piece of work sends to the database (benchmarks and tests)."""

from __future__ import annotations

from backend.core.listening import is_listening

__all__ = ["Statements"]


class Statements:
    """Counts the statements sent to the database (each a round trip to the driver: the
    SQLite connection's thread or the PostgreSQL server), by wrapping the drivers' calls;
    ``sql`` holds their text, upper case and on one line."""

    def __init__(self) -> None:
        self.count = 0
        self.sql: list[str] = []
        import aiosqlite
        import asyncpg

        self._patched = [
            (aiosqlite.Connection, name) for name in ("execute", "execute_fetchall")
        ] + [
            (asyncpg.connection.Connection, name)
            for name in ("execute", "fetch", "fetchrow", "fetchval", "executemany")
        ]

    def __enter__(self) -> Statements:
        self._saved = [getattr(owner, name) for owner, name in self._patched]
        for (owner, name), original in zip(self._patched, self._saved, strict=True):
            setattr(owner, name, self._counting(original))
        return self

    def _counting(self, original):
        def counted(*args, **kwargs):
            if is_listening(args[0]):  # a listening connection's check, not a request's
                return original(*args, **kwargs)
            self.count += 1
            self.sql.append(" ".join(str(args[1]).split()).upper() if len(args) > 1 else "")
            return original(*args, **kwargs)

        return counted

    def __exit__(self, *exc: object) -> None:
        for (owner, name), original in zip(self._patched, self._saved, strict=True):
            setattr(owner, name, original)
