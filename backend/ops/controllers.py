"""``GET /metrics`` for Prometheus: on loopback only, or with the metrics token.

A scrape from the machine itself (Prometheus or its agent on the host, straight to the API's
port) is answered; a request that came through nginx (``X-Forwarded-For``) or from elsewhere
needs ``Authorization: Bearer $ZHUCUN_METRICS_TOKEN`` (when that is set), and gets 404
otherwise, as if there were nothing here.
"""

from __future__ import annotations

import hmac
import os
from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)

from backend.core.errors import NotFound
from backend.core.metrics import OUTBOX_DEPTH
from backend.core.settings import Settings
from backend.notify import services as notify

__all__ = ["metrics"]

_LOOPBACK = {"127.0.0.1", "::1"}


def _allowed(request: Request[Any, Any, Any], token: str) -> bool:
    header = request.headers.get("authorization", "")
    if token and hmac.compare_digest(header.encode(), f"Bearer {token}".encode()):
        return True
    client = request.client.host if request.client else ""
    return client in _LOOPBACK and "x-forwarded-for" not in request.headers


@get("/metrics", exclude_from_auth=True, include_in_schema=False)
async def metrics(request: Request[Any, Any, Any], settings: NamedDependency[Settings]) -> Response:
    """The Prometheus text format: every worker's figures when multiprocess mode is on."""
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else ""
    if not _allowed(request, token):
        raise NotFound()
    OUTBOX_DEPTH.set(await notify.pending_pushes())
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    return Response(generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_LATEST})
