"""Claims plug in: the living subsidy, travel, accident insurance and their review.

A month of presence confirmed by the township drafts its living subsidy claim.
"""

from __future__ import annotations

from backend.claims import messages, reminders, subsidy, sync_kinds
from backend.claims.controllers import ClaimController, InsuranceController
from backend.fieldwork.presence import month_confirmed
from backend.manifest import Capability, Listener

__all__ = ["CAPABILITY"]

CAPABILITY = Capability(
    name="claims",
    piccolo_app="backend.claims.piccolo_app",
    routes=(ClaimController, InsuranceController),
    sync_kinds=(sync_kinds.TRAVEL_CLAIM, sync_kinds.CLAIM, sync_kinds.INSURANCE_INCIDENT),
    listeners=(
        # 驻村天数确认 → 生活补贴: confirmed days × the day rate in force, for the cadre to submit.
        Listener(month_confirmed, subsidy.draft_subsidy),
    ),
    # Accident insurance lapsing within 30 days.
    reminders={"insurance_expiry": reminders.insurance_expiry},
    problems=messages.Problems,
)
