"""Photo upload: idempotent, content-addressed, limited, stripped; flags from photos."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import time

import pytest
from PIL import Image

from backend.evidence.tables import Photo
from tests.api.test_sync import item, log_data, pull_all, push
from tests.images import dms, encode, make_exif, png_header_only, scene


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def put(client, world, who, data, digest=None, headers=None, lang="zh-CN"):
    return client.put(
        f"/api/evidence/{digest or sha(data)}",
        content=data,
        headers={**world.headers(who, lang), "content-type": "image/jpeg", **(headers or {})},
    )


def photo(seed=1, *, lat=None, lon=None, taken=None, size=(800, 600)) -> bytes:
    exif = make_exif(
        taken=taken,
        offset="+08:00" if taken else None,
        lat=("N", dms(lat)) if lat is not None else None,
        lon=("E", dms(lon)) if lon is not None else None,
    )
    return encode(scene(seed, size), "JPEG", quality=88, exif=exif.tobytes())


def test_put_is_idempotent_and_copies_carry_no_metadata(client, world, run):
    data = photo(lat=26.41, lon=107.91, taken="2026:03:02 10:00:00")
    r = put(client, world, "cadre_x1", data)
    assert r.status_code == 201, r.text
    assert r.json()["has_location"] is True
    assert put(client, world, "cadre_x1", data).status_code == 200
    assert run(Photo.count().run) == 1
    for variant in ("thumb", "display"):
        served = client.get(
            f"/api/evidence/{sha(data)}/{variant}", headers=world.headers("cadre_x1")
        )
        assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
        im = Image.open(io.BytesIO(served.content))
        assert not im.getexif() and "exif" not in im.info
    assert client.get(
        f"/api/evidence/{sha(data)}/original", headers=world.headers("cadre_x1")
    ).status_code in {400, 404, 422}


def test_refusals_are_clear_and_cheap(client, world, run):
    text = b"this is not a picture at all\n" * 10
    r = put(client, world, "cadre_x1", text, lang="en")
    assert r.status_code == 415 and "JPEG" in r.json()["detail"]
    bomb = png_header_only(60_000, 60_000)
    started = time.perf_counter()
    r = put(client, world, "cadre_x1", bomb)
    assert r.status_code == 422 and r.json()["code"] == "image_too_many_pixels"
    assert time.perf_counter() - started < 2
    truncated = photo(3)[:5000]
    r = put(client, world, "cadre_x1", truncated)
    assert r.status_code == 422 and r.json()["code"] == "image_corrupt"
    data = photo(4)
    r = put(client, world, "cadre_x1", data, digest=sha(b"other"))
    assert r.status_code == 422 and r.json()["code"] == "hash_mismatch"
    huge = b"\xff\xd8" + b"0" * (50 * 1024 * 1024)
    assert put(client, world, "cadre_x1", huge).status_code == 413
    r = put(client, world, "cadre_x1", data, digest="abc")
    assert r.status_code == 422
    assert run(Photo.count().run) == 0


def test_over_ten_megabytes_is_refused_even_under_the_body_limit(client, world):
    big = b"\xff\xd8\xff" + b"\x00" * (11 * 1024 * 1024)
    r = put(client, world, "cadre_x1", big)
    assert r.status_code == 413 and "10 MB" in r.json()["detail"]


def test_photos_are_visible_to_the_record_scope_only(client, world):
    data = photo(5)
    put(client, world, "cadre_x1", data)
    url = f"/api/evidence/{sha(data)}/thumb"
    # Before any record names it, only the uploader sees it.
    assert client.get(url, headers=world.headers("reviewer_x")).status_code == 404
    push(client, world, "cadre_x1", item(log_data(evidence=[sha(data)])))
    assert client.get(url, headers=world.headers("cadre_x1")).status_code == 200
    assert client.get(url, headers=world.headers("reviewer_x")).status_code == 200
    assert client.get(url, headers=world.headers("admin_a")).status_code == 200
    for outsider in ("cadre_x2", "reviewer_y", "admin_b", "finance_a"):
        assert client.get(url, headers=world.headers(outsider)).status_code == 404, outsider


def _flags(client, world, log_id):
    changes, _ = pull_all(client, world, "cadre_x1")
    log = next(c for c in changes if c["id"] == log_id)
    return log["data"]["flags"]


def test_photo_outside_the_fence_arriving_after_its_log_is_flagged(client, world):
    today = dt.date.today()
    data = photo(6, lat=26.60, lon=107.91, taken=today.strftime("%Y:%m:%d 09:00:00"))
    log = item(log_data(date=today, evidence=[sha(data)]))
    push(client, world, "cadre_x1", log)
    assert [f["code"] for f in _flags(client, world, log["id"])] == ["no_location"]
    assert put(client, world, "cadre_x1", data).status_code == 201
    flags = _flags(client, world, log["id"])
    outside = [f for f in flags if f["code"] == "outside_fence"]
    assert outside and outside[0]["params"]["sha256"] == sha(data)
    assert "公里" in outside[0]["detail"] and " / " in outside[0]["detail"]
    assert "no_location" not in [f["code"] for f in flags]


def test_resized_copy_of_an_earlier_photo_is_flagged_as_reused(client, world):
    original = photo(7, size=(1200, 900))
    put(client, world, "cadre_x1", original)
    first = item(log_data("第一次走访", evidence=[sha(original)]))
    push(client, world, "cadre_x1", first)
    smaller = encode(Image.open(io.BytesIO(original)).resize((600, 450)), "JPEG", quality=70)
    put(client, world, "cadre_x1", smaller)
    second = item(log_data("第二次走访", evidence=[sha(smaller)]))
    push(client, world, "cadre_x1", second)
    reused = [f for f in _flags(client, world, second["id"]) if f["code"] == "photo_reused"]
    assert reused and reused[0]["params"]["other_record_id"] == first["id"]


def test_photo_taken_two_days_after_the_log_date_is_flagged(client, world):
    log_date = dt.date.today() - dt.timedelta(days=3)
    taken = (log_date + dt.timedelta(days=2)).strftime("%Y:%m:%d 10:00:00")
    data = photo(8, taken=taken)
    put(client, world, "cadre_x1", data)
    log = item(log_data(date=log_date, evidence=[sha(data)]))
    push(client, world, "cadre_x1", log)
    skew = [f for f in _flags(client, world, log["id"]) if f["code"] == "time_skew"]
    assert skew and skew[0]["params"]["days"] == 2


def test_capture_headers_stand_in_for_stripped_exif(client, world, run):
    data = photo(9)  # no EXIF at all, as after a canvas downscale
    r = put(
        client,
        world,
        "cadre_x1",
        data,
        headers={
            "X-Captured-At": "2026-03-02T10:00:00+08:00",
            "X-Capture-Location": "26.41,107.91,12",
        },
    )
    assert r.status_code == 201 and r.json()["has_location"]
    row = run(Photo.select().first().run)
    assert row["gps_accuracy_m"] == 12 and row["captured_at"].year == 2026
    bad = put(client, world, "cadre_x1", photo(10), headers={"X-Capture-Location": "north"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "X-Capture-Location"


@pytest.mark.parametrize("who", ["cadre_x2", "reviewer_y"])
def test_metadata_route_is_scoped(client, world, who):
    data = photo(11)
    put(client, world, "cadre_x1", data)
    push(client, world, "cadre_x1", item(log_data(evidence=[sha(data)])))
    assert client.get(f"/api/evidence/{sha(data)}", headers=world.headers(who)).status_code == 404
    assert (
        client.get(f"/api/evidence/{sha(data)}", headers=world.headers("reviewer_x")).status_code
        == 200
    )
