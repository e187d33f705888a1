"""Languages, money and time helpers."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.core.clock import local_date, utc_iso
from backend.core.i18n import pick_lang, text
from backend.core.money import fen_to_yuan, yuan_to_fen


@pytest.mark.parametrize(
    "header, lang",
    [
        (None, "zh"),
        ("", "zh"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9", "zh"),
        ("zh-CN;q=0.5,en;q=0.8", "en"),
        ("fr-FR,en;q=0.5", "en"),
        ("fr-FR", "zh"),
        ("en;q=bogus,zh", "zh"),
    ],
)
def test_pick_lang(header, lang):
    assert pick_lang(header) == lang


def test_text_fills_params_and_blanks_missing_ones():
    pair = ("未知代码：{code}", "Unknown code: {code}")
    assert text(pair, "zh", code="1") == "未知代码：1"
    assert text(pair, "en") == "Unknown code"


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_fen_yuan_round_trip(fen):
    assert yuan_to_fen(fen_to_yuan(fen)) == fen


def test_yuan_refuses_fractions_of_a_fen():
    with pytest.raises(ValueError):
        yuan_to_fen("1.234")
    assert fen_to_yuan(180) == "1.80"


def test_local_date_is_shanghai():
    late_utc = dt.datetime(2026, 3, 1, 17, 30, tzinfo=dt.UTC)  # 01:30 on 2 March in Shanghai
    assert local_date(late_utc) == dt.date(2026, 3, 2)
    assert utc_iso(dt.datetime(2026, 3, 1, 17, 30)) == "2026-03-01T17:30:00.000000Z"


def test_today_is_kept_until_shanghai_midnight_and_no_longer() -> None:
    from backend.core import clock

    midnight = dt.datetime(2026, 3, 1, tzinfo=clock.SHANGHAI).timestamp()
    assert clock.today_at(midnight - 1) == dt.date(2026, 2, 28)
    assert clock.today_at(midnight - 0.001) == dt.date(2026, 2, 28)  # kept
    assert clock.today_at(midnight) == dt.date(2026, 3, 1)  # the next day
    assert clock.today_at(midnight - 1) == dt.date(2026, 2, 28)  # a clock set back
    assert clock.today_at(midnight + 86_399) == dt.date(2026, 3, 1)
    assert clock.today_at(midnight + 86_400) == dt.date(2026, 3, 2)
    assert local_date() == clock.to_local(clock.utc_now()).date()
