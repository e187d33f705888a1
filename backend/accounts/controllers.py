"""HTTP for accounts: login, refresh, logout, password, sessions, users and postings."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from backend.accounts import services
from backend.accounts.schemas import (
    LoginIn,
    LogoutIn,
    PasswordChangeIn,
    PostingIn,
    PostingOut,
    RefreshIn,
    SessionOut,
    TemporaryPasswordOut,
    TokenOut,
    UserCreatedOut,
    UserIn,
    UserOut,
)
from backend.core.context import RequestContext
from backend.core.errors import Forbidden
from backend.core.scope import Actor
from backend.core.settings import Settings

__all__ = ["AccountsController", "AuthController"]


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth 登录"]

    @post("/login", status_code=HTTP_200_OK, exclude_from_auth=True)
    async def login(
        self,
        data: JSONBody[LoginIn],
        ctx: NamedDependency[RequestContext],
        settings: NamedDependency[Settings],
        request: Request[Any, Any, Any],
    ) -> TokenOut:
        """Log in with phone and password. Failures are throttled per client address and slow
        down further attempts on the phone; one answer for a wrong password and an unknown
        phone. ``must_change_password`` true: change the temporary password first."""
        return await services.login(
            ctx, settings, data.phone, data.password, request.headers.get("user-agent", "")
        )

    @post("/refresh", status_code=HTTP_200_OK, exclude_from_auth=True)
    async def refresh(
        self,
        data: JSONBody[RefreshIn],
        ctx: NamedDependency[RequestContext],
        settings: NamedDependency[Settings],
    ) -> TokenOut:
        """A fresh access token for a live session (the refresh token is not rotated)."""
        return await services.refresh(ctx, settings, data.refresh_token)

    @post("/logout", status_code=HTTP_204_NO_CONTENT, exclude_from_auth=True)
    async def logout(
        self,
        data: JSONBody[LogoutIn],
        ctx: NamedDependency[RequestContext],
        settings: NamedDependency[Settings],
    ) -> None:
        """Revoke the session of this refresh token."""
        await services.logout(ctx, settings, data.refresh_token)

    @get("/me")
    async def me(self, actor: NamedDependency[Actor]) -> UserOut:
        return await services.user_out(actor.user_id, with_scope=True)

    @post("/password", status_code=HTTP_204_NO_CONTENT, opt={"password_change": True})
    async def change_password(
        self,
        data: JSONBody[PasswordChangeIn],
        actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
    ) -> None:
        """Change one's own password (same as POST /api/accounts/password)."""
        await services.change_password(ctx, actor, data.current_password, data.new_password)


class AccountsController(Controller):
    path = "/api/accounts"
    tags = ["accounts 人员"]

    @post("/password", status_code=HTTP_204_NO_CONTENT, opt={"password_change": True})
    async def change_password(
        self,
        data: JSONBody[PasswordChangeIn],
        actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
    ) -> None:
        """Change one's own password, also a temporary one: not a common password nor one's
        phone. Other devices' sessions end; this one stays."""
        await services.change_password(ctx, actor, data.current_password, data.new_password)

    @get("/sessions")
    async def list_sessions(
        self, actor: NamedDependency[Actor], settings: NamedDependency[Settings]
    ) -> list[SessionOut]:
        """My live sessions (devices), newest first; ``current`` marks this one."""
        return await services.list_sessions(settings, actor)

    @delete("/sessions/{session_id:uuid}", status_code=HTTP_204_NO_CONTENT)
    async def end_session(
        self,
        session_id: FromPath[uuid.UUID],
        actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
    ) -> None:
        """End one of my sessions (a lost phone logs out at its next call)."""
        await services.end_session(ctx, actor, session_id)

    @post("/users/{user_id:uuid}/reset-password", status_code=HTTP_200_OK)
    async def reset_password(
        self,
        user_id: FromPath[uuid.UUID],
        actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
    ) -> TemporaryPasswordOut:
        """County admin: a temporary password for a person of the county, to be changed at
        their next login; their sessions end now."""
        if not actor.scope.admin_counties:
            raise Forbidden()
        temporary = await services.reset_password(ctx, actor.scope, user_id)
        return TemporaryPasswordOut(temporary_password=temporary)

    @post("/users/{user_id:uuid}/end-sessions", status_code=HTTP_200_OK)
    async def end_sessions(
        self,
        user_id: FromPath[uuid.UUID],
        actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
    ) -> dict[str, int]:
        """County admin: log a person of the county out of every device; ``ended`` counts."""
        if not actor.scope.admin_counties:
            raise Forbidden()
        return {"ended": await services.end_sessions(ctx, actor.scope, user_id)}

    @get("/users")
    async def list_users(self, actor: NamedDependency[Actor]) -> list[UserOut]:
        """People in the caller's scope, sorted by name."""
        return await services.list_users(actor.scope)

    @get("/users/{user_id:uuid}")
    async def read_user(
        self, user_id: FromPath[uuid.UUID], actor: NamedDependency[Actor]
    ) -> UserOut:
        return await services.read_user(actor.scope, user_id)

    @post("/users", status_code=HTTP_201_CREATED)
    async def create_user(
        self,
        data: JSONBody[UserIn],
        actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
    ) -> UserCreatedOut:
        """County admins create accounts in their county. The password (given, or made by the
        server and answered once in ``temporary_password``) must be changed at first login."""
        if not actor.scope.admin_counties:
            raise Forbidden()
        return await services.create_user(ctx, actor.scope, data)

    @get("/postings")
    async def list_postings(self, actor: NamedDependency[Actor]) -> list[PostingOut]:
        return await services.list_postings(actor.scope)

    @post("/postings", status_code=HTTP_201_CREATED)
    async def create_posting(
        self,
        data: JSONBody[PostingIn],
        actor: NamedDependency[Actor],
        ctx: NamedDependency[RequestContext],
    ) -> PostingOut:
        """County admins post a cadre to a village of their county."""
        if not actor.scope.admin_counties:
            raise Forbidden()
        return await services.create_posting(ctx, actor.scope, data)
