from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.geo.tables import Division

APP_CONFIG = AppConfig(
    app_name="geo",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "geo"),
    table_classes=[Division],
)
