"""Account rules: login, sessions, temporary passwords, scope and reach, users and postings."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from backend.accounts import throttle
from backend.accounts.kept_sessions import KEPT
from backend.accounts.passwords import (
    hash_password_async,
    new_temporary_password,
    password_problem,
    verify_password_async,
)
from backend.accounts.schemas import (
    PostingDetails,
    PostingIn,
    PostingOut,
    RoleOut,
    ScopeOut,
    SessionOut,
    TokenOut,
    UserCreatedOut,
    UserIn,
    UserOut,
)
from backend.accounts.tables import Posting, RoleGrant, Session, User
from backend.accounts.tokens import hash_refresh_token, issue_access_token, new_refresh_token
from backend.audit import services as audit
from backend.core.cache import DATA_VERSION, ProcessCache
from backend.core.clock import local_date, utc_now
from backend.core.db import fetch, write_transaction
from backend.core.errors import (
    FieldError,
    Forbidden,
    NotFound,
    Unauthorized,
    ValidationFailed,
)
from backend.core.ids import new_id
from backend.core.rows import row_as, rows_as
from backend.core.scope import Actor, Scope
from backend.core.settings import get_settings
from backend.geo import services as geo

if TYPE_CHECKING:
    from piccolo.columns.combination import Combinable

    from backend.core.context import RequestContext
    from backend.core.settings import Settings

__all__ = [
    "PostedCadre",
    "active_postings",
    "actor_for_token",
    "cadres_by_phone",
    "change_password",
    "create_posting",
    "create_user",
    "end_session",
    "end_sessions",
    "in_reach",
    "list_postings",
    "list_sessions",
    "list_users",
    "live_session",
    "login",
    "logout",
    "posted_cadres",
    "posting_in_force",
    "posting_village",
    "postings_of",
    "read_user",
    "refresh",
    "require_in_reach",
    "reset_password",
    "resolve_scope",
    "reviewers_of",
    "sees_person",
    "session_is_live",
    "user_names",
    "user_out",
    "users_by_phone",
]

_GRANT_LEVEL = {
    "township_reviewer": "township",
    "county_admin": "county",
    "county_finance": "county",
    "cadre": "village",
}


#: Days after a posting ends during which its cadre may still send what was recorded there
#: (a phone offline at the transfer loses nothing); the records' dates must lie in the posting.
POSTING_GRACE_DAYS = 30


def posting_in_force(start: dt.date, end: dt.date | None, today: dt.date) -> bool:
    """Whether a posting still gives its village to the cadre: not ended (or ended less than
    ``POSTING_GRACE_DAYS`` ago). A posting yet to start counts, for its reference data; the
    dates of records are checked against the posting itself when they arrive.

    >>> d = dt.date
    >>> posting_in_force(d(2025, 1, 1), None, d(2026, 5, 1))
    True
    >>> posting_in_force(d(2025, 1, 1), d(2026, 3, 31), d(2026, 4, 30))
    True
    >>> posting_in_force(d(2025, 1, 1), d(2026, 3, 31), d(2026, 5, 1))
    False
    """
    del start
    return end is None or today <= end + dt.timedelta(days=POSTING_GRACE_DAYS)


#: Scopes resolved in this process, by user and local date, at a version of the reference data.
_SCOPES: ProcessCache[tuple[uuid.UUID, dt.date], Scope] = ProcessCache("scopes")

#: The version of what scopes and other reference data are made of: one row, bumped by
#: triggers on role grants, postings, divisions and households in the writing transaction.
_VERSION_SQL = "SELECT value FROM account_scope_version WHERE id = 1"


def _data_version(value: int | None) -> tuple[int, int] | None:
    """The version as kept by the process caches: this database's and the row's number."""
    return None if value is None else (id(RoleGrant._meta.db), int(value))


async def _scope_version() -> int | None:
    """The database's reference-data version, or None when the row is missing (nothing is
    cached then)."""
    rows = await fetch(RoleGrant._meta.db, _VERSION_SQL)
    return int(rows[0]["value"]) if rows else None


async def resolve_scope(user_id: uuid.UUID) -> Scope:
    """Roles and postings → the villages and counties this user may touch.

    A cadre's villages are those of postings in force (``posting_in_force``): a transferred
    cadre no longer reads the old village's households nor writes there; their own records
    of it stay theirs (matched by owner, not by village).

    Kept per process for as long as the reference-data version and the local date stay the
    same (``core/cache.ProcessCache``). The version is read here, before the scope, so a
    change committed meanwhile (in this request too) makes the next call resolve it again;
    authentication reads it with the session instead (``actor_for_token``).
    """
    token = DATA_VERSION.set(_data_version(await _scope_version()))
    try:
        return await _cached_scope(user_id)
    finally:
        DATA_VERSION.reset(token)


async def _cached_scope(user_id: uuid.UUID) -> Scope:
    today = local_date()
    return await _SCOPES.get((user_id, today), lambda: _resolve_scope(user_id, today))


async def _resolve_scope(user_id: uuid.UUID, today: dt.date) -> Scope:
    grants = await RoleGrant.select(RoleGrant.role, RoleGrant.division_code).where(
        RoleGrant.account == user_id
    )
    postings = await Posting.select(
        Posting.village_code, Posting.start_date, Posting.end_date
    ).where(Posting.cadre == user_id)
    roles = {g["role"] for g in grants}
    if postings:
        roles.add("cadre")

    def codes(role: str) -> frozenset[str]:
        return frozenset(g["division_code"] for g in grants if g["role"] == role)

    townships = codes("township_reviewer")
    return Scope(
        user_id=user_id,
        roles=frozenset(roles),
        own_villages=frozenset(
            p["village_code"]
            for p in postings
            if posting_in_force(p["start_date"], p["end_date"], today)
        ),
        review_townships=townships,
        review_villages=frozenset(await geo.villages_of_townships(set(townships))),
        admin_counties=codes("county_admin"),
        finance_counties=codes("county_finance"),
    )


async def _postings_out(rows: list[dict[str, Any]]) -> list[PostingOut]:
    codes = {r["village_code"] for r in rows}
    villages = await geo.villages(codes)
    townships = {v.township_code for v in villages.values()}
    names = {
        r["code"]: r["name"]
        for r in await geo.Division.select(geo.Division.code, geo.Division.name).where(
            geo.Division.code.is_in(sorted(townships) or [""]), geo.Division.valid_to.is_null()
        )
    }
    out = []
    for r in rows:
        v = villages.get(r["village_code"])
        out.append(
            PostingOut(
                id=r["id"],
                cadre_id=r["cadre"],
                village_code=r["village_code"],
                village_name=v.name if v else r["village_code"],
                township_code=v.township_code if v else r["village_code"][:9],
                township_name=names.get(v.township_code, "") if v else "",
                county_code=r["county_code"],
                position=r["position"],
                dispatching_unit=r["dispatching_unit"],
                unit_lat=r["unit_lat"],
                unit_lon=r["unit_lon"],
                start_date=r["start_date"],
                end_date=r["end_date"],
            )
        )
    return out


async def user_out(user_id: uuid.UUID, *, with_scope: bool = False) -> UserOut:
    user = await User.select().where(User.id == user_id).first()
    if user is None:
        raise NotFound()
    grants = await RoleGrant.select().where(RoleGrant.account == user_id).order_by(RoleGrant.role)
    postings = await Posting.select().where(Posting.cadre == user_id).order_by(Posting.start_date)
    scope = await resolve_scope(user_id)
    scope_out = (
        ScopeOut(
            own_villages=sorted(scope.own_villages),
            review_townships=sorted(scope.review_townships),
            admin_counties=sorted(scope.admin_counties),
            finance_counties=sorted(scope.finance_counties),
        )
        if with_scope
        else None
    )
    # "locked": logins on this phone are being slowed down by recent failures (never a lock).
    locked = await throttle.is_slowed(get_settings(), user["phone"])
    return UserOut(
        id=user["id"],
        name=user["name"],
        phone=user["phone"],
        roles=sorted(scope.roles),
        grants=[RoleOut(role=g["role"], division_code=g["division_code"]) for g in grants],
        active=user["active"],
        locked=locked,
        is_demo=user["is_demo"],
        postings=await _postings_out(postings),
        scope=scope_out,
    )


# --- login, sessions -------------------------------------------------------------------------


async def _token_out(
    settings: Settings,
    user_id: uuid.UUID,
    session_id: uuid.UUID,
    refresh_token: str,
    must_change_password: bool,
) -> TokenOut:
    return TokenOut(
        access_token=issue_access_token(settings, user_id, session_id),
        refresh_token=refresh_token,
        expires_in=settings.access_token_minutes * 60,
        must_change_password=must_change_password,
        user=await user_out(user_id, with_scope=True),
    )


async def _login_failed(
    ctx: RequestContext, phone: str, ip: str, user: dict[str, Any] | None
) -> Unauthorized:
    await throttle.record_failure(phone, ip)
    async with write_transaction(User._meta.db):
        if user is None:
            await audit.record(ctx, "auth.login_failed", "phone", phone, after={"known": False})
        else:
            await audit.record(ctx, "auth.login_failed", "user", user["id"], actor_id=user["id"])
    # One answer for a wrong password and an unknown phone: nothing tells which phones exist.
    return Unauthorized("bad_credentials")


async def login(
    ctx: RequestContext, settings: Settings, phone: str, password: str, user_agent: str = ""
) -> TokenOut:
    """Check a phone and password, throttled per address and slowed per phone (throttle.py);
    Argon2 runs off the event loop, bounded per process (passwords.HashingGate)."""
    ip = ctx.ip or ""
    counts = await throttle.count_failures(settings, phone, ip)
    throttle.check_allowed(settings, counts)
    delay = throttle.slowdown_seconds(counts.by_phone, settings)
    if delay:
        await asyncio.sleep(delay)
    user = await User.select().where(User.phone == phone).first()
    ok = await verify_password_async(user["password_hash"] if user else None, password)
    if user is None or not ok:
        raise await _login_failed(ctx, phone, ip, user)
    if not user["active"]:
        raise Forbidden("account_disabled")
    await throttle.clear_failures(phone, ip)
    token = new_refresh_token()
    session_id = new_id()
    now = utc_now()
    async with write_transaction(User._meta.db):
        await Session.insert(
            Session(
                id=session_id,
                account=user["id"],
                token_hash=hash_refresh_token(token),
                created_at=now,
                last_used_at=now,
                user_agent=user_agent[:200],
                ip=ip[:45],
            )
        )
        await audit.record(ctx, "auth.login", "session", session_id, actor_id=user["id"])
    return await _token_out(settings, user["id"], session_id, token, user["must_change_password"])


class LiveSession(TypedDict):
    """What ``session_is_live`` reads of a session, and what ``live_session`` returns."""

    id: uuid.UUID
    account: uuid.UUID | None
    created_at: dt.datetime
    last_used_at: dt.datetime
    revoked_at: dt.datetime | None


class LiveSessionUser(LiveSession):
    """A live session with what a request needs of its user, as ``live_session`` reads it."""

    name: str
    phone: str
    active: bool
    must_change_password: bool
    #: The reference-data version (None: no version row).
    data_version: int | None


class SessionRow(LiveSession):
    """A ``Session`` as ``Session.select()`` returns it."""

    token_hash: str
    user_agent: str
    ip: str


def session_is_live(settings: Settings, session: LiveSession, now: dt.datetime) -> bool:
    """A session is live until revoked, idle past ``refresh_idle_days`` or older than
    ``session_max_days`` (absolute): the one rule, for access tokens and refresh alike."""
    return (
        session["revoked_at"] is None
        and session["last_used_at"] >= now - dt.timedelta(days=settings.refresh_idle_days)
        and session["created_at"] >= now - dt.timedelta(days=settings.session_max_days)
    )


#: ``live_session``'s statement, written once: Piccolo builds a select with a join anew at
#: every run, which cost more CPU than the database's work (0.6-0.8 ms a request).
_LIVE_SESSION_SQL = (
    "SELECT s.id AS id, s.account AS account, s.revoked_at AS revoked_at,"
    " s.last_used_at AS last_used_at, s.created_at AS created_at, u.name AS name,"
    " u.phone AS phone, u.active AS active, u.must_change_password AS must_change_password,"
    f" ({_VERSION_SQL}) AS data_version"
    " FROM account_session s JOIN account_user u ON u.id = s.account WHERE s.id = {}"
)


async def live_session(settings: Settings, session_id: uuid.UUID) -> LiveSessionUser | None:
    """The session behind an access token, with its user's name, phone, ``active`` and
    ``must_change_password`` and the reference-data version (``data_version``), read in one
    query, or as this process keeps them (``accounts/kept_sessions``, PostgreSQL); None when
    the session has ended. Every authenticated request passes here."""
    session = row_as(LiveSessionUser, KEPT.get(session_id))
    if session is None:
        generation = KEPT.generation
        rows = await fetch(Session._meta.db, _LIVE_SESSION_SQL, session_id)
        session = row_as(LiveSessionUser, rows[0] if rows else None)
        if session is not None:
            KEPT.keep(session_id, dict(session), generation)
    if session is None or not session_is_live(settings, session, utc_now()):
        return None
    return session


async def actor_for_token(
    sub: str,
    session_id: str | None,
    *,
    request_id: str | None,
    ip: str | None,
    settings: Settings,
) -> Actor | None:
    """The caller behind a valid access token, or None when the user or session is gone.
    A token without a session is refused: logout and password changes must be able to end it.

    Sets the request's reference-data version (``core/cache.DATA_VERSION``), read with the
    session, so that the scope and the villages, fences and households read in this request
    come from this process's caches while nothing they are made of has changed."""
    try:
        user_id = uuid.UUID(sub)
        sid = uuid.UUID(session_id) if session_id else None
    except (TypeError, ValueError):
        return None
    if sid is None:
        return None
    session = await live_session(settings, sid)
    if session is None or session["account"] != user_id or not session["active"]:
        return None
    DATA_VERSION.set(_data_version(session["data_version"]))
    return Actor(
        user_id=user_id,
        name=session["name"],
        phone=session["phone"],
        scope=await _cached_scope(user_id),
        session_id=sid,
        request_id=request_id,
        ip=ip,
        must_change_password=session["must_change_password"],
    )


