"""人员与派驻: the county admin's rules for people, postings, roles and accounts.

A county admin sees and acts on the people of their county (anyone posted to one of its
villages or holding a role in it); a township reviewer reads the cadres posted to their
township's villages. Everyone else is invisible (404, as for an id that does not exist).
Every change is one transaction with its audit event.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from piccolo.columns.combination import WhereRaw

from backend.accounts import services as accounts
from backend.accounts.kept_sessions import KEPT
from backend.accounts.roster.schemas import (
    CadreCreated,
    CadreIn,
    GrantIn,
    GrantOut,
    PeoplePage,
    PersonOut,
    PostingEndIn,
    PostingTransferIn,
    RosterPostingOut,
)
from backend.accounts.schemas import PostingDetails, RoleIn, UserIn
from backend.accounts.tables import Posting, RoleGrant, User
from backend.audit import services as audit
from backend.core.clock import local_date, utc_now
from backend.core.db import write_transaction
from backend.core.errors import FieldError, Forbidden, NotFound, ValidationFailed
from backend.core.ids import new_id
from backend.geo import services as geo

if TYPE_CHECKING:
    from piccolo.columns.combination import Combinable

    from backend.core.context import RequestContext
    from backend.core.scope import Scope

__all__ = [
    "PeopleFilter",
    "create_cadre",
    "disable",
    "enable",
    "end_posting",
    "grant_role",
    "list_people",
    "posting_ids",
    "read_person",
    "revoke_role",
    "transfer_posting",
]

_GRANT_LEVEL = {"township_reviewer": "township", "county_admin": "county",
                "county_finance": "county"}


# --- who is visible -----------------------------------------------------------------------


async def _county_people(counties: frozenset[str]) -> set[uuid.UUID]:
    """People with a posting or a role in the counties."""
    if not counties:
        return set()
    codes = sorted(counties)
    posted = await Posting.select(Posting.cadre).where(Posting.county_code.is_in(codes))
    granted = await RoleGrant.select(RoleGrant.account).where(RoleGrant.county_code.is_in(codes))
    return {r["cadre"] for r in posted} | {r["account"] for r in granted}


async def _township_people(villages: frozenset[str]) -> set[uuid.UUID]:
    if not villages:
        return set()
    rows = await Posting.select(Posting.cadre).where(Posting.village_code.is_in(sorted(villages)))
    return {r["cadre"] for r in rows}


async def _unplaced() -> set[uuid.UUID]:
    """Accounts with neither a posting nor a role: in every admin's reach until placed."""
    rows = await User.select(User.id).where(
        WhereRaw("id NOT IN (SELECT cadre FROM account_posting)"),
        WhereRaw("id NOT IN (SELECT account FROM account_role_grant)"),
    )
    return {r["id"] for r in rows}


async def _visible(scope: Scope) -> set[uuid.UUID]:
    """The roster's people, as a set query agreeing with ``accounts.sees_person``."""
    ids = await _township_people(scope.review_villages)
    if scope.admin_counties:
        ids |= await _county_people(scope.admin_counties) | await _unplaced()
    return ids


def _require_admin(scope: Scope) -> frozenset[str]:
    if not scope.admin_counties:
        raise Forbidden()
    return scope.admin_counties


async def _target(scope: Scope, user_id: uuid.UUID) -> dict[str, Any]:
    """A person the caller administers (``accounts.in_reach``): 404 when out of reach, as for
    an id that does not exist; 403 for a reviewer who may only read them."""
    if not scope.admin_counties:
        raise Forbidden() if await accounts.sees_person(scope, user_id) else NotFound()
    await accounts.require_in_reach(scope, user_id)
    user = await User.select().where(User.id == user_id).first()
    if user is None:
        raise NotFound()
    return user


# --- reading -------------------------------------------------------------------------------


class PeopleFilter:
    """Search terms of the roster list; every one narrows, none widens the scope."""

    def __init__(
        self,
        *,
        township: str | None = None,
        village: str | None = None,
        role: str | None = None,
        q: str | None = None,
        status: str | None = None,
    ) -> None:
        self.township = township
        self.village = village
        self.role = role
        self.q = (q or "").strip()
        self.status = status


