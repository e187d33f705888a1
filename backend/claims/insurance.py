"""Accident insurance (人身意外保险): policies imported by the county, the cadres whose posting
is not covered on some day, and incident reports forwarded to the insurer."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any, TypedDict

from piccolo.columns.combination import Or

from backend.accounts import posted
from backend.accounts import services as accounts
from backend.audit import services as audit
from backend.claims import queries, rules
from backend.claims.importer import PolicyRow, read_policies
from backend.claims.messages import Notices
from backend.claims.schemas import (
    CoverageGapOut,
    IncidentData,
    IncidentOut,
    InsuranceImportReport,
    InsurancePolicyOut,
    PeriodOut,
)
from backend.claims.tables import Incident, InsurancePolicy
from backend.core.canonical import loads, wire
from backend.core.clock import beyond_tomorrow, utc_now
from backend.core.context import RequestContext
from backend.core.db import present, write_transaction
from backend.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from backend.core.ids import is_sha256, new_id
from backend.core.imports import commit_or_preview, refuse
from backend.core.money import fen_to_yuan
from backend.core.rows import Json, row_as, rows_as
from backend.evidence import services as evidence
from backend.notify.services import Notice, notify
from backend.sync.registry import Prepared, SyncedRow
from backend.sync.services import allocate_seqs

if TYPE_CHECKING:
    from piccolo.columns.combination import Combinable

    from backend.core.scope import Actor, Scope

__all__ = [
    "IncidentRow",
    "InsurancePolicyRow",
    "coverage_gaps",
    "enrich_incidents",
    "forward_incident",
    "import_policies",
    "incident_locked",
    "incident_pull_where",
    "list_incidents",
    "list_policies",
    "prepare_incident",
    "write_incident_links",
]

LINK_KIND = "insurance_incident"


class InsurancePolicyRow(TypedDict):
    """An ``InsurancePolicy`` as ``InsurancePolicy.select()`` returns it."""

    id: uuid.UUID
    cadre_id: uuid.UUID
    village_code: str
    county_code: str
    insurer: str
    policy_number: str
    sum_insured_fen: int
    start_date: dt.date
    end_date: dt.date
    imported_by: uuid.UUID | None
    imported_at: dt.datetime


class IncidentRow(SyncedRow):
    """An ``Incident`` as ``Incident.select()`` returns it."""

    accident_date: dt.date
    description: str
    evidence: Json
    state: str
    policy_id: uuid.UUID | None
    forwarded_by: uuid.UUID | None
    forwarded_at: dt.datetime | None
    forward_note: str | None


# --- policies ----------------------------------------------------------------------------------


def _policy_out(r: InsurancePolicyRow, names: dict[uuid.UUID, str]) -> InsurancePolicyOut:
    return InsurancePolicyOut(
        id=r["id"],
        cadre_id=r["cadre_id"],
        cadre_name=names.get(r["cadre_id"], ""),
        village_code=r["village_code"],
        insurer=r["insurer"],
        policy_number=r["policy_number"],
        sum_insured_fen=r["sum_insured_fen"],
        sum_insured_yuan=fen_to_yuan(r["sum_insured_fen"]),
        start_date=r["start_date"],
        end_date=r["end_date"],
    )


async def list_policies(scope: Scope, cadre_id: uuid.UUID | None) -> list[InsurancePolicyOut]:
    """Policies the caller may see (a cadre their own), by village, name and start."""
    query = InsurancePolicy.select().where(
        scope.where(
            village=InsurancePolicy.village_code,
            county=InsurancePolicy.county_code,
            owner=InsurancePolicy.cadre_id,
        )
    )
    if cadre_id:
        query = query.where(InsurancePolicy.cadre_id == cadre_id)
    rows = rows_as(InsurancePolicyRow, await query)
    names = await accounts.user_names({r["cadre_id"] for r in rows})
    out = [_policy_out(r, names) for r in rows]
    return sorted(out, key=lambda p: (p.village_code, p.cadre_name, p.start_date))


def _village_for(postings: list[Any], start: dt.date, end: dt.date) -> str:
    """The village of the posting that overlaps the policy most recently, else the latest."""
    overlapping = [
        p for p in postings if p.start_date <= end and (p.end_date is None or p.end_date >= start)
    ]
    return max(overlapping or postings, key=lambda p: p.start_date).village_code


async def import_policies(
    ctx: RequestContext,
    scope: Scope,
    county_code: str,
    data: bytes | str,
    *,
    dry_run: bool = False,
) -> InsuranceImportReport:
    """Import the county's policy records (county admin; CSV or XLSX), all rows or none;
    ``dry_run`` previews the same counts and writes nothing."""
    if county_code not in scope.counties and not any(
        v.startswith(county_code) for v in scope.own_villages | scope.review_villages
    ):
        raise NotFound("unknown_division", code=county_code)
    if county_code not in scope.admin_counties:
        raise Forbidden()
    rows, errors, table = read_policies(data)
    cadres = await accounts.cadres_by_phone(county_code) if rows else {}
    errors += [FieldError("phone", "not_found", row=r.row) for r in rows if r.phone not in cadres]
    refuse(table.named(errors))

    async def apply() -> InsuranceImportReport:
        created = updated = unchanged = 0
        for r in rows:
            outcome = await _upsert_policy(scope, county_code, r, cadres[r.phone])
            created += outcome == "created"
            updated += outcome == "updated"
            unchanged += outcome == "unchanged"
        report = InsuranceImportReport(
            created=created, updated=updated, unchanged=unchanged, rows=len(rows),
            dry_run=dry_run,
        )
        await audit.record(
            ctx,
            "insurance.policies_imported",
            "insurance_import",
            ctx.request_id or "-",
            county_code=county_code,
            after=report.model_dump(),
        )
        return report

    return await commit_or_preview(InsurancePolicy._meta.db, dry_run, apply)


async def _upsert_policy(
    scope: Scope, county_code: str, r: PolicyRow, cadre: tuple[uuid.UUID, list[Any]]
) -> str:
    cadre_id, postings = cadre
    village = _village_for(postings, r.start_date, r.end_date)
    old = (
        await InsurancePolicy.select()
        .where(
            InsurancePolicy.cadre_id == cadre_id,
            InsurancePolicy.insurer == r.insurer,
            InsurancePolicy.policy_number == r.policy_number,
            InsurancePolicy.start_date == r.start_date,
        )
        .first()
    )
    if old is None:
        # A concurrent import of the same row inserts nothing here (the unique index).
        done = (
            await InsurancePolicy.insert(
                InsurancePolicy(
                    id=new_id(),
                    cadre_id=cadre_id,
                    village_code=village,
                    county_code=county_code,
                    insurer=r.insurer,
                    policy_number=r.policy_number,
                    sum_insured_fen=r.sum_insured_fen,
                    start_date=r.start_date,
                    end_date=r.end_date,
                    imported_by=scope.user_id,
                    imported_at=utc_now(),
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(InsurancePolicy.id)
        )
        return "created" if done else "unchanged"
    if (old["sum_insured_fen"], old["end_date"], old["village_code"]) == (
        r.sum_insured_fen,
        r.end_date,
        village,
    ):
        return "unchanged"
    await InsurancePolicy.update(
        {
            InsurancePolicy.sum_insured_fen: r.sum_insured_fen,
            InsurancePolicy.end_date: r.end_date,
            InsurancePolicy.village_code: village,
            InsurancePolicy.imported_by: scope.user_id,
            InsurancePolicy.imported_at: utc_now(),
        }
    ).where(InsurancePolicy.id == old["id"])
    return "updated"


async def coverage_gaps(
    scope: Scope, county_code: str | None, start: dt.date, end: dt.date
) -> list[CoverageGapOut]:
    """Cadres posted in the caller's review scope whose posting is not covered by a policy on
    some day between ``start`` and ``end``, with the uncovered periods; by village and name."""
    if not scope.review_villages and not scope.admin_counties:
        raise Forbidden()
    if end < start:
        raise ValidationFailed(errors=[FieldError("end", "too_small")])
    posted = [
        p
        for p in await accounts.posted_cadres(scope, start, end)
        if county_code is None or p.county_code == county_code
    ]
    ids = sorted({p.cadre_id for p in posted})
    policies = await InsurancePolicy.select(
        InsurancePolicy.cadre_id, InsurancePolicy.start_date, InsurancePolicy.end_date
    ).where(
        InsurancePolicy.cadre_id.is_in(ids or [uuid.UUID(int=0)]),
        InsurancePolicy.start_date <= end,
        InsurancePolicy.end_date >= start,
    )
    cover: dict[uuid.UUID, list[rules.Period]] = {}
    for p in policies:
        cover.setdefault(p["cadre_id"], []).append((p["start_date"], p["end_date"]))
    needed: dict[uuid.UUID, list[rules.Period]] = {}
    latest: dict[uuid.UUID, Any] = {}
    for post in posted:
        needed.setdefault(post.cadre_id, []).append(
            (max(post.start_date, start), min(post.end_date or end, end))
        )
        if post.cadre_id not in latest or post.start_date > latest[post.cadre_id].start_date:
            latest[post.cadre_id] = post
    out = []
    for cadre_id, periods in needed.items():
        gaps = rules.uncovered(periods, cover.get(cadre_id, []))
        if not gaps:
            continue
        spans = [PeriodOut(start=a, end=b, days=(b - a).days + 1) for a, b in gaps]
        out.append(
            CoverageGapOut(
                cadre_id=cadre_id,
                name=latest[cadre_id].name,
                village_code=latest[cadre_id].village_code,
                gaps=spans,
                uncovered_days=sum(s.days for s in spans),
            )
        )
    return sorted(out, key=lambda c: (c.village_code, c.name))


# --- incident reports (sync kind insurance_incident) -------------------------------------------




def incident_pull_where(scope: Scope) -> Combinable:
    return scope.where(
        village=Incident.village_code, county=Incident.county_code, owner=Incident.owner_id
    )


async def prepare_incident(actor: Actor, report: IncidentData) -> Prepared:
    """An accident report from the cadre; document photos optional."""
    village = await posted.own_village(actor, report.village_code)
    errors = []
    if beyond_tomorrow(report.accident_date):
        errors.append(FieldError("accident_date", "too_large"))
    if not all(map(is_sha256, report.evidence)):
        errors.append(FieldError("evidence", "invalid"))
    if errors:
        raise ValidationFailed(errors=errors)
    return Prepared(
        {
            "accident_date": report.accident_date,
            "description": report.description,
            "evidence": list(dict.fromkeys(report.evidence)),
        },
        village.code,
        village.county_code,
    )


def incident_locked(row: IncidentRow) -> str | None:
    return None if row["state"] == "reported" else "locked"


async def _covering_policy(cadre_id: uuid.UUID, on: dt.date) -> InsurancePolicyRow | None:
    return row_as(InsurancePolicyRow, (
        await InsurancePolicy.select()
        .where(
            InsurancePolicy.cadre_id == cadre_id,
            InsurancePolicy.start_date <= on,
            InsurancePolicy.end_date >= on,
        )
        .order_by(InsurancePolicy.start_date, ascending=False)
        .first()
    ))


async def enrich_incidents(items: list[tuple[uuid.UUID, uuid.UUID, Prepared]]) -> None:
    """The policy that covers the accident date, found for the county."""
    for _id, owner, prepared in items:
        found = await _covering_policy(owner, prepared.values["accident_date"])
        prepared.values["policy_id"] = found["id"] if found else None


async def write_incident_links(actor: Actor, rows: list[IncidentRow]) -> None:
    await evidence.link_records(LINK_KIND, rows)
    ctx = RequestContext(user_id=actor.user_id, request_id=actor.request_id, ip=actor.ip)
    for r in rows:
        if r["version"] == 1:
            await audit.record(
                ctx,
                "incident.reported",
                "insurance_incident",
                r["id"],
                county_code=r["county_code"],
                before={"state": None},
                after={"state": "reported", "accident_date": wire(r["accident_date"])},
            )


async def _incidents_out(rows: list[IncidentRow]) -> list[IncidentOut]:
    names = await accounts.user_names({r["owner_id"] for r in rows})
    policy_ids = [r["policy_id"] for r in rows if r["policy_id"]]
    policies: dict[uuid.UUID | None, InsurancePolicyRow] = {
        p["id"]: p
        for p in rows_as(InsurancePolicyRow, await InsurancePolicy.select().where(
            InsurancePolicy.id.is_in(policy_ids or [uuid.UUID(int=0)])
        ))
    }
    hashes = sorted({h for r in rows for h in loads(r["evidence"]) or []})
    stored = {f.sha256 for f in await evidence.photo_facts(hashes)}
    out = []
    for r in rows:
        pol = policies.get(r["policy_id"])
        out.append(
            IncidentOut(
                id=r["id"],
                cadre_id=r["owner_id"],
                cadre_name=names.get(r["owner_id"], ""),
                village_code=r["village_code"],
                accident_date=r["accident_date"],
                description=r["description"],
                evidence=queries.evidence_out(loads(r["evidence"]) or [], stored),
                state=r["state"],
                version=r["version"],
                policy_id=r["policy_id"],
                insurer=pol["insurer"] if pol else None,
                policy_number=pol["policy_number"] if pol else None,
                forwarded_at=r["forwarded_at"],
                forward_note=r["forward_note"],
            )
        )
    return sorted(out, key=lambda i: (i.village_code, i.cadre_name, i.accident_date))


async def list_incidents(scope: Scope, state: str | None) -> list[IncidentOut]:
    query = Incident.select().where(
        Or(incident_pull_where(scope), Incident.owner_id == scope.user_id)
    )
    if state:
        query = query.where(Incident.state == state)
    return await _incidents_out(rows_as(IncidentRow, await query))


async def forward_incident(
    ctx: RequestContext, actor: Actor, incident_id: uuid.UUID, version: int, note: str
) -> IncidentOut:
    """The county marks a report forwarded to the insurer; the cadre hears through the inbox."""
    scope = actor.scope
    row = scope.reviewable(
        row_as(IncidentRow, await Incident.select().where(Incident.id == incident_id).first())
    )
    if row["county_code"] not in scope.admin_counties:
        raise Forbidden()
    engine = Incident._meta.db
    async with write_transaction(engine):
        [seq] = await allocate_seqs(engine, 1)
        now = utc_now()
        done = (
            await Incident.update(
                {
                    Incident.state: "forwarded",
                    Incident.forwarded_by: actor.user_id,
                    Incident.forwarded_at: now,
                    Incident.forward_note: note or None,
                    Incident.version: Incident.version + 1,
                    Incident.seq: seq,
                    Incident.updated_at: now,
                }
            )
            .where(
                Incident.id == incident_id,
                Incident.version == version,
                Incident.state == "reported",
            )
            .returning(Incident.id)
        )
        if not done:
            raise Conflict()
        await audit.record(
            ctx,
            "incident.forwarded",
            "insurance_incident",
            incident_id,
            county_code=row["county_code"],
            before={"state": "reported"},
            after={"state": "forwarded"},
            reason=note or None,
        )
        day = f"{row['accident_date']:%Y-%m-%d}"
        await notify(
            Notice(
                recipient_id=row["owner_id"],
                event="incident.forwarded",
                title=Notices.incident_forwarded.fill(day=day),
                body=(note, note),
                link="#/insurance",
                object_kind="insurance_incident",
                object_id=str(incident_id),
                village_code=row["village_code"],
                county_code=row["county_code"],
            )
        )
    return (
        await _incidents_out(
            [present(row_as(IncidentRow,
                            await Incident.select().where(Incident.id == incident_id).first()))]
        )
    )[0]
