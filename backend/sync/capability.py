"""The offline sync protocol plugs in: push and pull, the typed wire in the OpenAPI document,
and (PostgreSQL) the change stamps of every synced table after the migrations."""

from __future__ import annotations

from backend.manifest import Capability
from backend.sync import wire
from backend.sync.controllers import SyncController
from backend.sync.cursor import ensure_stamps

__all__ = ["CAPABILITY"]

CAPABILITY = Capability(
    name="sync",
    piccolo_app="backend.sync.piccolo_app",
    routes=(SyncController,),
    on_app=(wire.install,),
    after_migrate=(ensure_stamps,),
)
