from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.commendation.tables import Inspection, Nomination, QuotaRun

APP_CONFIG = AppConfig(
    app_name="commendation",
    migrations_folder_path=str(
        Path(__file__).resolve().parents[2] / "migrations" / "commendation"),
    table_classes=[Inspection, QuotaRun, Nomination],
)
