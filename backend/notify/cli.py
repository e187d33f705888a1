"""``zhucun dispatch`` and ``zhucun vapid``: Web Push and scheduled reminders."""

from __future__ import annotations

import click

from backend.core.commands import run_bound

__all__ = ["dispatch", "vapid"]


@click.command()
@click.option("--once", is_flag=True, help="send what is due, then exit (for cron and tests)")
@click.option("--reminders", is_flag=True, help="with --once: raise scheduled reminders first")
def dispatch(once: bool, reminders: bool) -> None:
    """Send pending Web Push notifications; without --once, loop until SIGTERM, raising the
    scheduled reminders (month-end presence sheet, insurance expiry) as it goes."""
    import logging

    from backend.core.settings import get_settings
    from backend.notify.dispatch import run_dispatcher
    from backend.notify.vapid import PushNotConfigured

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        totals = run_bound(lambda: run_dispatcher(get_settings(), once=once, reminders=reminders))
    except PushNotConfigured as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(" ".join(f"{k}={v}" for k, v in sorted(totals.items())) or "nothing to send")


@click.command()
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