async def _session_by_token(settings: Settings, token: str) -> SessionRow:
    session = row_as(SessionRow, (
        await Session.select().where(Session.token_hash == hash_refresh_token(token)).first()
    ))
    if session is None or not session_is_live(settings, session, utc_now()):
        raise Unauthorized("token_invalid")
    return session


async def refresh(ctx: RequestContext, settings: Settings, token: str) -> TokenOut:
    """A new access token for a live session. The refresh token stays the same, so a phone
    whose answer was lost on a bad line can simply ask again."""
    session = await _session_by_token(settings, token)
    account = session["account"]
    user = (
        await User.select(User.active, User.must_change_password)
        .where(User.id == account)
        .first()
    )
    if account is None or user is None or not user["active"]:  # no account: no user either
        raise Unauthorized("token_invalid")
    await Session.update({Session.last_used_at: utc_now()}).where(Session.id == session["id"])
    return await _token_out(settings, account, session["id"], token, user["must_change_password"])


async def logout(ctx: RequestContext, settings: Settings, token: str) -> None:
    session = await _session_by_token(settings, token)
    async with write_transaction(Session._meta.db):
        await Session.update({Session.revoked_at: utc_now()}).where(Session.id == session["id"])
        await audit.record(
            ctx, "auth.logout", "session", session["id"], actor_id=session["account"]
        )
    if session["account"] is not None:
        KEPT.forget_user(session["account"])


