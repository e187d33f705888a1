"""``zhucun backup DIR`` and ``zhucun restore DIR``: the database and the photo store.

Backup runs while the API serves. SQLite: the online backup API (a consistent copy, pages
taken between writes). PostgreSQL: ``pg_dump`` in its custom format (one snapshot). Then the
photos: they are content-addressed and written before the rows that name them, so every photo
the copied database names is in the copy. ``manifest.json`` says what was taken.

Restore goes into an empty database (it refuses one that has tables), with the API stopped.
Afterwards the change stamps are reset (a new PostgreSQL cluster counts its transactions anew)
and the database gets a new sync epoch, so every phone starts its feed over instead of
waiting for numbers it has already passed.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from backend.core.db import _sqlite_path, close_engine, engine_from_url, fetch

__all__ = ["BackupError", "backup", "restore"]

_SQLITE_FILE = "zhucun.sqlite"
_PG_FILE = "zhucun.pgdump"


class BackupError(Exception):
    """A backup or restore that cannot be done (the message says why, in both languages)."""


def _engine_name(url: str) -> str:
    return "sqlite" if urlparse(url).scheme == "sqlite" else "postgres"


def _pg_url(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def backup(database_url: str, media_dir: Path, dest: Path) -> dict[str, Any]:
    """Copy the database and the photos into ``dest`` (new or empty); answer the manifest."""
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"目标目录不为空 / the target directory is not empty: {dest}")
    dest.mkdir(parents=True, exist_ok=True)
    engine = _engine_name(database_url)
    if engine == "sqlite":
        database = _SQLITE_FILE
        source = sqlite3.connect(_sqlite_path(database_url))
        target = sqlite3.connect(dest / database)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        database = _PG_FILE
        _pg_tool(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                  "--file", str(dest / database), "--dbname", _pg_url(database_url)])
    photos = 0
    if media_dir.is_dir():
        shutil.copytree(media_dir, dest / "media")
        photos = sum(1 for p in (dest / "media").rglob("*") if p.is_file())
    manifest = {"engine": engine, "database": database, "photos": photos,
                "created_at": dt.datetime.now(dt.UTC).isoformat()}
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def restore(database_url: str, media_dir: Path, src: Path) -> dict[str, Any]:
    """Restore a backup made by ``backup`` into an empty database and the photo store."""
    try:
        manifest = json.loads((src / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"不是备份目录 / not a backup directory: {src} ({exc})") from None
    engine = _engine_name(database_url)
    if manifest.get("engine") != engine:
        raise BackupError(f"备份来自 {manifest.get('engine')}，目标是 {engine} / the backup is "
                          f"of {manifest.get('engine')}, the target is {engine}")
    if asyncio.run(_has_tables(database_url)):
        raise BackupError("目标数据库不是空的 / the target database is not empty")
    if engine == "sqlite":
        path = Path(_sqlite_path(database_url))
        path.parent.mkdir(parents=True, exist_ok=True)
        source = sqlite3.connect(src / manifest["database"])
        target = sqlite3.connect(path)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
    else:
        _pg_tool(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                  "--dbname", _pg_url(database_url), str(src / manifest["database"])])
    if (src / "media").is_dir():
        shutil.copytree(src / "media", media_dir, dirs_exist_ok=True)
    asyncio.run(_after_restore(database_url))
    return manifest


def _pg_tool(command: list[str]) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(f"找不到 {command[0]}（请安装 postgresql-client）/ {command[0]} not "
                          "found (install postgresql-client)") from None
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:2000]}")


async def _has_tables(database_url: str) -> bool:
    if _engine_name(database_url) == "sqlite":
        path = Path(_sqlite_path(database_url))
        if not path.exists():
            return False
        with sqlite3.connect(path) as conn:
            return conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                                ).fetchone()[0] > 0
    engine = engine_from_url(database_url)
    try:
        rows = await fetch(engine, "SELECT count(*) AS n FROM information_schema.tables "
                           "WHERE table_schema = current_schema()")
        return int(rows[0]["n"]) > 0
    finally:
        await close_engine(engine)


async def _after_restore(database_url: str) -> None:
    from backend.sync.cursor import new_epoch, reset_stamps

    engine = engine_from_url(database_url)
    try:
        await reset_stamps(engine)
        await new_epoch(engine)
    finally:
        await close_engine(engine)
