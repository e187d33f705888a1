from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.audit.tables import AuditEvent

APP_CONFIG = AppConfig(
    app_name="audit",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "audit"),
    table_classes=[AuditEvent],
)
