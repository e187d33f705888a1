"""What a capability plugs into the app: the type of each ``backend/<capability>/capability.py``.

``backend/capabilities.py`` lists every capability's manifest once; the app (``app.py``), the
command line (``cli.py``) and Piccolo (``piccolo_conf.py``) iterate that one tuple.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import click
    from litestar import Litestar
    from piccolo.engine.base import Engine

    from backend.core.events import Event
    from backend.core.messages import Catalogue
    from backend.notify.reminders import ReminderSource
    from backend.sync.registry import SyncKind

__all__ = ["Capability", "Listener"]


@dataclass(frozen=True)
class Listener:
    """``handler`` is called each time ``event`` (owned by another capability) is emitted."""

    event: Event[Any]
    handler: Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class Capability:
    """One capability's plugs.

    Attributes:
        name: the folder under ``backend/``.
        piccolo_app: the dotted module of its Piccolo ``APP_CONFIG`` (its tables and
            migrations), if it stores anything.
        routes: its HTTP controllers and route handlers.
        sync_kinds: the kinds of record it sends and takes through the offline sync.
        listeners: what it does when other capabilities' events happen.
        reminders: scheduled reminder sources by name, raised by ``zhucun dispatch``.
        problems: its catalogue of error titles by code (``messages.py``).
        fields: its catalogue of field-error messages by code (``messages.py``).
        commands: its ``zhucun`` sub-commands.
        after_migrate: run with the engine once every app's migrations are applied.
        on_app: run with the Litestar app once it is built.
    """

    name: str
    piccolo_app: str | None = None
    routes: tuple[Any, ...] = ()
    sync_kinds: tuple[SyncKind, ...] = ()
    listeners: tuple[Listener, ...] = ()
    reminders: Mapping[str, ReminderSource] = field(default_factory=dict)
    problems: type[Catalogue] | None = None
    fields: type[Catalogue] | None = None
    commands: tuple[click.Command, ...] = ()
    after_migrate: tuple[Callable[[Engine], Awaitable[None]], ...] = ()
    on_app: tuple[Callable[[Litestar], None], ...] = ()
