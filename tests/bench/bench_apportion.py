"""Benchmark: Sainte-Laguë apportionment at province scale against a naive version.

Run: ``.venv/bin/python tests/bench/bench_apportion.py``. Not a pytest test.

60,000 eligible cadres in 300 townships of mixed tiers; excellent-grade quotas at the
default ratios (about 13,600 seats) and a commendation of 600 awards. Goal: each
apportionment, explanation table included, under 1 s.
"""

from __future__ import annotations

import random
import time
from fractions import Fraction
from typing import TYPE_CHECKING

from backend.commendation.apportion import (
    DEFAULT_EXCELLENT_RATIOS,
    Unit,
    apportion_seats,
    commendation_seats,
    excellent_quotas,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

GOAL_SECONDS = 1.0
CADRES = 60_000
UNITS = 300
AWARDS = 600
STRESS_SEATS = 20_000
COMMENDATION_WEIGHTS = {"deep": Fraction(3, 2), "key": Fraction(6, 5), "ordinary": Fraction(1)}


def make_units(seed: int = 2018) -> list[Unit]:
    """300 townships, 60,000 eligible cadres in all, tiers about 15 / 30 / 55 %."""
    rng = random.Random(seed)
    sizes = [rng.lognormvariate(0, 0.6) for _ in range(UNITS)]
    scale = (CADRES - 20 * UNITS) / sum(sizes)
    eligible = [20 + int(s * scale) for s in sizes]
    for i in range(CADRES - sum(eligible)):
        eligible[i % UNITS] += 1
    tiers = rng.choices(("deep", "key", "ordinary"), weights=(15, 30, 55), k=UNITS)
    return [
        Unit(f"5227{i:05d}", f"乡镇{i}", tier, n)
        for i, (tier, n) in enumerate(zip(tiers, eligible, strict=True))
    ]


def naive_seats(claims: Sequence[tuple[str, Fraction, int]], total: int) -> dict[str, int]:
    """Highest averages recomputing every unit's average for every seat: O(total × n)."""
    seats = {code: 0 for code, _, _ in claims}
    for _ in range(total):
        best = None
        best_key = None
        for code, claim, cap in claims:
            if claim == 0 or seats[code] >= cap:
                continue
            key = (-claim / (2 * seats[code] + 1), -claim, -cap, code)
            if best_key is None or key < best_key:
                best, best_key = code, key
        if best is None:
            break
        seats[best] += 1
    return seats


def best_of(repeats: int, run: Callable[[], object]) -> tuple[float, object]:
    times = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def claims_for(units: Sequence[Unit], weights: Mapping[str, Fraction]) -> list:
    return [(u.code, u.eligible * Fraction(weights[u.tier]), u.eligible) for u in units]


def report(name: str, seats: int, ours: float, naive: float | None, same: bool | None) -> bool:
    verdict = "PASS" if ours < GOAL_SECONDS else "MISS"
    line = f"{name:<34} {seats:>6} seats  ours {ours * 1000:8.1f} ms"
    if naive is not None:
        line += f"  naive {naive * 1000:9.1f} ms  ×{naive / ours:5.0f}"
    if same is not None:
        line += f"  same seats as naive: {'yes' if same else 'NO'}"
    print(f"{line}  {verdict} (goal < {GOAL_SECONDS:.0f} s)")
    return verdict == "PASS" and same is not False


def main() -> int:
    units = make_units()
    print(f"{len(units)} units, {sum(u.eligible for u in units)} eligible cadres")
    ok = True

    ours, result = best_of(5, lambda: excellent_quotas(units))
    claims = claims_for(units, DEFAULT_EXCELLENT_RATIOS)
    naive, naive_result = best_of(1, lambda: naive_seats(claims, result.total_target))
    ok &= report(
        "excellent quotas (with table)",
        result.total_target,
        ours,
        naive,
        naive_result == result.seats,
    )
    core, _ = best_of(5, lambda: apportion_seats(claims, result.total_target))
    ok &= report("  core apportion_seats only", result.total_target, core, naive, None)

    ours, result = best_of(5, lambda: commendation_seats(units, AWARDS, COMMENDATION_WEIGHTS))
    claims = claims_for(units, COMMENDATION_WEIGHTS)
    naive, naive_result = best_of(1, lambda: naive_seats(claims, AWARDS))
    ok &= report("commendation (with table)", AWARDS, ours, naive, naive_result == result.seats)

    ours, result = best_of(3, lambda: commendation_seats(units, STRESS_SEATS, COMMENDATION_WEIGHTS))
    ok &= report("stress: 20,000 awards (with table)", STRESS_SEATS, ours, None, None)
    print("overall:", "PASS" if ok else "MISS")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
