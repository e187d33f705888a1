"""Geography plugs in: the division tree, tiers and geofences, and ``zhucun geo import``."""

from __future__ import annotations

from backend.geo import cli, messages
from backend.geo.controllers import GeoController
from backend.manifest import Capability

__all__ = ["CAPABILITY"]

CAPABILITY = Capability(
    name="geo",
    piccolo_app="backend.geo.piccolo_app",
    routes=(GeoController,),
    problems=messages.Problems,
    fields=messages.Fields,
    commands=(cli.geo,),
)
