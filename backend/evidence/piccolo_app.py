from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.evidence.tables import Photo, PhotoLink

APP_CONFIG = AppConfig(
    app_name="evidence",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "evidence"),
    table_classes=[Photo, PhotoLink],
)
