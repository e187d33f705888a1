"""Policy plugs in: each county's versioned settings per year."""

from __future__ import annotations

from backend.manifest import Capability
from backend.policy.controllers import PolicyController

__all__ = ["CAPABILITY"]

CAPABILITY = Capability(
    name="policy",
    piccolo_app="backend.policy.piccolo_app",
    routes=(PolicyController,),
)
