"""Piccolo's configuration: the engine from ZHUCUN_DATABASE_URL and every capability's app."""

from __future__ import annotations

from piccolo.conf.apps import AppRegistry

from backend.core.db import engine_from_url
from backend.core.settings import get_settings

DB = engine_from_url(get_settings().database_url)

#: Order matters for migrations: an app comes after the apps it refers to.
APPS = [
    "backend.geo.piccolo_app",
    "backend.accounts.piccolo_app",
    "backend.audit.piccolo_app",
    "backend.sync.piccolo_app",
    "backend.evidence.piccolo_app",
    "backend.policy.piccolo_app",
    "backend.fieldwork.piccolo_app",
    "backend.claims.piccolo_app",
    "backend.notify.piccolo_app",
    "backend.feedback.piccolo_app",
    "backend.commendation.piccolo_app",
    "backend.surveys.piccolo_app",
]

APP_REGISTRY = AppRegistry(apps=APPS)
