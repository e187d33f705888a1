"""``zhucun audit``: check and maintain the audit log."""

from __future__ import annotations

import sys

import click

from backend.core.commands import run_bound

__all__ = ["audit"]


@click.group()
def audit() -> None:
    """Check and maintain the audit log."""


@audit.command("verify")
def audit_verify() -> None:
    """Check the hash chain; name the first broken row."""
    from backend.audit.services import verify

    report = run_bound(verify)
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

    removed = run_bound(lambda: purge_expired(get_settings().audit_retention_days))
    click.echo(f"removed {removed} events")
