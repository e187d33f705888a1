"""Notifications plug in: the inbox (a sync kind), Web Push, ``zhucun dispatch`` and
``zhucun vapid``. Other capabilities' reminder sources reach the dispatcher through their
manifests."""

from __future__ import annotations

from backend.manifest import Capability
from backend.notify import cli, messages, sync_kinds
from backend.notify.controllers import PushController

__all__ = ["CAPABILITY"]

CAPABILITY = Capability(
    name="notify",
    piccolo_app="backend.notify.piccolo_app",
    routes=(PushController,),
    sync_kinds=(sync_kinds.INBOX,),
    problems=messages.Problems,
    commands=(cli.dispatch, cli.vapid),
)
