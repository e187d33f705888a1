"""Access tokens (short-lived JWT, via Litestar's JWTAuth) and refresh tokens (opaque, hashed)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from typing import TYPE_CHECKING, Any

from litestar.security.jwt import JWTAuth, Token

from backend.core.clock import utc_now

if TYPE_CHECKING:
    from litestar.connection import ASGIConnection

    from backend.core.settings import Settings

__all__ = [
    "ALGORITHM",
    "hash_refresh_token",
    "issue_access_token",
    "make_jwt_auth",
    "new_refresh_token",
]

ALGORITHM = "HS256"


def issue_access_token(settings: Settings, user_id: uuid.UUID, session_id: uuid.UUID) -> str:
    token = Token(
        sub=str(user_id),
        exp=utc_now() + dt.timedelta(minutes=settings.access_token_minutes),
        iat=utc_now(),
        jti=uuid.uuid4().hex,
        extras={"sid": str(session_id)},
    )
    return token.encode(secret=settings.secret_key.get_secret_value(), algorithm=ALGORITHM)


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def hash_refresh_token(token: str) -> str:
    """Only the SHA-256 of a refresh token is stored: a leaked table logs nobody in."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def make_jwt_auth(settings: Settings) -> JWTAuth[Any, Token]:
    """Bearer-token authentication for every route but login, refresh, health and the docs."""
    from backend.accounts.services import actor_for_token

    async def retrieve(token: Token, connection: ASGIConnection[Any, Any, Any, Any]) -> Any:
        state = connection.scope.get("state", {})
        client = connection.client
        return await actor_for_token(
            token.sub,
            token.extras.get("sid"),
            request_id=state.get("request_id"),
            ip=client.host if client else None,
        )

    return JWTAuth[Any, Token](
        token_secret=settings.secret_key.get_secret_value(),
        algorithm=ALGORITHM,
        retrieve_user_handler=retrieve,
        default_token_expiration=dt.timedelta(minutes=settings.access_token_minutes),
        # The PWA's static routes and a few handlers opt out with ``exclude_from_auth``.
        exclude=["^/api/health", "^/api/auth/login", "^/api/auth/refresh", "^/schema"],
    )
