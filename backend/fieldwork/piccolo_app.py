from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig

from backend.fieldwork.tables import (
    Household,
    LeaveRequest,
    PresenceDay,
    PresenceSheet,
    RollupVillage,
    Talk,
    TownshipMonth,
    VillageMonthHouseholds,
    VillageMonthLogs,
    VillageMonthSheets,
    WorkLog,
)

APP_CONFIG = AppConfig(
    app_name="fieldwork",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "fieldwork"),
    # The rollups come after the tables they count (emptying the tables in this order in the
    # tests leaves them empty).
    table_classes=[Household, WorkLog, PresenceDay, PresenceSheet, LeaveRequest, Talk,
                   VillageMonthLogs, VillageMonthHouseholds, VillageMonthSheets, TownshipMonth,
                   RollupVillage],
)
