"""Who is asking and from where: what services need of a request, without HTTP."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

__all__ = ["RequestContext"]


@dataclass(frozen=True)
class RequestContext:
    """Carried into services so that audit events can say who, from where, in which request."""

    user_id: uuid.UUID | None = None
    request_id: str | None = None
    ip: str | None = None

    @classmethod
    def system(cls, request_id: str = "cli") -> RequestContext:
        return cls(user_id=None, request_id=request_id, ip=None)
