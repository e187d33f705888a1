"""``zhucun geo``: divisions and geofences from the command line."""

from __future__ import annotations

from pathlib import Path

import click

from backend.core.commands import run_bound

__all__ = ["geo"]


@click.group()
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
        report = run_bound(
            lambda: import_divisions(
                RequestContext.system("cli"), None, csv_file.read_bytes()
            )
        )
    except DomainError as exc:
        for e in exc.errors:
            click.echo(f"row {e.row}: {e.field}: {e.code} {e.params or ''}", err=True)
        raise click.ClickException("nothing imported / 未导入任何数据") from None
    click.echo(f"created {report.created}, updated {report.updated}, closed {report.closed}")
