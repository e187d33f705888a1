"""The policy defaults are those of domain.md, "Default settings"."""

from __future__ import annotations

from decimal import Decimal

from backend.core.money import fen_to_yuan
from backend.policy.services import DEFAULTS


def test_defaults_of_domain_md():
    assert fen_to_yuan(DEFAULTS.subsidy_daily_fen) == "60.00"
    assert DEFAULTS.round_trips_per_month == 4
    assert fen_to_yuan(DEFAULTS.car_fen_per_km) == "1.80"
    assert DEFAULTS.road_factor == Decimal("2.5")
    assert DEFAULTS.leave_limit_days == 3
    assert (DEFAULTS.min_days_month, DEFAULTS.min_days_year) == (20, 200)
    assert DEFAULTS.version == 0
