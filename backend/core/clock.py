"""Time: stored in UTC, village work dated in Asia/Shanghai."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

__all__ = [
    "FUTURE_SLACK",
    "SHANGHAI",
    "beyond_tomorrow",
    "local_date",
    "to_local",
    "utc_iso",
    "utc_now",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: A record of village work may be dated at most this far after today: clocks differ.
FUTURE_SLACK = dt.timedelta(days=1)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def to_local(moment: dt.datetime) -> dt.datetime:
    """The same instant on a Shanghai clock (naive times are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(SHANGHAI)


def local_date(moment: dt.datetime | None = None) -> dt.date:
    """The Shanghai calendar date of ``moment`` (now by default)."""
    return to_local(moment or utc_now()).date()


def utc_iso(moment: dt.datetime) -> str:
    """A canonical UTC text form with microseconds, stable across both engines."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def beyond_tomorrow(day: dt.date) -> bool:
    """Whether a record's date lies further ahead than clocks differ (``FUTURE_SLACK`` after
    today in Asia/Shanghai): such a record is refused as ``too_large``."""
    return day > local_date() + FUTURE_SLACK
