"""Scheduled reminders: the month-end presence sheet and insurance expiry, each once, to the
inbox (and to the cadre's browsers when subscribed)."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest

from backend.core.db import write_transaction
from backend.fieldwork.reminders import remind_unsubmitted_sheets
from backend.notify import reminders
from backend.notify.reminders import (
    InsuranceExpiry,
    raise_reminders,
    register_reminder_source,
    remind_insurance_expiry,
)
from backend.notify.tables import InboxItem, PushDelivery
from tests.api.test_presence import MONTH, day, submit
from tests.api.test_push import SUBSCRIPTIONS
from tests.api.test_sync import item, log_data, push
from tests.pushing import Browser, configure_push


@pytest.fixture
def keys(settings, monkeypatch):
    return configure_push(settings, monkeypatch)


LAST_DAY = MONTH.replace(day=calendar.monthrange(MONTH.year, MONTH.month)[1])


def notices(run, event):
    rows = run(InboxItem.select(InboxItem.owner_id, InboxItem.link, InboxItem.dedupe_key)
               .where(InboxItem.event == event).run)
    return rows


def test_month_end_reminds_each_cadre_without_a_submitted_sheet_once(client, world, run, keys):
    client.post(SUBSCRIPTIONS, json=Browser().subscription("https://fcm.googleapis.com/x2"),
                headers=world.headers("cadre_x2"))
    push(client, world, "cadre_x1", item(log_data("日志", date=day(2))))
    assert submit(client, world).status_code == 200
    assert run(remind_unsubmitted_sheets, LAST_DAY - dt.timedelta(days=3)) == 0
    assert run(remind_unsubmitted_sheets, LAST_DAY - dt.timedelta(days=2)) == 3
    for n in range(3):
        assert run(remind_unsubmitted_sheets, LAST_DAY - dt.timedelta(days=n)) == 0
    rows = notices(run, "presence.reminder")
    names = {v: k for k, v in world.ids.items()}
    assert sorted(names[r["owner_id"]] for r in rows) == ["cadre_x2", "cadre_y1", "cadre_z1"]
    assert {r["link"] for r in rows} == {f"#/month/{MONTH:%Y-%m}"}
    # The subscribed cadre's browser gets the doorbell, once.
    [delivery] = run(PushDelivery.select().run)
    [x2] = [r for r in rows if r["owner_id"] == world.ids["cadre_x2"]]
    assert run(InboxItem.select(InboxItem.id).where(
        InboxItem.dedupe_key == x2["dedupe_key"]).first().run)["id"] == delivery["inbox"]


def test_a_cadre_whose_posting_ended_is_not_reminded(client, world, run):
    from backend.accounts.tables import Posting

    run(Posting.update({Posting.end_date: MONTH - dt.timedelta(days=1)}).where(
        Posting.cadre == world.ids["cadre_z1"]).run)
    assert run(remind_unsubmitted_sheets, LAST_DAY) == 3
    assert world.ids["cadre_z1"] not in {
        r["owner_id"] for r in notices(run, "presence.reminder")}


def test_insurance_expiry_plug_reminds_once_per_policy_and_date(client, world, run):
    lapse = InsuranceExpiry(world.ids["cadre_x1"], "policy-7", dt.date(2026, 12, 31),
                            "529801001201", "529801")
    assert run(remind_insurance_expiry, [lapse], dt.date(2026, 12, 1)) == 1
    assert run(remind_insurance_expiry, [lapse], dt.date(2026, 12, 2)) == 0
    renewed = InsuranceExpiry(lapse.cadre_id, "policy-7", dt.date(2027, 12, 31))
    assert run(remind_insurance_expiry, [renewed], dt.date(2027, 12, 1)) == 1
    rows = run(InboxItem.select().where(InboxItem.event == "insurance.expiring")
               .order_by(InboxItem.created_at).run)
    assert [r["owner_id"] for r in rows] == [world.ids["cadre_x1"]] * 2
    assert "还有 30 天" in rows[0]["body_zh"] and "in 30 days" in rows[0]["body_en"]


def test_raise_reminders_runs_every_source_even_when_one_fails(
        client, world, run, monkeypatch):
    monkeypatch.setattr(reminders, "_sources", {})

    async def broken(today):
        raise RuntimeError("claims database away")

    register_reminder_source("broken", broken)
    register_reminder_source("presence_month_end", remind_unsubmitted_sheets)
    assert run(raise_reminders, LAST_DAY) == {"presence_month_end": 4}


def test_the_unique_dedupe_key_holds_even_without_the_precheck(client, world, run):
    from backend.notify.reminders import presence_reminder_notice
    from backend.notify.services import write_notices

    notice = presence_reminder_notice(world.ids["cadre_x1"], MONTH, "529801001201", "529801")

    async def twice():
        async with write_transaction(InboxItem._meta.db):
            return [await write_notices([notice]), await write_notices([notice, notice])]

    assert run(twice) == [1, 0]
    assert run(InboxItem.count().run) == 1


@pytest.mark.parametrize("who", ["reviewer_x", "admin_a"])
def test_people_without_a_posting_are_not_reminded(client, world, run, who):
    run(remind_unsubmitted_sheets, LAST_DAY)
    assert world.ids[who] not in {r["owner_id"] for r in notices(run, "presence.reminder")}
