"""Accounts plug in: login, users and roles, the roster and postings, and ``zhucun user``."""

from __future__ import annotations

from backend.accounts import cli, kept_sessions, messages
from backend.accounts.controllers import AccountsController, AuthController
from backend.accounts.roster.controllers import RosterController
from backend.manifest import Capability

__all__ = ["CAPABILITY"]

CAPABILITY = Capability(
    name="accounts",
    piccolo_app="backend.accounts.piccolo_app",
    routes=(AuthController, AccountsController, RosterController),
    problems=messages.Problems,
    fields=messages.Fields,
    commands=(cli.user,),
    # Sessions kept between requests while PostgreSQL's notices say they have not changed.
    on_app=(kept_sessions.install,),
)
