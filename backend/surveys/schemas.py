"""What crosses the wire for surveys (the form itself is ``forms.Form``)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from backend.core.problems import LocalisedFieldError
from backend.surveys.forms import Form

__all__ = [
    "HouseholdFactWire",
    "KnownFact",
    "Overlap",
    "PlanOut",
    "PlannedSurvey",
    "PreviewOut",
    "ProgressOut",
    "ResponseData",
    "ResponseWire",
    "SurveyIn",
    "SurveyOut",
    "SurveyPatch",
    "SurveyWire",
    "VersionOut",
    "VillagePlan",
    "VillageProgress",
]

Target = Literal["households", "villages"]
State = Literal["draft", "published", "closed"]


class SurveyIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    target: Target = "households"
    village_codes: list[str] = Field(min_length=1, max_length=1000)
    period_start: dt.date
    period_end: dt.date
    form: Form | None = None


class SurveyPatch(BaseModel):
    """Only while a draft: what the survey is, where and when."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    target: Target | None = None
    village_codes: list[str] | None = Field(default=None, min_length=1, max_length=1000)
    period_start: dt.date | None = None
    period_end: dt.date | None = None


class VersionOut(BaseModel):
    id: uuid.UUID
    version: int
    published_at: dt.datetime


class VillageName(BaseModel):
    code: str
    name: str


class SurveyOut(BaseModel):
    id: uuid.UUID
    county_code: str
    division_code: str
    title: str
    description: str
    target: Target
    villages: list[VillageName]
    period_start: dt.date
    period_end: dt.date
    state: State
    #: The working form (see docs/surveys.md).
    form: Form
    #: Whether the working form differs from the last published version.
    form_changed: bool
    versions: list[VersionOut]
    created_at: dt.datetime
    published_at: dt.datetime | None
    #: Whether the caller may change it (its county's admins, or the owning township).
    can_manage: bool
    #: After an XLSForm import: what was accepted but ignored, located like errors.
    warnings: list[LocalisedFieldError] = Field(default_factory=list)


class KnownFact(BaseModel):
    """A question asking a household fact, and how much of it is already known."""

    question: str
    label: str
    fact: str
    targeted: int
    known: int
    oldest: dt.datetime | None
    newest: dt.datetime | None


class Overlap(BaseModel):
    """Another survey asking the same households within the window (统筹)."""

    survey_id: uuid.UUID
    title: str
    state: State
    village_code: str
    village_name: str
    period_start: dt.date
    period_end: dt.date
    days_apart: int
    #: Facts both surveys ask.
    shared_facts: list[str]


class PreviewOut(BaseModel):
    known: list[KnownFact]
    overlaps: list[Overlap]
    window_days: int
    #: What would stop publishing (field errors of the form or the survey), if anything.
    problems: list[LocalisedFieldError]


class VillageProgress(BaseModel):
    village_code: str
    village_name: str
    targeted: int
    done: int


class ProgressOut(BaseModel):
    survey_id: uuid.UUID
    target: Target
    targeted: int
    done: int
    villages: list[VillageProgress]


class PlannedSurvey(BaseModel):
    survey_id: uuid.UUID
    title: str
    state: State
    target: Target
    period_start: dt.date
    period_end: dt.date


class VillagePlan(BaseModel):
    village_code: str
    village_name: str
    surveys: list[PlannedSurvey]
    #: Household surveys in the period that ask the same households within the window.
    repeated: bool


class PlanOut(BaseModel):
    start: dt.date
    end: dt.date
    villages: list[VillagePlan]


class ResponseData(BaseModel):
    """Sync kind ``survey_response``: one household's (or village's) answers."""

    model_config = ConfigDict(extra="forbid")

    survey_id: uuid.UUID
    form_version_id: uuid.UUID
    village_code: str = Field(pattern=r"^\d{12}$")
    household_id: uuid.UUID | None = None
    answers: dict[str, Any] = Field(max_length=300)
    confirmed: list[str] = Field(default_factory=list, max_length=300)
    answered_at: AwareDatetime
    #: The language the form was answered in (the app's): the server re-checks and computes
    #: in it, so ``jr:choice-name`` and ``format-date``'s day and month names in a
    #: calculation are stored as the cadre saw them.
    language: Literal["zh", "en"] = "zh"


class SurveyWire(BaseModel):
    """Pulled ``survey``: a published survey for one target village, with its form."""

    model_config = ConfigDict(extra="allow")

    survey_id: uuid.UUID
    village_code: str
    title: str
    description: str | None
    target: Literal["households", "villages"]
    period_start: dt.date | None
    period_end: dt.date | None
    state: str
    form_version_id: uuid.UUID
    form_version: int
    form: dict[str, Any]


class ResponseWire(BaseModel):
    """Pulled ``survey_response``: the answers as pushed, and who answered."""

    model_config = ConfigDict(extra="allow")

    survey_id: uuid.UUID
    form_version_id: uuid.UUID
    village_code: str
    household_id: uuid.UUID | None
    answers: dict[str, Any]
    confirmed: list[str]
    answered_at: dt.datetime
    cadre_id: uuid.UUID


class HouseholdFactWire(BaseModel):
    """Pulled ``household_fact``: one fact of a household, who confirmed it and when."""

    model_config = ConfigDict(extra="allow")

    household_id: uuid.UUID
    village_code: str
    fact: str
    value: Any
    type: str
    confirmed_by: uuid.UUID
    confirmed_by_name: str
    confirmed_at: dt.datetime
    survey_id: uuid.UUID | None
