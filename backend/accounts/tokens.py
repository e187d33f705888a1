"""Access tokens (short-lived JWT, via Litestar's JWTAuth) and refresh tokens (opaque, hashed)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import time
import uuid
from typing import TYPE_CHECKING, Any

import jwt
from litestar.security.jwt import JWTAuth, Token

from backend.core.clock import utc_now
from backend.core.http import client_address

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
#: Checked access tokens kept per process (a token's text and its claims: about 1 KB each).
VERIFIED_TOKENS_MAX = 8192


def issue_access_token(settings: Settings, user_id: uuid.UUID, session_id: uuid.UUID) -> str:
    token = Token(
        sub=str(user_id),
        exp=utc_now() + dt.timedelta(minutes=settings.access_token_minutes),
        iat=utc_now(),
        jti=uuid.uuid4().hex,
        extras={"sid": str(session_id)},
    )
    return token.encode(secret=settings.signing_key(), algorithm=ALGORITHM)


def _token_class(settings: Settings) -> type[Token]:
    """A Token whose signature is checked against the current key, and during a rotation
    against the previous one for tokens it signed before the rotation, for one access-token
    lifetime (after which every such token has expired anyway)."""
    previous = settings.secret_key_previous
    until = settings.previous_key_until()
    rotated_at = settings.secret_key_rotated_at

    #: Tokens already checked (signature and claims), by their text: each phone sends the
    #: same token with every request for its lifetime, and checking it again cost some 0.1 ms
    #: of CPU a request. A hit is used only before its ``exp`` (and, when only the previous
    #: key verified it, before that key stops being accepted); the session is still read at
    #: every request (``accounts.services.actor_for_token``), so a logout or a locked user
    #: is refused at once as before. Bounded: the oldest entry goes when it is full. Tokens
    #: that fail are not kept: each is checked in full, as before.
    verified: dict[tuple[str, str, str, tuple[str, ...]], tuple[float, Token]] = {}

    class RotatingToken(Token):
        @classmethod
        def decode(cls, encoded_token, secret, algorithm, audience=None, issuer=None,
                   require_claims=None, verify_exp=True, verify_nbf=True,
                   strict_audience=False):
            plain = audience is None and issuer is None and verify_exp and not strict_audience
            key = (encoded_token, secret, algorithm, tuple(require_claims or ()))
            if plain:
                hit = verified.get(key)
                if hit is not None:
                    if time.time() < hit[0]:
                        return hit[1]
                    del verified[key]
            token = super().decode(encoded_token, secret, algorithm, audience, issuer,
                                   require_claims, verify_exp, verify_nbf, strict_audience)
            if plain:
                good_until = token.exp.timestamp()
                if until is not None and time.time() < until.timestamp():
                    # During a key rotation the previous key may be what verified it.
                    good_until = min(good_until, until.timestamp())
                if len(verified) >= VERIFIED_TOKENS_MAX:
                    del verified[next(iter(verified))]
                verified[key] = (good_until, token)
            return token

        @classmethod
        def decode_payload(cls, encoded_token, secret, algorithms, issuer=None, audience=None,
                           options=None):
            try:
                return super().decode_payload(encoded_token, secret, algorithms, issuer,
                                              audience, options)
            except jwt.InvalidSignatureError:
                if previous is None or until is None or utc_now() >= until:
                    raise
                payload = super().decode_payload(
                    encoded_token, previous.get_secret_value(), algorithms, issuer, audience,
                    options,
                )
                issued = payload.get("iat")
                if rotated_at is None or not isinstance(issued, int | float) or (
                    issued > rotated_at.timestamp()
                ):
                    raise jwt.InvalidSignatureError(
                        "signed by the previous key after rotation"
                    ) from None
                return payload

    return RotatingToken


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
        return await actor_for_token(
            token.sub,
            token.extras.get("sid"),
            request_id=state.get("request_id"),
            ip=client_address(connection.scope, settings),
            settings=settings,
        )

    return JWTAuth[Any, Token](
        token_secret=settings.signing_key(),
        token_cls=_token_class(settings),
        # A token without its session id is refused in actor_for_token.
        require_claims=["exp", "iat", "sub"],
        algorithm=ALGORITHM,
        retrieve_user_handler=retrieve,
        default_token_expiration=dt.timedelta(minutes=settings.access_token_minutes),
        # The PWA's static routes and a few handlers opt out with ``exclude_from_auth``.
        exclude=["^/api/health", "^/api/auth/login", "^/api/auth/refresh", "^/schema"],
    )
