"""What commendation stores: inspection findings, quota runs and nominations."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["Inspection", "Nomination", "QuotaRun"]


class Inspection(Table, tablename="commendation_inspection"):
    """督查发现: a finding of the county's inspection; an unexcused absence bars eligibility."""

    id = UUID(primary_key=True)
    cadre_id = UUID(index=True)
    village_code = Varchar(length=12)
    county_code = Varchar(length=6, index=True)
    date = Date()
    finding = Varchar(length=20)  # unexcused_absence | other
    note = Text(default="")
    recorded_by = UUID()
    created_at = Timestamptz()


class QuotaRun(Table, tablename="commendation_quota_run"):
    """A year's apportionment of excellent grades or commendations among the county's units.

    ``settings`` holds the ratios or weights and the total; ``result`` the explanation table.
    Draft until the county admin publishes it; published runs never change.
    """

    id = UUID(primary_key=True)
    county_code = Varchar(length=6, index=True)
    year = Integer()
    kind = Varchar(length=14)  # excellent | commendation
    settings = JSON()
    result = JSON()
    state = Varchar(length=10, default="draft")
    created_by = UUID()
    created_at = Timestamptz()
    published_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)


class Nomination(Table, tablename="commendation_nomination"):
    """A unit nominates an eligible cadre within its seats; the county decides."""

    id = UUID(primary_key=True)
    run_id = UUID(index=True)
    unit_code = Varchar(length=9)
    county_code = Varchar(length=6, index=True)
    cadre_id = UUID()
    state = Varchar(length=10, default="nominated")  # nominated | accepted | declined
    nominated_by = UUID()
    decided_by = UUID(null=True, default=None)
    created_at = Timestamptz()
    decided_at = Timestamptz(null=True, default=None)
