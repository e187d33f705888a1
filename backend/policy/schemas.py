"""What crosses the wire for policy settings. Money in fen; yuan shown alongside."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["PolicyIn", "PolicyOut"]


class PolicyIn(BaseModel):
    """A county admin's new version of the year's settings (every value, as on the form)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    subsidy_daily_fen: int = Field(ge=0, le=100_000, description="living subsidy a day, fen")
    round_trips_per_month: int = Field(ge=0, le=31)
    car_fen_per_km: int = Field(ge=0, le=10_000, description="own car, fen a kilometre")
    road_factor: Decimal = Field(
        ge=1, le=10, decimal_places=2, description="K: flag road distance above K × geodesic"
    )
    leave_limit_days: int = Field(ge=0, le=90, description="leave the township may approve")
    min_days_month: int = Field(ge=0, le=31)
    min_days_year: int = Field(ge=0, le=366)
    survey_repeat_days: int = Field(
        default=30, ge=0, le=366,
        description="统筹: warn when a survey asks the same households again within these days")
    note: str = Field(default="", max_length=500)
    version: int = Field(ge=0, description="the version edited (0 while on the defaults)")


class PolicyOut(BaseModel):
    county_code: str
    year: int
    version: int = Field(description="0: nothing set yet, the defaults apply")
    subsidy_daily_fen: int
    subsidy_daily_yuan: str
    round_trips_per_month: int
    car_fen_per_km: int
    car_yuan_per_km: str
    road_factor: float
    leave_limit_days: int
    min_days_month: int
    min_days_year: int
    survey_repeat_days: int
    note: str
    changed_by: uuid.UUID | None
    changed_by_name: str = Field(default="", description="who saved this version")
    changed_at: dt.datetime | None