def _check_new_password(new: str, phone: str, field: str = "new_password") -> None:
    problem = password_problem(new, phone=phone)
    if problem is not None:
        code, params = problem
        raise ValidationFailed(errors=[FieldError(field, code, params)])


async def change_password(ctx: RequestContext, actor: Actor, current: str, new: str) -> None:
    """Change one's own password (also the way out of a temporary one); other devices'
    sessions end, this one stays."""
    user = await User.select(User.password_hash).where(User.id == actor.user_id).first()
    if user is None or not await verify_password_async(user["password_hash"], current):
        raise ValidationFailed(errors=[FieldError("current_password", "wrong_password")])
    if new == current:
        raise ValidationFailed(errors=[FieldError("new_password", "password_unchanged")])
    _check_new_password(new, actor.phone)
    new_hash = await hash_password_async(new)
    async with write_transaction(User._meta.db):
        await User.update(
            {
                User.password_hash: new_hash,
                User.password_changed_at: utc_now(),
                User.must_change_password: False,
            }
        ).where(User.id == actor.user_id)
        await Session.update({Session.revoked_at: utc_now()}).where(
            Session.account == actor.user_id,
            Session.revoked_at.is_null(),
            Session.id != actor.session_id if actor.session_id else Session.id.is_not_null(),
        )
        await audit.record(ctx, "auth.password_changed", "user", actor.user_id)
    KEPT.forget_user(actor.user_id)


