"""What crosses the wire for claims (sync item data and HTTP bodies). Money is integer fen;
every amount also comes as yuan text with two decimals for display."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.core.validation import PastDate

__all__ = [
    "BulkIn",
    "BulkItem",
    "BulkOut",
    "BulkResult",
    "ClaimEventOut",
    "ClaimOut",
    "ClaimWire",
    "CoverageGapOut",
    "EvidenceOut",
    "FlagOut",
    "ForwardIn",
    "IncidentData",
    "IncidentOut",
    "IncidentWire",
    "InsuranceImportReport",
    "InsurancePolicyOut",
    "PayIn",
    "PeriodOut",
    "ReasonIn",
    "TravelClaimData",
    "VersionIn",
]

ClaimState = Literal[
    "draft", "submitted", "returned", "township_approved", "county_approved", "paid", "rejected"
]
ClaimKind = Literal["subsidy", "travel"]
Mode = Literal["public", "car"]
_SHA256 = r"^[0-9a-f]{64}$"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TravelClaimData(_In):
    """Sync kind ``travel_claim``: one round trip between the dispatching unit and the village.

    ``mode`` ``public``: ``fare_fen`` is the fare on the receipts (fen). ``car``: ``road_km`` is
    the one-way road distance the cadre states (at most one decimal); the round trip is paid
    2 × road_km × the county's per-km rate. ``evidence``: receipt photos (SHA-256), optional.
    ``corrects_id``: the approved claim this one corrects, if any.
    """

    village_code: str = Field(pattern=r"^\d{12}$")
    date: PastDate
    mode: Mode
    fare_fen: int | None = Field(default=None, ge=1, le=10_000_000)
    road_km: Decimal | None = Field(default=None, gt=0, le=5000, decimal_places=1)
    note: str = Field(default="", max_length=500)
    evidence: list[str] = Field(default_factory=list, max_length=12)
    corrects_id: uuid.UUID | None = None


class IncidentData(_In):
    """Sync kind ``insurance_incident``: an accident, reported to the county."""

    village_code: str = Field(pattern=r"^\d{12}$")
    accident_date: PastDate
    description: str = Field(min_length=1, max_length=5000)
    evidence: list[str] = Field(default_factory=list, max_length=20)


class VersionIn(_In):
    version: int = Field(ge=1, description="the version acted on (optimistic lock)")


class ReasonIn(_In):
    reason: str = Field(min_length=1, max_length=1000)
    version: int = Field(ge=1, description="the version acted on (optimistic lock)")


class PayIn(_In):
    payment_reference: str = Field(min_length=1, max_length=64, description="支付凭证号")
    version: int = Field(ge=1, description="the version acted on (optimistic lock)")


class BulkItem(_In):
    id: uuid.UUID
    version: int = Field(ge=1)


class BulkIn(_In):
    """Approve many clean claims at once; each one is decided on its own."""

    items: list[BulkItem] = Field(min_length=1, max_length=200)


class BulkResult(BaseModel):
    id: uuid.UUID
    status: Literal["approved", "refused"]
    state: ClaimState | None = None
    version: int | None = None
    code: str | None = Field(default=None, description="why refused: has_flags, conflict, …")
    message: str | None = None


class BulkOut(BaseModel):
    results: list[BulkResult]


class FlagOut(BaseModel):
    code: str
    detail: str
    params: dict[str, Any]


class EvidenceOut(BaseModel):
    sha256: str
    uploaded: bool = Field(description="whether the photo has reached the server yet")
    thumb_url: str
    display_url: str


class ClaimOut(BaseModel):
    """A claim as its owner and its reviewers see it."""

    id: uuid.UUID
    type: ClaimKind
    state: ClaimState
    version: int
    cadre_id: uuid.UUID
    cadre_name: str
    village_code: str
    township_code: str
    county_code: str
    month: str = Field(description="YYYY-MM")
    date: dt.date | None
    mode: Mode | None
    fare_fen: int | None
    road_km: float | None
    note: str
    village_days: int | None
    sheet_id: uuid.UUID | None
    policy_version: int
    rate_fen: int = Field(description="daily rate (subsidy) or fen a km (car)")
    road_factor: float | None
    geodesic_km: float | None
    amount_fen: int
    amount_yuan: str
    payable_fen: int = Field(
        description="what finance pays: the amount, or for a correction "
        "the difference to the corrected claim"
    )
    payable_yuan: str
    flags: list[FlagOut]
    evidence: list[EvidenceOut]
    corrects_id: uuid.UUID | None
    reason: str | None = Field(description="why it was returned or rejected")
    payment_reference: str | None
    submitted_at: dt.datetime | None
    township_approved_at: dt.datetime | None
    county_approved_at: dt.datetime | None
    paid_at: dt.datetime | None


class ClaimEventOut(BaseModel):
    """One transition: who, when, from, to, why."""

    at: dt.datetime
    actor_id: uuid.UUID | None
    actor_name: str
    action: str
    from_state: str | None
    to_state: str | None
    reason: str | None


class InsurancePolicyOut(BaseModel):
    id: uuid.UUID
    cadre_id: uuid.UUID
    cadre_name: str
    village_code: str
    insurer: str
    policy_number: str
    sum_insured_fen: int
    sum_insured_yuan: str
    start_date: dt.date
    end_date: dt.date


class InsuranceImportReport(BaseModel):
    created: int
    updated: int
    unchanged: int
    rows: int = Field(default=0, description="data rows read from the file")
    dry_run: bool = Field(default=False, description="a preview: nothing was written")


class PeriodOut(BaseModel):
    start: dt.date
    end: dt.date
    days: int


class CoverageGapOut(BaseModel):
    """A cadre whose posting is not covered by accident insurance on some days."""

    cadre_id: uuid.UUID
    name: str
    village_code: str
    gaps: list[PeriodOut]
    uncovered_days: int


class IncidentOut(BaseModel):
    id: uuid.UUID
    cadre_id: uuid.UUID
    cadre_name: str
    village_code: str
    accident_date: dt.date
    description: str
    evidence: list[EvidenceOut]
    state: Literal["reported", "forwarded"]
    version: int
    policy_id: uuid.UUID | None
    insurer: str | None
    policy_number: str | None
    forwarded_at: dt.datetime | None
    forward_note: str | None


class ForwardIn(_In):
    """Mark an incident report forwarded to the insurer."""

    note: str = Field(default="", max_length=1000, description="e.g. the insurer's case number")
    version: int = Field(ge=1, description="the version acted on (optimistic lock)")

class ClaimWire(BaseModel):
    """Pulled ``claim`` (every claim's state, under the id the phone chose) and the server copy
    of a ``travel_claim``. Amounts in fen; ``amount_yuan`` for display."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="subsidy | travel")
    state: str
    village_code: str
    township_code: str
    month: str = Field(description="YYYY-MM")
    date: dt.date | None
    mode: str | None
    fare_fen: int | None
    road_km: float | None
    note: str | None
    evidence: list[str]
    corrects_id: uuid.UUID | None
    village_days: int | None
    sheet_id: uuid.UUID | None
    policy_version: int | None
    rate_fen: int | None
    geodesic_km: float | None
    amount_fen: int
    amount_yuan: str
    payable_fen: int | None
    flags: list[dict[str, Any]]
    reason: str | None
    payment_reference: str | None
    submitted_at: dt.datetime | None
    paid_at: dt.datetime | None


class IncidentWire(BaseModel):
    """Pulled ``insurance_incident``: the report and what the county did with it."""

    model_config = ConfigDict(extra="allow")

    village_code: str
    accident_date: dt.date
    description: str
    evidence: list[str]
    state: str
    policy_id: uuid.UUID | None
    forwarded_at: dt.datetime | None
    forward_note: str | None
    cadre_id: uuid.UUID
