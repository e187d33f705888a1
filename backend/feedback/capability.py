"""Feedback (投诉建议) plugs in: written offline as a sync kind, answered by the county."""

from __future__ import annotations

from backend.feedback import sync_kinds
from backend.feedback.controllers import FeedbackController
from backend.manifest import Capability

__all__ = ["CAPABILITY"]

CAPABILITY = Capability(
    name="feedback",
    piccolo_app="backend.feedback.piccolo_app",
    routes=(FeedbackController,),
    sync_kinds=(sync_kinds.FEEDBACK,),
)