async def list_sessions(settings: Settings, actor: Actor) -> list[SessionOut]:
    """The caller's live sessions (devices), newest first."""
    rows = rows_as(SessionRow, (
        await Session.select()
        .where(Session.account == actor.user_id, Session.revoked_at.is_null())
        .order_by(Session.created_at, ascending=False)
    ))
    now = utc_now()
    return [
        SessionOut(
            id=r["id"],
            created_at=r["created_at"],
            last_used_at=r["last_used_at"],
            expires_at=min(
                r["last_used_at"] + dt.timedelta(days=settings.refresh_idle_days),
                r["created_at"] + dt.timedelta(days=settings.session_max_days),
            ),
            user_agent=r["user_agent"],
            ip=r["ip"],
            current=r["id"] == actor.session_id,
        )
        for r in rows
        if session_is_live(settings, r, now)
    ]


async def end_session(ctx: RequestContext, actor: Actor, session_id: uuid.UUID) -> None:
    """End one of one's own sessions (a lost phone); another's answers 404."""
    async with write_transaction(Session._meta.db):
        ended = (
            await Session.update({Session.revoked_at: utc_now()})
            .where(
                Session.id == session_id,
                Session.account == actor.user_id,
                Session.revoked_at.is_null(),
            )
            .returning(Session.id)
        )
        if not ended:
            raise NotFound()
        await audit.record(ctx, "auth.session_ended", "session", session_id)
    KEPT.forget_user(actor.user_id)


