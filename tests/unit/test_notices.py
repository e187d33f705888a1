"""The exact words of the inbox notices, now kept in the capabilities' catalogues: the texts
that reach the phone are the ones the cadres were already reading."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from backend.claims.review import _review_notice
from backend.fieldwork.leave import _leave_notice
from backend.fieldwork.presence import _sheet_notice

OWNER = uuid.uuid4()


def _claim(kind: str) -> dict:
    return {
        "id": uuid.uuid4(), "owner_id": OWNER, "kind": kind, "month": dt.date(2026, 11, 1),
        "date": dt.date(2026, 11, 3), "payable_fen": 150000, "village_code": "529801001001",
        "county_code": "529801",
    }


@pytest.mark.parametrize(
    "kind, to_state, reason, ref, title, body",
    [
        ("subsidy", "township_approved", None, None,
         ("生活补贴 2026年11月 乡镇已审核",
          "Living subsidy November 2026 approved by the township"),
         ("金额 ¥1,500.00", "¥1,500.00")),
        ("travel", "returned", "票据不清", None,
         ("往返交通费 2026年11月3日 被退回", "Travel 3 November 2026 returned"),
         ("原因：票据不清", "Reason: 票据不清")),
        ("subsidy", "paid", None, "PAY-7",
         ("生活补贴 2026年11月 已支付", "Living subsidy November 2026 paid"),
         ("金额 ¥1,500.00，支付凭证号 PAY-7", "¥1,500.00, payment reference PAY-7")),
        ("travel", "rejected", "重复申报", None,
         ("往返交通费 2026年11月3日 不予受理", "Travel 3 November 2026 rejected"),
         ("原因：重复申报", "Reason: 重复申报")),
    ],
)
def test_a_review_step_tells_the_owner(kind, to_state, reason, ref, title, body) -> None:
    notice = _review_notice(_claim(kind), to_state, reason, ref)
    assert (tuple(notice.title), tuple(notice.body)) == (title, body)
    assert notice.event == f"claim.{to_state}" and notice.recipient_id == OWNER


def test_a_decided_month_tells_the_cadre() -> None:
    sheet = {"id": uuid.uuid4(), "owner_id": OWNER, "month": dt.date(2026, 11, 1),
             "village_days": 21, "village_code": "529801001001", "county_code": "529801"}
    confirmed = _sheet_notice(sheet, "confirmed", None)
    assert (tuple(confirmed.title), tuple(confirmed.body)) == (
        ("2026-11 驻村天数已确认", "Presence for 2026-11 confirmed"),
        ("确认驻村 21 天", "21 village days"),
    )
    returned = _sheet_notice(sheet, "returned", "少报了两天 {x}")
    assert (tuple(returned.title), tuple(returned.body)) == (
        ("2026-11 驻村天数报告单被退回", "Presence for 2026-11 returned"),
        ("退回原因：少报了两天 {x}", "Reason: 少报了两天 {x}"),
    )


@pytest.mark.parametrize("state, zh, en", [("approved", "已批准", "approved"),
                                           ("rejected", "未批准", "rejected")])
def test_a_decided_leave_tells_the_cadre(state, zh, en) -> None:
    row = {"id": uuid.uuid4(), "owner_id": OWNER, "start_date": dt.date(2026, 11, 3),
           "end_date": dt.date(2026, 11, 5), "village_code": "529801001001",
           "county_code": "529801"}
    notice = _leave_notice(row, state, "注意安全")
    assert tuple(notice.title) == (f"请假 11-03—11-05 {zh}", f"Leave 11-03—11-05 {en}")
    assert tuple(notice.body) == ("注意安全", "注意安全")
