"""The field-work kinds of the sync protocol, registered when the app is built."""

from __future__ import annotations

from backend.evidence import services as evidence
from backend.fieldwork import leave, presence, services
from backend.fieldwork.schemas import (
    HouseholdWire,
    LeaveData,
    LeaveWire,
    PresenceDayData,
    PresenceDayWire,
    PresenceSheetWire,
    WorkLogData,
    WorkLogWire,
)
from backend.fieldwork.tables import Household, LeaveRequest, PresenceDay, PresenceSheet, WorkLog
from backend.sync.registry import SyncKind, register

__all__ = ["register_kinds"]


def register_kinds() -> None:
    register(
        SyncKind(
            name="work_log",
            table=WorkLog,
            to_wire=services.work_log_wire,
            pull_where=lambda s: s.where(
                village=WorkLog.village_code, county=WorkLog.county_code, owner=WorkLog.owner_id
            ),
            prepare=services.prepare_work_log,
            enrich=services.flag_logs,
            after_write=services.write_log_links,
            data_model=WorkLogData,
            wire_model=WorkLogWire,
            after_write_needed=services.log_needs_links,
        )
    )
    register(
        SyncKind(
            name="household",
            table=Household,
            to_wire=services.household_wire,
            pull_where=lambda s: s.where(
                village=Household.village_code, county=Household.county_code, reference=True
            ),
            wire_model=HouseholdWire,
        )
    )
    register(
        SyncKind(
            name="presence_day",
            table=PresenceDay,
            to_wire=presence.presence_day_wire,
            pull_where=lambda s: s.where(
                village=PresenceDay.village_code,
                county=PresenceDay.county_code,
                owner=PresenceDay.owner_id,
            ),
            prepare=presence.prepare_presence_day,
            data_model=PresenceDayData,
            wire_model=PresenceDayWire,
        )
    )
    register(
        SyncKind(
            name="presence_sheet",
            table=PresenceSheet,
            to_wire=presence.sheet_wire,
            pull_where=lambda s: s.where(
                village=PresenceSheet.village_code,
                county=PresenceSheet.county_code,
                owner=PresenceSheet.owner_id,
            ),
            wire_model=PresenceSheetWire,
        )
    )
    register(
        SyncKind(
            name="leave_request",
            table=LeaveRequest,
            to_wire=leave.leave_wire,
            pull_where=lambda s: s.where(
                village=LeaveRequest.village_code,
                county=LeaveRequest.county_code,
                owner=LeaveRequest.owner_id,
            ),
            prepare=leave.prepare_leave,
            locked=leave.leave_locked,
            data_model=LeaveData,
            wire_model=LeaveWire,
        )
    )
    evidence.on_evidence_changed(services.reverify_logs)
