"""What crosses the wire for the roster (人员与派驻)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.accounts.schemas import Position, Role

__all__ = [
    "CadreCreated",
    "CadreIn",
    "GrantIn",
    "GrantOut",
    "ImportReport",
    "ImportRowOut",
    "PeoplePage",
    "PersonOut",
    "PostingEndIn",
    "PostingTransferIn",
    "ReasonIn",
    "RosterPostingOut",
]

GrantRole = Literal["township_reviewer", "county_admin", "county_finance"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RosterPostingOut(BaseModel):
    id: uuid.UUID
    village_code: str
    village_name: str
    township_code: str
    township_name: str
    position: Position
    dispatching_unit: str
    start_date: dt.date
    end_date: dt.date | None
    current: bool = Field(description="covers today (Asia/Shanghai)")


class GrantOut(BaseModel):
    id: uuid.UUID
    role: Role
    division_code: str
    division_name: str


class PersonOut(BaseModel):
    id: uuid.UUID
    name: str
    phone: str
    active: bool
    locked: bool
    roles: list[Role]
    grants: list[GrantOut]
    postings: list[RosterPostingOut]


class PeoplePage(BaseModel):
    items: list[PersonOut]
    total: int
    page: int
    page_size: int
    can_edit: bool = Field(description="whether the caller administers these people")


class CadreIn(_In):
    """A new cadre and their posting, in one form."""

    name: str = Field(min_length=1, max_length=50)
    phone: str = Field(pattern=r"^1\d{10}$", description="mainland mobile number")
    village_code: str = Field(pattern=r"^\d{12}$")
    position: Position = "team_member"
    dispatching_unit: str = Field(default="", max_length=100)
    start_date: dt.date
    end_date: dt.date | None = None


class CadreCreated(BaseModel):
    person: PersonOut
    temporary_password: str = Field(description="shown once; must be changed at first login")


class PostingEndIn(_In):
    end_date: dt.date
    reason: str = Field(default="", max_length=200)


class PostingTransferIn(_In):
    """Transfer = the old posting ends on ``end_date``, a new one starts the next day."""

    end_date: dt.date
    village_code: str = Field(pattern=r"^\d{12}$")
    position: Position | None = Field(default=None, description="the old one's when omitted")
    dispatching_unit: str | None = Field(default=None, max_length=100)
    reason: str = Field(default="", max_length=200)


class ReasonIn(_In):
    reason: str = Field(default="", max_length=200)


class GrantIn(_In):
    role: GrantRole
    division_code: str = Field(
        pattern=r"^\d{6}(\d{3})?$",
        description="township (9 digits) for a reviewer, the county (6) for admin or finance",
    )


class ImportRowOut(BaseModel):
    row: int
    name: str
    phone: str
    village_code: str
    village_name: str
    township_name: str
    position: Position
    dispatching_unit: str
    start_date: dt.date
    end_date: dt.date | None
    temporary_password: str | None = Field(
        default=None, description="only when committed; shown once"
    )


class ImportReport(BaseModel):
    dry_run: bool
    count: int
    rows: list[ImportRowOut]
