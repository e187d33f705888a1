from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.policy.tables import PolicySetting

APP_CONFIG = AppConfig(
    app_name="policy",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "policy"),
    table_classes=[PolicySetting],
)