async def _county_of(person_id: uuid.UUID, scope: Scope) -> str | None:
    """For audit: the admin's county the person is in (the first, if several)."""
    return min(scope.admin_counties) if scope.admin_counties else None


async def end_sessions(ctx: RequestContext, scope: Scope, person_id: uuid.UUID) -> int:
    """A county admin ends every session of a person in reach; the count ended."""
    await require_in_reach(scope, person_id)
    async with write_transaction(Session._meta.db):
        ended = (
            await Session.update({Session.revoked_at: utc_now()})
            .where(Session.account == person_id, Session.revoked_at.is_null())
            .returning(Session.id)
        )
        await audit.record(
            ctx, "accounts.sessions_ended", "user", person_id,
            county_code=await _county_of(person_id, scope), after={"count": len(ended)},
        )
    KEPT.forget_user(person_id)
    return len(ended)


async def reset_password(ctx: RequestContext, scope: Scope, person_id: uuid.UUID) -> str:
    """A county admin gives a person in reach a temporary password: it must be changed at the
    next login, and every session of theirs ends now. Returns the temporary password (shown
    once to the admin, never stored in clear)."""
    await require_in_reach(scope, person_id)
    temporary = new_temporary_password()
    new_hash = await hash_password_async(temporary)
    now = utc_now()
    async with write_transaction(User._meta.db):
        rows = (
            await User.update(
                {
                    User.password_hash: new_hash,
                    User.password_changed_at: now,
                    User.must_change_password: True,
                }
            )
            .where(User.id == person_id)
            .returning(User.phone)
        )
        ended = (
            await Session.update({Session.revoked_at: now})
            .where(Session.account == person_id, Session.revoked_at.is_null())
            .returning(Session.id)
        )
        await audit.record(
            ctx, "accounts.password_reset", "user", person_id,
            county_code=await _county_of(person_id, scope),
            after={"sessions_ended": len(ended)},
        )
    KEPT.forget_user(person_id)
    if rows:
        await throttle.clear_failures(rows[0]["phone"])
    return temporary


# --- users and postings ----------------------------------------------------------------------


