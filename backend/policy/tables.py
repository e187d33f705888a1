"""What policy stores: every version of a county's settings for a year."""

from __future__ import annotations

from piccolo.columns import UUID, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ["PolicySetting"]


class PolicySetting(Table, tablename="policy_setting"):
    """县级政策参数: one version of a county's settings for one calendar year.

    A change adds a version; nothing is overwritten, so the settings any claim was computed
    with can always be read back. Unique on (county_code, year, version): two admins saving
    at once, one wins.

    >>> await PolicySetting.select().where(PolicySetting.county_code == "529901",
    ...     PolicySetting.year == 2026).order_by(PolicySetting.version, ascending=False).first()
    """

    id = UUID(primary_key=True)
    county_code = Varchar(length=6, index=True)
    year = Integer()
    version = Integer()
    #: 生活补贴: yuan a confirmed village day, in fen.
    subsidy_daily_fen = Integer()
    #: 往返交通: round trips a month between the dispatching unit and the village.
    round_trips_per_month = Integer()
    #: Own car: fen a kilometre of road.
    car_fen_per_km = Integer()
    #: K × 100: a stated road distance above K × the geodesic distance is flagged.
    road_factor_x100 = Integer()
    #: Leave the township approves (days); above it the county decides.
    leave_limit_days = Integer()
    min_days_month = Integer()
    min_days_year = Integer()
    #: 统筹: warn when a new survey would ask the same households again within this many days.
    survey_repeat_days = Integer(default=30)
    note = Text(default="")
    changed_by = UUID(null=True, default=None)
    changed_at = Timestamptz()
