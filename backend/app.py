"""The Litestar application: ``create_app(settings)`` plugs in every capability
(``backend/capabilities.py``) around the shared plumbing of ``backend/core``."""

from __future__ import annotations

import logging
from pathlib import Path

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from piccolo.conf.apps import Finder

from backend.accounts.passwords import configure_hashing
from backend.accounts.tokens import make_jwt_auth
from backend.capabilities import CAPABILITIES, plug_in
from backend.core.admission import admission_middleware
from backend.core.bounds import BoundedRequest
from backend.core.db import bind_tables, close_engine, engine_from_url, prepare_engine
from backend.core.health import health
from backend.core.heap import release, settle
from backend.core.http import (
    check_request,
    provide_actor,
    provide_ctx,
    request_middleware,
)
from backend.core.openapi import ExtraKeysSchemaPlugin
from backend.core.problems import handle_exception
from backend.core.settings import Settings, get_settings
from backend.core.uploads import UploadSlots
from backend.web import compression_config, pwa_routes

__all__ = ["all_tables", "create_app"]

log = logging.getLogger("zhucun")

#: Paths that never wait for a turn (``core/admission``): the metrics and the health check
#: answer under any load; logins and password changes wait in the password hasher's own queue.
UNQUEUED = ("/metrics", "/api/health", "/api/auth/")


def all_tables() -> list:
    """Every table of every capability registered in piccolo_conf."""
    return Finder().get_table_classes()


def _pwa(pwa_dir: Path) -> list:
    if not (pwa_dir / "index.html").is_file():
        log.warning("PWA not built at %s: serving the API only", pwa_dir)
        return []
    return pwa_routes(pwa_dir)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    settings.check_production()
    configure_hashing(settings.password_hash_concurrency, settings.password_hash_queue)
    plug_in()
    engine = engine_from_url(settings.database_url)
    bind_tables(engine, all_tables())
    jwt_auth = make_jwt_auth(settings)

    async def on_startup() -> None:
        await prepare_engine(engine, pool_max=settings.db_pool_max)
        settle()  # what start-up loaded stays for good: left out of every collection

    async def on_shutdown() -> None:
        await close_engine(engine)
        release()

    app = Litestar(
        route_handlers=[
            health,
            *(route for capability in CAPABILITIES for route in capability.routes),
            *_pwa(settings.pwa_dir),
        ],
        dependencies={
            "settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False),
            "ctx": Provide(provide_ctx, sync_to_thread=False),
            "actor": Provide(provide_actor, sync_to_thread=False),
        },
        exception_handlers={Exception: handle_exception},
        before_request=check_request,
        state=State(
            {
                "settings": settings,
                "engine": engine,
                "upload_slots": UploadSlots(settings.upload_concurrency),
            }
        ),
        on_app_init=[jwt_auth.on_app_init],
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        request_max_body_size=settings.max_body_bytes,
        request_class=BoundedRequest,
        compression_config=compression_config(),
        plugins=[ExtraKeysSchemaPlugin()],
        openapi_config=OpenAPIConfig(
            title="Zhucun 驻村 API",
            version="0.1.0",
            path="/schema",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin()],
        ),
        debug=False,
    )
    for capability in CAPABILITIES:
        for step in capability.on_app:
            step(app)
    # Requests take turns at the work (routing included); around that, an answer given
    # before a route runs carries the request id and is counted too, and a request's latency
    # includes its wait for a turn.
    app.asgi_handler = request_middleware(admission_middleware(
        app.asgi_handler, active=settings.server_active_requests, exempt=UNQUEUED))
    return app
