"""Surveys over the database: who may define them, their forms and versions, publishing.

Responses and facts are in ``responses.py``; progress, exports and coordination in
``results.py``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from backend.accounts import services as accounts
from backend.audit import services as audit
from backend.core.canonical import loads
from backend.core.clock import local_date, utc_now
from backend.core.db import insert_rows, write_transaction
from backend.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from backend.core.formats import date_range
from backend.core.ids import new_id
from backend.geo import services as geo
from backend.notify.services import Notice, notify
from backend.surveys.facts import ROSTER, fact_fields, kind_conflicts
from backend.surveys.forms import Form, form_errors, form_hash
from backend.surveys.messages import Notices
from backend.surveys.schemas import SurveyIn, SurveyOut, SurveyPatch, VersionOut, VillageName
from backend.surveys.tables import HouseholdFact, Survey, SurveyAssignment, SurveyFormVersion
from backend.surveys.xlsform import read_xlsform
from backend.surveys.xlsform_out import write_xlsform
from backend.sync.services import allocate_seqs

if TYPE_CHECKING:
    from backend.core.context import RequestContext
    from backend.core.scope import Actor, Scope

__all__ = [
    "close_survey",
    "create_survey",
    "list_surveys",
    "load_visible",
    "manages",
    "problems_before_publishing",
    "publish_problems",
    "publish_survey",
    "read_survey",
    "sees",
    "set_form",
    "set_xlsform",
    "update_survey",
    "visible_clause",
    "working_form",
]

#: A survey may run at most this long (a year's plan is several surveys).
MAX_PERIOD = dt.timedelta(days=366)


def manages(scope: Scope, row: dict[str, Any]) -> bool:
    """The county's admins, or the reviewers of the township that owns it."""
    return (row["county_code"] in scope.admin_counties
            or row["division_code"] in scope.review_townships)


def sees(scope: Scope, row: dict[str, Any]) -> bool:
    """Managers, and the reviewers of any township it reaches (they coordinate too)."""
    villages = loads(row["village_codes"]) or []
    return manages(scope, row) or any(v in scope.review_villages for v in villages)


def visible_clause(scope: Scope) -> Any:
    counties = scope.admin_counties | {t[:6] for t in scope.review_townships}
    return Survey.county_code.is_in(sorted(counties) or [""])


async def load_visible(scope: Scope, survey_id: uuid.UUID) -> dict[str, Any]:
    """A survey the caller may see; 404 otherwise (existence is not revealed)."""
    row = await Survey.select().where(Survey.id == survey_id, visible_clause(scope)).first()
    if row is None or not sees(scope, row):
        raise NotFound()
    return row


async def _load_managed(scope: Scope, survey_id: uuid.UUID) -> dict[str, Any]:
    row = await load_visible(scope, survey_id)
    if not manages(scope, row):
        raise Forbidden()
    return row


async def _owner_division(scope: Scope, codes: list[str]) -> tuple[str, str]:
    """(county, owning division) for a set of target villages: the county when the caller
    is its admin, else the one township the caller reviews that holds them all."""
    found = await geo.villages(set(codes))
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationFailed(errors=[
            FieldError(f"village_codes.{codes.index(c)}", "unknown_division", {"code": c})
            for c in missing])
    counties = {v.county_code for v in found.values()}
    townships = {v.township_code for v in found.values()}
    if len(counties) != 1:
        raise ValidationFailed(errors=[FieldError("village_codes", "one_county")])
    county = next(iter(counties))
    if county in scope.admin_counties:
        return county, county
    if len(townships) == 1 and next(iter(townships)) in scope.review_townships:
        return county, next(iter(townships))
    raise ValidationFailed(errors=[FieldError("village_codes", "out_of_scope")])


def _check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise ValidationFailed(errors=[FieldError("period_end", "before_start")])
    if end - start > MAX_PERIOD:
        raise ValidationFailed(errors=[FieldError("period_end", "too_long")])


def working_form(row: dict[str, Any]) -> Form:
    return Form.model_validate(loads(row["form"]))


