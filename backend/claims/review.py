"""A claim's transitions: submit, the reviewers' and finance's steps, bulk approval, corrections.

The state table is in ``claims/rules.py``.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from backend.claims import amounts, queries, records, rules, travel
from backend.claims.messages import Kinds, Notices, Verdicts
from backend.claims.records import ClaimRow
from backend.claims.schemas import BulkItem, BulkOut, BulkResult, ClaimOut
from backend.claims.tables import Claim
from backend.core.cache import RequestCache
from backend.core.canonical import loads
from backend.core.clock import utc_now
from backend.core.context import RequestContext
from backend.core.db import present, write_transaction
from backend.core.errors import (
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    ValidationFailed,
)
from backend.core.formats import date_label, money, month_label
from backend.core.ids import new_id
from backend.core.problems import problem_text
from backend.core.scope import Scope
from backend.evidence import services as evidence
from backend.notify.services import Notice, notify
from backend.policy import services as policy
from backend.sync.services import allocate_seqs

if TYPE_CHECKING:

    from backend.core.i18n import Lang
    from backend.core.scope import Actor

__all__ = ["act", "bulk_approve", "correct", "parties", "submit"]


# --- transitions -------------------------------------------------------------------------------


def parties(scope: Scope, row: ClaimRow) -> frozenset[str]:
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


def _target(scope: Scope, row: ClaimRow, action: str) -> str:
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




def _review_notice(
    row: ClaimRow, to_state: str, reason: str | None, ref: str | None
) -> Notice:
    kind = Kinds.entries()[row["kind"]]
    trip = row["date"]  # a travel claim's (its prepare requires it); a subsidy has none
    what = date_label(trip) if row["kind"] != "subsidy" and trip else month_label(row["month"])
    verdict = Verdicts.entries()[to_state]
    amount = money(row["payable_fen"])
    if reason:
        body = Notices.reason.fill(reason=reason)
    elif ref:
        body = Notices.paid_amount.fill(amount=amount, ref=ref)
    else:
        body = Notices.amount.fill(amount=amount)
    title = Notices.reviewed.fill(
        kind_zh=kind.zh, kind_en=kind.en, what_zh=what[0], what_en=what[1],
        verdict_zh=verdict.zh, verdict_en=verdict.en,
    )
    return records.owner_notice(row, f"claim.{to_state}", title, body)


async def _trip_cap(row: ClaimRow, cache: RequestCache) -> None:
    """At most N round trips a month (a county setting); corrections restate a trip."""
    pol = await policy.cached_policy(cache, row["county_code"], row["month"].year)
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
    row = await queries.visible(actor.scope, claim_id)
    _target(actor.scope, row, "submit")
    engine = Claim._meta.db
    async with write_transaction(engine):
        # The change counter stays locked until commit: every writer of synced data queues
        # behind it, so the trip count below cannot race another submission.
        [seq] = await allocate_seqs(engine, 1)
        row = present(records.claim_row(await Claim.select().where(Claim.id == claim_id).first()))
        if row["version"] != version:
            raise Conflict()
        to_state = _target(actor.scope, row, "submit")
        cache = RequestCache()
        if row["kind"] == "travel" and row["corrects_id"] is None:
            await _trip_cap(row, cache)
        computed = await amounts.computed(
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
        await records.audit_step(
            ctx,
            row | computed,
            "submit",
            row["state"],
            to_state,
            policy_version=computed["policy_version"],
        )
    return await queries.read_claim(actor.scope, claim_id)


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
    row = await queries.visible(actor.scope, claim_id)
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
        await records.audit_step(ctx, row, action, row["state"], to_state, reason, **extra)
        await notify(_review_notice(row, to_state, reason, payment_reference))
    return await queries.read_claim(actor.scope, claim_id)


async def bulk_approve(
    ctx: RequestContext, actor: Actor, items: list[BulkItem], lang: Lang
) -> BulkOut:
    """Approve clean claims (no verification flags) one by one; an answer per claim."""
    results = []
    for it in items:
        try:
            row = await queries.visible(actor.scope, it.id)
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
    row = await queries.visible(actor.scope, claim_id)
    if row["owner_id"] != actor.user_id:
        raise Forbidden()
    if row["state"] not in rules.CORRECTABLE:
        raise Conflict("wrong_state")
    values: dict[str, Any] = {
        "kind": row["kind"],
        "township_code": row["township_code"],
        "month": row["month"],
        "date": row["date"],
        "mode": row["mode"],
        "fare_fen": row["fare_fen"],
        "road_m": row["road_m"],
        "note": row["note"],
        "sheet_id": row["sheet_id"],
        "village_days": row["village_days"],
        "evidence": loads(row["evidence"]) or [],
        "corrects_id": row["id"],
    }
    cache = RequestCache()
    values |= await amounts.computed(
        row["owner_id"], row["village_code"], row["county_code"], values, cache
    )
    engine = Claim._meta.db
    new = new_id()
    async with write_transaction(engine):
        [seq] = await allocate_seqs(engine, 1)
        done = await records.insert_draft(new, row, seq, values)
        if not done:
            raise Conflict("already_corrected")
        created = present(records.claim_row(await Claim.select().where(Claim.id == new).first()))
        if values["evidence"]:
            await evidence.replace_links(
                travel.LINK_KIND,
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
        await records.audit_step(ctx, created, "drafted", None, "draft", corrects_id=str(row["id"]))
    return await queries.read_claim(actor.scope, new)
