"""Every capability, once: the one tuple that the app, the CLI and Piccolo iterate.

Each entry is the manifest in ``backend/<capability>/capability.py``, which says in one place
what the capability plugs in. The order is the order of the migrations: a capability comes
after those whose tables it refers to (foreign keys). Routes are served in this order too.
"""

from __future__ import annotations

from backend.accounts.capability import CAPABILITY as accounts
from backend.audit.capability import CAPABILITY as audit
from backend.claims.capability import CAPABILITY as claims
from backend.commendation.capability import CAPABILITY as commendation
from backend.core.messages import register_fields, register_problems
from backend.dashboard.capability import CAPABILITY as dashboard
from backend.evidence.capability import CAPABILITY as evidence
from backend.feedback.capability import CAPABILITY as feedback
from backend.fieldwork.capability import CAPABILITY as fieldwork
from backend.geo.capability import CAPABILITY as geo
from backend.manifest import Capability
from backend.notify.capability import CAPABILITY as notify
from backend.notify.reminders import register_reminder_source
from backend.ops.capability import CAPABILITY as ops
from backend.policy.capability import CAPABILITY as policy
from backend.surveys.capability import CAPABILITY as surveys
from backend.sync.capability import CAPABILITY as sync
from backend.sync.registry import register as register_sync_kind

__all__ = ["CAPABILITIES", "migrate", "plug_in"]

CAPABILITIES: tuple[Capability, ...] = (
    geo,
    accounts,
    audit,
    sync,
    evidence,
    policy,
    fieldwork,
    claims,
    notify,
    feedback,
    commendation,
    surveys,
    dashboard,
    ops,
)


def plug_in() -> None:
    """Register every capability's sync kinds, listeners, reminder sources and messages.

    Needed by the app and by the CLI (without HTTP); doing it again changes nothing.
    """
    for capability in CAPABILITIES:
        for kind in capability.sync_kinds:
            register_sync_kind(kind)
        for listener in capability.listeners:
            listener.event.listen(listener.handler)
        for name, source in capability.reminders.items():
            register_reminder_source(name, source)
        if capability.problems is not None:
            register_problems(capability.problems)
        if capability.fields is not None:
            register_fields(capability.fields)


async def migrate(*, quiet: bool = True) -> None:
    """Apply every migration not yet applied, then each capability's after-migration step."""
    from piccolo.engine import engine_finder

    from backend.core.migrate import migrate as run_migrations

    await run_migrations(quiet=quiet)
    engine = engine_finder()
    if engine is None:
        return
    for capability in CAPABILITIES:
        for step in capability.after_migrate:
            await step(engine)
