"""Evidence plugs in: photos by their SHA-256. Others listen to ``services.evidence_changed``."""

from __future__ import annotations

from backend.evidence import messages
from backend.evidence.controllers import EvidenceController
from backend.manifest import Capability

__all__ = ["CAPABILITY"]

CAPABILITY = Capability(
    name="evidence",
    piccolo_app="backend.evidence.piccolo_app",
    routes=(EvidenceController,),
    problems=messages.Problems,
)
