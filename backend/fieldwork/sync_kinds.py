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
    to_wire=services.work_log_wire,
    pull_where=_cadre_records(WorkLog),
    prepare=services.prepare_work_log,
    enrich=services.flag_logs,
    after_write=services.write_log_links,
    data_model=WorkLogData,
    wire_model=WorkLogWire,
    after_write_needed=services.log_needs_links,
)

HOUSEHOLD = SyncKind(
    name="household",
    table=Household,
    to_wire=services.household_wire,
    pull_where=lambda s: s.where(
        village=Household.village_code, county=Household.county_code, reference=True
    ),
    wire_model=HouseholdWire,
)

PRESENCE_DAY = SyncKind(
    name="presence_day",
    table=PresenceDay,
    to_wire=presence.presence_day_wire,
    pull_where=_cadre_records(PresenceDay),
    prepare=presence.prepare_presence_day,
    data_model=PresenceDayData,
    wire_model=PresenceDayWire,
)

PRESENCE_SHEET = SyncKind(
    name="presence_sheet",
    table=PresenceSheet,
    to_wire=presence.sheet_wire,
    pull_where=_cadre_records(PresenceSheet),
    wire_model=PresenceSheetWire,
)

LEAVE_REQUEST = SyncKind(
    name="leave_request",
    table=LeaveRequest,
    to_wire=leave.leave_wire,
    pull_where=_cadre_records(LeaveRequest),
    prepare=leave.prepare_leave,
    locked=leave.leave_locked,
    data_model=LeaveData,
    wire_model=LeaveWire,
)
