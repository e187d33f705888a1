"""The audit log plugs in: its reading routes and ``zhucun audit verify|purge``."""

from __future__ import annotations

from backend.audit import cli
from backend.audit.controllers import AuditController
from backend.manifest import Capability

__all__ = ["CAPABILITY"]

CAPABILITY = Capability(
    name="audit",
    piccolo_app="backend.audit.piccolo_app",
    routes=(AuditController,),
    commands=(cli.audit,),
)