async def _out(scope: Scope, rows: list[dict[str, Any]]) -> list[SurveyOut]:
    codes = {c for r in rows for c in loads(r["village_codes"]) or []}
    names = await geo.villages(codes)
    versions: dict[uuid.UUID, list[dict[str, Any]]] = {}
    if rows:
        for v in await SurveyFormVersion.select(
            SurveyFormVersion.id, SurveyFormVersion.survey_id, SurveyFormVersion.version,
            SurveyFormVersion.form_hash, SurveyFormVersion.published_at,
        ).where(SurveyFormVersion.survey_id.is_in([r["id"] for r in rows])).order_by(
            SurveyFormVersion.version
        ):
            versions.setdefault(v["survey_id"], []).append(v)
    out = []
    for r in rows:
        own = versions.get(r["id"], [])
        out.append(SurveyOut(
            id=r["id"], county_code=r["county_code"], division_code=r["division_code"],
            title=r["title"], description=r["description"], target=r["target"],
            villages=[VillageName(code=c, name=names[c].name if c in names else c)
                      for c in loads(r["village_codes"]) or []],
            period_start=r["period_start"], period_end=r["period_end"], state=r["state"],
            form=loads(r["form"]), form_changed=not own or own[-1]["form_hash"] != r["form_hash"],
            versions=[VersionOut(id=v["id"], version=v["version"],
                                 published_at=v["published_at"]) for v in own],
            created_at=r["created_at"], published_at=r["published_at"],
            can_manage=manages(scope, r),
        ))
    return out


async def read_survey(scope: Scope, survey_id: uuid.UUID) -> SurveyOut:
    return (await _out(scope, [await load_visible(scope, survey_id)]))[0]


async def list_surveys(scope: Scope, state: str | None = None) -> list[SurveyOut]:
    """Surveys the caller manages or whose villages they review, newest period first."""
    query = Survey.select().where(visible_clause(scope)).order_by(
        Survey.period_start, ascending=False).order_by(Survey.created_at, ascending=False)
    if state:
        query = query.where(Survey.state == state)
    return await _out(scope, [r for r in await query if sees(scope, r)])


def _form_problems(form: Form, target: str) -> list[FieldError]:
    return [err for _, err in form_errors(form, households=target == "households")]


def publish_problems(form: Form, target: str) -> list[FieldError]:
    """What in the form itself stops it from being published."""
    empty = [] if form.questions else [FieldError("questions", "required")]
    return [_prefixed(e, "form") for e in empty + _form_problems(form, target)]


async def problems_before_publishing(row: dict[str, Any], form: Form) -> list[FieldError]:
    """Everything that stops a survey's form from being published: the form's own problems and
    facts its county keeps as the other kind. Publishing and the preview use this one list."""
    return publish_problems(form, row["target"]) + await fact_kind_problems(row, form)


async def fact_kind_problems(row: dict[str, Any], form: Form) -> list[FieldError]:
    """Facts of this household form that its county keeps as the other kind (a roster against a
    single answer), in its other published surveys or among the facts on record
    (``facts.kind_conflicts``), located at the form's field."""
    shape = form.model_dump(mode="json")
    names = list(fact_fields(shape))
    if row["target"] != "households" or not names:
        return []
    used: dict[str, bool] = {
        f["fact"]: f["value_type"] == ROSTER
        for f in await HouseholdFact.select(HouseholdFact.fact, HouseholdFact.value_type)
        .where(HouseholdFact.county_code == row["county_code"], HouseholdFact.fact.is_in(names))
        .distinct()}
    others = await Survey.select(Survey.current_version_id).where(
        Survey.county_code == row["county_code"], Survey.id != row["id"],
        Survey.target == "households", Survey.current_version_id.is_not_null())
    versions = [o["current_version_id"] for o in others]
    if versions:
        for v in await SurveyFormVersion.select(SurveyFormVersion.form).where(
                SurveyFormVersion.id.is_in(versions)):
            for name, (roster, _) in fact_fields(loads(v["form"]) or {}).items():
                used.setdefault(name, roster)
    return [_prefixed(e, "form") for e in kind_conflicts(shape, used)]


async def create_survey(ctx: RequestContext, actor: Actor, data: SurveyIn) -> SurveyOut:
    """A draft survey: nobody receives it until it is published."""
    codes = list(dict.fromkeys(data.village_codes))
    county, division = await _owner_division(actor.scope, codes)
    _check_period(data.period_start, data.period_end)
    form = data.form or Form(questions=[])
    if data.form is not None and (problems := _form_problems(data.form, data.target)):
        raise ValidationFailed(errors=[_prefixed(e, "form") for e in problems])
    now = utc_now()
    survey_id = new_id()
    values = {
        "id": survey_id, "county_code": county, "division_code": division,
        "title": data.title, "description": data.description, "target": data.target,
        "village_codes": codes, "period_start": data.period_start,
        "period_end": data.period_end, "state": "draft",
        "form": form.model_dump(mode="json"), "form_hash": form_hash(form),
        "current_version_id": None, "created_by": actor.user_id, "created_at": now,
        "updated_at": now, "published_at": None,
    }
    async with write_transaction(Survey._meta.db):
        await insert_rows(Survey, [values])
        await audit.record(ctx, "survey.created", "survey", survey_id, county_code=county,
                           after={"title": data.title, "villages": codes,
                                  "target": data.target})
    return await read_survey(actor.scope, survey_id)


def _prefixed(err: FieldError, prefix: str) -> FieldError:
    return FieldError(f"{prefix}.{err.field}", err.code, err.params, err.row, err.sheet)


