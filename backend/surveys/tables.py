"""What surveys store: the survey, its frozen form versions, what each village receives, the
responses, and the household facts that answers leave behind."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from backend.sync.tables import SyncedColumns

__all__ = ["HouseholdFact", "Survey", "SurveyAssignment", "SurveyFormVersion", "SurveyResponse"]


class Survey(Table, tablename="surveys_survey"):
    """调查: defined by a county admin, or by a township reviewer within the township.

    ``state``: draft → published → closed. ``form`` is the working form; publishing freezes
    it as a ``SurveyFormVersion`` when it changed since the last version.
    """

    id = UUID(primary_key=True)
    county_code = Varchar(length=6, index=True)
    #: The county or township that owns the survey (who may change it).
    division_code = Varchar(length=12)
    title = Varchar(length=200)
    description = Text(default="")
    #: households | villages
    target = Varchar(length=12)
    village_codes = JSON(default=[])
    period_start = Date()
    period_end = Date()
    state = Varchar(length=10, default="draft")
    form = JSON(default={"questions": []})
    form_hash = Varchar(length=64, default="")
    current_version_id = UUID(null=True, default=None)
    created_by = UUID()
    created_at = Timestamptz()
    updated_at = Timestamptz()
    published_at = Timestamptz(null=True, default=None)


class SurveyFormVersion(Table, tablename="surveys_form_version"):
    """A published form, never changed again; every response names the version it answers.

    Unique on (survey_id, version).
    """

    id = UUID(primary_key=True)
    survey_id = UUID(index=True)
    version = Integer()
    form = JSON()
    form_hash = Varchar(length=64)
    published_by = UUID()
    published_at = Timestamptz()


class SurveyAssignment(SyncedColumns, Table, tablename="surveys_assignment"):
    """A published survey as one target village receives it through sync (kind ``survey``).

    Carries the form of the current version, so a phone needs nothing else to answer offline.
    Unique on (survey_id, village_code).
    """

    survey_id = UUID(index=True)
    title = Varchar(length=200)
    description = Text(default="")
    target = Varchar(length=12)
    period_start = Date()
    period_end = Date()
    state = Varchar(length=10)
    form_version_id = UUID()
    form_version = Integer()
    form = JSON()


class SurveyResponse(SyncedColumns, Table, tablename="surveys_response"):
    """One household's (or village's) answers, made offline by a cadre (kind
    ``survey_response``). Unique on (survey_id, subject)."""

    survey_id = UUID(index=True)
    form_version_id = UUID()
    household_id = UUID(null=True, default=None, index=True)
    #: The household id, or ``village:<code>`` for a survey of villages.
    subject = Varchar(length=64)
    answers = JSON(default={})
    #: Pre-filled facts the cadre confirmed unchanged.
    confirmed = JSON(default=[])
    answered_at = Timestamptz()
    #: Photo answers (SHA-256), linked through the evidence pipeline.
    evidence = JSON(default=[])


class HouseholdFact(SyncedColumns, Table, tablename="surveys_household_fact"):
    """A fact about a household (members, phone, housing, …) with who confirmed it and when,
    so that no survey asks it again from scratch (kind ``household_fact``).

    ``owner_id`` is the cadre who last confirmed it. Unique on (household_id, fact).
    """

    household_id = UUID(index=True)
    fact = Varchar(length=40)
    value = JSON()
    value_type = Varchar(length=16)
    confirmed_at = Timestamptz()
    #: The name as it was when confirmed (shown on phones without a lookup).
    confirmed_by_name = Varchar(length=50, default="")
    survey_id = UUID(null=True, default=None)
    response_id = UUID(null=True, default=None)
