"""Prometheus metrics of this process: requests and latencies (Litestar's middleware), sync
items by result, and the dispatcher's outbox depth (read when scraped).

The systemd units run one process per port: Prometheus scrapes each port on loopback. With
``zhucun serve --workers N`` set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory per start:
every worker then writes its figures there and ``/metrics`` adds them up, whichever answers.
"""

from __future__ import annotations

import collections
from typing import Any

from prometheus_client import Counter, Gauge

__all__ = ["OUTBOX_DEPTH", "SYNC_ITEMS", "count_sync_results", "prometheus_middleware"]

SYNC_ITEMS = Counter(
    "zhucun_sync_items", "Items pushed through sync, by kind and result", ["kind", "result"]
)
OUTBOX_DEPTH = Gauge(
    "zhucun_outbox_depth", "Web Push deliveries waiting for the dispatcher",
    multiprocess_mode="livemax",
)


def count_sync_results(kinds: list[str], statuses: list[str]) -> None:
    """Count a push's items by kind and result: one increment per pair, not per item."""
    for (kind, status), n in collections.Counter(zip(kinds, statuses, strict=True)).items():
        SYNC_ITEMS.labels(kind=kind, result=status).inc(n)


def prometheus_middleware() -> Any:
    """Requests by method, route template and status, and their latencies."""
    from litestar.plugins.prometheus import PrometheusConfig

    return PrometheusConfig(
        app_name="zhucun", prefix="zhucun", group_path=True, exclude=["/metrics"],
        buckets=[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    ).middleware
