"""Piccolo's configuration: the engine from ZHUCUN_DATABASE_URL and every capability's app."""

from __future__ import annotations

from piccolo.conf.apps import AppRegistry

from backend.capabilities import CAPABILITIES
from backend.core.db import engine_from_url
from backend.core.settings import get_settings

DB = engine_from_url(get_settings().database_url)

#: In the order of ``CAPABILITIES``, which is the migrations' order: an app comes after the
#: apps it refers to.
APPS = [c.piccolo_app for c in CAPABILITIES if c.piccolo_app is not None]

APP_REGISTRY = AppRegistry(apps=APPS)
