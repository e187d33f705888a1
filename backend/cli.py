"""The ``zhucun`` command: serve, migrate, seed-demo and openapi here; each capability adds its own
(``commands`` in its manifest): user add, audit verify|purge, geo import, dispatch, vapid,
backup, restore."""

from __future__ import annotations

from typing import TextIO

import click

from backend.capabilities import CAPABILITIES, plug_in
from backend.core.commands import run_bound

__all__ = ["main"]


@click.group()
def main() -> None:
    """驻村 Zhucun: work, presence and claims of cadres posted to villages."""
    plug_in()


@main.command()
@click.option("--host", default=None, help="defaults to ZHUCUN_HOST (127.0.0.1)")
@click.option("--port", default=None, type=int, help="defaults to ZHUCUN_PORT (8000)")
@click.option("--workers", default=1, show_default=True, type=int)
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Serve the API and the built PWA."""
    import uvicorn

    from backend.core.logs import log_config
    from backend.core.server import http_protocol
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
        # uvloop when installed (a dependency off Windows): the loop's own work is a fair
        # share of a small request's CPU on asyncio's. HTTP is parsed by httptools (C) with
        # the largest request head from settings (server_limits) applied by
        # core/server.BoundedHttpToolsProtocol; h11 (pure Python) without httptools.
        loop="auto",
        http=http_protocol(),
        log_level="info",
        **settings.server_limits(),
        log_config=log_config(settings.log_format or
                              ("json" if settings.env == "production" else "text")),
    )


@main.command()
def migrate() -> None:
    """Apply every database migration not yet applied."""
    from backend.capabilities import migrate as run_migrations

    run_bound(run_migrations)
    click.echo("migrations applied / 数据库迁移完成")


@main.command("seed-demo")
def seed_demo() -> None:
    """Create the fictional demo county 示范县 (once)."""
    from backend.demo.seed import DEMO_PASSWORD, demo_accounts
    from backend.demo.seed import seed_demo as seed

    created = run_bound(seed)
    click.echo(
        "demo data created / 已生成演示数据"
        if created
        else "demo data already present / 演示数据已存在"
    )
    click.echo(f"demo logins (password {DEMO_PASSWORD}):")
    for account in demo_accounts():
        click.echo(f"  {account.phone}  {account.role:<18} {account.where}  {account.name}")
    click.echo("  13900000001 … 13900000120  cadre (first secretaries and team members)")


@main.command()
@click.option("--out", type=click.File("w", encoding="utf-8"), default="-",
              help="where to write it (default: standard output)")
def openapi(out: TextIO) -> None:
    """Write the API's OpenAPI document (JSON) without serving; the PWA's types come from it."""
    import json

    from backend.app import create_app
    from backend.core.settings import get_settings

    schema = create_app(get_settings()).openapi_schema.to_schema()
    out.write(json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


for _capability in CAPABILITIES:
    for _command in _capability.commands:
        main.add_command(_command)


if __name__ == "__main__":
    main()
