from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.surveys.tables import (
    HouseholdFact,
    Survey,
    SurveyAssignment,
    SurveyFormVersion,
    SurveyResponse,
)

APP_CONFIG = AppConfig(
    app_name="surveys",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "surveys"),
    table_classes=[Survey, SurveyFormVersion, SurveyAssignment, SurveyResponse, HouseholdFact],
)
