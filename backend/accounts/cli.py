"""``zhucun user``: accounts from the command line."""

from __future__ import annotations

import getpass
import sys

import click

from backend.core.commands import run_bound

__all__ = ["user"]


@click.group()
def user() -> None:
    """Manage accounts."""


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("password / 密码: ")
        if first != getpass.getpass("again / 再输一次: "):
            raise click.ClickException("passwords differ / 两次输入的密码不一致")
        return first
    return sys.stdin.readline().rstrip("\r\n")


@user.command("add")
@click.option("--phone", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    required=True,
    type=click.Choice(["cadre", "township_reviewer", "county_admin", "county_finance"]),
)
@click.option(
    "--scope",
    "scope_code",
    required=True,
    help="village (cadre), township (reviewer) or county (admin, finance) code",
)
def user_add(phone: str, name: str, role: str, scope_code: str) -> None:
    """Create a user; the password is read from standard input."""
    from pydantic import ValidationError

    from backend.accounts.schemas import RoleIn, UserIn
    from backend.accounts.services import create_user
    from backend.core.context import RequestContext
    from backend.core.errors import DomainError

    password = _read_password()
    try:
        data = UserIn(
            phone=phone,
            name=name,
            password=password,
            roles=[RoleIn(role=role, division_code=scope_code)],
        )
        created = run_bound(lambda: create_user(RequestContext.system("cli"), None, data))
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from None
    except DomainError as exc:
        detail = ", ".join(f"{e.field}: {e.code}" for e in exc.errors) or exc.code
        raise click.ClickException(detail) from None
    click.echo(f"created {created.id} {created.name} {created.phone} {','.join(created.roles)}")
