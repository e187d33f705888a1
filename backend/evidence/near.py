"""近似照片索引: multi-index hashing of 64-bit perceptual hashes, so that a push looks up
only candidates instead of every photo of the county.

The hash is cut into ``BANDS`` bands of 16 bits, each stored in an indexed column together
with its county, as one integer (``county_band``: the county code times 2**16 plus the band's
value), so that a lookup compares one 64-bit key instead of a county text and a band. Two hashes
at most ``threshold`` bits apart cannot differ in every band by much (pigeonhole): if band
``i`` may differ by at most ``radius[i]`` bits where ``Σ (radius[i] + 1) = threshold + 1``,
one band at least is within its radius. So the candidates are the rows with some band equal
to a value within that band's radius of the query's band, and each is then verified by its
full Hamming distance. Nothing within the threshold is ever missed (Norouzi, Punjani and
Fleet, "Fast exact search in Hamming space with multi-index hashing", 2014).

Pure functions over hex strings and integers; no database.

Example:
    >>> bands("8f373714acfcf4d0")
    (36663, 14100, 44284, 62672)
    >>> radii(10)
    (2, 2, 2, 1)
    >>> [len(p) for p in probes("8f373714acfcf4d0", 10)]
    [137, 137, 137, 17]
    >>> county_bands("529910", "8f373714acfcf4d0")[0] == 529910 * 2**16 + 36663
    True
"""

from __future__ import annotations

from functools import cache
from itertools import combinations
from typing import TYPE_CHECKING, Final, TypeVar

if TYPE_CHECKING:
    from collections.abc import Sequence

T = TypeVar("T")

__all__ = [
    "BANDS",
    "BAND_BITS",
    "bands",
    "close_pairs",
    "county_band",
    "county_bands",
    "county_probes",
    "probes",
    "radii",
    "signed",
    "unsigned_hex",
    "within",
]

BANDS: Final = 4
BAND_BITS: Final = 16
_MASK: Final = (1 << BAND_BITS) - 1
_HEX: Final = frozenset("0123456789abcdefABCDEF")


def bands(phash: str) -> tuple[int, ...] | None:
    """The hash's bands, most significant first; None for anything but a 64-bit hex hash."""
    if len(phash) != BANDS * BAND_BITS // 4 or not all(c in _HEX for c in phash):
        return None
    value = int(phash, 16)
    return tuple(
        (value >> (BAND_BITS * (BANDS - 1 - i))) & _MASK for i in range(BANDS)
    )


def signed(phash: str) -> int | None:
    """The 64-bit hash as a signed integer (a database ``BIGINT``); None if not a 64-bit hash."""
    if bands(phash) is None:
        return None
    value = int(phash, 16)
    return value - (1 << 64) if value >= 1 << 63 else value


def unsigned_hex(bits: int) -> str:
    """The hex hash of a signed 64-bit integer (the inverse of :func:`signed`)."""
    return f"{bits & ((1 << 64) - 1):016x}"


def radii(threshold: int) -> tuple[int, ...]:
    """How far each band is searched so that no pair within ``threshold`` bits is missed.

    The first bands take the remainder (``radius`` −1 means the band is not searched).
    """
    total = threshold + 1
    base, extra = divmod(total, BANDS)
    return tuple(base - 1 + (1 if i < extra else 0) for i in range(BANDS))


@cache
def _flips(radius: int) -> tuple[int, ...]:
    """Every 16-bit mask of at most ``radius`` set bits (computed once per radius)."""
    if radius < 0:
        return ()
    return tuple(
        sum(1 << b for b in bits)
        for r in range(radius + 1)
        for bits in combinations(range(BAND_BITS), r)
    )


def _ball(value: int, radius: int) -> list[int]:
    """Every 16-bit value within ``radius`` bits of ``value``, ascending."""
    return sorted(value ^ flip for flip in _flips(radius))


def probes(phash: str, threshold: int) -> list[list[int]]:
    """Per band, the values a stored hash's band must equal to be a candidate, ascending."""
    own = bands(phash)
    if own is None:
        return [[] for _ in range(BANDS)]
    return [_ball(v, r) for v, r in zip(own, radii(threshold), strict=True)]


def county_band(county_code: str, value: int) -> int:
    """The key of a band value in a county: the county code (six digits) times 2**16 plus it.

    Distinct counties never share a key, so a lookup by key is cut to its county.
    """
    if len(county_code) != 6 or not county_code.isascii() or not county_code.isdigit():
        raise ValueError(f"not a county code: {county_code!r}")
    return (int(county_code) << BAND_BITS) | value


def county_bands(county_code: str, phash: str) -> tuple[int, ...] | None:
    """The keys of the hash's bands in the county; None if not a 64-bit hash."""
    own = bands(phash)
    if own is None:
        return None
    return tuple(county_band(county_code, v) for v in own)


def county_probes(county_code: str, phash: str, threshold: int) -> list[list[int]]:
    """Per band, the keys a stored link of the county must have to be a candidate, ascending."""
    base = county_band(county_code, 0)
    return [[base | v for v in values] for values in probes(phash, threshold)]


def within(a: str, b: str, threshold: int) -> int | None:
    """The Hamming distance of two hex hashes when at most ``threshold``, else None."""
    if len(a) != len(b):
        return None
    try:
        distance = (int(a, 16) ^ int(b, 16)).bit_count()
    except ValueError:
        return None
    return distance if distance <= threshold else None


def close_pairs(
    photos: Sequence[tuple[T, str]], threshold: int
) -> list[tuple[tuple[T, str], tuple[T, str]]]:
    """Pairs of ``(key, phash)`` within ``threshold`` bits of each other, each pair once.

    For the photos of one push (at most a few thousand): every pair is compared.
    """
    values = [(key, h, int(h, 16)) for key, h in photos if bands(h) is not None]
    pairs = []
    for i, (ka, ha, va) in enumerate(values):
        for kb, hb, vb in values[i + 1 :]:
            if (va ^ vb).bit_count() <= threshold:
                pairs.append(((ka, ha), (kb, hb)))
    return pairs
