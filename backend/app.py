"""The Litestar application: ``create_app(settings)`` wires every capability together."""

from __future__ import annotations

import logging
from pathlib import Path

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from piccolo.conf.apps import Finder

from backend.accounts.controllers import AccountsController, AuthController
from backend.accounts.passwords import configure_hashing
from backend.accounts.roster.controllers import RosterController
from backend.accounts.tokens import make_jwt_auth
from backend.audit.controllers import AuditController
from backend.claims.controllers import ClaimController, InsuranceController
from backend.claims.sync_kinds import register_kinds as register_claim_kinds
from backend.commendation.controllers import CommendationController
from backend.core.bounds import BoundedRequest, parameter_guard
from backend.core.db import bind_tables, close_engine, engine_from_url, prepare_engine
from backend.core.health import health
from backend.core.http import (
    password_change_guard,
    provide_actor,
    provide_ctx,
    request_id_middleware,
)
from backend.core.metrics import prometheus_middleware
from backend.core.problems import handle_exception
from backend.core.settings import Settings, get_settings
from backend.core.uploads import UploadSlots
from backend.dashboard.controllers import DashboardController
from backend.evidence.controllers import EvidenceController
from backend.feedback.controllers import FeedbackController
from backend.feedback.sync_kinds import register_kinds as register_feedback_kinds
from backend.fieldwork.controllers import (
    HouseholdController,
    LeaveController,
    PresenceController,
    TalkController,
)
from backend.fieldwork.sync_kinds import register_kinds as register_fieldwork_kinds
from backend.geo.controllers import GeoController
from backend.notify.controllers import PushController
from backend.notify.sync_kinds import register_kinds as register_notify_kinds
from backend.ops.controllers import metrics
from backend.policy.controllers import PolicyController
from backend.surveys.controllers import SurveyController
from backend.surveys.sync_kinds import register_kinds as register_survey_kinds
from backend.sync import wire as typed_wire
from backend.sync.controllers import SyncController
from backend.web import compression_config, pwa_routes

__all__ = ["all_tables", "create_app", "register_capabilities", "register_reminder_sources"]

log = logging.getLogger("zhucun")

CONTROLLERS = [
    AuthController,
    AccountsController,
    RosterController,
    GeoController,
    AuditController,
    SyncController,
    EvidenceController,
    HouseholdController,
    PresenceController,
    LeaveController,
    TalkController,
    PolicyController,
    ClaimController,
    InsuranceController,
    FeedbackController,
    CommendationController,
    DashboardController,
    PushController,
    SurveyController,
]


def register_reminder_sources() -> None:
    """The scheduled reminders the dispatcher raises (``zhucun dispatch``), by capability.

    Month-end presence sheets (notify) and accident insurance lapsing within 30 days (claims).
    """
    from backend.claims.reminders import insurance_expiry
    from backend.fieldwork.reminders import remind_unsubmitted_sheets
    from backend.notify.reminders import register_reminder_source

    register_reminder_source("presence_month_end", remind_unsubmitted_sheets)
    register_reminder_source("insurance_expiry", insurance_expiry)


def all_tables() -> list:
    """Every table of every capability registered in piccolo_conf."""
    return Finder().get_table_classes()


def _pwa(pwa_dir: Path) -> list:
    if not (pwa_dir / "index.html").is_file():
        log.warning("PWA not built at %s: serving the API only", pwa_dir)
        return []
    return pwa_routes(pwa_dir)


def register_capabilities() -> None:
    """Each capability's sync kinds and hooks (also needed by the CLI, without HTTP)."""
    register_fieldwork_kinds()
    register_claim_kinds()
    register_notify_kinds()
    register_feedback_kinds()
    register_survey_kinds()


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    settings.check_production()
    configure_hashing(settings.password_hash_concurrency, settings.password_hash_queue)
    register_capabilities()
    engine = engine_from_url(settings.database_url)
    bind_tables(engine, all_tables())
    jwt_auth = make_jwt_auth(settings)

    async def on_startup() -> None:
        await prepare_engine(engine, pool_max=settings.db_pool_max)

    async def on_shutdown() -> None:
        await close_engine(engine)

    app = Litestar(
        route_handlers=[health, metrics, *CONTROLLERS, *_pwa(settings.pwa_dir)],
        dependencies={
            "settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False),
            "ctx": Provide(provide_ctx, sync_to_thread=False),
            "actor": Provide(provide_actor, sync_to_thread=False),
        },
        exception_handlers={Exception: handle_exception},
        guards=[parameter_guard, password_change_guard],
        state=State(
            {"settings": settings, "upload_slots": UploadSlots(settings.upload_concurrency)}
        ),
        middleware=[request_id_middleware, prometheus_middleware()],
        on_app_init=[jwt_auth.on_app_init],
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        request_max_body_size=settings.max_body_bytes,
        request_class=BoundedRequest,
        compression_config=compression_config(),
        openapi_config=OpenAPIConfig(
            title="Zhucun 驻村 API",
            version="0.1.0",
            path="/schema",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin()],
        ),
        debug=False,
    )
    typed_wire.install(app)
    return app
