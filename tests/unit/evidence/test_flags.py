"""Verification flags: geofence, accuracy, time, speed, reuse, and a whole record."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

from geopy.distance import geodesic
from hypothesis import assume, given
from hypothesis import strategies as st

from backend.core.clock import SHANGHAI
from backend.evidence.flags import (
    FLAG_CODES,
    Fence,
    Fix,
    Flag,
    FlagSettings,
    PhotoFacts,
    accuracy_flags,
    outside_fence,
    reuse_flag,
    speed_flag,
    time_flags,
    verify_record,
)
from backend.geo.coords import distance_m

CENTER = (26.5, 107.5)  # a village in Qiandongnan, Guizhou
NOW = datetime(2024, 5, 3, 12, 0, tzinfo=UTC)
LOG_DATE = date(2024, 5, 1)
SETTINGS = FlagSettings()
CJK = re.compile(r"[\u4e00-\u9fff]")


def offset(point: tuple[float, float], metres: float, bearing: float) -> tuple[float, float]:
    """The point ``metres`` away from ``point`` along ``bearing`` (degrees), geodesically."""
    there = geodesic(meters=metres).destination(point, bearing)
    return there.latitude, there.longitude


def fix_at(
    point: tuple[float, float], accuracy: float | None = 20.0, at: datetime | None = None
) -> Fix:
    return Fix(lat=point[0], lon=point[1], accuracy_m=accuracy, captured_at=at)


def square(center: tuple[float, float], half_deg: float, *, hole: bool = False) -> dict:
    lat, lon = center
    outer = [
        [lon - half_deg, lat - half_deg],
        [lon + half_deg, lat - half_deg],
        [lon + half_deg, lat + half_deg],
        [lon - half_deg, lat + half_deg],
        [lon - half_deg, lat - half_deg],
    ]
    rings = [outer]
    if hole:
        h = half_deg / 2
        rings.append(
            [
                [lon - h, lat - h],
                [lon - h, lat + h],
                [lon + h, lat + h],
                [lon + h, lat - h],
                [lon - h, lat - h],
            ]
        )
    return {"type": "Polygon", "coordinates": rings}


def photo(sha: str, **kw) -> PhotoFacts:
    kw.setdefault("captured_at", None)
    kw.setdefault("gps", None)
    kw.setdefault("phash", None)
    return PhotoFacts(sha256=sha, **kw)


def bilingual(flag: Flag) -> bool:
    zh, sep, en = flag.detail.partition(" / ")
    return (
        bool(sep)
        and bool(CJK.search(zh))
        and not CJK.search(en)
        and bool(re.search("[A-Za-z]", en))
    )


# --- outside_fence: circle ---------------------------------------------------------------


def test_fix_3_km_from_centre_is_outside_a_1500_m_fence():
    flag = outside_fence(fix_at(offset(CENTER, 3000, 45), 30), Fence(CENTER, 1500))
    assert flag is not None
    assert flag.code == "outside_fence"
    assert abs(flag.params["distance_m"] - 1500) <= 1
    assert abs(flag.params["center_distance_m"] - 3000) <= 1
    assert flag.params["accuracy_m"] == 30.0
    assert flag.params["radius_m"] == 1500.0
    assert "1.5 公里" in flag.detail and "1.5 km" in flag.detail and "±30" in flag.detail
    assert bilingual(flag)


def test_accuracy_is_given_to_the_cadre_on_a_circle():
    fence = Fence(CENTER, 1500)
    point = offset(CENTER, 1600, 200)
    assert outside_fence(fix_at(point, 200), fence) is None
    assert outside_fence(fix_at(point, 100.5), fence) is None
    flagged = outside_fence(fix_at(point, 50), fence)
    assert flagged is not None and abs(flagged.params["distance_m"] - 100) <= 1
    unknown = outside_fence(fix_at(point, None), fence)  # no accuracy counts as 0
    assert unknown is not None and unknown.params["accuracy_m"] is None
    assert "精度未知" in unknown.detail and "accuracy unknown" in unknown.detail


def test_inside_the_circle_is_never_flagged():
    assert outside_fence(fix_at(CENTER, None), Fence(CENTER, 50)) is None
    assert outside_fence(fix_at(offset(CENTER, 1499, 0), 0), Fence(CENTER, 1500)) is None


# --- outside_fence: polygon --------------------------------------------------------------


def test_polygon_inside_outside_and_near_edge():
    fence = Fence(CENTER, 500, square(CENTER, 0.01))  # ≈ 2 km × 2.2 km
    east_edge = (CENTER[0], CENTER[1] + 0.01)
    assert outside_fence(fix_at(offset(CENTER, 900, 90), 10), fence) is None

    far = outside_fence(fix_at(offset(east_edge, 500, 90), 30), fence)
    assert far is not None
    assert far.params["shape"] == "polygon"
    assert abs(far.params["distance_m"] - 500) <= 1
    assert "500 米" in far.detail and "500 m" in far.detail

    near = offset(east_edge, 40, 90)
    assert outside_fence(fix_at(near, 50), fence) is None  # within its accuracy of the edge
    exact = outside_fence(fix_at(near, None), fence)
    assert exact is not None and abs(exact.params["distance_m"] - 40) <= 0.5


def test_polygon_replaces_the_circle():
    fence = Fence(CENTER, 200, square(CENTER, 0.01))
    # Outside the 200 m circle but inside the polygon: not flagged.
    assert outside_fence(fix_at(offset(CENTER, 800, 0), 5), fence) is None
    # Inside a wide circle but outside a small polygon: flagged by the polygon.
    small = Fence(CENTER, 5000, square(CENTER, 0.001))
    flag = outside_fence(fix_at(offset(CENTER, 1000, 0), 5), small)
    assert flag is not None and flag.params["shape"] == "polygon"


def test_polygon_holes_are_ignored_and_unreadable_polygons_fall_back_to_the_circle():
    with_hole = Fence(CENTER, 100, square(CENTER, 0.01, hole=True))
    assert outside_fence(fix_at(CENTER, 5), with_hole) is None
    for bad in (
        {"type": "Point", "coordinates": [107.5, 26.5]},
        {"type": "Polygon"},
        {"type": "Polygon", "coordinates": [[[107.5, 26.5]]]},
    ):
        fence = Fence(CENTER, 1500, bad)
        flag = outside_fence(fix_at(offset(CENTER, 3000, 0), 5), fence)
        assert flag is not None and flag.params["shape"] == "circle"


# --- accuracy ---------------------------------------------------------------------------


def test_zero_accuracy_is_flagged_as_a_possible_mock_location():
    flags = accuracy_flags(fix_at(CENTER, 0), SETTINGS)
    assert [f.code for f in flags] == ["zero_accuracy"]
    assert flags[0].params == {"accuracy_m": 0.0}
    assert bilingual(flags[0])


def test_low_accuracy_above_the_limit_only():
    flags = accuracy_flags(fix_at(CENTER, 350), SETTINGS)
    assert [f.code for f in flags] == ["low_accuracy"]
    assert flags[0].params == {"accuracy_m": 350.0, "limit_m": 200.0}
    assert "±350" in flags[0].detail
    assert accuracy_flags(fix_at(CENTER, 200), SETTINGS) == []
    assert accuracy_flags(fix_at(CENTER, 0.5), SETTINGS) == []
    assert accuracy_flags(fix_at(CENTER, None), SETTINGS) == []
    assert accuracy_flags(fix_at(CENTER, 150), FlagSettings(low_accuracy_m=100))[0].code == (
        "low_accuracy"
    )


# --- time -------------------------------------------------------------------------------


def local(y: int, m: int, d: int, hh: int = 10) -> datetime:
    return datetime(y, m, d, hh, tzinfo=SHANGHAI)


def test_photo_two_days_after_the_log_date_is_skewed_one_day_is_not():
    flags = time_flags(local(2024, 5, 3), LOG_DATE, NOW, SETTINGS)
    assert [f.code for f in flags] == ["time_skew"]
    assert flags[0].params["days"] == 2
    assert flags[0].params["record_date"] == "2024-05-01"
    assert bilingual(flags[0])
    assert time_flags(local(2024, 5, 2, 23), LOG_DATE, NOW, SETTINGS) == []
    assert time_flags(local(2024, 4, 30, 0), LOG_DATE, NOW, SETTINGS) == []
    before = time_flags(local(2024, 4, 29), LOG_DATE, NOW, SETTINGS)
    assert [f.params["days"] for f in before] == [-2]


def test_skew_counts_shanghai_dates_not_utc_dates():
    # 2024-05-02 17:00 UTC is already 2024-05-03 01:00 in Shanghai.
    at = datetime(2024, 5, 2, 17, 0, tzinfo=UTC)
    assert [f.code for f in time_flags(at, LOG_DATE, NOW, SETTINGS)] == ["time_skew"]
    assert time_flags(at, LOG_DATE, NOW, FlagSettings(max_skew_days=2)) == []


def test_future_time_beyond_the_tolerance():
    now = datetime(2024, 5, 1, 4, 0, tzinfo=UTC)
    flags = time_flags(now + timedelta(minutes=10), LOG_DATE, now, SETTINGS)
    assert [f.code for f in flags] == ["future_time"]
    assert flags[0].params["seconds_ahead"] == 600
    assert "10 分钟" in flags[0].detail and "10 min" in flags[0].detail
    assert time_flags(now + timedelta(minutes=4), LOG_DATE, now, SETTINGS) == []
    assert time_flags(now - timedelta(hours=5), LOG_DATE, now, SETTINGS) == []
    assert time_flags(None, LOG_DATE, now, SETTINGS) == []


# --- speed ------------------------------------------------------------------------------


def test_200_km_in_30_minutes_is_impossible():
    t0 = datetime(2024, 5, 1, 2, 0, tzinfo=UTC)
    previous = fix_at(CENTER, 20, t0)
    current = fix_at(offset(CENTER, 200_000, 10), 20, t0 + timedelta(minutes=30))
    flag = speed_flag(previous, current, SETTINGS)
    assert flag is not None and flag.code == "impossible_speed"
    assert abs(flag.params["speed_kmh"] - 400) < 0.5
    assert abs(flag.params["distance_m"] - 200_000) <= 1
    assert flag.params["elapsed_s"] == 1800
    assert bilingual(flag)
    assert speed_flag(current, previous, SETTINGS) is not None  # order of arrival is moot


def test_jitter_and_plausible_moves_are_not_flagged():
    t0 = datetime(2024, 5, 1, 2, 0, tzinfo=UTC)
    previous = fix_at(CENTER, 20, t0)
    jitter = fix_at(offset(CENTER, 500, 90), 20, t0 + timedelta(seconds=1))
    assert speed_flag(previous, jitter, SETTINGS) is None  # below the minimum distance
    drive = fix_at(offset(CENTER, 50_000, 90), 20, t0 + timedelta(hours=1))
    assert speed_flag(previous, drive, SETTINGS) is None
    assert speed_flag(None, drive, SETTINGS) is None
    assert speed_flag(previous, None, SETTINGS) is None
    assert speed_flag(previous, fix_at(offset(CENTER, 90_000, 0)), SETTINGS) is None


def test_a_real_move_in_no_time_is_impossible():
    t0 = datetime(2024, 5, 1, 2, 0, tzinfo=UTC)
    flag = speed_flag(fix_at(CENTER, 5, t0), fix_at(offset(CENTER, 2000, 0), 5, t0), SETTINGS)
    assert flag is not None and flag.params["speed_kmh"] is None
    json.dumps(flag.as_dict(), allow_nan=False)


# --- reuse ------------------------------------------------------------------------------

BASE = "0" * 16


def flip(bits: int) -> str:
    """A 64-bit hash ``bits`` bits away from BASE."""
    return f"{(1 << bits) - 1:016x}"


def test_reused_photo_reports_the_closest_other_record():
    others = [("r-far", flip(30)), ("r-near", flip(6)), ("r-nearest", flip(3))]
    flag = reuse_flag(BASE, others, SETTINGS)
    assert flag is not None and flag.code == "photo_reused"
    assert flag.params == {"other_record_id": "r-nearest", "hamming": 3}
    assert bilingual(flag)


def test_far_hashes_and_other_lengths_are_not_reuse():
    assert reuse_flag(BASE, [("r1", flip(11)), ("r2", flip(40))], SETTINGS) is None
    assert reuse_flag(BASE, [("r1", "0" * 8)], SETTINGS) is None
    assert reuse_flag(BASE, [], SETTINGS) is None
    assert reuse_flag(BASE, [("r1", flip(10))], SETTINGS) is not None  # threshold inclusive
    assert reuse_flag(BASE, [("r1", flip(10))], FlagSettings(phash_near=4)) is None


# --- a whole record ---------------------------------------------------------------------


def test_no_location_at_all_is_exactly_one_no_location_flag():
    flags = verify_record(
        record_date=LOG_DATE,
        location=None,
        photos=[photo("a" * 64), photo("b" * 64, captured_at=local(2024, 5, 1))],
        fence=Fence(CENTER, 1500),
        previous_fix=fix_at(CENTER, 10, NOW - timedelta(days=1)),
        reuse_candidates=[],
        now=NOW,
    )
    assert [f.code for f in flags] == ["no_location"]
    assert flags[0].params == {}
    assert bilingual(flags[0])


def test_a_clean_record_has_no_flags_and_no_fence_means_no_outside_flag():
    common = dict(
        record_date=LOG_DATE,
        location=fix_at(offset(CENTER, 30_000, 0), 15, local(2024, 5, 1)),
        photos=[photo("a" * 64, captured_at=local(2024, 5, 1), phash=BASE)],
        previous_fix=None,
        reuse_candidates=[("other", flip(40))],
        now=NOW,
    )
    assert verify_record(fence=None, **common) == []
    assert [f.code for f in verify_record(fence=Fence(CENTER, 1500), **common)] == ["outside_fence"]


def test_record_and_photo_flags_together():
    sha_a, sha_b = "a" * 64, "b" * 64
    t_log = local(2024, 5, 1, 9)
    far_photo = fix_at(offset(CENTER, 4000, 180), 0)
    flags = verify_record(
        record_date=LOG_DATE,
        location=fix_at(offset(CENTER, 3000, 0), 30, t_log),
        photos=[
            photo(sha_a, captured_at=local(2024, 5, 3, 8), gps=far_photo, phash=BASE),
            photo(sha_a, captured_at=local(2024, 5, 3, 8), gps=far_photo, phash=BASE),  # twice
            photo(sha_b, captured_at=t_log, phash=flip(40)),
        ],
        fence=Fence(CENTER, 1500),
        previous_fix=fix_at(offset(CENTER, 300_000, 0), 10, t_log - timedelta(hours=1)),
        reuse_candidates=[("r-old", flip(2))],
        now=NOW,
    )
    got = [(f.code, f.params.get("sha256")) for f in flags]
    assert got == [
        ("impossible_speed", None),
        ("outside_fence", None),
        ("outside_fence", sha_a),
        ("photo_reused", sha_a),
        ("time_skew", sha_a),
        ("zero_accuracy", sha_a),
    ]
    reused = flags[3]
    assert reused.params["other_record_id"] == "r-old"
    assert reused.detail.startswith("照片 aaaaaaaa：") and "/ Photo aaaaaaaa: " in reused.detail
    assert all(bilingual(f) for f in flags)


def test_speed_uses_the_first_timed_photo_gps_when_the_record_has_no_fix():
    t0 = local(2024, 5, 1, 9)
    far = offset(CENTER, 100_000, 90)
    flags = verify_record(
        record_date=LOG_DATE,
        location=None,
        photos=[
            photo("c" * 64, gps=fix_at(far, 10)),  # no time anywhere: skipped
            photo("d" * 64, captured_at=t0 + timedelta(minutes=20), gps=fix_at(far, 10)),
        ],
        fence=None,
        previous_fix=fix_at(CENTER, 10, t0),
        reuse_candidates=[],
        now=NOW,
    )
    assert [f.code for f in flags] == ["impossible_speed"]
    assert abs(flags[0].params["speed_kmh"] - 300) < 1


def test_future_and_skewed_record_fix():
    flags = verify_record(
        record_date=LOG_DATE,
        location=fix_at(CENTER, 10, NOW + timedelta(days=2)),
        photos=[],
        fence=Fence(CENTER, 1500),
        previous_fix=None,
        reuse_candidates=[],
        now=NOW,
    )
    assert [f.code for f in flags] == ["future_time", "time_skew"]
    assert "天" in flags[0].detail and "days" in flags[0].detail


# --- properties -------------------------------------------------------------------------

lats = st.floats(min_value=18.0, max_value=53.0)
lons = st.floats(min_value=74.0, max_value=134.0)
bearings = st.floats(min_value=0.0, max_value=360.0)
accuracies = st.none() | st.just(0.0) | st.floats(min_value=0.0, max_value=2000.0)


@given(
    lats, lons, st.floats(min_value=50, max_value=50_000), st.floats(0.0, 1.0), bearings, accuracies
)
def test_outside_fence_never_fires_within_the_radius(lat, lon, radius, share, bearing, acc):
    point = offset((lat, lon), radius * share, bearing)
    assume(distance_m(point, (lat, lon)) <= radius)
    assert outside_fence(fix_at(point, acc), Fence((lat, lon), radius)) is None


@given(
    lats,
    lons,
    st.floats(min_value=50, max_value=50_000),
    st.floats(1.0, 100_000.0),
    bearings,
    accuracies,
)
def test_outside_fence_fires_beyond_radius_plus_accuracy(lat, lon, radius, extra, bearing, acc):
    point = offset((lat, lon), radius + (acc or 0) + extra, bearing)
    flag = outside_fence(fix_at(point, acc), Fence((lat, lon), radius))
    assert flag is not None
    assert abs(flag.params["distance_m"] - (distance_m(point, (lat, lon)) - radius)) <= 1


def regular_polygon(center: tuple[float, float], radius: float, sides: int) -> dict:
    ring = [offset(center, radius, 360 * k / sides) for k in range(sides)]
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [[[lon, lat] for lat, lon in ring]]}


@given(
    lats,
    lons,
    st.floats(300, 20_000),
    st.integers(3, 12),
    st.floats(0.0, 3.0),
    bearings,
    accuracies,
)
def test_polygon_fence_agrees_with_inscribed_and_circumscribed_circles(
    lat, lon, radius, sides, share, bearing, acc
):
    import math

    apothem = radius * math.cos(math.pi / sides)
    fence = Fence((lat, lon), 1, regular_polygon((lat, lon), radius, sides))
    d = share * radius
    point = offset((lat, lon), d, bearing)
    flag = outside_fence(fix_at(point, acc), fence)
    if d <= 0.99 * apothem:
        assert flag is None
    elif d >= 1.01 * radius + (acc or 0):
        assert flag is not None and flag.params["distance_m"] >= 0.01 * radius - 1


def _fixes(timed: bool = True) -> st.SearchStrategy[Fix]:
    times = st.datetimes(
        min_value=datetime(2024, 4, 25), max_value=datetime(2024, 5, 8), timezones=st.just(UTC)
    )
    return st.builds(
        Fix,
        lat=st.floats(26.3, 26.7),
        lon=st.floats(107.3, 107.7),
        accuracy_m=accuracies,
        captured_at=st.none() | times if timed else st.none(),
    )


hashes = st.integers(0, 2**64 - 1).map(lambda n: f"{n:016x}")
photos = st.builds(
    PhotoFacts,
    sha256=st.sampled_from(["a" * 64, "b" * 64, "c" * 64]),
    captured_at=st.none()
    | st.datetimes(
        min_value=datetime(2024, 4, 25), max_value=datetime(2024, 5, 8), timezones=st.just(SHANGHAI)
    ),
    gps=st.none() | _fixes(),
    phash=st.none() | hashes,
)
fences = st.none() | st.builds(
    Fence,
    center=st.just(CENTER),
    radius_m=st.floats(100, 20_000),
    polygon=st.none() | st.just(square(CENTER, 0.05)),
)


@given(
    st.none() | _fixes(),
    st.lists(photos, max_size=4),
    fences,
    st.none() | _fixes(),
    st.lists(st.tuples(st.sampled_from(["r1", "r2", "r3"]), hashes), max_size=4),
)
def test_flags_are_deterministic_bilingual_unique_and_sorted(
    location, photo_list, fence, previous, candidates
):
    def run() -> list[Flag]:
        return verify_record(
            record_date=LOG_DATE,
            location=location,
            photos=photo_list,
            fence=fence,
            previous_fix=previous,
            reuse_candidates=iter(candidates),  # any iterable, consumed once
            now=NOW,
        )

    flags = run()
    assert flags == run()
    codes = [f.code for f in flags]
    assert codes == sorted(codes)
    assert set(codes) <= set(FLAG_CODES)
    keys = [(f.code, f.params.get("sha256")) for f in flags]
    assert len(keys) == len(set(keys))
    assert ("no_location" in codes) == (location is None and all(p.gps is None for p in photo_list))
    for flag in flags:
        assert bilingual(flag), flag.detail
        assert json.loads(json.dumps(flag.as_dict(), allow_nan=False)) == flag.as_dict()


def _exact_only(check, *args):
    """``check`` with the haversine first look disabled: every decision by the geodesic."""
    import math
    from unittest import mock

    with mock.patch("backend.evidence.flags.sphere_distance_m", lambda a, b: math.inf):
        return check(*args)


@given(
    lats,
    lons,
    st.floats(min_value=50, max_value=50_000),
    # Most fixes near the edge, where the first look's margin decides; some far in or out.
    st.one_of(st.floats(0.97, 1.03), st.floats(0.0, 3.0)),
    bearings,
    accuracies,
)
def test_the_haversine_first_look_never_changes_the_fence_flag(lat, lon, radius, share, bearing,
                                                                 acc):
    fix, fence = fix_at(offset((lat, lon), radius * share, bearing), acc), Fence((lat, lon), radius)
    assert outside_fence(fix, fence) == _exact_only(outside_fence, fix, fence)


@given(lats, lons, st.floats(min_value=0.0, max_value=3_000.0), bearings,
       st.floats(min_value=0.0, max_value=7_200.0))
def test_the_haversine_first_look_never_changes_the_speed_flag(lat, lon, metres, bearing, secs):
    before = Fix(lat, lon, 10.0, NOW)
    there = offset((lat, lon), metres, bearing)
    after = Fix(there[0], there[1], 10.0, NOW + timedelta(seconds=secs))
    assert speed_flag(before, after) == _exact_only(speed_flag, before, after)
