"""``zhucun backup`` and ``zhucun restore``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

__all__ = ["backup", "restore"]


@click.command()
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


@click.command()
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
