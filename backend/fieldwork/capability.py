"""Field work plugs in: households, work logs, presence, leave and talks.

It emits ``presence.month_confirmed`` (claims drafts the living subsidy on it) and re-checks
the flags of work logs when evidence changes.
"""

from __future__ import annotations

from backend.evidence.services import evidence_changed
from backend.fieldwork import messages, reminders, services, sync_kinds
from backend.fieldwork.controllers import (
    HouseholdController,
    LeaveController,
    PresenceController,
    TalkController,
)
from backend.manifest import Capability, Listener

__all__ = ["CAPABILITY"]

CAPABILITY = Capability(
    name="fieldwork",
    piccolo_app="backend.fieldwork.piccolo_app",
    routes=(HouseholdController, PresenceController, LeaveController, TalkController),
    sync_kinds=(
        sync_kinds.WORK_LOG,
        sync_kinds.HOUSEHOLD,
        sync_kinds.PRESENCE_DAY,
        sync_kinds.PRESENCE_SHEET,
        sync_kinds.LEAVE_REQUEST,
    ),
    listeners=(
        # A photo stored, linked or unlinked: the logs naming it (or a near one) are re-flagged.
        Listener(evidence_changed, services.reverify_logs),
    ),
    # The month-end reminder of an unsubmitted presence sheet (驻村天数报告单).
    reminders={"presence_month_end": reminders.remind_unsubmitted_sheets},
    problems=messages.Problems,
)
