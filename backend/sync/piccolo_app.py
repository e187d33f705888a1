from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.sync.tables import ChangeCounter

APP_CONFIG = AppConfig(
    app_name="sync",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "sync"),
    table_classes=[ChangeCounter],
)
