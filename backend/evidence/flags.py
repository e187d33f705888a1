"""核验提示: verification flags for a record's location fix and photos.

Flags inform a reviewer; they are never a verdict. None of them blocks a record or a
payment, and location is always optional (国办函〔2026〕12号: no forced uploads of photos or
tracks), so a record without any position gets one ``no_location`` flag, nothing worse.

Pure functions over plain values: no database, no HTTP. Coordinates are WGS-84; times are
timezone-aware (a naive time is read as UTC, as in :mod:`backend.core.clock`).

Example:
    >>> fix = Fix(lat=26.60, lon=107.50, accuracy_m=30.0, captured_at=None)
    >>> flag = outside_fence(fix, Fence(center=(26.50, 107.50), radius_m=1500))
    >>> flag.code, flag.params["distance_m"]
    ('outside_fence', 9580)
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from backend.core.clock import local_date, utc_iso
from backend.core.messages import Message
from backend.evidence.imaging import PHASH_NEAR, hamming
from backend.evidence.messages import Flags, Units
from backend.geo.coords import SPHERE_ERROR, distance_m, sphere_distance_m

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "FLAG_CODES",
    "Fence",
    "Fix",
    "Flag",
    "FlagSettings",
    "PhotoFacts",
    "accuracy_flags",
    "outside_fence",
    "reuse_flag",
    "speed_flag",
    "time_flags",
    "verify_record",
]

#: Every flag code, as on the wire (``work_log`` server copy, ``flags[].code``).
FLAG_CODES: Final = (
    "outside_fence",
    "low_accuracy",
    "no_location",
    "time_skew",
    "future_time",
    "impossible_speed",
    "photo_reused",
    "zero_accuracy",
)

# WGS-84 ellipsoid, for the local projection used with polygons.
_WGS84_A: Final = 6_378_137.0
_WGS84_E2: Final = 6.694_379_990_14e-3


@dataclass(frozen=True)
class Fix:
    """A position (WGS-84 degrees), its accuracy radius in metres and when it was taken."""

    lat: float
    lon: float
    accuracy_m: float | None
    captured_at: datetime | None


@dataclass(frozen=True)
class Fence:
    """村界: a village geofence, a centre (lat, lon) and radius, optionally a polygon.

    ``polygon`` is a GeoJSON Polygon (positions ``[lon, lat]``, WGS-84, outer ring first).
    When present it replaces the circle; holes are ignored, and a polygon that cannot be
    read falls back to the circle.
    """

    center: tuple[float, float]
    radius_m: float
    polygon: dict[str, Any] | None = None


@dataclass(frozen=True)
class Flag:
    """One thing a reviewer may want to look at.

    ``detail`` is Chinese, then `` / ``, then English. ``params`` holds the numbers behind
    it as JSON values; photo flags from :func:`verify_record` carry the photo's ``sha256``.
    """

    code: str
    detail: str
    params: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """The flag as JSON: ``{"code", "detail", "params"}``."""
        return {"code": self.code, "detail": self.detail, "params": dict(self.params)}


@dataclass(frozen=True)
class FlagSettings:
    """Thresholds of the flags (a county may tune them)."""

    low_accuracy_m: float = 200
    max_skew_days: int = 1
    future_tolerance_s: int = 300
    max_speed_kmh: float = 120
    min_distance_for_speed_m: float = 1000
    phash_near: int = PHASH_NEAR


@dataclass(frozen=True)
class PhotoFacts:
    """What verification needs of a stored photo: its address, EXIF time, GPS and pHash."""

    sha256: str
    captured_at: datetime | None
    gps: Fix | None
    phash: str | None


_DEFAULTS: Final = FlagSettings()


# --- single checks ----------------------------------------------------------------------


def outside_fence(fix: Fix, fence: Fence) -> Flag | None:
    """Flag a fix that lies outside the fence by more than its accuracy.

    Circle: distance to the centre minus accuracy greater than the radius. Polygon: outside
    the outer ring and farther from its boundary than the accuracy. ``distance_m`` in the
    params is how far outside the boundary the fix lies.
    """
    accuracy = _accuracy(fix)
    ring = _outer_ring(fence.polygon)
    if ring is not None:
        inside, beyond = _polygon_position(fix, ring)
        if inside or beyond <= accuracy:
            return None
        params: dict[str, Any] = {"shape": "polygon"}
    else:
        rough = sphere_distance_m((fix.lat, fix.lon), fence.center)
        if rough * (1 + SPHERE_ERROR) - accuracy <= fence.radius_m:
            return None  # inside even at the haversine's worst error: no exact sum needed
        from_center = distance_m((fix.lat, fix.lon), fence.center)
        if from_center - accuracy <= fence.radius_m:
            return None
        beyond = from_center - fence.radius_m
        params = {
            "shape": "circle",
            "radius_m": float(fence.radius_m),
            "center_distance_m": round(from_center),
        }
    distance, accuracy_note = _distance_text(beyond), _accuracy_text(fix.accuracy_m)
    return _flag(
        "outside_fence",
        Flags.outside_fence.fill(
            distance_zh=distance.zh, distance_en=distance.en,
            accuracy_zh=accuracy_note.zh, accuracy_en=accuracy_note.en,
        ),
        distance_m=round(beyond),
        accuracy_m=_json_number(fix.accuracy_m),
        **params,
    )


def accuracy_flags(fix: Fix, settings: FlagSettings = _DEFAULTS) -> list[Flag]:
    """``zero_accuracy`` at exactly 0 (mock providers), ``low_accuracy`` above the limit."""
    accuracy = fix.accuracy_m
    if accuracy is None:
        return []
    if accuracy == 0:
        return [
            _flag(
                "zero_accuracy",
                Flags.zero_accuracy,
                accuracy_m=0.0,
            )
        ]
    if accuracy > settings.low_accuracy_m:
        acc, limit = _number(accuracy), _number(settings.low_accuracy_m)
        return [
            _flag(
                "low_accuracy",
                Flags.low_accuracy.fill(accuracy=acc, limit=limit),
                accuracy_m=float(accuracy),
                limit_m=float(settings.low_accuracy_m),
            )
        ]
    return []


def time_flags(
    captured_at: datetime | None,
    record_date: date,
    now: datetime,
    settings: FlagSettings = _DEFAULTS,
) -> list[Flag]:
    """``future_time`` beyond the tolerance; ``time_skew`` when the Shanghai date is too far off.

    ``record_date`` is the record's local date; the skew is counted in calendar days.
    """
    if captured_at is None:
        return []
    captured_at, now = _aware(captured_at), _aware(now)
    flags = []
    ahead = (captured_at - now).total_seconds()
    if ahead > settings.future_tolerance_s:
        duration = _duration_text(ahead)
        flags.append(
            _flag(
                "future_time",
                Flags.future_time.fill(ahead_zh=duration.zh, ahead_en=duration.en),
                seconds_ahead=round(ahead),
                captured_at=utc_iso(captured_at),
            )
        )
    taken_on = local_date(captured_at)
    days = (taken_on - record_date).days
    if abs(days) > settings.max_skew_days:
        skew = Flags.time_skew_after if days > 0 else Flags.time_skew_before
        flags.append(
            _flag(
                "time_skew",
                skew.fill(taken_on=taken_on, record_date=record_date, days=abs(days)),
                days=days,
                captured_on=taken_on.isoformat(),
                record_date=record_date.isoformat(),
            )
        )
    return flags


def speed_flag(
    previous: Fix | None, current: Fix | None, settings: FlagSettings = _DEFAULTS
) -> Flag | None:
    """Flag a move between two consecutive fixes of one cadre faster than the limit.

    Needs both fixes with times. Moves shorter than ``min_distance_for_speed_m`` are GPS
    jitter and never flagged; a real move in no time at all is impossible.
    """
    if previous is None or current is None:
        return None
    if previous.captured_at is None or current.captured_at is None:
        return None
    a, b = (previous.lat, previous.lon), (current.lat, current.lon)
    if sphere_distance_m(a, b) * (1 + SPHERE_ERROR) < settings.min_distance_for_speed_m:
        return None  # jitter even at the haversine's worst error
    metres = distance_m(a, b)
    if metres < settings.min_distance_for_speed_m:
        return None
    elapsed = abs((_aware(current.captured_at) - _aware(previous.captured_at)).total_seconds())
    speed = math.inf if elapsed == 0 else metres / elapsed * 3.6
    if speed <= settings.max_speed_kmh:
        return None
    distance = _distance_text(metres)
    if elapsed == 0:
        detail = Flags.impossible_speed_at_once.fill(
            distance_zh=distance.zh, distance_en=distance.en
        )
    else:
        duration = _duration_text(elapsed)
        detail = Flags.impossible_speed.fill(
            distance_zh=distance.zh, distance_en=distance.en,
            elapsed_zh=duration.zh, elapsed_en=duration.en, speed=f"{speed:.0f}",
        )
    return _flag(
        "impossible_speed",
        detail,
        distance_m=round(metres),
        elapsed_s=round(elapsed, 3),
        speed_kmh=None if elapsed == 0 else round(speed, 1),
        max_speed_kmh=float(settings.max_speed_kmh),
    )


def reuse_flag(
    phash: str, others: Iterable[tuple[str, str]], settings: FlagSettings = _DEFAULTS
) -> Flag | None:
    """Flag a photo whose perceptual hash is near a photo of another record; report the closest.

    ``others`` are ``(other_record_id, phash)``; hashes of another length are skipped.
    """
    closest: tuple[int, str] | None = None
    for record_id, other in others:
        try:
            distance = hamming(phash, other)
        except ValueError:
            continue
        if closest is None or (distance, str(record_id)) < closest:
            closest = (distance, str(record_id))
    if closest is None or closest[0] > settings.phash_near:
        return None
    distance, record_id = closest
    return _flag(
        "photo_reused",
        Flags.photo_reused.fill(record_id=record_id, distance=distance),
        other_record_id=record_id,
        hamming=distance,
    )


# --- a whole record ---------------------------------------------------------------------


def verify_record(
    *,
    record_date: date,
    location: Fix | None,
    photos: Sequence[PhotoFacts],
    fence: Fence | None,
    previous_fix: Fix | None,
    reuse_candidates: Iterable[tuple[str, str]],
    now: datetime,
    settings: FlagSettings = _DEFAULTS,
) -> list[Flag]:
    """All flags of one record: its own fix, each photo's EXIF GPS and time, speed, reuse.

    Args:
        record_date: The record's local date.
        location: The record's own fix, if the cadre chose to give one.
        photos: The record's photos.
        fence: The village geofence; None when the village has none.
        previous_fix: The cadre's previous fix, for the speed check.
        reuse_candidates: ``(other_record_id, phash)`` of photos of other records.
        now: The server's clock.
        settings: Thresholds.

    Returns:
        One flag per code (and photo, whose ``sha256`` is in the params), sorted by code,
        then photo (the record's own flags first), then params.
    """
    candidates = list(reuse_candidates)
    flags: list[Flag] = []
    if location is not None:
        flags += _fix_flags(location, fence, settings)
        flags += time_flags(location.captured_at, record_date, now, settings)
    for photo in photos:
        flags += _photo_flags(photo, record_date, fence, candidates, now, settings)
    if location is None and all(p.gps is None for p in photos):
        flags.append(
            _flag(
                "no_location",
                Flags.no_location,
            )
        )
    speed = speed_flag(previous_fix, _current_fix(location, photos), settings)
    if speed is not None:
        flags.append(speed)
    return _sorted_unique(flags)


def _fix_flags(fix: Fix, fence: Fence | None, settings: FlagSettings) -> list[Flag]:
    flags = accuracy_flags(fix, settings)
    outside = outside_fence(fix, fence) if fence is not None else None
    return [*flags, outside] if outside is not None else flags


def _photo_flags(
    photo: PhotoFacts,
    record_date: date,
    fence: Fence | None,
    candidates: list[tuple[str, str]],
    now: datetime,
    settings: FlagSettings,
) -> list[Flag]:
    flags = time_flags(photo.captured_at, record_date, now, settings)
    if photo.gps is not None:
        flags += _fix_flags(photo.gps, fence, settings)
    reused = reuse_flag(photo.phash, candidates, settings) if photo.phash else None
    if reused is not None:
        flags.append(reused)
    return [_about_photo(flag, photo.sha256) for flag in flags]


def _current_fix(location: Fix | None, photos: Sequence[PhotoFacts]) -> Fix | None:
    """This record's timed fix: its own, else the first photo GPS with a time."""
    if location is not None and location.captured_at is not None:
        return location
    for photo in photos:
        if photo.gps is None:
            continue
        if photo.gps.captured_at is not None:
            return photo.gps
        if photo.captured_at is not None:
            return replace(photo.gps, captured_at=photo.captured_at)
    return None


def _about_photo(flag: Flag, sha256: str) -> Flag:
    zh, en = flag.detail.split(" / ", 1)
    return _flag(
        flag.code,
        Flags.about_photo.fill(short=sha256[:8], detail_zh=zh, detail_en=en),
        **{**flag.params, "sha256": sha256},
    )


def _sorted_unique(flags: Iterable[Flag]) -> list[Flag]:
    """Sort by code, then photo (the record's own first), then params; one per (code, photo)."""
    seen: set[tuple[str, str | None]] = set()
    unique = []
    for flag in sorted(flags, key=_sort_key):
        key = (flag.code, flag.params.get("sha256"))
        if key not in seen:
            seen.add(key)
            unique.append(flag)
    return unique


def _sort_key(flag: Flag) -> tuple[str, str, str, str]:
    # The record's own flag before its photos' flags of the same code.
    photo = str(flag.params.get("sha256") or "")
    return flag.code, photo, json.dumps(flag.params, sort_keys=True, default=str), flag.detail


# --- geometry ---------------------------------------------------------------------------


def _outer_ring(polygon: dict[str, Any] | None) -> list[tuple[float, float]] | None:
    """The outer ring as (lon, lat) pairs, or None when there is no readable Polygon."""
    if not isinstance(polygon, dict) or polygon.get("type") != "Polygon":
        return None
    try:
        ring = [(float(p[0]), float(p[1])) for p in polygon["coordinates"][0]]
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    finite = all(math.isfinite(v) for p in ring for v in p)
    return ring if finite and len(ring) >= 3 else None


def _polygon_position(fix: Fix, ring: list[tuple[float, float]]) -> tuple[bool, float]:
    """Whether the fix is inside the ring, and its distance in metres to the ring's edge.

    Works in a local equirectangular projection centred on the fix, with the ellipsoid's
    radii of curvature there: centimetre-exact over a village, a few per mille at 100 km.
    """
    points = [_project(fix, lon, lat) for lon, lat in ring]
    inside = False
    nearest = math.inf
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
        if (y1 > 0) != (y2 > 0) and x1 + (0 - y1) * (x2 - x1) / (y2 - y1) > 0:
            inside = not inside
        nearest = min(nearest, _origin_to_segment(x1, y1, x2, y2))
    return inside, nearest


def _project(origin: Fix, lon: float, lat: float) -> tuple[float, float]:
    phi = math.radians(origin.lat)
    w = 1 - _WGS84_E2 * math.sin(phi) ** 2
    meridional = _WGS84_A * (1 - _WGS84_E2) / w**1.5
    prime_vertical = _WGS84_A / math.sqrt(w)
    d_lon = (lon - origin.lon + 180) % 360 - 180
    return (
        math.radians(d_lon) * prime_vertical * math.cos(phi),
        math.radians(lat - origin.lat) * meridional,
    )


def _origin_to_segment(x1: float, y1: float, x2: float, y2: float) -> float:
    dx, dy = x2 - x1, y2 - y1
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else min(1.0, max(0.0, -(x1 * dx + y1 * dy) / length2))
    return math.hypot(x1 + t * dx, y1 + t * dy)


# --- values and words -------------------------------------------------------------------


def _flag(code: str, detail: Message, **params: Any) -> Flag:
    return Flag(code, detail.both(), params)


def _accuracy(fix: Fix) -> float:
    """The accuracy radius to be generous with; unknown or invalid counts as 0."""
    value = fix.accuracy_m
    return value if value is not None and math.isfinite(value) and value > 0 else 0.0


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _json_number(value: float | None) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def _number(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 10 else f"{value:.1f}".removesuffix(".0")


def _distance_text(metres: float) -> Message:
    if metres < 1000:
        return Units.metres.fill(n=f"{metres:.0f}")
    return Units.kilometres.fill(n=f"{metres / 1000:.1f}")


def _accuracy_text(accuracy: float | None) -> Message:
    if accuracy is None or not math.isfinite(accuracy):
        return Units.accuracy_unknown
    return Units.accuracy.fill(n=_number(accuracy))


def _duration_text(seconds: float) -> Message:
    delta = timedelta(seconds=seconds)
    if delta < timedelta(minutes=1):
        return Units.seconds.fill(n=f"{seconds:.0f}")
    if delta < timedelta(hours=1):
        return Units.minutes.fill(n=f"{seconds / 60:.0f}")
    if delta < timedelta(days=1):
        return Units.hours.fill(n=f"{seconds / 3600:.1f}")
    return Units.days.fill(n=f"{seconds / 86400:.1f}")
