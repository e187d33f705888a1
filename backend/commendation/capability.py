"""Commendation plugs in: eligibility, quota runs, nominations and dossiers."""

from __future__ import annotations

from backend.commendation import messages
from backend.commendation.controllers import CommendationController
from backend.manifest import Capability

__all__ = ["CAPABILITY"]

CAPABILITY = Capability(
    name="commendation",
    piccolo_app="backend.commendation.piccolo_app",
    routes=(CommendationController,),
    problems=messages.Problems,
    fields=messages.Fields,
)
