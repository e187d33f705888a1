"""Claim rules over the database: drafting, the sync kinds, review, corrections.

The pure rules (state table, amounts, flags, coverage) are in ``claims/rules.py``; insurance
is in ``claims/insurance.py`` and the finance exports in ``claims/exports.py``.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import TYPE_CHECKING, Any

from piccolo.columns.combination import And, Or, WhereRaw

from backend.accounts import posted
from backend.accounts import services as accounts
from backend.audit import services as audit
from backend.claims import rules
from backend.claims.schemas import (
    BulkItem,
    BulkOut,
    BulkResult,
    ClaimEventOut,
    ClaimOut,
    EvidenceOut,
    FlagOut,
    TravelClaimData,
)
from backend.claims.tables import Claim
from backend.core.canonical import loads, wire
from backend.core.clock import local_date, utc_now
from backend.core.context import RequestContext
from backend.core.db import write_transaction
from backend.core.errors import (
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from backend.core.formats import date_label, money, month_label
from backend.core.ids import new_id
from backend.core.money import fen_to_yuan
from backend.core.problems import problem_text
from backend.core.scope import Scope
from backend.core.validation import parse
from backend.evidence import services as evidence
from backend.geo import services as geo
from backend.geo.coords import distance_m
from backend.notify.services import Notice, notify
from backend.policy import services as policy
from backend.sync.registry import Prepared
from backend.sync.services import allocate_seqs

if TYPE_CHECKING:
    from piccolo.columns.combination import Combinable

    from backend.core.i18n import Lang
    from backend.core.scope import Actor

__all__ = [
    "act",
    "bulk_approve",
    "claim_history",
    "claim_pull_where",
    "claim_queue",
    "claim_wire",
    "claims_out",
    "correct",
    "draft_subsidy",
    "enrich_travel_claims",
    "my_claims",
    "nothing",
    "parties",
    "prepare_travel_claim",
    "read_claim",
    "submit",
    "travel_claim_locked",
    "village_claim_totals",
    "write_travel_links",
]

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
#: A trip may be dated at most this far after today (Asia/Shanghai): clocks differ.
_FUTURE_SLACK = dt.timedelta(days=1)
#: The wire name of claims in evidence links; evidence lets county finance see photos of
#: records whose kind ends in "claim".
LINK_KIND = "travel_claim"
_KIND_LABEL = {"subsidy": ("生活补贴", "living subsidy"), "travel": ("往返交通费", "travel")}


# --- wire form ---------------------------------------------------------------------------------


def claim_wire(row: dict[str, Any]) -> dict[str, Any]:
    """The ``data`` of sync kinds ``claim`` (pull) and ``travel_claim`` (a conflict's copy)."""
    return {
        "type": row["kind"],
        "state": row["state"],
        "village_code": row["village_code"],
        "township_code": row["township_code"],
        "month": row["month"].strftime("%Y-%m"),
        "date": wire(row["date"]),
        "mode": row["mode"],
        "fare_fen": row["fare_fen"],
        "road_km": row["road_m"] / 1000 if row["road_m"] is not None else None,
        "note": row["note"],
        "evidence": loads(row["evidence"]) or [],
        "corrects_id": wire(row["corrects_id"]),
        "village_days": row["village_days"],
        "sheet_id": wire(row["sheet_id"]),
        "policy_version": row["policy_version"],
        "rate_fen": row["rate_fen"],
        "geodesic_km": row["geodesic_m"] / 1000 if row["geodesic_m"] is not None else None,
        "amount_fen": row["amount_fen"],
        "amount_yuan": fen_to_yuan(row["amount_fen"]),
        "payable_fen": row["payable_fen"],
        "flags": loads(row["flags"]) or [],
        "reason": row["reason"],
        "payment_reference": row["payment_reference"],
        "submitted_at": wire(row["submitted_at"]),
        "paid_at": wire(row["paid_at"]),
        "cadre_id": str(row["owner_id"]),
    }


def claim_pull_where(scope: Scope) -> Combinable:
    """Pull: the owner gets every state of their claims; reviewers and finance of the claim's
    township or county get it once submitted (a draft is the cadre's own until then)."""
    return And(
        scope.where(
            village=Claim.village_code,
            county=Claim.county_code,
            owner=Claim.owner_id,
            finance=True,
        ),
        Or(Claim.owner_id == scope.user_id, Claim.state != "draft"),
    )


def nothing(scope: Scope) -> Combinable:
    """Travel claims come back by pull as kind ``claim``, with every other claim."""
    return WhereRaw("1 = 0")


# --- computing a claim ---------------------------------------------------------------------------


async def _postings(owner: uuid.UUID, cache: dict[str, Any]) -> list[Any]:
    key = ("postings", owner)
    if key not in cache:
        # A bare scope of the owner reads exactly the owner's postings.
        cache[key] = await accounts.list_postings(Scope(user_id=owner))
    return cache[key]


async def _posting_on(
    owner: uuid.UUID, village_code: str, on: dt.date, cache: dict[str, Any]
) -> Any | None:
    """The owner's posting to the village that covers the day (the latest one)."""
    found = [
        p
        for p in await _postings(owner, cache)
        if p.cadre_id == owner
        and p.village_code == village_code
        and p.start_date <= on
        and (p.end_date is None or p.end_date >= on)
    ]
    return max(found, key=lambda p: p.start_date) if found else None


async def _policy(county_code: str, year: int, cache: dict[str, Any]) -> policy.Policy:
    key = ("policy", county_code, year)
    if key not in cache:
        cache[key] = await policy.policy_for(county_code, year)
    return cache[key]


async def _village(code: str, cache: dict[str, Any]) -> geo.VillageInfo | None:
    key = ("village", code)
    if key not in cache:
        cache[key] = (await geo.villages({code})).get(code)
    return cache[key]


async def _geodesic_m(
    owner: uuid.UUID, village_code: str, on: dt.date, cache: dict[str, Any]
) -> int | None:
    """Metres between the dispatching unit and the village's fence centre (WGS-84)."""
    posting = await _posting_on(owner, village_code, on, cache)
    village = await _village(village_code, cache)
    if posting is None or posting.unit_lat is None or posting.unit_lon is None:
        return None
    if village is None or village.center is None:
        return None
    return round(distance_m((posting.unit_lat, posting.unit_lon), village.center))


async def _computed(
    owner: uuid.UUID,
    village_code: str,
    county_code: str,
    values: dict[str, Any],
    cache: dict[str, Any],
) -> dict[str, Any]:
    """What the server derives from a claim's inputs with the policy in force."""
    on = values.get("date") or values["month"]
    pol = await _policy(county_code, on.year, cache)
    if values["kind"] == "subsidy":
        rate = pol.subsidy_daily_fen
        amount = rules.subsidy_amount_fen(values["village_days"], rate)
        out = {"rate_fen": rate, "road_factor_x100": None, "geodesic_m": None, "flags": []}
    else:
        rate = pol.car_fen_per_km if values["mode"] == "car" else 0
        geodesic = await _geodesic_m(owner, village_code, values["date"], cache)
        amount = rules.travel_amount_fen(
            values["mode"], fare_fen=values["fare_fen"], road_m=values["road_m"], fen_per_km=rate
        )
        out = {
            "rate_fen": rate,
            "road_factor_x100": pol.road_factor_x100,
            "geodesic_m": geodesic,
            "flags": rules.travel_flags(
                values["mode"], values["road_m"], geodesic, pol.road_factor_x100
            ),
        }
    corrected = 0
    if values.get("corrects_id"):
        original = (
            await Claim.select(Claim.amount_fen).where(Claim.id == values["corrects_id"]).first()
        )
        corrected = original["amount_fen"] if original else 0
    return out | {
        "policy_version": pol.version,
        "amount_fen": amount,
        "payable_fen": amount - corrected,
    }


# --- the sync kind travel_claim ------------------------------------------------------------------


async def _own_village(actor: Actor, code: str) -> geo.VillageInfo:
    if code not in actor.scope.own_villages:
        raise ValidationFailed(errors=[FieldError("village_code", "out_of_scope")])
    village = await _village(code, actor.extras)
    if village is None:
        raise ValidationFailed(errors=[FieldError("village_code", "unknown_division")])
    return village


async def _correctable(owner: uuid.UUID, claim_id: uuid.UUID, kind: str) -> str | None:
    """Why ``claim_id`` cannot be corrected by ``owner``, or None."""
    row = (
        await Claim.select(Claim.kind, Claim.state)
        .where(Claim.id == claim_id, Claim.owner_id == owner)
        .first()
    )
    if row is None or row["kind"] != kind:
        return "not_found"
    return None if row["state"] in rules.CORRECTABLE else "wrong_state"


def _mode_errors(trip: TravelClaimData) -> list[FieldError]:
    if trip.mode == "public":
        wanted, unwanted = ("fare_fen", trip.fare_fen), ("road_km", trip.road_km)
    else:
        wanted, unwanted = ("road_km", trip.road_km), ("fare_fen", trip.fare_fen)
    errors = []
    if wanted[1] is None:
        errors.append(FieldError(wanted[0], "required"))
    if unwanted[1] is not None:
        errors.append(FieldError(unwanted[0], "not_allowed"))
    return errors


async def prepare_travel_claim(actor: Actor, data: dict[str, Any]) -> Prepared:
    """Validate a pushed ``travel_claim``. Receipt photos are optional, always."""
    trip = parse(TravelClaimData, data)
    village = await _own_village(actor, trip.village_code)
    errors = _mode_errors(trip)
    if trip.date > local_date() + _FUTURE_SLACK:
        errors.append(FieldError("date", "too_large"))
    else:
        errors += await posted.outside_posting(actor, village.code, {"date": trip.date})
    if any(not _SHA256.match(h) for h in trip.evidence):
        errors.append(FieldError("evidence", "invalid"))
    if trip.corrects_id is not None:
        why = await _correctable(actor.user_id, trip.corrects_id, "travel")
        if why:
            errors.append(FieldError("corrects_id", why))
    if errors:
        raise ValidationFailed(errors=errors)
    return Prepared(
        {
            "kind": "travel",
            "township_code": village.township_code,
            "month": trip.date.replace(day=1),
            "date": trip.date,
            "mode": trip.mode,
            "fare_fen": trip.fare_fen,
            "road_m": rules.road_km_to_m(trip.road_km) if trip.road_km is not None else None,
            "note": trip.note,
            "evidence": list(dict.fromkeys(trip.evidence)),
            "corrects_id": trip.corrects_id,
        },
        village.code,
        village.county_code,
    )


def travel_claim_locked(row: dict[str, Any]) -> str | None:
    """The owner edits a travel claim only while it is a draft or returned to them."""
    if row["kind"] != "travel" or row["state"] not in rules.EDITABLE:
        return "locked"
    return None


async def enrich_travel_claims(items: list[tuple[uuid.UUID, uuid.UUID, Prepared]]) -> None:
    """Amounts, distance and flags of the trips about to be written (in the push transaction)."""
    cache: dict[str, Any] = {}
    for _id, owner, prepared in items:
        prepared.values.update(
            await _computed(
                owner, prepared.village_code, prepared.county_code, prepared.values, cache
            )
        )


async def write_travel_links(actor: Actor, rows: list[dict[str, Any]]) -> None:
    """After a push: photo links become what the claims name; new drafts are audited."""
    await evidence.replace_links(
        LINK_KIND,
        [
            (r["id"], r["owner_id"], r["village_code"], r["county_code"], loads(r["evidence"]))
            for r in rows
        ],
    )
    ctx = RequestContext(user_id=actor.user_id, request_id=actor.request_id, ip=actor.ip)
    for r in rows:
        if r["version"] == 1:
            await _audit(ctx, r, "drafted", None, "draft")


# --- the living subsidy, drafted when the township confirms a month -----------------------------


async def _insert_draft(claim_id: uuid.UUID, owner_row: dict[str, Any], seq: int,
                        values: dict[str, Any]) -> list[dict[str, Any]]:
    """A draft claim the server makes (a subsidy, a correction); [] when the database's
    uniqueness says it exists already."""
    now = utc_now()
    return await Claim.insert(Claim(
        id=claim_id, owner_id=owner_row["owner_id"], village_code=owner_row["village_code"],
        county_code=owner_row["county_code"], version=1, seq=seq, content_hash="",
        state="draft", created_at=now, updated_at=now, **values,
    )).on_conflict(action="DO NOTHING").returning(Claim.id)


async def draft_subsidy(ctx: RequestContext, sheet: dict[str, Any]) -> None:
    """The township confirmed a cadre's month: draft its living subsidy claim from the confirmed
    village days and the rate in force, once (unique per cadre and month). Runs inside the
    confirming transaction, so both happen or neither."""
    cache: dict[str, Any] = {}
    village = await _village(sheet["village_code"], cache)
    values: dict[str, Any] = {
        "kind": "subsidy",
        "township_code": village.township_code if village else sheet["village_code"][:9],
        "month": sheet["month"],
        "sheet_id": sheet["id"],
        "village_days": sheet["village_days"],
        "note": "",
        "evidence": [],
    }
    values |= await _computed(
        sheet["owner_id"], sheet["village_code"], sheet["county_code"], values, cache
    )
    engine = Claim._meta.db
    [seq] = await allocate_seqs(engine, 1)
    claim_id = new_id()
    done = await _insert_draft(claim_id, sheet, seq, values)
    if not done:
        return
    row = await Claim.select().where(Claim.id == claim_id).first()
    await _audit(ctx, row, "drafted", None, "draft")
    month = month_label(sheet["month"])
    days = sheet["village_days"]
    amount = money(row["amount_fen"])
    await notify(
        _notice(
            row,
            "claim.drafted",
            (f"{month[0]}生活补贴待提交", f"Living subsidy for {month[1]} ready to submit"),
            (
                f"确认驻村 {days} 天，金额 {amount}",
                f"{days} {'day' if days == 1 else 'days'} confirmed, {amount}",
            ),
        )
    )


# --- reading -----------------------------------------------------------------------------------


def _sees(scope: Scope, row: dict[str, Any]) -> bool:
    if row["owner_id"] == scope.user_id:
        return True
    return row["state"] != "draft" and scope.sees_record(
        None, row["village_code"], row["county_code"], finance=True
    )


async def _visible(scope: Scope, claim_id: uuid.UUID) -> dict[str, Any]:
    row = await Claim.select().where(Claim.id == claim_id).first()
    if row is None or not _sees(scope, row):
        raise NotFound()
    return row


async def claims_out(rows: list[dict[str, Any]]) -> list[ClaimOut]:
    """Claims with names, evidence thumbnails and flags, by township, village, name and date."""
    names = await accounts.user_names({r["owner_id"] for r in rows})
    hashes = sorted({h for r in rows for h in loads(r["evidence"]) or []})
    stored = {f.sha256 for f in await evidence.photo_facts(hashes)}
    out = []
    for r in rows:
        factor = r["road_factor_x100"]
        out.append(
            ClaimOut(
                id=r["id"],
                type=r["kind"],
                state=r["state"],
                version=r["version"],
                cadre_id=r["owner_id"],
                cadre_name=names.get(r["owner_id"], ""),
                village_code=r["village_code"],
                township_code=r["township_code"],
                county_code=r["county_code"],
                month=r["month"].strftime("%Y-%m"),
                date=r["date"],
                mode=r["mode"],
                fare_fen=r["fare_fen"],
                road_km=r["road_m"] / 1000 if r["road_m"] is not None else None,
                note=r["note"],
                village_days=r["village_days"],
                sheet_id=r["sheet_id"],
                policy_version=r["policy_version"],
                rate_fen=r["rate_fen"],
                road_factor=factor / 100 if factor is not None else None,
                geodesic_km=round(r["geodesic_m"] / 1000, 3)
                if r["geodesic_m"] is not None
                else None,
                amount_fen=r["amount_fen"],
                amount_yuan=fen_to_yuan(r["amount_fen"]),
                payable_fen=r["payable_fen"],
                payable_yuan=fen_to_yuan(r["payable_fen"]),
                flags=[FlagOut(**f) for f in loads(r["flags"]) or []],
                evidence=[
                    EvidenceOut(
                        sha256=h,
                        uploaded=h in stored,
                        thumb_url=f"/api/evidence/{h}/thumb",
                        display_url=f"/api/evidence/{h}/display",
                    )
                    for h in loads(r["evidence"]) or []
                ],
                corrects_id=r["corrects_id"],
                reason=r["reason"],
                payment_reference=r["payment_reference"],
                submitted_at=r["submitted_at"],
                township_approved_at=r["township_at"],
                county_approved_at=r["county_at"],
                paid_at=r["paid_at"],
            )
        )
    return sorted(
        out,
        key=lambda c: (
            c.township_code,
            c.village_code,
            c.cadre_name,
            c.month,
            c.date or dt.date.min,
        ),
    )


async def read_claim(scope: Scope, claim_id: uuid.UUID) -> ClaimOut:
    return (await claims_out([await _visible(scope, claim_id)]))[0]


def _filtered(query: Any, state: str | None, month: dt.date | None, kind: str | None) -> Any:
    if state:
        query = query.where(Claim.state == state)
    if month:
        query = query.where(Claim.month == month)
    if kind:
        query = query.where(Claim.kind == kind)
    return query


async def claim_queue(
    scope: Scope,
    state: str | None,
    month: dt.date | None,
    kind: str | None,
    township: str | None,
) -> list[ClaimOut]:
    """Claims the caller reviews or pays (never their own, never drafts)."""
    query = Claim.select().where(
        scope.where(village=Claim.village_code, county=Claim.county_code, finance=True),
        Claim.owner_id != scope.user_id,
        Claim.state != "draft",
    )
    if township:
        query = query.where(Claim.township_code == township)
    return await claims_out(await _filtered(query, state, month, kind))


async def my_claims(
    scope: Scope, state: str | None, month: dt.date | None, kind: str | None
) -> list[ClaimOut]:
    query = Claim.select().where(Claim.owner_id == scope.user_id)
    return await claims_out(await _filtered(query, state, month, kind))


async def claim_history(scope: Scope, claim_id: uuid.UUID) -> list[ClaimEventOut]:
    """Every transition of a claim, oldest first: who, when, from, to, why."""
    row = await _visible(scope, claim_id)
    events = await audit.list_events(frozenset({row["county_code"]}), "claim", str(claim_id), 1000)
    names = await accounts.user_names({e["actor_id"] for e in events if e["actor_id"]})
    out = []
    for e in reversed(events):
        before, after = loads(e["before"]) or {}, loads(e["after"]) or {}
        out.append(
            ClaimEventOut(
                at=e["at"],
                actor_id=e["actor_id"],
                actor_name=names.get(e["actor_id"], ""),
                action=e["action"],
                from_state=before.get("state"),
                to_state=after.get("state"),
                reason=e["reason"],
            )
        )
    return out


# --- transitions -------------------------------------------------------------------------------


def parties(scope: Scope, row: dict[str, Any]) -> frozenset[str]:
    """The caller's relations to a claim: owner, township (reviewer), county (admin), finance."""
    out = set()
    if row["owner_id"] == scope.user_id:
        out.add("owner")
    if row["village_code"] in scope.review_villages:
        out.add("township")
    if row["county_code"] in scope.admin_counties:
        out.add("county")
    if row["county_code"] in scope.finance_counties:
        out.add("finance")
    return frozenset(out)


def _target(scope: Scope, row: dict[str, Any], action: str) -> str:
    """The state ``action`` leads to, or the error: 403 when it is not the caller's to take,
    409 when the claim's state has no such arrow."""
    roles = parties(scope, row)
    if "owner" in roles and action in rules.REVIEW_ACTIONS:
        raise Forbidden("own_record")
    if not rules.may_ever(action, roles):
        raise Forbidden()
    to_state = rules.allowed(row["state"], action, roles)
    if to_state is None:
        if (row["state"], action) in rules.TRANSITIONS:
            raise Forbidden()  # another party's step
        raise Conflict("wrong_state")
    if (
        action == "approve"
        and row["state"] == "township_approved"
        and row["township_by"] == scope.user_id
    ):
        raise Forbidden("same_reviewer")
    return to_state


async def _audit(
    ctx: RequestContext,
    row: dict[str, Any],
    action: str,
    from_state: str | None,
    to_state: str,
    reason: str | None = None,
    **extra: Any,
) -> None:
    await audit.record(
        ctx,
        f"claim.{action}",
        "claim",
        row["id"],
        county_code=row["county_code"],
        before={"state": from_state},
        after={
            "state": to_state,
            "type": row["kind"],
            "amount_fen": row["amount_fen"],
            "payable_fen": row["payable_fen"],
            **extra,
        },
        reason=reason,
    )


def _notice(
    row: dict[str, Any], event: str, title: tuple[str, str], body: tuple[str, str]
) -> Notice:
    return Notice(
        recipient_id=row["owner_id"],
        event=event,
        title=title,
        body=body,
        link=f"#/claims/{row['id']}",
        object_kind="claim",
        object_id=str(row["id"]),
        village_code=row["village_code"],
        county_code=row["county_code"],
    )


_VERDICTS = {
    "township_approved": ("乡镇已审核", "approved by the township"),
    "county_approved": ("县已审核", "approved by the county"),
    "returned": ("被退回", "returned"),
    "rejected": ("不予受理", "rejected"),
    "paid": ("已支付", "paid"),
}


def _review_notice(
    row: dict[str, Any], to_state: str, reason: str | None, ref: str | None
) -> Notice:
    label = _KIND_LABEL[row["kind"]]
    what = month_label(row["month"]) if row["kind"] == "subsidy" else date_label(row["date"])
    verdict = _VERDICTS[to_state]
    amount = money(row["payable_fen"])
    if reason:
        body = (f"原因：{reason}", f"Reason: {reason}")
    elif ref:
        body = (f"金额 {amount}，支付凭证号 {ref}", f"{amount}, payment reference {ref}")
    else:
        body = (f"金额 {amount}", amount)
    return _notice(
        row,
        f"claim.{to_state}",
        (f"{label[0]} {what[0]} {verdict[0]}", f"{label[1].capitalize()} {what[1]} {verdict[1]}"),
        body,
    )


async def _trip_cap(row: dict[str, Any], cache: dict[str, Any]) -> None:
    """At most N round trips a month (a county setting); corrections restate a trip."""
    pol = await _policy(row["county_code"], row["month"].year, cache)
    counted = await Claim.count().where(
        Claim.owner_id == row["owner_id"],
        Claim.kind == "travel",
        Claim.month == row["month"],
        Claim.corrects_id.is_null(),
        Claim.state.is_in(sorted(rules.TRIP_COUNTED)),
        Claim.id != row["id"],
    )
    if counted >= pol.round_trips_per_month:
        n = pol.round_trips_per_month
        raise ValidationFailed(
            "trip_cap", errors=[FieldError("date", "trip_cap", {"max": n})], max=n
        )


async def submit(ctx: RequestContext, actor: Actor, claim_id: uuid.UUID, version: int) -> ClaimOut:
    """The cadre submits a draft or returned claim with one action. Its amount is computed
    again with the policy in force now and then frozen for the review."""
    row = await _visible(actor.scope, claim_id)
    _target(actor.scope, row, "submit")
    engine = Claim._meta.db
    async with write_transaction(engine):
        # The change counter stays locked until commit: every writer of synced data queues
        # behind it, so the trip count below cannot race another submission.
        [seq] = await allocate_seqs(engine, 1)
        row = await Claim.select().where(Claim.id == claim_id).first()
        if row["version"] != version:
            raise Conflict()
        to_state = _target(actor.scope, row, "submit")
        cache: dict[str, Any] = {}
        if row["kind"] == "travel" and row["corrects_id"] is None:
            await _trip_cap(row, cache)
        computed = await _computed(
            row["owner_id"], row["village_code"], row["county_code"], row, cache
        )
        now = utc_now()
        done = (
            await Claim.update(
                {
                    **{getattr(Claim, k): v for k, v in computed.items()},
                    Claim.state: to_state,
                    Claim.reason: None,
                    Claim.submitted_at: now,
                    Claim.version: Claim.version + 1,
                    Claim.seq: seq,
                    Claim.updated_at: now,
                }
            )
            .where(Claim.id == claim_id, Claim.version == version, Claim.state == row["state"])
            .returning(Claim.id)
        )
        if not done:
            raise Conflict()
        await _audit(
            ctx,
            row | computed,
            "submit",
            row["state"],
            to_state,
            policy_version=computed["policy_version"],
        )
    return await read_claim(actor.scope, claim_id)


async def act(
    ctx: RequestContext,
    actor: Actor,
    claim_id: uuid.UUID,
    action: str,
    version: int,
    *,
    reason: str | None = None,
    payment_reference: str | None = None,
) -> ClaimOut:
    """A reviewer's or finance's step: approve, return, reject (with a reason) or pay (with a
    payment reference). Exactly one of two concurrent steps on a claim wins; the other: 409."""
    row = await _visible(actor.scope, claim_id)
    to_state = _target(actor.scope, row, action)
    if row["version"] != version:
        raise Conflict()
    now = utc_now()
    values: dict[Any, Any] = {Claim.state: to_state}
    if to_state == "township_approved":
        values |= {Claim.township_by: actor.user_id, Claim.township_at: now}
    elif to_state == "county_approved":
        values |= {Claim.county_by: actor.user_id, Claim.county_at: now}
    elif to_state == "paid":
        values |= {
            Claim.paid_by: actor.user_id,
            Claim.paid_at: now,
            Claim.payment_reference: payment_reference,
        }
    else:  # returned or rejected: with a reason; a returned claim is reviewed again from the start
        values |= {
            Claim.reason: reason,
            Claim.decided_by: actor.user_id,
            Claim.decided_at: now,
            Claim.township_by: None,
            Claim.township_at: None,
        }
    engine = Claim._meta.db
    async with write_transaction(engine):
        [seq] = await allocate_seqs(engine, 1)
        done = (
            await Claim.update(
                {**values, Claim.version: Claim.version + 1, Claim.seq: seq, Claim.updated_at: now}
            )
            .where(Claim.id == claim_id, Claim.version == version, Claim.state == row["state"])
            .returning(Claim.id)
        )
        if not done:
            raise Conflict()
        extra = {"payment_reference": payment_reference} if payment_reference else {}
        await _audit(ctx, row, action, row["state"], to_state, reason, **extra)
        await notify(_review_notice(row, to_state, reason, payment_reference))
    return await read_claim(actor.scope, claim_id)


async def bulk_approve(
    ctx: RequestContext, actor: Actor, items: list[BulkItem], lang: Lang
) -> BulkOut:
    """Approve clean claims (no verification flags) one by one; an answer per claim."""
    results = []
    for it in items:
        try:
            row = await _visible(actor.scope, it.id)
            _target(actor.scope, row, "approve")  # a claim not awaiting approval: wrong_state
            if loads(row["flags"]):
                raise Conflict("has_flags")
            out = await act(ctx, actor, it.id, "approve", it.version)
            results.append(
                BulkResult(id=it.id, status="approved", state=out.state, version=out.version)
            )
        except DomainError as exc:
            results.append(
                BulkResult(
                    id=it.id,
                    status="refused",
                    code=exc.code,
                    message=problem_text(exc.code, lang, **exc.params),
                )
            )
    return BulkOut(results=results)


async def correct(ctx: RequestContext, actor: Actor, claim_id: uuid.UUID) -> ClaimOut:
    """A correction of an approved (locked) claim: a new draft that refers to it, copying its
    inputs; the cadre edits a travel correction by sync and submits it. At most one live
    correction per claim (a unique index)."""
    row = await _visible(actor.scope, claim_id)
    if row["owner_id"] != actor.user_id:
        raise Forbidden()
    if row["state"] not in rules.CORRECTABLE:
        raise Conflict("wrong_state")
    inputs = (
        "kind",
        "township_code",
        "month",
        "date",
        "mode",
        "fare_fen",
        "road_m",
        "note",
        "sheet_id",
        "village_days",
    )
    values = {k: row[k] for k in inputs} | {
        "evidence": loads(row["evidence"]) or [],
        "corrects_id": row["id"],
    }
    cache: dict[str, Any] = {}
    values |= await _computed(
        row["owner_id"], row["village_code"], row["county_code"], values, cache
    )
    engine = Claim._meta.db
    new = new_id()
    async with write_transaction(engine):
        [seq] = await allocate_seqs(engine, 1)
        done = await _insert_draft(new, row, seq, values)
        if not done:
            raise Conflict("already_corrected")
        created = await Claim.select().where(Claim.id == new).first()
        if values["evidence"]:
            await evidence.replace_links(
                LINK_KIND,
                [
                    (
                        new,
                        row["owner_id"],
                        row["village_code"],
                        row["county_code"],
                        values["evidence"],
                    )
                ],
            )
        await _audit(ctx, created, "drafted", None, "draft", corrects_id=str(row["id"]))
    return await read_claim(actor.scope, new)


async def village_claim_totals(villages: list[str], month: dt.date,
                               ) -> dict[str, dict[str, tuple[int, int]]]:
    """Per village, per state: (claims, payable fen) of the claims of ``month`` (dashboards)."""
    out: dict[str, dict[str, tuple[int, int]]] = {v: {} for v in villages}
    if not villages:
        return out
    rows = await Claim.select(Claim.village_code, Claim.state, Claim.payable_fen).where(
        Claim.county_code.is_in(sorted({v[:6] for v in villages})), Claim.month == month,
        Claim.deleted.eq(False))
    for r in rows:
        if r["village_code"] in out:
            count, fen = out[r["village_code"]].get(r["state"], (0, 0))
            out[r["village_code"]][r["state"]] = (count + 1, fen + int(r["payable_fen"]))
    return out
