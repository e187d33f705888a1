"""Prometheus metrics of this process: requests and latencies (counted by
``core/http.request_middleware``), sync items by result, and the dispatcher's outbox depth
(read when scraped).

The systemd units run one process per port: Prometheus scrapes each port on loopback. With
``zhucun serve --workers N`` set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory per start:
every worker then writes its figures there and ``/metrics`` adds them up, whichever answers.
"""

from __future__ import annotations

import collections
from typing import Any

from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "OUTBOX_DEPTH",
    "SYNC_ITEMS",
    "count_sync_results",
    "request_ended",
    "request_started",
]

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


#: Requests by method, route template and status, and their latencies: the names and labels
#: Litestar's Prometheus middleware gave them (``app_name`` is always ``zhucun``).
_LABELS = ["method", "path", "status_code", "app_name"]
REQUESTS = Counter("zhucun_requests_total", "Total requests", _LABELS)
REQUEST_ERRORS = Counter("zhucun_requests_error_total", "Total errors in requests", _LABELS)
REQUEST_TIME = Histogram(
    "zhucun_request_duration_seconds", "Request duration, in seconds", _LABELS,
    buckets=[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
)
#: Requests running now, by method: the route is known only once routing has run.
IN_PROGRESS = Gauge("zhucun_requests_in_progress", "Total requests currently in progress",
                    ["method", "app_name"], multiprocess_mode="livesum")

#: The labelled series of each (method, route, status) once looked up: ``labels()`` checks
#: and locks at every call, some microseconds a request for the same few series. Methods,
#: routes (``(unmatched)`` for every path no route matched) and statuses are finite; the cap
#: only guards against a surprise.
_series: dict[tuple[str, str, int], tuple[Any, Any, Any | None]] = {}
_running: dict[str, Any] = {}
_CAP = 4096


def request_started(method: str) -> Any:
    """Count a request of ``method`` as in progress; the gauge's series is returned for
    ``request_ended``."""
    gauge = _running.get(method)
    if gauge is None:
        gauge = _running[method] = IN_PROGRESS.labels(method, "zhucun")
    gauge.inc()
    return gauge


def request_ended(method: str, path: str, status: int, seconds: float, gauge: Any) -> None:
    """A request ended with ``status`` after ``seconds``."""
    gauge.dec()
    series = _series.get((method, path, status))
    if series is None:
        labels = (method, path, status, "zhucun")
        series = (REQUESTS.labels(*labels), REQUEST_TIME.labels(*labels),
                  REQUEST_ERRORS.labels(*labels) if status >= 500 else None)
        if len(_series) < _CAP:
            _series[method, path, status] = series
    count, time, errors = series
    count.inc()
    time.observe(seconds)
    if errors is not None:
        errors.inc()
