"""Responses as a sync kind, and the household facts they leave behind.

A response is re-validated here against the exact form version it names, with the same rules
the phone ran (``rules.py``); a broken rule rejects the item naming the question. Every
answered fact question then updates that household's fact: its value, who confirmed it and
when — so that the next survey shows it pre-filled instead of asking again.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import TYPE_CHECKING, Any

from backend.accounts import services as accounts
from backend.core.cache import Slot
from backend.core.canonical import loads
from backend.core.clock import utc_now
from backend.core.db import insert_rows
from backend.core.errors import FieldError, ValidationFailed
from backend.core.ids import new_id
from backend.core.rows import Json
from backend.evidence import services as evidence
from backend.fieldwork import services as fieldwork
from backend.surveys.facts import ROSTER, known_entries, roster_facts, roster_value, sent_entries
from backend.surveys.rules import check_answers, normalise, repeat_of
from backend.surveys.schemas import ResponseData
from backend.surveys.tables import (
    HouseholdFact,
    SurveyAssignment,
    SurveyFormVersion,
)
from backend.sync.registry import Prepared, SyncedRow
from backend.sync.services import allocate_seqs

if TYPE_CHECKING:
    from backend.core.scope import Actor

__all__ = [
    "HouseholdFactRow",
    "SurveyAssignmentRow",
    "SurveyResponseRow",
    "facts_written",
    "prepare_response",
]


class SurveyAssignmentRow(SyncedRow):
    """A ``SurveyAssignment`` as ``SurveyAssignment.select()`` returns it."""

    survey_id: uuid.UUID
    title: str
    description: str
    target: str
    period_start: dt.date
    period_end: dt.date
    state: str
    form_version_id: uuid.UUID
    form_version: int
    form: Json


class HouseholdFactRow(SyncedRow):
    """A ``HouseholdFact`` as ``HouseholdFact.select()`` returns it."""

    household_id: uuid.UUID
    fact: str
    value: Json
    value_type: str
    confirmed_at: dt.datetime
    confirmed_by_name: str
    survey_id: uuid.UUID | None
    response_id: uuid.UUID | None


class SurveyResponseRow(SyncedRow):
    """A ``SurveyResponse`` as ``SurveyResponse.select()`` returns it."""

    survey_id: uuid.UUID
    form_version_id: uuid.UUID
    household_id: uuid.UUID | None
    subject: str
    answers: Json
    confirmed: Json
    answered_at: dt.datetime
    evidence: Json


#: A phone clock may run ahead; an answer time is never taken as later than now + this.
_CLOCK_SLACK = dt.timedelta(minutes=10)
#: Read once per push batch: a village's assignment of a survey, a version's form, the
#: household ids of a village.
_ASSIGNMENTS: Slot[tuple[uuid.UUID, str], dict[str, Any] | None] = Slot("survey_assignments")
_FORMS: Slot[uuid.UUID, dict[str, Any] | None] = Slot("survey_forms")
_HOUSEHOLDS: Slot[str, set[uuid.UUID]] = Slot("survey_households")


async def _assignment(actor: Actor, survey_id: uuid.UUID, village: str) -> dict[str, Any] | None:
    async def load() -> dict[str, Any] | None:
        return await SurveyAssignment.select().where(
            SurveyAssignment.survey_id == survey_id,
            SurveyAssignment.village_code == village).first()

    return await actor.cache.get(_ASSIGNMENTS, (survey_id, village), load)


async def _version_form(actor: Actor, survey_id: uuid.UUID,
                        version_id: uuid.UUID) -> dict[str, Any] | None:
    async def load() -> dict[str, Any] | None:
        row = await SurveyFormVersion.select(SurveyFormVersion.form).where(
            SurveyFormVersion.id == version_id, SurveyFormVersion.survey_id == survey_id).first()
        return loads(row["form"]) if row else None

    return await actor.cache.get(_FORMS, version_id, load)


async def prepare_response(actor: Actor, response: ResponseData) -> Prepared:
    """Validate a pushed ``survey_response`` against the version it answers."""
    village = response.village_code
    if village not in actor.scope.own_villages:
        raise ValidationFailed(errors=[FieldError("village_code", "out_of_scope")])
    assignment = await _assignment(actor, response.survey_id, village)
    if assignment is None:
        raise ValidationFailed(errors=[FieldError("survey_id", "not_found")])
    if assignment["state"] != "published":
        raise ValidationFailed(errors=[FieldError("survey_id", "survey_closed")])
    form = await _version_form(actor, response.survey_id, response.form_version_id)
    if form is None:
        raise ValidationFailed(errors=[FieldError("form_version_id", "not_found")])
    subject = await _subject(actor, assignment, response)
    errors = [FieldError(f"answers.{e.question}", e.code, _bounds(form, e.question))
              for e in check_answers(form, response.answers, language=response.language)]
    if errors:
        raise ValidationFailed(errors=errors)
    answers = normalise(form, response.answers, language=response.language)
    errors = await _confirmation_errors(form, response, answers)
    if errors:
        raise ValidationFailed(errors=errors)
    photos = [answers[q["name"]] for q in form["questions"]
              if q["type"] == "photo" and q["name"] in answers]
    answered_at = min(response.answered_at, utc_now() + _CLOCK_SLACK)
    return Prepared({
        "survey_id": response.survey_id, "form_version_id": response.form_version_id,
        "household_id": response.household_id, "subject": subject, "answers": answers,
        "confirmed": sorted(set(response.confirmed)), "answered_at": answered_at,
        "evidence": sorted(set(photos)),
    }, village, assignment["county_code"])


async def _household_ids(village: str) -> set[uuid.UUID]:
    return {h["id"] for h in await fieldwork.household_rows({village})}


async def _subject(actor: Actor, assignment: dict[str, Any], response: ResponseData) -> str:
    """What the response is about: a household of the village, or the village itself."""
    if assignment["target"] == "villages":
        if response.household_id is not None:
            raise ValidationFailed(errors=[FieldError("household_id", "not_allowed")])
        return f"village:{response.village_code}"
    if response.household_id is None:
        raise ValidationFailed(errors=[FieldError("household_id", "required")])
    # One read a village for a whole batch of responses.
    village = response.village_code
    households = await actor.cache.get(_HOUSEHOLDS, village, lambda: _household_ids(village))
    if response.household_id not in households:
        raise ValidationFailed(errors=[FieldError("household_id", "not_found")])
    return str(response.household_id)


def _fact_names(form: dict[str, Any]) -> dict[str, str]:
    """Question (or roster) name → the household fact it asks: questions outside repeats, and
    the rosters kept as facts."""
    out = {q["name"]: q["fact"] for q in form["questions"]
           if q.get("fact") and repeat_of(form, q.get("group")) is None}
    return out | {r.repeat: r.fact for r in roster_facts(form)}


async def _confirmation_errors(
    form: dict[str, Any], response: ResponseData, answers: dict[str, Any]
) -> list[FieldError]:
    """``confirmed`` names pre-filled facts kept unchanged: each must be a fact question (or a
    roster kept as a fact) of the form, answered, and answered with the household's known
    value — for a roster, its members' ids and member facts as the fact gives them (a changed
    value is a correction, not a confirmation). Each error names the question."""
    facts = _fact_names(form)
    rosters = {r.repeat: r for r in roster_facts(form)}
    names = list(dict.fromkeys(response.confirmed))
    known: dict[str, Any] = {}
    if response.household_id is not None and names:
        rows = await HouseholdFact.select(
            HouseholdFact.fact, HouseholdFact.value, HouseholdFact.value_type).where(
            HouseholdFact.household_id == response.household_id,
            HouseholdFact.fact.is_in([facts[n] for n in names if n in facts] or [""]),
        )
        roster_names = {f.fact for f in rosters.values()}
        # A fact of another kind (a count, where this form keeps the members) is not known.
        known = {r["fact"]: loads(r["value"]) for r in rows
                 if (r["value_type"] == ROSTER) == (r["fact"] in roster_names)}
    errors = []
    for index, name in enumerate(response.confirmed):
        where = f"confirmed.{index}"
        label = _bounds(form, name) or {"label_zh": name, "label_en": name}
        label = {"label_zh": label["label_zh"], "label_en": label["label_en"], "name": name}
        if name not in facts:
            errors.append(FieldError(where, "confirm_not_fact", label))
        elif name not in answers:
            errors.append(FieldError(where, "confirm_not_answered", label))
        elif facts[name] not in known:
            errors.append(FieldError(where, "confirm_not_known", label))
        elif (sent_entries(rosters[name], answers[name]) != known_entries(
                rosters[name], known[facts[name]])) if name in rosters else (
                known[facts[name]] != answers[name]):
            errors.append(FieldError(where, "confirm_changed", label))
    return errors


def _bounds(form: dict[str, Any], name: str) -> dict[str, Any] | None:
    """The question's label and bounds, so that an error can say "「家庭人口」 at most 20"
    (a roster's: its label)."""
    name = name.rsplit(".", 1)[-1]  # a roster's entry: members.0.age
    for q in form["questions"]:
        if q["name"] == name:
            rule = {k: v for k, v in (q.get("constraint") or {}).items() if v is not None}
            return {**rule, "label_zh": q["label"]["zh"], "label_en": q["label"]["en"]}
    for g in form.get("groups") or []:
        if g["name"] == name:
            label = g.get("label") or {"zh": name, "en": name}
            return {"label_zh": label["zh"], "label_en": label["en"]}
    return None


async def write_response_effects(actor: Actor, rows: list[SurveyResponseRow]) -> None:
    """Inside the push transaction: photo links, then the household facts."""
    await evidence.link_records("survey_response", rows)
    await facts_written(rows)


async def facts_written(rows: list[SurveyResponseRow]) -> None:
    """Every answered fact question of these responses becomes the household's fact; a
    roster kept as a fact replaces its members (``facts.roster_value``)."""
    versions = {r["form_version_id"] for r in rows if r["household_id"] is not None}
    if not versions:
        return
    names = await accounts.user_names({r["owner_id"] for r in rows})
    forms = {v["id"]: loads(v["form"]) for v in
             await SurveyFormVersion.select(SurveyFormVersion.id, SurveyFormVersion.form).where(
                 SurveyFormVersion.id.is_in(list(versions)))}
    values = await _rosters_before(rows, forms)
    now = utc_now()
    facts: dict[tuple[uuid.UUID, str], dict[str, Any]] = {}
    for r in rows:
        if r["household_id"] is None:
            continue
        answers = loads(r["answers"]) or {}
        form = forms[r["form_version_id"]]
        written = [(q["fact"], answers[q["name"]], q["type"]) for q in form["questions"]
                   if q.get("fact") and q["name"] in answers
                   and repeat_of(form, q.get("group")) is None]
        for roster in roster_facts(form):
            if isinstance(answers.get(roster.repeat), list):
                key = (r["household_id"], roster.fact)
                values[key] = roster_value(roster, answers[roster.repeat], values.get(key))
                written.append((roster.fact, values[key], ROSTER))
        for fact, value, kind in written:
            facts[(r["household_id"], fact)] = {
                "household_id": r["household_id"], "fact": fact,
                # JSON text: a bare string would be taken for JSON already.
                "value": json.dumps(value, ensure_ascii=False),
                "value_type": kind, "owner_id": r["owner_id"],
                "confirmed_by_name": names.get(r["owner_id"], ""),
                "village_code": r["village_code"], "county_code": r["county_code"],
                "confirmed_at": now, "survey_id": r["survey_id"], "response_id": r["id"],
            }
    if not facts:
        return
    await _write_facts(list(facts.values()), now)


async def _rosters_before(rows: list[SurveyResponseRow], forms: dict[uuid.UUID, dict[str, Any]]
                          ) -> dict[tuple[uuid.UUID, str], Any]:
    """The roster facts these responses change, as they are now (one read)."""
    households = {r["household_id"] for r in rows if r["household_id"] is not None}
    names = {roster.fact for form in forms.values() for roster in roster_facts(form)}
    if not households or not names:
        return {}
    found = await HouseholdFact.select(
        HouseholdFact.household_id, HouseholdFact.fact, HouseholdFact.value).where(
        HouseholdFact.household_id.is_in(list(households)), HouseholdFact.fact.is_in(list(names)),
        HouseholdFact.value_type == ROSTER)
    return {(f["household_id"], f["fact"]): loads(f["value"]) for f in found}


async def _write_facts(facts: list[dict[str, Any]], now: dt.datetime) -> None:
    engine = HouseholdFact._meta.db
    seqs = iter(await allocate_seqs(engine, len(facts)))
    rows_in = [{**f, "id": new_id(), "version": 1, "seq": next(seqs), "content_hash": "",
                "deleted": False, "created_at": now, "updated_at": now}
               for f in facts]
    # Insert what is new; a fact already known (or written meanwhile) is updated instead.
    inserted = {uuid.UUID(str(r["id"])) for r in await insert_rows(
        HouseholdFact, rows_in, conflict_target=("household_id", "fact"), returning="id")}
    for row in rows_in:
        if row["id"] in inserted:
            continue
        await HouseholdFact.update({
            HouseholdFact.value: row["value"], HouseholdFact.value_type: row["value_type"],
            HouseholdFact.owner_id: row["owner_id"], HouseholdFact.confirmed_at: now,
            HouseholdFact.confirmed_by_name: row["confirmed_by_name"],
            HouseholdFact.survey_id: row["survey_id"],
            HouseholdFact.response_id: row["response_id"], HouseholdFact.seq: row["seq"],
            HouseholdFact.version: HouseholdFact.version + 1, HouseholdFact.updated_at: now,
        }).where(HouseholdFact.household_id == row["household_id"],
                 HouseholdFact.fact == row["fact"])
