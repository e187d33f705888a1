"""The survey kinds of the sync protocol: assignments and facts pulled, responses pushed."""

from __future__ import annotations

from backend.surveys import responses
from backend.surveys.schemas import HouseholdFactWire, ResponseData, ResponseWire, SurveyWire
from backend.surveys.tables import HouseholdFact, SurveyAssignment, SurveyResponse
from backend.sync.registry import SyncKind

__all__ = ["HOUSEHOLD_FACT", "SURVEY", "SURVEY_RESPONSE"]


SURVEY = SyncKind(
    name="survey", table=SurveyAssignment, to_wire=responses.assignment_wire,
    pull_where=lambda s: s.where(village=SurveyAssignment.village_code,
                                 county=SurveyAssignment.county_code, reference=True),
    wire_model=SurveyWire,
)

HOUSEHOLD_FACT = SyncKind(
    name="household_fact", table=HouseholdFact, to_wire=responses.fact_wire,
    pull_where=lambda s: s.where(village=HouseholdFact.village_code,
                                 county=HouseholdFact.county_code, reference=True),
    wire_model=HouseholdFactWire,
)

# The village's team sees who answered which household (so nobody asks it twice).
SURVEY_RESPONSE = SyncKind(
    name="survey_response", table=SurveyResponse, to_wire=responses.response_wire,
    pull_where=lambda s: s.where(village=SurveyResponse.village_code,
                                 county=SurveyResponse.county_code,
                                 owner=SurveyResponse.owner_id, reference=True),
    prepare=responses.prepare_response, after_write=responses.write_response_effects,
    data_model=ResponseData, wire_model=ResponseWire,
)