async def _check_role_division(role: str, code: str, scope: Scope | None) -> str:
    """The county of a role's division, after checking it exists at the right level."""
    row = await geo.current(code)
    if row is None or row["level"] != _GRANT_LEVEL[role]:
        raise ValidationFailed(
            errors=[FieldError("roles.division_code", "unknown_division", {"code": code})]
        )
    if scope is not None and row["county_code"] not in scope.admin_counties:
        raise NotFound("unknown_division", code=code)
    # A county, township or village always has its county (its code's first six digits).
    return row["county_code"] or code[:6]


async def create_user(
    ctx: RequestContext,
    scope: Scope | None,
    data: UserIn,
    *,
    demo: bool = False,
    password_hash: str | None = None,
) -> UserCreatedOut:
    """A new account with its roles; a cadre role on a village posts the cadre there today.

    ``scope`` None is the command line; otherwise a county admin creates users in their county,
    and the password (given, or made by the server and returned once) is temporary: it must
    be changed at the first login.
    """
    counties = [await _check_role_division(r.role, r.division_code, scope) for r in data.roles]
    temporary = None
    if password_hash is None:
        if data.password is None:
            temporary = new_temporary_password()
        else:
            _check_new_password(data.password, data.phone, field="password")
        password_hash = await hash_password_async(data.password or temporary or "")
    user_id = new_id()
    async with write_transaction(User._meta.db):
        inserted = (
            await User.insert(
                User(
                    id=user_id,
                    phone=data.phone,
                    name=data.name,
                    password_hash=password_hash,
                    created_at=utc_now(),
                    is_demo=demo,
                    must_change_password=scope is not None,
                )
            )
            .on_conflict(target=User.phone, action="DO NOTHING")
            .returning(User.id)
        )
        if not inserted:
            raise ValidationFailed(errors=[FieldError("phone", "phone_taken")])
        for role, county in zip(data.roles, counties, strict=True):
            if role.role == "cadre":
                details = data.posting or PostingDetails()
                await Posting.insert(
                    Posting(
                        id=new_id(),
                        cadre=user_id,
                        village_code=role.division_code,
                        county_code=county,
                        position=details.position,
                        dispatching_unit=details.dispatching_unit,
                        unit_lat=details.unit_lat,
                        unit_lon=details.unit_lon,
                        start_date=details.start_date or local_date(),
                        end_date=details.end_date,
                        is_demo=demo,
                    )
                )
            else:
                await RoleGrant.insert(
                    RoleGrant(
                        id=new_id(),
                        account=user_id,
                        role=role.role,
                        division_code=role.division_code,
                        county_code=county,
                    )
                )
        await audit.record(
            ctx,
            "accounts.user_created",
            "user",
            user_id,
            county_code=counties[0],
            after={
                "name": data.name,
                "phone": data.phone,
                "roles": [r.model_dump() for r in data.roles],
                "posting": data.posting.model_dump(mode="json") if data.posting else None,
                "temporary_password": scope is not None,
            },
        )
    created = await user_out(user_id)
    return UserCreatedOut(**created.model_dump(), temporary_password=temporary)


async def in_reach(scope: Scope, person_id: uuid.UUID) -> bool:
    """人员管辖: whether a county admin may act on a person (post them, grant a role, reset
    their password, read them).

    A person is in reach of an admin when any of their postings or role grants lies in one of
    the admin's counties, or when they have neither (a new account nobody has placed yet).
    A person placed only in other counties is out of reach, and so is an id that does not
    exist: callers answer both with the same 404, so an id's existence is never revealed.
    The one check for every route acting on a person; never write a second copy.
    """
    if not scope.admin_counties:
        return False
    if not await User.exists().where(User.id == person_id):
        return False
    counties = {
        r["county_code"]
        for r in await Posting.select(Posting.county_code).where(Posting.cadre == person_id)
    } | {
        r["county_code"]
        for r in await RoleGrant.select(RoleGrant.county_code).where(
            RoleGrant.account == person_id
        )
    }
    return not counties or bool(counties & scope.admin_counties)


async def require_in_reach(scope: Scope, person_id: uuid.UUID) -> None:
    """404 ``not_found`` unless the person is in the admin's reach (see ``in_reach``)."""
    if not await in_reach(scope, person_id):
        raise NotFound()


