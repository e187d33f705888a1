"""What accounts stores: people, their roles, their postings and their sessions."""

from __future__ import annotations

from piccolo.columns import (
    UUID,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Timestamptz,
    Varchar,
)
from piccolo.columns.base import OnDelete
from piccolo.table import Table

__all__ = ["POSITIONS", "ROLES", "LoginFailure", "Posting", "RoleGrant", "Session", "User"]

ROLES = ("cadre", "township_reviewer", "county_admin", "county_finance")
#: 第一书记, 工作队队长, 工作队队员.
POSITIONS = ("first_secretary", "team_leader", "team_member")


class User(Table, tablename="account_user"):
    """A person who logs in: a cadre, a reviewer, an admin or finance staff (or several)."""

    id = UUID(primary_key=True)
    phone = Varchar(length=20, unique=True)
    name = Varchar(length=50)
    password_hash = Varchar(length=200)
    active = Boolean(default=True)
    failed_logins = Integer(default=0)
    locked_until = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    password_changed_at = Timestamptz(null=True, default=None)
    is_demo = Boolean(default=False)
    #: Set by an admin's reset or account creation: the temporary password must be changed
    #: before anything else (every call but the password change answers 403).
    must_change_password = Boolean(default=False)


class RoleGrant(Table, tablename="account_role_grant"):
    """A role over a division: reviewer of a township, admin or finance of a county.

    The cadre role needs no grant row's division: a cadre's scope is their postings.
    """

    id = UUID(primary_key=True)
    account = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    role = Varchar(length=20)
    division_code = Varchar(length=12)
    county_code = Varchar(length=6, index=True)


class Posting(Table, tablename="account_posting"):
    """驻村任职: a cadre posted to a village from a dispatching unit (派出单位) for a period."""

    id = UUID(primary_key=True)
    cadre = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    village_code = Varchar(length=12, index=True)
    county_code = Varchar(length=6, index=True)
    position = Varchar(length=20, default="team_member")
    dispatching_unit = Varchar(length=100, default="")
    unit_lat = DoublePrecision(null=True, default=None)
    unit_lon = DoublePrecision(null=True, default=None)
    start_date = Date()
    end_date = Date(null=True, default=None)
    is_demo = Boolean(default=False)


class Session(Table, tablename="account_session"):
    """A login on one device: the refresh token's hash, kept until logout or idle expiry."""

    id = UUID(primary_key=True)
    account = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz()
    last_used_at = Timestamptz()
    revoked_at = Timestamptz(null=True, default=None)
    user_agent = Varchar(length=200, default="")
    #: The client address at login, shown to the owner in their list of devices.
    ip = Varchar(length=45, default="")


class LoginFailure(Table, tablename="account_login_failure"):
    """A failed login, kept for the throttling window: by the phone as typed (known or not,
    so that throttling never tells which phones have accounts) and the client address."""

    id = UUID(primary_key=True)
    phone = Varchar(length=20, index=True)
    ip = Varchar(length=45, index=True)
    at = Timestamptz(index=True)