async def update_survey(ctx: RequestContext, actor: Actor, survey_id: uuid.UUID,
                        data: SurveyPatch) -> SurveyOut:
    """Change what, where and when — only before publishing (cadres may have it already)."""
    row = await _load_managed(actor.scope, survey_id)
    if row["state"] != "draft":
        raise Conflict("wrong_state")
    changes = data.model_dump(exclude_none=True)
    if "village_codes" in changes:
        changes["village_codes"] = list(dict.fromkeys(changes["village_codes"]))
        county, division = await _owner_division(actor.scope, changes["village_codes"])
        if county != row["county_code"]:
            raise ValidationFailed(errors=[FieldError("village_codes", "one_county")])
        changes["division_code"] = division
    _check_period(changes.get("period_start", row["period_start"]),
                  changes.get("period_end", row["period_end"]))
    target = changes.get("target", row["target"])
    if problems := _form_problems(working_form(row), target):
        raise ValidationFailed(errors=[_prefixed(e, "form") for e in problems])
    async with write_transaction(Survey._meta.db):
        done = await Survey.update({
            **{getattr(Survey, k): v for k, v in changes.items()},
            Survey.updated_at: utc_now(),
        }).where(Survey.id == survey_id, Survey.state == "draft").returning(Survey.id)
        if not done:
            raise Conflict("wrong_state")
        await audit.record(ctx, "survey.changed", "survey", survey_id,
                           county_code=row["county_code"],
                           before={k: _plain(k, row[k]) for k in changes},
                           after={k: _plain(k, v) for k, v in changes.items()})
    return await read_survey(actor.scope, survey_id)


