from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.notify.tables import InboxItem, PushDelivery, PushSubscription

APP_CONFIG = AppConfig(
    app_name="notify",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "notify"),
    table_classes=[InboxItem, PushSubscription, PushDelivery],
)
