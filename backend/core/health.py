"""Liveness and database check."""

from __future__ import annotations

from litestar import get
from litestar.datastructures import State
from litestar.response import Response
from pydantic import BaseModel

from backend.core.db import fetch

__all__ = ["health"]


class HealthOut(BaseModel):
    status: str
    database: str
    engine: str


@get("/api/health", exclude_from_auth=True, tags=["system"])
async def health(state: State) -> Response[HealthOut]:
    """Answers 200 when the database answers, 503 otherwise."""
    engine = state.engine
    try:
        await fetch(engine, "SELECT 1 AS ok")
        return Response(HealthOut(status="ok", database="ok", engine=engine.engine_type))
    except Exception:  # the probe must answer even when the database is down
        return Response(
            HealthOut(status="error", database="unreachable", engine=engine.engine_type),
            status_code=503,
        )