def _plain(key: str, value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return loads(value) if key == "village_codes" else value


async def set_form(ctx: RequestContext, actor: Actor, survey_id: uuid.UUID,
                   form: Form) -> SurveyOut:
    """Replace the working form. A published version is never touched: publishing again
    makes the next version."""
    row = await _load_managed(actor.scope, survey_id)
    if row["state"] == "closed":
        raise Conflict("wrong_state")
    if problems := _form_problems(form, row["target"]):
        raise ValidationFailed(errors=[_prefixed(e, "form") for e in problems])
    digest = form_hash(form)
    async with write_transaction(Survey._meta.db):
        await Survey.update({
            Survey.form: form.model_dump(mode="json"), Survey.form_hash: digest,
            Survey.updated_at: utc_now(),
        }).where(Survey.id == survey_id)
        await audit.record(ctx, "survey.form_changed", "survey", survey_id,
                           county_code=row["county_code"],
                           before={"form_hash": row["form_hash"]}, after={"form_hash": digest})
    return await read_survey(actor.scope, survey_id)


async def xlsform_of(scope: Scope, survey_id: uuid.UUID) -> bytes:
    """The working form of a survey in scope, written back as an XLSForm."""
    row = await load_visible(scope, survey_id)
    return write_xlsform(working_form(row), row["title"])


async def set_xlsform(ctx: RequestContext, actor: Actor, survey_id: uuid.UUID, data: bytes,
                      attachments: Mapping[str, bytes] | None = None
                      ) -> tuple[SurveyOut, list[FieldError]]:
    """Replace the working form from an XLSForm (and the files it attaches): all of it, or
    nothing and every problem; with the warnings (what was accepted and ignored)."""
    row = await _load_managed(actor.scope, survey_id)
    result = read_xlsform(data, households=row["target"] == "households",
                          attachments=attachments)
    if result.form is None:
        raise ValidationFailed("xlsform_invalid", errors=result.errors)
    return await set_form(ctx, actor, survey_id, result.form), result.warnings


async def _freeze(actor: Actor, row: dict[str, Any], form: Form) -> tuple[uuid.UUID, int]:
    """The version to send: the last one when the form is unchanged, else a new one."""
    last = await SurveyFormVersion.select().where(
        SurveyFormVersion.survey_id == row["id"]).order_by(
        SurveyFormVersion.version, ascending=False).first()
    if last is not None and last["form_hash"] == row["form_hash"]:
        return last["id"], last["version"]
    version_id, number = new_id(), (last["version"] + 1 if last else 1)
    # The unique (survey, version) index: two admins publishing at once, one wins.
    done = await SurveyFormVersion.insert(SurveyFormVersion(
        id=version_id, survey_id=row["id"], version=number,
        form=form.model_dump(mode="json"), form_hash=row["form_hash"],
        published_by=actor.user_id, published_at=utc_now(),
    )).on_conflict(action="DO NOTHING").returning(SurveyFormVersion.id)
    if not done:
        raise Conflict()
    return version_id, number


async def _send_out(row: dict[str, Any], form: Form, version_id: uuid.UUID, number: int,
                    state: str) -> None:
    """Write what each target village receives; an existing one moves to the new version."""
    engine = SurveyAssignment._meta.db
    codes = loads(row["village_codes"]) or []
    existing = {r["village_code"]: r["id"] for r in await SurveyAssignment.select(
        SurveyAssignment.id, SurveyAssignment.village_code,
    ).where(SurveyAssignment.survey_id == row["id"])}
    values = {
        "title": row["title"], "description": row["description"], "target": row["target"],
        "period_start": row["period_start"], "period_end": row["period_end"], "state": state,
        "form_version_id": version_id, "form_version": number,
        "form": form.model_dump(mode="json"),
    }
    now = utc_now()
    seqs = iter(await allocate_seqs(engine, len(codes)))
    fresh = []
    for code in codes:
        if code in existing:
            await SurveyAssignment.update({
                **{getattr(SurveyAssignment, k): v for k, v in values.items()},
                SurveyAssignment.seq: next(seqs), SurveyAssignment.updated_at: now,
                SurveyAssignment.version: SurveyAssignment.version + 1,
            }).where(SurveyAssignment.id == existing[code])
        else:
            fresh.append({
                **values, "id": new_id(), "survey_id": row["id"], "owner_id": row["created_by"],
                "village_code": code, "county_code": row["county_code"], "version": 1,
                "seq": next(seqs), "content_hash": "", "deleted": False, "created_at": now,
                "updated_at": now,
            })
    await insert_rows(SurveyAssignment, fresh)


async def _tell_cadres(row: dict[str, Any], first: bool) -> None:
    codes = set(loads(row["village_codes"]) or [])
    today = local_date()
    title = row["title"]
    period = date_range(row["period_start"], row["period_end"])
    notices = [Notice(
        recipient_id=p.cadre_id, event="survey.published" if first else "survey.revised",
        title=(Notices.published if first else Notices.revised).fill(title=title),
        body=Notices.works_offline.fill(period_zh=period[0], period_en=period[1]),
        link="#/surveys", object_kind="survey", object_id=str(row["id"]),
        village_code=p.village_code, county_code=p.county_code,
    ) for p in await accounts.active_postings(today) if p.village_code in codes]
    if notices:
        await notify(*notices)


async def publish_survey(ctx: RequestContext, actor: Actor, survey_id: uuid.UUID) -> SurveyOut:
    """Freeze the working form as a version (if it changed) and send the survey to every
    target village; the cadres there find it in their inbox and on their phones."""
    row = await _load_managed(actor.scope, survey_id)
    if row["state"] == "closed":
        raise Conflict("wrong_state")
    form = working_form(row)
    if problems := await problems_before_publishing(row, form):
        raise ValidationFailed(errors=problems)
    async with write_transaction(Survey._meta.db):
        version_id, number = await _freeze(actor, row, form)
        if row["state"] == "published" and row["current_version_id"] == version_id:
            raise Conflict("already_published")
        await Survey.update({
            Survey.state: "published", Survey.current_version_id: version_id,
            Survey.published_at: row["published_at"] or utc_now(), Survey.updated_at: utc_now(),
        }).where(Survey.id == survey_id, Survey.state == row["state"])
        await _send_out(row, form, version_id, number, "published")
        await _tell_cadres(row, first=row["state"] == "draft")
        await audit.record(ctx, "survey.published", "survey", survey_id,
                           county_code=row["county_code"], before={"state": row["state"]},
                           after={"state": "published", "form_version": number})
    return await read_survey(actor.scope, survey_id)


async def close_survey(ctx: RequestContext, actor: Actor, survey_id: uuid.UUID) -> SurveyOut:
    """Stop taking responses; phones show the survey as closed."""
    row = await _load_managed(actor.scope, survey_id)
    if row["state"] != "published":
        raise Conflict("wrong_state")
    async with write_transaction(Survey._meta.db):
        done = await Survey.update({Survey.state: "closed", Survey.updated_at: utc_now()}).where(
            Survey.id == survey_id, Survey.state == "published").returning(Survey.id)
        if not done:
            raise Conflict("wrong_state")
        ids = [r["id"] for r in await SurveyAssignment.select(SurveyAssignment.id).where(
            SurveyAssignment.survey_id == survey_id)]
        for assignment_id, seq in zip(ids, await allocate_seqs(Survey._meta.db, len(ids)),
                                      strict=True):
            await SurveyAssignment.update({
                SurveyAssignment.state: "closed", SurveyAssignment.seq: seq,
                SurveyAssignment.updated_at: utc_now(),
            }).where(SurveyAssignment.id == assignment_id)
        await audit.record(ctx, "survey.closed", "survey", survey_id,
                           county_code=row["county_code"], before={"state": "published"},
                           after={"state": "closed"})
    return await read_survey(actor.scope, survey_id)
