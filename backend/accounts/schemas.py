"""What crosses the wire for accounts and login."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "LoginIn",
    "LogoutIn",
    "PasswordChangeIn",
    "PostingDetails",
    "PostingIn",
    "PostingOut",
    "RefreshIn",
    "RoleIn",
    "ScopeOut",
    "SessionOut",
    "TemporaryPasswordOut",
    "TokenOut",
    "UserCreatedOut",
    "UserIn",
    "UserOut",
]

Role = Literal["cadre", "township_reviewer", "county_admin", "county_finance"]
Position = Literal["first_secretary", "team_leader", "team_member"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LoginIn(_In):
    phone: str = Field(min_length=5, max_length=20)
    password: str = Field(min_length=1, max_length=200)


class RefreshIn(_In):
    refresh_token: str = Field(min_length=20, max_length=200)


class LogoutIn(RefreshIn):
    pass


class PasswordChangeIn(_In):
    current_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=1, max_length=200)


class PostingOut(BaseModel):
    id: uuid.UUID
    cadre_id: uuid.UUID
    village_code: str
    village_name: str
    township_code: str
    township_name: str
    county_code: str
    position: Position
    dispatching_unit: str
    unit_lat: float | None
    unit_lon: float | None
    start_date: dt.date
    end_date: dt.date | None


class ScopeOut(BaseModel):
    """The divisions a user works in, for the client to pick villages and label screens."""

    own_villages: list[str]
    review_townships: list[str]
    admin_counties: list[str]
    finance_counties: list[str]


class RoleOut(BaseModel):
    role: Role
    division_code: str


class UserOut(BaseModel):
    id: uuid.UUID
    name: str
    phone: str
    roles: list[Role]
    grants: list[RoleOut]
    active: bool
    locked: bool
    is_demo: bool
    postings: list[PostingOut]
    scope: ScopeOut | None = None


class TokenOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int = Field(description="seconds until the access token expires")
    must_change_password: bool = Field(
        default=False,
        description="a temporary password: every call but POST /api/accounts/password and "
        "logout answers 403 password_change_required until it is changed",
    )
    user: UserOut


class UserCreatedOut(UserOut):
    """A new account: the temporary password the admin hands over (when the server made it)."""

    temporary_password: str | None = None


class TemporaryPasswordOut(BaseModel):
    temporary_password: str


class SessionOut(BaseModel):
    """A login on one device, as its owner sees it."""

    id: uuid.UUID
    created_at: dt.datetime
    last_used_at: dt.datetime
    expires_at: dt.datetime
    user_agent: str
    ip: str
    current: bool


class RoleIn(_In):
    role: Role
    division_code: str = Field(
        pattern=r"^\d{6}(\d{3})?(\d{3})?$",
        description="township (9 digits) for a reviewer, county (6) for admin or finance, "
        "village (12) for a cadre (creates a posting starting today)",
    )


class PostingDetails(_In):
    """Posting details for a new cadre account (the village is the cadre role's division)."""

    position: Position = "team_member"
    dispatching_unit: str = Field(default="", max_length=100)
    unit_lat: float | None = Field(default=None, ge=-90, le=90)
    unit_lon: float | None = Field(default=None, ge=-180, le=180)
    start_date: dt.date | None = Field(default=None, description="today when omitted")
    end_date: dt.date | None = None


class UserIn(_In):
    phone: str = Field(pattern=r"^1\d{10}$", description="mainland mobile number")
    name: str = Field(min_length=1, max_length=50)
    password: str | None = Field(
        default=None,
        min_length=8,
        max_length=200,
        description="omit to have the server make one; either way it is temporary when an "
        "admin creates the account (changed at first login)",
    )
    roles: list[RoleIn] = Field(min_length=1, max_length=10)
    posting: PostingDetails | None = None


class PostingIn(_In):
    cadre_id: uuid.UUID
    village_code: str = Field(pattern=r"^\d{12}$")
    position: Position = "team_member"
    dispatching_unit: str = Field(default="", max_length=100)
    unit_lat: float | None = Field(default=None, ge=-90, le=90)
    unit_lon: float | None = Field(default=None, ge=-180, le=180)
    start_date: dt.date
    end_date: dt.date | None = None
