"""What geo stores: the division tree with each code's validity period."""

from __future__ import annotations

from piccolo.columns import JSON, UUID, Boolean, Date, DoublePrecision, Integer, Varchar
from piccolo.table import Table

__all__ = ["LEVELS", "TIERS", "Division"]

LEVELS = ("province", "prefecture", "county", "township", "village")
#: Assistance tiers as data; a county labels them (深度贫困村, 乡村振兴重点帮扶村, …).
TIERS = ("deep", "key", "ordinary")


class Division(Table, tablename="geo_division"):
    """行政区划: one statistical division code over one validity period.

    Codes change (三宝乡 became 三宝街道 522324003): a new code gets a new row, the old row
    gets ``valid_to``. Current rows have ``valid_to`` null. Unique on (code, valid_from).

    >>> await Division.select().where(Division.code == "529901001", Division.valid_to.is_null())
    """

    id = UUID(primary_key=True)
    code = Varchar(length=12, index=True)
    name = Varchar(length=100)
    level = Varchar(length=12)
    parent_code = Varchar(length=12, null=True, default=None, index=True)
    #: The county a division lies in (its own code for a county); null above county level.
    county_code = Varchar(length=6, null=True, default=None, index=True)
    tier = Varchar(length=10, default="ordinary")
    valid_from = Date()
    valid_to = Date(null=True, default=None)
    #: Geofence centre, WGS-84 decimal degrees, and radius in metres (villages).
    center_lat = DoublePrecision(null=True, default=None)
    center_lon = DoublePrecision(null=True, default=None)
    radius_m = Integer(null=True, default=None)
    #: Optional GeoJSON Polygon (WGS-84) tighter than the circle.
    polygon = JSON(null=True, default=None)
    #: County rows only: {"deep": "深度贫困村", "key": …, "ordinary": …}.
    tier_labels = JSON(null=True, default=None)
    is_demo = Boolean(default=False)
