"""What crosses the wire for geo."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["DivisionOut", "FenceIn", "FenceOut", "ImportReport", "TierIn", "TierLabelsIn"]

Tier = Literal["deep", "key", "ordinary"]


class FenceOut(BaseModel):
    center_lat: float
    center_lon: float
    radius_m: int
    polygon: dict[str, Any] | None = None


class DivisionOut(BaseModel):
    code: str
    name: str
    level: str
    parent_code: str | None
    county_code: str | None
    tier: Tier
    tier_label: str
    valid_from: dt.date
    valid_to: dt.date | None
    fence: FenceOut | None
    is_demo: bool
    tier_labels: dict[str, str] | None = Field(
        default=None, description="county rows: the words the county uses for every tier"
    )


class FenceIn(BaseModel):
    """A village geofence; ``crs`` says which map the point was picked on."""

    model_config = ConfigDict(extra="forbid")

    center_lat: float = Field(ge=-90, le=90)
    center_lon: float = Field(ge=-180, le=180)
    radius_m: int = Field(ge=50, le=50_000)
    crs: Literal["wgs84", "gcj02", "bd09", "cgcs2000"] = "wgs84"
    polygon: dict[str, Any] | None = None


class TierIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tier: Tier


class ImportReport(BaseModel):
    created: int
    updated: int
    closed: int = Field(description="earlier versions whose validity was ended by a new code")
    rows: int = Field(default=0, description="data rows read from the file")
    dry_run: bool = Field(default=False, description="a preview: nothing was written")


class TierLabelsIn(BaseModel):
    """The words a county uses for its tiers (深度贫困村, 乡村振兴重点帮扶村, …)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    deep: str = Field(min_length=1, max_length=30)
    key: str = Field(min_length=1, max_length=30)
    ordinary: str = Field(min_length=1, max_length=30)
