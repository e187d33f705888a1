"""What crosses the wire for commendation."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.core.validation import PastDate

__all__ = [
    "DecisionIn",
    "DossierOut",
    "EligibilityOut",
    "InspectionIn",
    "NominateIn",
    "NominationOut",
    "RunIn",
    "RunOut",
    "UnitSeatsOut",
]

Tier = Literal["deep", "key", "ordinary"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class EligibilityOut(BaseModel):
    cadre_id: uuid.UUID
    name: str
    village_code: str
    township_code: str
    eligible: bool
    confirmed_days: int
    required_days: int
    posted_days: int
    reasons: list[str]
    village_name: str = ""
    township_name: str = ""
    #: The village's assistance tier (deep, key, ordinary).
    tier: str = ""
    #: Inspections (抽查) recorded this year, and how many found an unexcused absence.
    inspections: int = 0
    unexcused_absences: int = 0


class InspectionIn(_In):
    cadre_id: uuid.UUID
    date: PastDate
    finding: Literal["unexcused_absence", "other"]
    note: str = Field(default="", max_length=2000)


class RunIn(_In):
    """A quota run: excellent grades by tier ratios, or a fixed number of awards by weights."""

    year: int = Field(ge=2018, le=2100)
    kind: Literal["excellent", "commendation"]
    ratios: dict[Tier, Decimal] | None = Field(
        default=None, description="excellent: share per tier (default .30 / .25 / .20)")
    weights: dict[Tier, Decimal] | None = Field(
        default=None, description="commendation: weight per tier (default 1.5 / 1.2 / 1)")
    total: int | None = Field(default=None, ge=1, le=100_000, description="commendation: awards")


class RunOut(BaseModel):
    id: uuid.UUID
    county_code: str
    year: int
    kind: str
    state: Literal["draft", "published"]
    settings: dict[str, Any]
    total_target: int
    total_given: int
    note: str
    table: list[dict[str, Any]]
    version: int


class UnitSeatsOut(BaseModel):
    """One unit's seats in a published run and how many are taken (declined ones free a seat)."""

    code: str
    name: str
    tier: str
    eligible: int
    seats: int
    nominated: int
    accepted: int
    left: int


class NominateIn(_In):
    cadre_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)


class DecisionIn(_In):
    accept: bool


class NominationOut(BaseModel):
    id: uuid.UUID
    run_id: uuid.UUID
    unit_code: str
    cadre_id: uuid.UUID
    name: str
    state: Literal["nominated", "accepted", "declined"]


class DossierOut(BaseModel):
    """A cadre's year assembled from what was already recorded."""

    cadre_id: uuid.UUID
    name: str
    village_code: str
    village_name: str
    year: int
    eligibility: EligibilityOut
    confirmed_by_month: dict[str, int]
    logs_by_kind: dict[str, int]
    households_visited: int
    households_in_village: int
    coverage_percent: int
    photos: int
    flagged_logs: int
    flags_by_code: dict[str, int]
    talks: list[dict[str, Any]]
    approved_leave: list[dict[str, Any]]