async def sees_person(scope: Scope, person_id: uuid.UUID) -> bool:
    """Whether the caller may read a person: themselves, a cadre posted in a village they
    review, or a person in their reach as a county admin."""
    if person_id == scope.user_id:
        return True
    if scope.review_villages and await Posting.exists().where(
        Posting.cadre == person_id, Posting.village_code.is_in(sorted(scope.review_villages))
    ):
        return True
    return await in_reach(scope, person_id)


async def _visible_user_ids(scope: Scope) -> set[uuid.UUID]:
    ids: set[uuid.UUID] = {scope.user_id}
    if scope.admin_counties:
        counties = sorted(scope.admin_counties)
        ids |= {
            r["account"]
            for r in await RoleGrant.select(RoleGrant.account).where(
                RoleGrant.county_code.is_in(counties)
            )
        }
        ids |= {
            r["cadre"]
            for r in await Posting.select(Posting.cadre).where(Posting.county_code.is_in(counties))
        }
    if scope.review_villages:
        ids |= {
            r["cadre"]
            for r in await Posting.select(Posting.cadre).where(
                Posting.village_code.is_in(sorted(scope.review_villages))
            )
        }
    return ids


async def list_users(scope: Scope) -> list[UserOut]:
    """People the caller may see, sorted by name (never by activity)."""
    ids = await _visible_user_ids(scope)
    rows = await User.select(User.id).where(User.id.is_in(list(ids))).order_by(User.name)
    return [await user_out(r["id"]) for r in rows]


async def read_user(scope: Scope, user_id: uuid.UUID) -> UserOut:
    if not await sees_person(scope, user_id):
        raise NotFound()
    return await user_out(user_id)


async def list_postings(scope: Scope) -> list[PostingOut]:
    rows = (
        await Posting.select()
        .where(
            scope.where(
                village=Posting.village_code, county=Posting.county_code, owner=Posting.cadre
            )
        )
        .order_by(Posting.village_code)
    )
    return await _postings_out(rows)


async def create_posting(ctx: RequestContext, scope: Scope, data: PostingIn) -> PostingOut:
    village = await geo.village(data.village_code)
    if village.county_code not in scope.admin_counties:
        raise NotFound("unknown_division", code=data.village_code)
    # A cadre placed in another county is as unknown here as an id that does not exist.
    await require_in_reach(scope, data.cadre_id)
    if data.end_date and data.end_date < data.start_date:
        raise ValidationFailed(errors=[FieldError("end_date", "too_small")])
    posting_id = new_id()
    async with write_transaction(Posting._meta.db):
        await Posting.insert(
            Posting(
                id=posting_id,
                cadre=data.cadre_id,
                village_code=data.village_code,
                county_code=village.county_code,
                position=data.position,
                dispatching_unit=data.dispatching_unit,
                unit_lat=data.unit_lat,
                unit_lon=data.unit_lon,
                start_date=data.start_date,
                end_date=data.end_date,
            )
        )
        await audit.record(
            ctx,
            "accounts.posting_created",
            "posting",
            posting_id,
            county_code=village.county_code,
            after=data.model_dump(mode="json"),
        )
    rows = await Posting.select().where(Posting.id == posting_id)
    return (await _postings_out(rows))[0]


# --- for other capabilities ------------------------------------------------------------------


@dataclass(frozen=True)
class PostedCadre:
    cadre_id: uuid.UUID
    name: str
    village_code: str
    county_code: str
    start_date: dt.date
    end_date: dt.date | None


async def posted_cadres(scope: Scope, start: dt.date, end: dt.date) -> list[PostedCadre]:
    """Cadres posted in the caller's review scope at some time between start and end,
    sorted by village and name (never by any activity measure)."""
    villages = sorted(scope.review_villages)
    counties = sorted(scope.admin_counties)
    if not villages and not counties:
        return []
    clause: Combinable = (
        Posting.village_code.is_in(villages) if villages else Posting.county_code.is_in(counties)
    )
    if villages and counties:
        clause = clause | Posting.county_code.is_in(counties)
    rows = await Posting.select(
        Posting.cadre,
        Posting.cadre.name.as_alias("name"),
        Posting.village_code,
        Posting.county_code,
        Posting.start_date,
        Posting.end_date,
    ).where(
        clause,
        Posting.start_date <= end,
        (Posting.end_date.is_null()) | (Posting.end_date >= start),
    )
    out = [
        PostedCadre(
            r["cadre"],
            r["name"],
            r["village_code"],
            r["county_code"],
            r["start_date"],
            r["end_date"],
        )
        for r in rows
    ]
    return sorted(out, key=lambda c: (c.village_code, c.name))


