"""The survey kinds of the sync protocol: assignments and facts pulled, responses pushed."""

from __future__ import annotations

from backend.surveys import responses
from backend.surveys.schemas import HouseholdFactWire, ResponseData, ResponseWire, SurveyWire
from backend.surveys.tables import HouseholdFact, SurveyAssignment, SurveyResponse
from backend.sync.compact import Compact, instant, iso_date, stored_json, uuid_text, value
from backend.sync.registry import SyncKind

__all__ = ["HOUSEHOLD_FACT", "SURVEY", "SURVEY_RESPONSE"]


SURVEY: SyncKind[responses.SurveyAssignmentRow] = SyncKind(
    name="survey", table=SurveyAssignment,
    pull_where=lambda s: s.where(village=SurveyAssignment.village_code,
                                 county=SurveyAssignment.county_code, reference=True),
    wire_model=SurveyWire,
    compact=Compact({
        "survey_id": uuid_text(SurveyAssignment.survey_id),
        "village_code": value(SurveyAssignment.village_code),
        "title": value(SurveyAssignment.title),
        "description": value(SurveyAssignment.description),
        "target": value(SurveyAssignment.target),
        "period_start": iso_date(SurveyAssignment.period_start),
        "period_end": iso_date(SurveyAssignment.period_end),
        "state": value(SurveyAssignment.state),
        "form_version_id": uuid_text(SurveyAssignment.form_version_id),
        "form_version": value(SurveyAssignment.form_version),
        "form": stored_json(SurveyAssignment.form),
    }),
)

HOUSEHOLD_FACT: SyncKind[responses.HouseholdFactRow] = SyncKind(
    name="household_fact", table=HouseholdFact,
    pull_where=lambda s: s.where(village=HouseholdFact.village_code,
                                 county=HouseholdFact.county_code, reference=True),
    wire_model=HouseholdFactWire,
    compact=Compact({
        "household_id": uuid_text(HouseholdFact.household_id),
        "village_code": value(HouseholdFact.village_code),
        "fact": value(HouseholdFact.fact),
        "value": stored_json(HouseholdFact.value),
        "type": value(HouseholdFact.value_type),
        "confirmed_by": uuid_text(HouseholdFact.owner_id),
        "confirmed_by_name": value(HouseholdFact.confirmed_by_name),
        "confirmed_at": instant(HouseholdFact.confirmed_at),
        "survey_id": uuid_text(HouseholdFact.survey_id),
    }),
)

# The village's team sees who answered which household (so nobody asks it twice).
SURVEY_RESPONSE = SyncKind(
    name="survey_response", table=SurveyResponse,
    pull_where=lambda s: s.where(village=SurveyResponse.village_code,
                                 county=SurveyResponse.county_code,
                                 owner=SurveyResponse.owner_id, reference=True),
    prepare=responses.prepare_response, after_write=responses.write_response_effects,
    data_model=ResponseData, wire_model=ResponseWire,
    compact=Compact({
        "survey_id": uuid_text(SurveyResponse.survey_id),
        "form_version_id": uuid_text(SurveyResponse.form_version_id),
        "village_code": value(SurveyResponse.village_code),
        "household_id": uuid_text(SurveyResponse.household_id),
        "answers": stored_json(SurveyResponse.answers, {}),
        "confirmed": stored_json(SurveyResponse.confirmed, []),
        "answered_at": instant(SurveyResponse.answered_at),
        "cadre_id": uuid_text(SurveyResponse.owner_id),
    }),
)
