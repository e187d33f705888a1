"""What crosses the wire for field work (sync item data and HTTP bodies)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.core.validation import PastDate, PlannedDate
from backend.evidence.schemas import FlagWire

__all__ = [
    "DayOut",
    "HouseholdImportReport",
    "HouseholdOut",
    "HouseholdWire",
    "LeaveData",
    "LeaveDecisionIn",
    "LeaveOut",
    "LeaveWire",
    "LocationData",
    "MonthOut",
    "PresenceDayData",
    "PresenceDayWire",
    "PresenceSheetWire",
    "ReasonIn",
    "SheetOut",
    "SubmitIn",
    "TalkIn",
    "TalkOut",
    "VersionIn",
    "WorkLogData",
    "WorkLogWire",
]

LogKind = Literal["visit", "meeting", "project", "training", "duty", "mediation", "other"]
DayStatus = Literal["in_village", "official_business", "leave", "away"]
Sha256 = str


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LocationData(_In):
    """A fix the cadre chose to attach (WGS-84, as phones report it)."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)
    captured_at: dt.datetime | None = None


class WorkLogData(_In):
    """Sync kind ``work_log``."""

    village_code: str = Field(pattern=r"^\d{12}$")
    date: PastDate
    kind: LogKind
    text: str = Field(min_length=1, max_length=5000)
    household_ids: list[uuid.UUID] = Field(default_factory=list, max_length=100)
    location: LocationData | None = None
    evidence: list[str] = Field(default_factory=list, max_length=12)


class PresenceDayData(_In):
    """Sync kind ``presence_day``: the cadre's own statement of one day."""

    village_code: str = Field(pattern=r"^\d{12}$")
    date: PastDate
    status: DayStatus
    note: str = Field(default="", max_length=200)


class LeaveData(_In):
    """Sync kind ``leave_request``. ``cancelled`` true withdraws a pending request."""

    village_code: str = Field(pattern=r"^\d{12}$")
    start_date: PlannedDate
    end_date: PlannedDate
    reason: str = Field(min_length=1, max_length=1000)
    cancelled: bool = False


class HouseholdOut(BaseModel):
    id: uuid.UUID
    village_code: str
    external_id: str
    name: str = Field(description="head of household (户主)")
    members: int
    group_name: str
    tags: list[str]


class HouseholdImportReport(BaseModel):
    created: int
    updated: int
    unchanged: int = 0
    rows: int = Field(default=0, description="data rows read from the file")
    dry_run: bool = Field(default=False, description="a preview: nothing was written")


class DayOut(BaseModel):
    date: dt.date
    status: DayStatus | None
    source: Literal["stated", "drafted", "none"]
    logs: int
    note: str = ""


class MonthOut(BaseModel):
    """A cadre's month: the sheet (if any) and each day, stated or drafted from the logs.

    ``sheet_id`` is the presence sheet (驻村天数报告单) once submitted, null before; with
    ``state``, ``version`` and the counts it is the sheet a reviewer acts on
    (``/api/fieldwork/presence/sheets/{sheet_id}/confirm``)."""

    sheet_id: uuid.UUID | None = None
    cadre_id: uuid.UUID
    cadre_name: str
    village_code: str
    month: str
    state: Literal["draft", "submitted", "confirmed", "returned"]
    version: int
    return_reason: str | None
    days: list[DayOut]
    village_days: int
    leave_days: int
    away_days: int
    minimum_days: int


class SubmitIn(_In):
    """Submit one's month (驻村天数报告单) for the township to confirm."""

    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")


class VersionIn(_In):
    version: int = Field(ge=1, description="the version acted on (optimistic lock)")


class SheetOut(BaseModel):
    """A presence sheet in a review queue."""

    id: uuid.UUID
    cadre_id: uuid.UUID
    cadre_name: str
    village_code: str
    month: str
    state: Literal["draft", "submitted", "confirmed", "returned"]
    version: int
    village_days: int
    leave_days: int
    away_days: int
    minimum_days: int
    flagged_logs: int
    return_reason: str | None


class LeaveOut(BaseModel):
    id: uuid.UUID
    cadre_id: uuid.UUID
    cadre_name: str
    village_code: str
    start_date: dt.date
    end_date: dt.date
    days: int
    reason: str
    state: Literal["pending", "approved", "rejected", "cancelled"]
    decider_level: Literal["township", "county"]
    version: int
    decision_note: str | None


class ReasonIn(_In):
    reason: str = Field(min_length=1, max_length=1000)
    version: int = Field(ge=1, description="the version acted on (optimistic lock)")


class LeaveDecisionIn(_In):
    approve: bool
    note: str = Field(default="", max_length=1000)
    version: int = Field(ge=1, description="the version decided on (optimistic lock)")


class TalkIn(_In):
    cadre_id: uuid.UUID
    date: PastDate
    summary: str = Field(min_length=1, max_length=5000)


class TalkOut(BaseModel):
    id: uuid.UUID
    cadre_id: uuid.UUID
    cadre_name: str
    village_code: str
    date: dt.date
    summary: str
    talked_by: uuid.UUID

class _Wire(BaseModel):
    """A server copy as pull delivers it (more fields may be added: clients ignore them)."""

    model_config = ConfigDict(extra="allow")


class WorkLogWire(_Wire):
    """Pulled ``work_log``: the log as pushed, its verification flags and its author."""

    village_code: str
    date: dt.date
    kind: LogKind
    text: str
    household_ids: list[uuid.UUID]
    location: LocationData | None
    evidence: list[Sha256]
    flags: list[FlagWire]
    cadre_id: uuid.UUID


class HouseholdWire(_Wire):
    """Pulled ``household`` (reference data of the cadre's villages)."""

    village_code: str
    external_id: str
    name: str
    members: int | None
    group_name: str
    tags: list[str]


class PresenceDayWire(_Wire):
    """Pulled ``presence_day``: a day as the cadre stated it."""

    cadre_id: uuid.UUID
    village_code: str
    date: dt.date
    status: DayStatus
    note: str


class PresenceSheetWire(_Wire):
    """Pulled ``presence_sheet`` (驻村天数报告单): the month as submitted and reviewed."""

    cadre_id: uuid.UUID
    village_code: str
    month: str = Field(description="YYYY-MM")
    state: Literal["draft", "submitted", "confirmed", "returned"]
    days: list[dict[str, Any]]
    village_days: int
    leave_days: int
    away_days: int
    return_reason: str | None
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None


class LeaveWire(_Wire):
    """Pulled ``leave_request``: the request and its decision."""

    cadre_id: uuid.UUID
    village_code: str
    start_date: dt.date
    end_date: dt.date
    days: int
    reason: str
    state: str
    decider_level: str
    decision_note: str | None
    decided_at: dt.datetime | None