async def _narrow(scope: Scope, ids: set[uuid.UUID], f: PeopleFilter) -> set[uuid.UUID]:
    counties = sorted(scope.admin_counties)
    if f.village:
        rows = await Posting.select(Posting.cadre).where(Posting.village_code == f.village)
        ids &= {r["cadre"] for r in rows}
    if f.township:
        villages = sorted(await geo.villages_of_townships({f.township})) or [""]
        posted = await Posting.select(Posting.cadre).where(Posting.village_code.is_in(villages))
        reviewers = await RoleGrant.select(RoleGrant.account).where(
            RoleGrant.division_code == f.township
        )
        ids &= {r["cadre"] for r in posted} | {r["account"] for r in reviewers}
    if f.role == "cadre":
        clause: Combinable = Posting.county_code.is_in(counties or [""])
        if scope.review_villages:
            clause = clause | Posting.village_code.is_in(sorted(scope.review_villages))
        ids &= {r["cadre"] for r in await Posting.select(Posting.cadre).where(clause)}
    elif f.role:
        rows = await RoleGrant.select(RoleGrant.account).where(
            RoleGrant.role == f.role, RoleGrant.county_code.is_in(counties or [""])
        )
        ids &= {r["account"] for r in rows}
    return ids


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def list_people(scope: Scope, f: PeopleFilter, page: int, page_size: int) -> PeoplePage:
    """One page of the people the caller may see, by name (never by activity)."""
    if not scope.admin_counties and not scope.review_villages:
        raise Forbidden()
    ids = await _narrow(scope, await _visible(scope), f)
    if not ids:
        return PeoplePage(items=[], total=0, page=page, page_size=page_size,
                          can_edit=bool(scope.admin_counties))
    where: list[Any] = [User.id.is_in(sorted(ids))]
    if f.q:
        like = _like(f.q)
        where.append(WhereRaw("(name LIKE {} ESCAPE '\\' OR phone LIKE {} ESCAPE '\\')",
                              like, like))
    if f.status in ("active", "disabled"):
        where.append(User.active == (f.status == "active"))
    total = await User.count().where(*where)
    rows = (
        await User.select()
        .where(*where)
        .order_by(User.name)
        .order_by(User.phone)
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return PeoplePage(
        items=await _people_out(scope, rows),
        total=total,
        page=page,
        page_size=page_size,
        can_edit=bool(scope.admin_counties),
    )


async def read_person(scope: Scope, user_id: uuid.UUID) -> PersonOut:
    if not await accounts.sees_person(scope, user_id):
        raise NotFound()
    return await _person(scope, user_id)


async def _person(scope: Scope, user_id: uuid.UUID) -> PersonOut:
    rows = await User.select().where(User.id == user_id)
    if not rows:
        raise NotFound()
    return (await _people_out(scope, rows))[0]


async def _names(codes: set[str]) -> dict[str, str]:
    out = {}
    for code in sorted(codes):
        row = await geo.current(code)
        out[code] = row["name"] if row else code
    return out


async def _people_out(scope: Scope, users: list[dict[str, Any]]) -> list[PersonOut]:
    """Users with the postings and roles the caller may see (their county's, their township's)."""
    ids = [u["id"] for u in users]
    if not ids:
        return []
    counties = sorted(scope.admin_counties) or [""]
    postings = await (
        Posting.select()
        .where(
            Posting.cadre.is_in(ids),
            Posting.county_code.is_in(counties)
            | Posting.village_code.is_in(sorted(scope.review_villages) or [""]),
        )
        .order_by(Posting.start_date)
    )
    grants = await RoleGrant.select().where(
        RoleGrant.account.is_in(ids), RoleGrant.county_code.is_in(counties)
    ).order_by(RoleGrant.role)
    any_posting = {
        r["cadre"] for r in await Posting.select(Posting.cadre).where(Posting.cadre.is_in(ids))
    }
    villages = await geo.villages({p["village_code"] for p in postings})
    names = await _names(
        {v.township_code for v in villages.values()} | {g["division_code"] for g in grants}
    )
    today, now = local_date(), utc_now()
    out = []
    for u in users:
        mine = [p for p in postings if p["cadre"] == u["id"]]
        roles = {g["role"] for g in grants if g["account"] == u["id"]}
        if u["id"] in any_posting:
            roles.add("cadre")
        out.append(
            PersonOut(
                id=u["id"],
                name=u["name"],
                phone=u["phone"],
                active=u["active"],
                locked=bool(u["locked_until"] and u["locked_until"] > now),
                roles=sorted(roles),
                grants=[
                    GrantOut(id=g["id"], role=g["role"], division_code=g["division_code"],
                             division_name=names.get(g["division_code"], g["division_code"]))
                    for g in grants
                    if g["account"] == u["id"]
                ],
                postings=[_posting_out(p, villages, names, today) for p in mine],
            )
        )
    return out


def _posting_out(
    p: dict[str, Any], villages: dict[str, geo.VillageInfo], names: dict[str, str],
    today: dt.date,
) -> RosterPostingOut:
    v = villages.get(p["village_code"])
    township = v.township_code if v else p["village_code"][:9]
    return RosterPostingOut(
        id=p["id"],
        village_code=p["village_code"],
        village_name=v.name if v else p["village_code"],
        township_code=township,
        township_name=names.get(township, ""),
        position=p["position"],
        dispatching_unit=p["dispatching_unit"],
        start_date=p["start_date"],
        end_date=p["end_date"],
        current=p["start_date"] <= today and (p["end_date"] is None or p["end_date"] >= today),
    )


async def posting_ids(person_id: uuid.UUID) -> list[uuid.UUID]:
    """The ids of a person's postings (their audit trail includes what was done to them)."""
    rows = await Posting.select(Posting.id).where(Posting.cadre == person_id)
    return [r["id"] for r in rows]


# --- creating a cadre ----------------------------------------------------------------------


async def county_village(scope: Scope, code: str, field: str = "village_code") -> geo.VillageInfo:
    """A current village of the admin's county; otherwise a field error that does not say
    whether the code exists elsewhere."""
    try:
        village = await geo.village(code)
    except NotFound:
        village = None
    if village is None or village.county_code not in scope.admin_counties:
        raise ValidationFailed(errors=[FieldError(field, "unknown_division", {"code": code})])
    return village


async def create_cadre(ctx: RequestContext, scope: Scope, data: CadreIn) -> CadreCreated:
    """A cadre account and its posting in one form; the password is temporary."""
    _require_admin(scope)
    await county_village(scope, data.village_code)
    if data.end_date and data.end_date < data.start_date:
        raise ValidationFailed(errors=[FieldError("end_date", "before_start")])
    created = await accounts.create_user(
        ctx,
        scope,
        UserIn(
            phone=data.phone,
            name=data.name,
            roles=[RoleIn(role="cadre", division_code=data.village_code)],
            posting=PostingDetails(
                position=data.position,
                dispatching_unit=data.dispatching_unit,
                start_date=data.start_date,
                end_date=data.end_date,
            ),
        ),
    )
    return CadreCreated(person=await _person(scope, created.id),
                        temporary_password=created.temporary_password or "")


# --- postings ------------------------------------------------------------------------------


async def _admin_posting(scope: Scope, posting_id: uuid.UUID) -> dict[str, Any]:
    counties = _require_admin(scope)
    row = await Posting.select().where(Posting.id == posting_id).first()
    if row is None or row["county_code"] not in counties:
        raise NotFound()
    if row["end_date"] is not None and row["end_date"] < local_date():
        raise ValidationFailed("posting_ended", errors=[FieldError("end_date", "posting_ended")])
    return row


def _check_end(row: dict[str, Any], end: dt.date) -> None:
    if end < row["start_date"]:
        raise ValidationFailed(errors=[FieldError("end_date", "before_start")])


async def end_posting(
    ctx: RequestContext, scope: Scope, posting_id: uuid.UUID, data: PostingEndIn
) -> PersonOut:
    """End a posting on a day (the cadre keeps their account and their records)."""
    row = await _admin_posting(scope, posting_id)
    _check_end(row, data.end_date)
    async with write_transaction(Posting._meta.db):
        await Posting.update({Posting.end_date: data.end_date}).where(Posting.id == posting_id)
        await audit.record(
            ctx, "accounts.posting_ended", "posting", posting_id,
            county_code=row["county_code"],
            before={"end_date": row["end_date"].isoformat() if row["end_date"] else None},
            after={"end_date": data.end_date.isoformat(), "cadre_id": str(row["cadre"])},
            reason=data.reason or None,
        )
    return await _person(scope, row["cadre"])


async def transfer_posting(
    ctx: RequestContext, scope: Scope, posting_id: uuid.UUID, data: PostingTransferIn
) -> PersonOut:
    """调动: the posting ends on ``end_date`` and a new one starts the next day, together."""
    row = await _admin_posting(scope, posting_id)
    _check_end(row, data.end_date)
    village = await county_village(scope, data.village_code)
    new_posting: dict[str, Any] = {
        "id": new_id(),
        "village_code": village.code,
        "position": data.position or row["position"],
        "dispatching_unit": (
            data.dispatching_unit if data.dispatching_unit is not None
            else row["dispatching_unit"]
        ),
        "start_date": data.end_date + dt.timedelta(days=1),
    }
    async with write_transaction(Posting._meta.db):
        await Posting.update({Posting.end_date: data.end_date}).where(Posting.id == posting_id)
        await Posting.insert(
            Posting(
                cadre=row["cadre"],
                county_code=village.county_code,
                unit_lat=row["unit_lat"],
                unit_lon=row["unit_lon"],
                end_date=None,
                **new_posting,
            )
        )
        await audit.record(
            ctx, "accounts.posting_transferred", "posting", posting_id,
            county_code=row["county_code"],
            before={"village_code": row["village_code"], "position": row["position"],
                    "end_date": row["end_date"].isoformat() if row["end_date"] else None},
            after={**new_posting, "id": str(new_posting["id"]),
                   "start_date": new_posting["start_date"].isoformat(),
                   "ended": data.end_date.isoformat(), "cadre_id": str(row["cadre"])},
            reason=data.reason or None,
        )
    return await _person(scope, row["cadre"])


# --- accounts and roles --------------------------------------------------------------------


async def _other_active_admins(county: str, but: uuid.UUID) -> int:
    rows = await RoleGrant.select(RoleGrant.account).where(
        RoleGrant.role == "county_admin",
        RoleGrant.division_code == county,
        RoleGrant.account != but,
        RoleGrant.account.active.eq(True),  # type: ignore[union-attr]  # Piccolo types a joined column loosely
    )
    return len({r["account"] for r in rows})


async def _check_not_last_admin(user_id: uuid.UUID, counties: list[str]) -> None:
    for county in counties:
        if await _other_active_admins(county, user_id) == 0:
            raise Forbidden("last_admin")


async def disable(
    ctx: RequestContext, scope: Scope, user_id: uuid.UUID, reason: str = ""
) -> PersonOut:
    """停用: the account cannot log in and its sessions end now. Not oneself, never the
    last active admin of a county."""
    user = await _target(scope, user_id)
    if user_id == scope.user_id:
        raise Forbidden("own_account")
    admin_of = await RoleGrant.select(RoleGrant.division_code).where(
        RoleGrant.account == user_id, RoleGrant.role == "county_admin"
    )
    await _check_not_last_admin(user_id, [r["division_code"] for r in admin_of])
    async with write_transaction(User._meta.db):
        await User.update({User.active: False}).where(User.id == user_id)
        ended = await accounts.end_sessions(ctx, scope, user_id)
        await audit.record(
            ctx, "accounts.user_disabled", "user", user_id,
            county_code=sorted(scope.admin_counties)[0],
            before={"active": user["active"]},
            after={"active": False, "sessions_ended": ended},
            reason=reason or None,
        )
    KEPT.forget_user(user_id)
    return await _person(scope, user_id)


async def enable(
    ctx: RequestContext, scope: Scope, user_id: uuid.UUID, reason: str = ""
) -> PersonOut:
    user = await _target(scope, user_id)
    async with write_transaction(User._meta.db):
        await User.update({User.active: True}).where(User.id == user_id)
        await audit.record(
            ctx, "accounts.user_enabled", "user", user_id,
            county_code=sorted(scope.admin_counties)[0],
            before={"active": user["active"]}, after={"active": True},
            reason=reason or None,
        )
    KEPT.forget_user(user_id)
    return await _person(scope, user_id)


async def grant_role(
    ctx: RequestContext, scope: Scope, user_id: uuid.UUID, data: GrantIn
) -> PersonOut:
    """A role over a division of the admin's own county (a township's reviewer, the county's
    admin or finance)."""
    await _target(scope, user_id)
    row = await geo.current(data.division_code)
    if (
        row is None
        or row["level"] != _GRANT_LEVEL[data.role]
        or row["county_code"] not in scope.admin_counties
    ):
        raise ValidationFailed(
            errors=[FieldError("division_code", "unknown_division", {"code": data.division_code})]
        )
    if await RoleGrant.exists().where(
        RoleGrant.account == user_id, RoleGrant.role == data.role,
        RoleGrant.division_code == data.division_code,
    ):
        raise ValidationFailed(errors=[FieldError("role", "already_granted")])
    grant_id = new_id()
    async with write_transaction(RoleGrant._meta.db):
        await RoleGrant.insert(
            RoleGrant(id=grant_id, account=user_id, role=data.role,
                      division_code=data.division_code, county_code=row["county_code"])
        )
        await audit.record(
            ctx, "accounts.role_granted", "user", user_id, county_code=row["county_code"],
            after={"grant_id": str(grant_id), "role": data.role,
                   "division_code": data.division_code},
        )
    return await _person(scope, user_id)


async def revoke_role(
    ctx: RequestContext, scope: Scope, user_id: uuid.UUID, grant_id: uuid.UUID
) -> PersonOut:
    """Take a role back; a county never loses its last active admin."""
    await _target(scope, user_id)
    grant = await RoleGrant.select().where(
        RoleGrant.id == grant_id, RoleGrant.account == user_id
    ).first()
    if grant is None or grant["county_code"] not in scope.admin_counties:
        raise NotFound()
    if grant["role"] == "county_admin":
        await _check_not_last_admin(user_id, [grant["division_code"]])
    async with write_transaction(RoleGrant._meta.db):
        await RoleGrant.delete().where(RoleGrant.id == grant_id)
        await audit.record(
            ctx, "accounts.role_revoked", "user", user_id, county_code=grant["county_code"],
            before={"grant_id": str(grant_id), "role": grant["role"],
                    "division_code": grant["division_code"]},
        )
    return await _person(scope, user_id)
