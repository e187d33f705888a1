"""A reused photo is flagged on both records, whatever order the photos and logs arrive in and
however they were split across pushes (#14.1), and the near-duplicate index answers exactly
what comparing with every photo of the county would (#14.2)."""

from __future__ import annotations

import io
import random
import uuid

import pytest
from PIL import Image

from backend.core.canonical import loads
from backend.evidence import near
from backend.evidence import services as evidence
from backend.evidence.imaging import PHASH_NEAR
from backend.evidence.tables import PhotoLink
from backend.fieldwork.tables import WorkLog
from tests.api.test_evidence import photo, put, sha
from tests.api.test_sync import item, log_data, pull_all, push
from tests.images import encode
from tests.world import COUNTY_A, COUNTY_B, VILLAGE_X2, VILLAGE_Z1


def _resized(data: bytes) -> bytes:
    return encode(Image.open(io.BytesIO(data)).resize((600, 450)), "JPEG", quality=70)


def _reused(run, log_id) -> list[str]:
    """The other records a log's photo_reused flags name."""
    row = run(WorkLog.select(WorkLog.flags).where(WorkLog.id == uuid.UUID(log_id)).first().run)
    return sorted(f["params"]["other_record_id"] for f in loads(row["flags"]) or []
                  if f["code"] == "photo_reused")


@pytest.fixture
def pair():
    original = photo(7, size=(1200, 900))
    return original, _resized(original)


# Each scenario: steps over (photo P, its resized copy Q, log A naming P, log B naming Q).
SCENARIOS = {
    "same push, photos first": ["put P", "put Q", "push A+B"],
    "same push, same photo": ["put P", "push A+B'"],
    "same push, photos after": ["push A+B", "put Q", "put P"],
    "two pushes, photos first": ["put P", "put Q", "push A", "push B by x2"],
    "two pushes, second photo last": ["put P", "push A", "push B by x2", "put Q"],
    "two pushes, first photo last": ["put Q", "push B by x2", "push A", "put P"],
    "photos between": ["push A", "put P", "put Q", "push B by x2"],
}