async def user_names(ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await User.select(User.id, User.name).where(User.id.is_in(list(ids)))
    return {r["id"]: r["name"] for r in rows}


async def users_by_phone(phones: list[str]) -> dict[str, tuple[uuid.UUID, str]]:
    """(id, name) of the accounts with these phones (the demo seeder acts as them)."""
    if not phones:
        return {}
    rows = await User.select(User.id, User.name, User.phone).where(User.phone.is_in(phones))
    return {r["phone"]: (r["id"], r["name"]) for r in rows}


async def posting_village(cadre_id: uuid.UUID, on: dt.date) -> str | None:
    """The village a cadre is posted to on a day (the latest posting that covers it)."""
    row = (
        await Posting.select(Posting.village_code)
        .where(
            Posting.cadre == cadre_id,
            Posting.start_date <= on,
            (Posting.end_date.is_null()) | (Posting.end_date >= on),
        )
        .order_by(Posting.start_date, ascending=False)
        .first()
    )
    return row["village_code"] if row else None


async def postings_of(cadre_ids: list[uuid.UUID]) -> list[PostedCadre]:
    """Every posting of the given cadres (for eligibility and dossiers)."""
    if not cadre_ids:
        return []
    rows = await Posting.select(
        Posting.cadre, Posting.cadre.name.as_alias("name"), Posting.village_code,
        Posting.county_code, Posting.start_date, Posting.end_date,
    ).where(Posting.cadre.is_in(cadre_ids)).order_by(Posting.start_date)
    return [PostedCadre(r["cadre"], r["name"], r["village_code"], r["county_code"],
                        r["start_date"], r["end_date"]) for r in rows]


async def reviewers_of(township_codes: set[str]) -> dict[str, list[uuid.UUID]]:
    """The township reviewers of each township."""
    if not township_codes:
        return {}
    rows = await RoleGrant.select(RoleGrant.account, RoleGrant.division_code).where(
        RoleGrant.role == "township_reviewer",
        RoleGrant.division_code.is_in(sorted(township_codes)))
    out: dict[str, list[uuid.UUID]] = {}
    for r in rows:
        out.setdefault(r["division_code"], []).append(r["account"])
    return out


async def active_postings(on: dt.date) -> list[PostedCadre]:
    """Postings of active accounts that cover ``on``, oldest first (for reminders)."""
    rows = await Posting.select(
        Posting.cadre, Posting.cadre.name.as_alias("name"), Posting.village_code,
        Posting.county_code, Posting.start_date, Posting.end_date,
    ).where(
        Posting.start_date <= on, (Posting.end_date.is_null()) | (Posting.end_date >= on),
        Posting.cadre.active.eq(True),  # type: ignore[union-attr]  # Piccolo types a joined column loosely
    ).order_by(Posting.start_date)
    return [PostedCadre(r["cadre"], r["name"], r["village_code"], r["county_code"],
                        r["start_date"], r["end_date"]) for r in rows]


async def cadres_by_phone(county_code: str) -> dict[str, tuple[uuid.UUID, list[PostedCadre]]]:
    """phone → (cadre, their postings in the county) of everyone ever posted in the county."""
    rows = await Posting.select(
        Posting.cadre, Posting.cadre.name.as_alias("name"), Posting.cadre.phone.as_alias("phone"),
        Posting.village_code, Posting.county_code, Posting.start_date, Posting.end_date,
    ).where(Posting.county_code == county_code).order_by(Posting.start_date)
    out: dict[str, tuple[uuid.UUID, list[PostedCadre]]] = {}
    for r in rows:
        posting = PostedCadre(r["cadre"], r["name"], r["village_code"], r["county_code"],
                              r["start_date"], r["end_date"])
        out.setdefault(r["phone"], (r["cadre"], []))[1].append(posting)
    return out
