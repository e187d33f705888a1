from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.claims.tables import Claim, Incident, InsurancePolicy

APP_CONFIG = AppConfig(
    app_name="claims",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "claims"),
    table_classes=[Claim, InsurancePolicy, Incident],
)
