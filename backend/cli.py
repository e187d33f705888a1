"""The ``zhucun`` command: serve, migrate, seed-demo, user add, audit verify, geo import,
dispatch, vapid."""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import click

__all__ = ["main"]


def _run(make: Callable[[], Awaitable[Any]]) -> Any:
    """Run a coroutine with the engine bound and (on PostgreSQL) a pool open."""
    from backend.app import all_tables
    from backend.core.db import bind_tables, close_engine, engine_from_url, prepare_engine
    from backend.core.settings import get_settings

    settings = get_settings()
    engine = engine_from_url(settings.database_url)
    bind_tables(engine, all_tables())

    async def runner() -> Any:
        await prepare_engine(engine, pool_max=2)
        try:
            return await make()
        finally:
            await close_engine(engine)

    return asyncio.run(runner())


@click.group()
def main() -> None:
    """驻村 Zhucun: work, presence and claims of cadres posted to villages."""


@main.command()
@click.option("--host", default=None, help="defaults to ZHUCUN_HOST (127.0.0.1)")
@click.option("--port", default=None, type=int, help="defaults to ZHUCUN_PORT (8000)")
@click.option("--workers", default=1, show_default=True, type=int)
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Serve the API and the built PWA."""
    import uvicorn

    from backend.core.logs import log_config
    from backend.core.settings import get_settings

    settings = get_settings()
    settings.check_production()
    uvicorn.run(
        "backend.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        # The client address comes only from nginx's X-Real-IP, checked against
        # ZHUCUN_TRUSTED_PROXIES by the app (core/http.client_address), never from
        # X-Forwarded-For taken on trust.
        proxy_headers=False,
        log_level="info",
        **settings.server_limits(),
        log_config=log_config(settings.log_format or
                              ("json" if settings.env == "production" else "text")),
    )


@main.command()
def migrate() -> None:
    """Apply every database migration not yet applied."""
    from backend.core.migrate import migrate as run_migrations

    _run(run_migrations)
    click.echo("migrations applied / 数据库迁移完成")


@main.command("seed-demo")
def seed_demo() -> None:
    """Create the fictional demo county 示范县 (once)."""
    from backend.demo.seed import DEMO_PASSWORD, demo_accounts
    from backend.demo.seed import seed_demo as seed

    created = _run(seed)
    click.echo(
        "demo data created / 已生成演示数据"
        if created
        else "demo data already present / 演示数据已存在"
    )
    click.echo(f"demo logins (password {DEMO_PASSWORD}):")
    for account in demo_accounts():
        click.echo(f"  {account.phone}  {account.role:<18} {account.where}  {account.name}")
    click.echo("  13900000001 … 13900000120  cadre (first secretaries and team members)")


@main.group()
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
        created = _run(lambda: create_user(RequestContext.system("cli"), None, data))
    except ValidationError as exc:
        raise click.ClickException(str(exc)) from None
    except DomainError as exc:
        detail = ", ".join(f"{e.field}: {e.code}" for e in exc.errors) or exc.code
        raise click.ClickException(detail) from None
    click.echo(f"created {created.id} {created.name} {created.phone} {','.join(created.roles)}")


@main.group()
def audit() -> None:
    """Check and maintain the audit log."""


@audit.command("verify")
def audit_verify() -> None:
    """Check the hash chain; name the first broken row."""
    from backend.audit.services import verify

    report = _run(verify)
    if report.ok:
        click.echo(f"audit chain intact: {report.checked} events / 审计链完整")
        return
    click.echo(
        f"audit chain BROKEN at row {report.broken.row_id}: {report.broken.reason} "
        f"/ 审计链在第 {report.broken.row_id} 行断开",
        err=True,
    )
    sys.exit(1)


@audit.command("purge")
def audit_purge() -> None:
    """Delete events older than ZHUCUN_AUDIT_RETENTION_DAYS (at least 180)."""
    from backend.audit.services import purge_expired
    from backend.core.settings import get_settings

    removed = _run(lambda: purge_expired(get_settings().audit_retention_days))
    click.echo(f"removed {removed} events")


@main.group()
def geo() -> None:
    """Divisions and geofences."""


@geo.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def geo_import(csv_file: Path) -> None:
    """Import divisions from a CSV or XLSX file, all rows or none."""
    from backend.core.context import RequestContext
    from backend.core.errors import DomainError
    from backend.geo.services import import_divisions

    try:
        report = _run(
            lambda: import_divisions(
                RequestContext.system("cli"), None, csv_file.read_bytes()
            )
        )
    except DomainError as exc:
        for e in exc.errors:
            click.echo(f"row {e.row}: {e.field}: {e.code} {e.params or ''}", err=True)
        raise click.ClickException("nothing imported / 未导入任何数据") from None
    click.echo(f"created {report.created}, updated {report.updated}, closed {report.closed}")


@main.command()
@click.option("--once", is_flag=True, help="send what is due, then exit (for cron and tests)")
@click.option("--reminders", is_flag=True, help="with --once: raise scheduled reminders first")
def dispatch(once: bool, reminders: bool) -> None:
    """Send pending Web Push notifications; without --once, loop until SIGTERM, raising the
    scheduled reminders (month-end presence sheet, insurance expiry) as it goes."""
    import logging

    from backend.app import register_reminder_sources
    from backend.core.settings import get_settings
    from backend.notify.dispatch import run_dispatcher
    from backend.notify.vapid import PushNotConfigured

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    register_reminder_sources()
    try:
        totals = _run(lambda: run_dispatcher(get_settings(), once=once, reminders=reminders))
    except PushNotConfigured as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(" ".join(f"{k}={v}" for k, v in sorted(totals.items())) or "nothing to send")


@main.command()
def vapid() -> None:
    """Make a VAPID key pair for Web Push and print the settings to put in the environment
    (the private key is a secret: keep it out of the repository)."""
    from backend.notify.vapid import generate_key_pair

    private, public = generate_key_pair()
    click.echo("# Web Push keys: put these in the environment, never in the repository.")
    click.echo("# The subject is a contact the push services may write to.")
    click.echo(f"ZHUCUN_VAPID_PRIVATE_KEY={private}")
    click.echo(f"ZHUCUN_VAPID_PUBLIC_KEY={public}")
    click.echo("ZHUCUN_VAPID_SUBJECT=mailto:admin@example.org")


if __name__ == "__main__":
    main()


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def backup(directory: Path) -> None:
    """Copy the database and the photos into DIRECTORY (new or empty), while the API runs."""
    from backend.core.settings import get_settings
    from backend.ops.backup import BackupError
    from backend.ops.backup import backup as run_backup

    settings = get_settings()
    try:
        manifest = run_backup(settings.database_url, settings.media_dir, directory)
    except BackupError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"backup written / 备份完成: {directory} ({manifest['engine']}, "
               f"{manifest['photos']} photos)")


@main.command()
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore(directory: Path) -> None:
    """Restore a backup into an empty database and the photo store (stop the API first)."""
    from backend.core.settings import get_settings
    from backend.ops.backup import BackupError
    from backend.ops.backup import restore as run_restore

    settings = get_settings()
    try:
        manifest = run_restore(settings.database_url, settings.media_dir, directory)
    except BackupError as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    click.echo(f"restored / 恢复完成 from {directory} (made {manifest['created_at']}); "
               "phones will pull everything again / 手机将重新同步")