@pytest.mark.parametrize("steps", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_both_records_are_flagged_whatever_the_order(client, world, run, pair, steps):
    p, q = pair
    a = item(log_data("第一次走访", evidence=[sha(p)]))
    b = item(log_data("第二次走访", evidence=[sha(q)]))
    b_same = item(log_data("第二次走访", evidence=[sha(p)]))
    b_x2 = item(log_data("第二次走访", village=VILLAGE_X2, evidence=[sha(q)]))
    logs = {"A": a, "B": b}
    for step in steps:
        if step == "put P":
            assert put(client, world, "cadre_x1", p).status_code == 201
        elif step == "put Q":
            assert put(client, world, "cadre_x2", q).status_code == 201
        elif step == "push A+B":
            assert {r["status"] for r in push(client, world, "cadre_x1", a, b)} == {"applied"}
        elif step == "push A+B'":
            logs["B"] = b_same
            assert {r["status"] for r in push(client, world, "cadre_x1", a, b_same)} == {
                "applied"}
        elif step == "push A":
            assert push(client, world, "cadre_x1", a)[0]["status"] == "applied"
        elif step == "push B by x2":
            logs["B"] = b_x2
            assert push(client, world, "cadre_x2", b_x2)[0]["status"] == "applied"
    a_id, b_id = logs["A"]["id"], logs["B"]["id"]
    assert _reused(run, a_id) == [b_id]
    assert _reused(run, b_id) == [a_id]
    # The phone of the first log learns of it by pull.
    changes, _ = pull_all(client, world, "cadre_x1")
    mine = next(c for c in changes if c["id"] == a_id)
    assert "photo_reused" in [f["code"] for f in mine["data"]["flags"]]


def test_unlinking_the_copy_clears_both_flags(client, world, run, pair):
    p, q = pair
    put(client, world, "cadre_x1", p)
    put(client, world, "cadre_x1", q)
    a = item(log_data("第一次走访", evidence=[sha(p)]))
    b = item(log_data("第二次走访", evidence=[sha(q)]))
    push(client, world, "cadre_x1", a, b)
    assert _reused(run, a["id"]) == [b["id"]]
    edited = {**b, "base_version": 1, "data": log_data("第二次走访", evidence=[])}
    assert push(client, world, "cadre_x1", edited)[0]["status"] == "applied"
    assert _reused(run, a["id"]) == [] and _reused(run, b["id"]) == []


def test_different_photos_and_other_counties_are_not_reuse(client, world, run, pair):
    p, q = pair
    other = photo(31, size=(1200, 900))
    for data in (p, q, other):
        put(client, world, "cadre_x1", data)
    a = item(log_data("第一次走访", evidence=[sha(p)]))
    c = item(log_data("另一件事", evidence=[sha(other)]))
    push(client, world, "cadre_x1", a, c)
    z = item(log_data("乙县的走访", village=VILLAGE_Z1, evidence=[sha(q)]))
    assert push(client, world, "cadre_z1", z)[0]["status"] == "applied"
    assert _reused(run, a["id"]) == _reused(run, c["id"]) == _reused(run, z["id"]) == []


def test_the_index_answers_what_a_full_comparison_would(client, world, run):
    """Random hashes, plus planted ones at distance 0 to 12 spread over every band; the same
    hashes linked in the other county are never answered."""
    rng = random.Random(14)
    query = rng.getrandbits(64)
    stored: list[int] = [rng.getrandbits(64) for _ in range(400)]
    for distance in range(0, 13):
        for _ in range(3):
            bits = rng.sample(range(64), distance)
            planted = query
            for bit in bits:
                planted ^= 1 << bit
            stored.append(planted)
    links: dict[str, list[PhotoLink]] = {COUNTY_A: [], COUNTY_B: []}
    for county, village in ((COUNTY_A, "529801001201"), (COUNTY_B, VILLAGE_Z1)):
        for value in stored:
            h = f"{value:016x}"
            links[county].append(PhotoLink(
                id=uuid.uuid4(), sha256=f"{value:064x}", record_kind="work_log",
                record_id=uuid.uuid4(), owner_id=world.ids["cadre_x1"],
                village_code=village, county_code=county, phash_bits=near.signed(h),
                **{f"county_band{i}": k for i, k in enumerate(near.county_bands(county, h))},
            ))
        run(PhotoLink.insert(*links[county]).run)
    q = f"{query:016x}"
    for county in (COUNTY_A, COUNTY_B):
        found = run(evidence.near_links, county, [q])[q]
        want = sorted(
            (link.record_id, near.unsigned_hex(link.phash_bits)) for link in links[county]
            if (int(near.unsigned_hex(link.phash_bits), 16) ^ query).bit_count() <= PHASH_NEAR
        )
        assert sorted((n.record_id, n.phash) for n in found) == want
        assert len(want) >= 3 * (PHASH_NEAR + 1)
        assert all(n.distance == (int(n.phash, 16) ^ query).bit_count() for n in found)
    assert run(evidence.near_links, "529803", [q])[q] == []


def test_county_band_keys_never_meet_across_counties():
    """Two counties' keys of any band values differ, and the probes of a band are its own
    county's keys."""
    values = [0, 1, 0x7FFF, 0xFFFF]
    a = {near.county_band(COUNTY_A, v) for v in values}
    b = {near.county_band(COUNTY_B, v) for v in values}
    assert not a & b and len(a) == len(values)
    probes = near.county_probes(COUNTY_A, "ffff0000ffff0001", PHASH_NEAR)
    assert all(k >> near.BAND_BITS == int(COUNTY_A) for keys in probes for k in keys)
    with pytest.raises(ValueError):
        near.county_band("52980", 1)
