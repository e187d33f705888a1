"""Time: stored in UTC, village work dated in Asia/Shanghai."""

from __future__ import annotations

import datetime as dt
import time
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
    if moment is None:
        return today_at(time.time())
    return to_local(moment).date()


#: The Shanghai date last asked for and the span of epoch seconds it lasts ([start, end)).
_TODAY: tuple[float, float, dt.date] = (0.0, 0.0, dt.date.min)


def today_at(now: float) -> dt.date:
    """The Shanghai date at ``now`` (epoch seconds), kept until its midnight: a push of 500
    records asks for today three times a record, and a time zone conversion each time was
    5 % of its CPU."""
    global _TODAY
    start, end, day = _TODAY
    if start <= now < end:
        return day
    day = dt.datetime.fromtimestamp(now, SHANGHAI).date()
    start = dt.datetime.combine(day, dt.time(), SHANGHAI).timestamp()
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), SHANGHAI).timestamp()
    _TODAY = (start, end, day)
    return day


def utc_iso(moment: dt.datetime) -> str:
    """A canonical UTC text form with microseconds, stable across both engines."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def beyond_tomorrow(day: dt.date) -> bool:
    """Whether a record's date lies further ahead than clocks differ (``FUTURE_SLACK`` after
    today in Asia/Shanghai): such a record is refused as ``too_large``."""
    return day > local_date() + FUTURE_SLACK
