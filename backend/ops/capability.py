"""Operations plug in: the Prometheus metrics, ``zhucun backup`` and ``zhucun restore``."""

from __future__ import annotations

from backend.manifest import Capability
from backend.ops import cli
from backend.ops.controllers import metrics

__all__ = ["CAPABILITY"]

CAPABILITY = Capability(name="ops", routes=(metrics,), commands=(cli.backup, cli.restore))
