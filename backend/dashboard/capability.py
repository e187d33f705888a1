"""The dashboard plugs in its routes; it stores nothing of its own."""

from __future__ import annotations

from backend.dashboard.controllers import DashboardController
from backend.manifest import Capability

__all__ = ["CAPABILITY"]

CAPABILITY = Capability(name="dashboard", routes=(DashboardController,))
