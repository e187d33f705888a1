"""Applying the Piccolo migrations of every app (``zhucun migrate``).

The capabilities' own steps after the migrations (``after_migrate`` in their manifests) run in
``backend.capabilities.migrate``.
"""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.forwards import run_forwards

__all__ = ["migrate"]


async def migrate(*, quiet: bool = True) -> None:
    """Run every migration not yet applied, in app order. Raises when one fails."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out) if quiet else contextlib.nullcontext():
        result = await run_forwards("all")
    if not result.success:
        raise RuntimeError(f"migration failed: {result.message}\n{out.getvalue()}")
