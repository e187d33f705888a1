"""The field-work kinds of the sync protocol, plugged in by the manifest (``capability.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from piccolo.columns.combination import Combinable

from backend.core.scope import Scope
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
from backend.sync.compact import (
    Compact,
    instant,
    iso_date,
    month,
    shaped,
    stored_json,
    uuid_text,
    value,
)
from backend.sync.registry import SyncKind

__all__ = ["HOUSEHOLD", "LEAVE_REQUEST", "PRESENCE_DAY", "PRESENCE_SHEET", "WORK_LOG"]


def _cadre_records(table: Any) -> Callable[[Scope], Combinable]:
    """A cadre's own records (a log, a day, a sheet, a leave): pulled by that cadre, and by
    those who review the village or administer the county."""
    return lambda s: s.where(
        village=table.village_code, county=table.county_code, owner=table.owner_id
    )


WORK_LOG = SyncKind(
    name="work_log",
    table=WorkLog,
    pull_where=_cadre_records(WorkLog),
    prepare=services.prepare_work_log,
    enrich=services.flag_logs,
    after_write=services.write_log_links,
    data_model=WorkLogData,
    wire_model=WorkLogWire,
    after_write_needed=services.log_needs_links,
    compact=Compact({
        "village_code": value(WorkLog.village_code),
        "date": iso_date(WorkLog.date),
        "kind": value(WorkLog.kind),
        "text": value(WorkLog.text),
        "household_ids": stored_json(WorkLog.household_ids, []),
        "location": shaped(
            services.location_wire, value(WorkLog.loc_lat), value(WorkLog.loc_lon),
            value(WorkLog.loc_accuracy_m), instant(WorkLog.loc_captured_at),
        ),
        "evidence": stored_json(WorkLog.evidence, []),
        "flags": stored_json(WorkLog.flags, []),
        "cadre_id": uuid_text(WorkLog.owner_id),
    }),
)

HOUSEHOLD: SyncKind[services.HouseholdRow] = SyncKind(
    name="household",
    table=Household,
    pull_where=lambda s: s.where(
        village=Household.village_code, county=Household.county_code, reference=True
    ),
    wire_model=HouseholdWire,
    compact=Compact({
        "village_code": value(Household.village_code),
        "external_id": value(Household.external_id),
        "name": value(Household.head_name),
        "members": value(Household.members),
        "group_name": value(Household.group_name),
        "tags": stored_json(Household.tags, []),
    }),
)

PRESENCE_DAY: SyncKind[presence.PresenceDayRow] = SyncKind(
    name="presence_day",
    table=PresenceDay,
    pull_where=_cadre_records(PresenceDay),
    prepare=presence.prepare_presence_day,
    data_model=PresenceDayData,
    wire_model=PresenceDayWire,
    compact=Compact({
        "cadre_id": uuid_text(PresenceDay.owner_id),
        "village_code": value(PresenceDay.village_code),
        "date": iso_date(PresenceDay.date),
        "status": value(PresenceDay.status),
        "note": value(PresenceDay.note),
    }),
)

PRESENCE_SHEET: SyncKind[presence.PresenceSheetRow] = SyncKind(
    name="presence_sheet",
    table=PresenceSheet,
    pull_where=_cadre_records(PresenceSheet),
    wire_model=PresenceSheetWire,
    compact=Compact({
        "cadre_id": uuid_text(PresenceSheet.owner_id),
        "village_code": value(PresenceSheet.village_code),
        "month": month(PresenceSheet.month),
        "state": value(PresenceSheet.state),
        "days": stored_json(PresenceSheet.days, []),
        "village_days": value(PresenceSheet.village_days),
        "leave_days": value(PresenceSheet.leave_days),
        "away_days": value(PresenceSheet.away_days),
        "return_reason": value(PresenceSheet.return_reason),
        "submitted_at": instant(PresenceSheet.submitted_at),
        "decided_at": instant(PresenceSheet.decided_at),
    }),
)

LEAVE_REQUEST = SyncKind(
    name="leave_request",
    table=LeaveRequest,
    pull_where=_cadre_records(LeaveRequest),
    prepare=leave.prepare_leave,
    locked=leave.leave_locked,
    data_model=LeaveData,
    wire_model=LeaveWire,
    compact=Compact({
        "cadre_id": uuid_text(LeaveRequest.owner_id),
        "village_code": value(LeaveRequest.village_code),
        "start_date": iso_date(LeaveRequest.start_date),
        "end_date": iso_date(LeaveRequest.end_date),
        "days": value(LeaveRequest.days),
        "reason": value(LeaveRequest.reason),
        "state": value(LeaveRequest.state),
        "decider_level": value(LeaveRequest.decider_level),
        "decision_note": value(LeaveRequest.decision_note),
        "decided_at": instant(LeaveRequest.decided_at),
    }),
)
