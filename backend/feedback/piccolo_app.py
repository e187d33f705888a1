from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.feedback.tables import Feedback

APP_CONFIG = AppConfig(
    app_name="feedback",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "feedback"),
    table_classes=[Feedback],
)
