"""The near-duplicate index never misses a pair within the threshold (multi-index hashing)."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.evidence.imaging import PHASH_NEAR
from backend.evidence.near import BANDS, bands, close_pairs, probes, radii, within


def _hex(value: int) -> str:
    return f"{value:016x}"


def _found(query: str, stored: str, threshold: int) -> bool:
    """Whether ``stored`` is a candidate of ``query``: some band equals a probe value."""
    own = bands(stored)
    return any(own[i] in values for i, values in enumerate(probes(query, threshold)))


@settings(max_examples=300, deadline=None)
@given(
    value=st.integers(min_value=0, max_value=2**64 - 1),
    flips=st.sets(st.integers(min_value=0, max_value=63), max_size=PHASH_NEAR),
)
def test_every_hash_within_the_threshold_is_a_candidate(value, flips):
    other = value
    for bit in flips:
        other ^= 1 << bit
    assert _found(_hex(value), _hex(other), PHASH_NEAR)
    assert within(_hex(value), _hex(other), PHASH_NEAR) == len(flips)


def test_the_hardest_spread_at_the_threshold_is_found():
    # 10 bits spread as evenly as the bands allow: 3, 3, 2, 2 and 3, 3, 3, 1.
    for per_band in ((3, 3, 2, 2), (3, 3, 3, 1), (2, 3, 3, 2), (1, 3, 3, 3)):
        flip = 0
        for band, count in enumerate(per_band):
            for k in range(count):
                flip |= 1 << (16 * (BANDS - 1 - band) + k)
        assert _found(_hex(0x8F373714ACFCF4D0), _hex(0x8F373714ACFCF4D0 ^ flip), PHASH_NEAR)


def test_radii_cover_the_threshold_exactly():
    for threshold in range(0, 20):
        r = radii(threshold)
        assert sum(x + 1 for x in r) == threshold + 1


def test_a_far_hash_is_not_within_and_bad_hashes_are_ignored():
    assert within("0" * 16, "f" * 16, PHASH_NEAR) is None
    assert bands("xyz") is None and bands("0x" + "0" * 14) is None and bands("g" * 16) is None
    assert within("0" * 16, "0" * 8, PHASH_NEAR) is None


def test_close_pairs_match_a_brute_force_comparison():
    rng = random.Random(4)
    base = [rng.getrandbits(64) for _ in range(20)]
    hashes = [(f"r{i}", _hex(b ^ (1 << rng.randrange(64) if i % 3 else 0))) for i, b in
              enumerate(base)]
    hashes += [(f"copy{i}", _hex(base[i] ^ (0b111 << 20))) for i in range(5)]
    got = {(a[0], b[0]) for a, b in close_pairs(hashes, PHASH_NEAR)}
    want = {(a[0], b[0]) for i, a in enumerate(hashes) for b in hashes[i + 1:]
            if (int(a[1], 16) ^ int(b[1], 16)).bit_count() <= PHASH_NEAR}
    assert got == want and len(got) >= 5
