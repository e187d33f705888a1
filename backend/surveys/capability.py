"""Field surveys plug in: forms, assignments pulled offline, responses pushed, results."""

from __future__ import annotations

from backend.manifest import Capability
from backend.surveys import messages, sync_kinds
from backend.surveys.controllers import SurveyController

__all__ = ["CAPABILITY"]

CAPABILITY = Capability(
    name="surveys",
    piccolo_app="backend.surveys.piccolo_app",
    routes=(SurveyController,),
    sync_kinds=(sync_kinds.SURVEY, sync_kinds.HOUSEHOLD_FACT, sync_kinds.SURVEY_RESPONSE),
    problems=messages.Problems,
    fields=messages.Fields,
)
