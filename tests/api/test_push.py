"""Web Push, the doorbell: subscriptions, the outbox written with the change, and the
dispatcher sending to a real push receiver on loopback (aes128gcm, VAPID), retrying, dropping
gone subscriptions, surviving a killed dispatcher, and never sending twice from two."""

from __future__ import annotations

import base64
import datetime as dt
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from backend.core.clock import utc_now
from backend.core.db import write_transaction
from backend.core.settings import Settings
from backend.notify.dispatch import Dispatcher, purge_finished
from backend.notify.services import Notice, notify, schedule_time
from backend.notify.tables import InboxItem, PushDelivery, PushSubscription
from tests.api.test_presence import day, submit
from tests.api.test_sync import item, log_data, push
from tests.conftest import DB_URL
from tests.pushing import Browser, Receiver, configure_push

SUBSCRIPTIONS = "/api/notify/push/subscriptions"
CADRES = ("cadre_x1", "cadre_x2", "cadre_y1", "cadre_z1")


@pytest.fixture
def keys(settings, monkeypatch):
    """Push configured on the running app (its settings object), for this test only."""
    return configure_push(settings, monkeypatch)


@pytest.fixture
def push_settings(settings, keys):
    """The dispatcher's settings: the app's, with push configured and a 30 s backoff base."""
    return settings.model_copy(update={"push_backoff_seconds": 30.0})


class Clock:
    def __init__(self) -> None:
        self.now = utc_now() + dt.timedelta(seconds=1)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


def dispatch(run, settings, clock=None) -> Counter:
    dispatcher = Dispatcher(settings, clock=clock or utc_now)
    return +run(dispatcher.drain)


def subscribe(client, world, who, browser, endpoint):
    r = client.post(SUBSCRIPTIONS, json=browser.subscription(endpoint),
                    headers=world.headers(who))
    assert r.status_code == 201, r.text
    return r.json()


async def _announce(recipient_id, count):
    async with write_transaction(InboxItem._meta.db):
        await notify(*[Notice(recipient_id, "test.event", ("张三的消息", "A message for Zhang"),
                              ("正文里有姓名和电话 13100000001", "Body with a name"),
                              link=f"#/test/{n}") for n in range(count)])


def announce(run, world, who, count=1):
    run(_announce, world.ids[who], count)


def deliveries(run):
    return run(PushDelivery.select().order_by(PushDelivery.created_at).run)


def subscriptions(run):
    return run(PushSubscription.select().run)


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- the key and subscriptions -----------------------------------------------------------------


def test_without_vapid_keys_there_is_no_key_and_no_subscription(client, world):
    for lang, words in (("zh-CN", "未开启网页推送"), ("en", "not configured")):
        r = client.get("/api/notify/push/key", headers=world.headers("cadre_x1", lang))
        assert r.status_code == 404 and r.json()["code"] == "push_not_configured"
        assert words in r.json()["detail"]
    r = client.post(SUBSCRIPTIONS, json=Browser().subscription("https://push.example.com/a"),
                    headers=world.headers("cadre_x1"))
    assert r.status_code == 404 and r.json()["code"] == "push_not_configured"
    assert client.get("/api/notify/push/key").status_code == 401


def test_key_and_subscribe_upserts_by_endpoint(client, world, run, keys):
    r = client.get("/api/notify/push/key", headers=world.headers("cadre_x1"))
    assert r.status_code == 200 and r.json() == {"public_key": keys["vapid_public_key"]}
    browser = Browser()
    first = subscribe(client, world, "cadre_x1", browser, "https://fcm.googleapis.com/fcm/send/a")
    again = subscribe(client, world, "cadre_x1", Browser(), "https://fcm.googleapis.com/fcm/send/a")
    assert first["id"] == again["id"]
    [row] = subscriptions(run)
    assert row["owner_id"] == world.ids["cadre_x1"] and row["p256dh"] != browser.p256dh
    assert row["user_agent"]


@pytest.mark.parametrize("endpoint, keys_patch, field, code", [
    ("http://push.example.com/a", {}, "endpoint", "endpoint_not_https"),
    ("ftp://push.example.com/a", {}, "endpoint", "endpoint_not_https"),
    ("https://10.1.2.3/a", {}, "endpoint", "endpoint_not_allowed"),
    ("https://[fd00::1]/a", {}, "endpoint", "endpoint_not_allowed"),
    ("https://metadata.internal/a", {}, "endpoint", "endpoint_not_allowed"),
    ("https://user:pw@push.example.com/a", {}, "endpoint", "invalid"),
    ("https://push.example.com/a", {"p256dh": "AAAA"}, "keys.p256dh", "push_key_invalid"),
    ("https://push.example.com/a", {"p256dh": "B" + "A" * 86}, "keys.p256dh", "push_key_invalid"),
    ("https://push.example.com/a", {"auth": "c2hvcnQ"}, "keys.auth", "push_key_invalid"),
    ("https://push.example.com/" + "a" * 2100, {}, "endpoint", "too_long"),
])
def test_subscription_is_validated(client, world, run, keys, endpoint, keys_patch, field, code):
    body = Browser().subscription(endpoint)
    body["keys"].update(keys_patch)
    r = client.post(SUBSCRIPTIONS, json=body, headers=world.headers("cadre_x1", "en"))
    assert r.status_code == 422, r.text
    assert (field, code) in {(e["field"].removeprefix("body."), e["code"])
                             for e in r.json()["errors"]}
    assert subscriptions(run) == []


def test_one_cannot_delete_another_users_subscription(client, world, run, keys):
    endpoint = "https://updates.push.services.mozilla.com/wpush/v2/x1"
    subscribe(client, world, "cadre_x1", Browser(), endpoint)
    announce(run, world, "cadre_x1")
    r = client.request("DELETE", SUBSCRIPTIONS, json={"endpoint": endpoint},
                       headers=world.headers("cadre_x2"))
    assert r.status_code == 404
    assert len(subscriptions(run)) == 1 and deliveries(run)[0]["state"] == "pending"
    r = client.request("DELETE", SUBSCRIPTIONS, json={"endpoint": endpoint},
                       headers=world.headers("cadre_x1"))
    assert r.status_code == 204
    assert subscriptions(run) == []
    assert [(d["state"], d["last_error"]) for d in deliveries(run)] == [("dropped",
                                                                        "unsubscribed")]
    assert client.request("DELETE", SUBSCRIPTIONS, json={"endpoint": endpoint},
                          headers=world.headers("cadre_x1")).status_code == 404


def test_a_shared_phone_moves_the_subscription_without_the_last_users_pushes(
        client, world, run, keys):
    endpoint = "https://fcm.googleapis.com/fcm/send/shared-phone"
    subscribe(client, world, "cadre_x1", Browser(), endpoint)
    announce(run, world, "cadre_x1")
    subscribe(client, world, "cadre_x2", Browser(), endpoint)
    [row] = subscriptions(run)
    assert row["owner_id"] == world.ids["cadre_x2"]
    assert [d["state"] for d in deliveries(run)] == ["dropped"]
    announce(run, world, "cadre_x1")
    announce(run, world, "cadre_x2")
    assert [d["state"] for d in deliveries(run)] == ["dropped", "pending"]


# --- written with the change -------------------------------------------------------------------


def test_a_change_that_fails_rolls_back_its_inbox_row_and_its_push(
        client, world, run, keys, monkeypatch):
    from backend.audit import services as audit

    subscribe(client, world, "cadre_x1", Browser(), "https://fcm.googleapis.com/fcm/send/x1")
    push(client, world, "cadre_x1", item(log_data("日志", date=day(2))))
    submit(client, world)
    [sheet] = client.get("/api/fieldwork/presence/sheets", headers=world.headers("admin_a")).json()

    async def broken(*a, **k):
        raise RuntimeError("audit store down")

    real = audit.record
    monkeypatch.setattr(audit, "record", broken)
    confirm = f"/api/fieldwork/presence/sheets/{sheet['id']}/confirm"
    r = client.post(confirm, json={"version": sheet["version"]},
                    headers=world.headers("reviewer_x"))
    assert r.status_code == 500
    assert run(InboxItem.count().run) == 0 and deliveries(run) == []
    monkeypatch.setattr(audit, "record", real)
    r = client.post(confirm, json={"version": sheet["version"]},
                    headers=world.headers("reviewer_x"))
    assert r.status_code == 200
    inbox = run(InboxItem.select().where(InboxItem.owner_id == world.ids["cadre_x1"]).run)
    assert "presence.confirmed" in {i["event"] for i in inbox}
    pending = deliveries(run)
    assert sorted(d["inbox"] for d in pending) == sorted(i["id"] for i in inbox)
    assert {d["state"] for d in pending} == {"pending"}


# --- the dispatcher and a real push receiver ---------------------------------------------------


def check_vapid(request, keys, audience):
    scheme, _, params = request.headers["authorization"].partition(" ")
    assert scheme == "vapid"
    parts = dict(p.split("=", 1) for p in params.split(","))
    assert parts["k"] == keys["vapid_public_key"]
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(),
                                                          b64url_decode(parts["k"]))
    claims = jwt.decode(parts["t"], public, algorithms=["ES256"], audience=audience)
    assert claims["sub"] == keys["vapid_subject"]
    assert time.time() < claims["exp"] <= time.time() + 24 * 3600


def test_a_push_reaches_the_browser_encrypted_signed_and_without_personal_data(
        client, world, run, keys, push_settings):
    browser = Browser()
    with Receiver() as receiver:
        subscribe(client, world, "cadre_x1", browser, receiver.endpoint("x1"))
        leave = item({"village_code": "529801001201", "start_date": day(10).isoformat(),
                      "end_date": day(11).isoformat(), "reason": "看病"}, kind="leave_request")
        push(client, world, "cadre_x1", leave)
        r = client.post(f"/api/fieldwork/leave/{leave['id']}/decide",
                        json={"approve": True, "version": 1, "note": "注意安全"},
                        headers=world.headers("reviewer_x"))
        assert r.status_code == 200
        assert dispatch(run, push_settings) == Counter(sent=1)
        assert dispatch(run, push_settings) == Counter()
    [inbox] = run(InboxItem.select().run)
    [request] = receiver.received
    assert request.headers["content-encoding"] == "aes128gcm"
    assert request.headers["ttl"] == "86400" and request.headers["urgency"] == "normal"
    assert b"leave" not in request.body  # encrypted on the wire
    payload = browser.decrypt(request.body)
    assert payload == {"type": "inbox", "id": str(inbox["id"]), "link": "#/leave"}
    check_vapid(request, keys, receiver.origin)
    [delivery] = deliveries(run)
    assert delivery["state"] == "sent" and delivery["attempts"] == 1
    assert delivery["sent_at"] is not None and delivery["locked_until"] is None
    [sub] = subscriptions(run)
    assert sub["last_success_at"] is not None and sub["failures"] == 0


def test_a_gone_subscription_is_removed_and_its_pushes_dropped(
        client, world, run, keys, push_settings):
    with Receiver(script={"/push/x1": [410, 410, 410]}) as receiver:
        subscribe(client, world, "cadre_x1", Browser(), receiver.endpoint("x1"))
        subscribe(client, world, "cadre_x2", Browser(), receiver.endpoint("x2"))
        announce(run, world, "cadre_x1", 3)
        announce(run, world, "cadre_x2", 1)
        totals = dispatch(run, push_settings)
        assert dispatch(run, push_settings) == Counter()
    assert totals["sent"] == 1 and totals["dropped"] == 3
    assert 1 <= len(receiver.to("x1")) <= 3 and len(receiver.to("x2")) == 1
    [left] = subscriptions(run)
    assert left["owner_id"] == world.ids["cadre_x2"]
    states = Counter(d["state"] for d in deliveries(run))
    assert states == Counter(dropped=3, sent=1)
    # The inbox is untouched: the cadre still gets every notice through sync.
    assert run(InboxItem.count().run) == 4


def test_a_failing_push_service_is_retried_with_backoff_and_sent_once(
        client, world, run, keys, push_settings):
    clock = Clock()
    with Receiver(script={"/push/x1": [500, 429, 503]}) as receiver:
        subscribe(client, world, "cadre_x1", Browser(), receiver.endpoint("x1"))
        announce(run, world, "cadre_x1")
        waits = []
        for _ in range(3):
            assert dispatch(run, push_settings, clock) == Counter(retried=1)
            [d] = deliveries(run)
            waits.append((d["next_attempt_at"] - schedule_time(clock.now)).total_seconds())
            assert d["state"] == "pending" and d["locked_until"] is None
            assert dispatch(run, push_settings, clock) == Counter()  # not before its time
            clock.advance(waits[-1] - 1)
            assert dispatch(run, push_settings, clock) == Counter()
            clock.advance(1)
        # Base 30 s doubling, but 429's Retry-After (120 s) is longer than 60 s.
        assert waits == [30, 120, 120]
        assert [d["last_error"] for d in deliveries(run)] == ["HTTP 503"]
        assert subscriptions(run)[0]["failures"] == 3
        assert dispatch(run, push_settings, clock) == Counter(sent=1)
        clock.advance(3600)
        assert dispatch(run, push_settings, clock) == Counter()
    assert [r.status for r in receiver.received] == [500, 429, 503, 201]
    [d] = deliveries(run)
    assert (d["state"], d["attempts"]) == ("sent", 4)
    assert subscriptions(run)[0]["failures"] == 0


def test_pushes_give_up_after_max_attempts_and_refusals_are_not_retried(
        client, world, run, keys, push_settings):
    settings = push_settings.model_copy(update={"push_max_attempts": 2})
    clock = Clock()
    with Receiver(script={"/push/x1": [500, 500], "/push/x2": [400]}) as receiver:
        subscribe(client, world, "cadre_x1", Browser(), receiver.endpoint("x1"))
        subscribe(client, world, "cadre_x2", Browser(), receiver.endpoint("x2"))
        announce(run, world, "cadre_x1")
        announce(run, world, "cadre_x2")
        assert dispatch(run, settings, clock) == Counter(retried=1, failed=1)
        clock.advance(30)
        assert dispatch(run, settings, clock) == Counter(failed=1)
        clock.advance(3600)
        assert dispatch(run, settings, clock) == Counter()
    assert len(receiver.received) == 3
    assert [d["state"] for d in deliveries(run)] == ["failed", "failed"]
    assert len(subscriptions(run)) == 2  # kept: only 404 and 410 mean gone


def test_read_or_stale_notices_are_not_pushed(client, world, run, keys, push_settings):
    with Receiver() as receiver:
        subscribe(client, world, "cadre_x1", Browser(), receiver.endpoint("x1"))
        announce(run, world, "cadre_x1", 2)
        first, _ = run(InboxItem.select().order_by(InboxItem.link).run)
        run(InboxItem.update({InboxItem.read_at: utc_now()}).where(
            InboxItem.id == first["id"]).run)
        later = Clock()
        later.advance(push_settings.push_ttl_seconds + 60)
        assert dispatch(run, push_settings, later) == Counter(dropped=2)
    assert receiver.received == []
    assert sorted(d["last_error"] for d in deliveries(run)) == ["already read", "expired"]


def test_a_dispatcher_that_dies_after_claiming_loses_nothing(
        client, world, run, keys, push_settings, monkeypatch):
    clock = Clock()
    with Receiver() as receiver:
        subscribe(client, world, "cadre_x1", Browser(), receiver.endpoint("x1"))
        announce(run, world, "cadre_x1", 2)
        # One dispatcher leases the batch and dies before sending anything.
        dead = Dispatcher(push_settings, clock=clock)
        _, ids = run(dead.claim, 10)
        assert len(ids) == 2
        assert dispatch(run, push_settings, clock) == Counter()  # the lease holds
        clock.advance(push_settings.push_lease_seconds)
        assert dispatch(run, push_settings, clock) == Counter(sent=2)
        # Another sends, then fails before it can record the result (a crash mid-send).
        announce(run, world, "cadre_x1")

        async def crash(self, job, attempt):
            raise RuntimeError("killed between the send and its record")

        monkeypatch.setattr(Dispatcher, "_record", crash)
        assert dispatch(run, push_settings, clock) == Counter(error=1)
        monkeypatch.undo()
        assert dispatch(run, push_settings, clock) == Counter()
        clock.advance(push_settings.push_lease_seconds)
        assert dispatch(run, push_settings, clock) == Counter(sent=1)
    # At least once: the crashed send reached the receiver and was sent again.
    assert len(receiver.received) == 4
    assert Counter(d["state"] for d in deliveries(run)) == Counter(sent=3)


def test_a_push_that_keeps_killing_its_dispatcher_is_given_up(
        client, world, run, keys, push_settings):
    settings = push_settings.model_copy(update={"push_max_attempts": 2})
    clock = Clock()
    with Receiver() as receiver:
        subscribe(client, world, "cadre_x1", Browser(), receiver.endpoint("x1"))
        announce(run, world, "cadre_x1")
        for _ in range(2):
            assert len(run(Dispatcher(settings, clock=clock).claim, 10)[1]) == 1
            clock.advance(settings.push_lease_seconds)
        assert dispatch(run, settings, clock) == Counter(failed=1)
    assert receiver.received == []
    assert [(d["state"], d["last_error"]) for d in deliveries(run)] == [
        ("failed", "too many attempts")]


def test_finished_pushes_are_purged_and_pending_ones_kept(client, world, run, keys):
    subscribe(client, world, "cadre_x1", Browser(), "https://fcm.googleapis.com/fcm/send/a")
    announce(run, world, "cadre_x1", 4)
    ids = [d["id"] for d in deliveries(run)]
    for delivery_id, state in zip(ids, ["sent", "failed", "dropped", "pending"], strict=True):
        run(PushDelivery.update({PushDelivery.state: state}).where(
            PushDelivery.id == delivery_id).run)
    later = utc_now() + dt.timedelta(days=31)
    assert run(purge_finished, Settings(), utc_now()) == 0
    assert run(purge_finished, Settings(), later) == 3
    assert [d["state"] for d in deliveries(run)] == ["pending"]
    assert run(InboxItem.count().run) == 4


def test_a_user_keeps_at_most_the_newest_subscriptions(client, world, run, keys, settings,
                                                       monkeypatch):
    monkeypatch.setattr(settings, "push_max_subscriptions_per_user", 2)
    for n in range(3):
        subscribe(client, world, "cadre_x1", Browser(), f"https://fcm.googleapis.com/s/{n}")
    assert sorted(s["endpoint"][-1] for s in subscriptions(run)) == ["1", "2"]
    subscribe(client, world, "cadre_x1", Browser(), "https://fcm.googleapis.com/s/1")
    assert sorted(s["endpoint"][-1] for s in subscriptions(run)) == ["1", "2"]


# --- real dispatcher processes -----------------------------------------------------------------


def zhucun_env(keys, **extra):
    return {**os.environ, "ZHUCUN_DATABASE_URL": DB_URL, "ZHUCUN_ENV": "test",
            "ZHUCUN_VAPID_PRIVATE_KEY": keys["vapid_private_key"],
            "ZHUCUN_VAPID_PUBLIC_KEY": keys["vapid_public_key"],
            "ZHUCUN_VAPID_SUBJECT": keys["vapid_subject"],
            **{f"ZHUCUN_{k.upper()}": str(v) for k, v in extra.items()}}


def dispatcher_process(env):
    return subprocess.Popen([sys.executable, "-m", "backend.cli", "dispatch", "--once"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_a_dispatcher_process_killed_mid_send_loses_nothing(
        client, world, run, keys, push_settings):
    browser = Browser()
    hold = threading.Event()
    with Receiver(hold=hold) as receiver:
        subscribe(client, world, "cadre_x1", browser, receiver.endpoint("x1"))
        announce(run, world, "cadre_x1")
        proc = dispatcher_process(zhucun_env(keys))
        try:
            assert receiver.arrived.wait(60), proc.stderr.read() if proc.poll() else ""
        finally:
            proc.kill()
            proc.wait(30)
        hold.set()
        [d] = deliveries(run)
        assert (d["state"], d["attempts"]) == ("pending", 1) and d["locked_until"] is not None
        clock = Clock()
        assert dispatch(run, push_settings, clock) == Counter()
        clock.advance(push_settings.push_lease_seconds)
        assert dispatch(run, push_settings, clock) == Counter(sent=1)
    first, second = receiver.received
    assert browser.decrypt(first.body) == browser.decrypt(second.body)
    assert deliveries(run)[0]["state"] == "sent"


def test_the_dispatcher_loop_sends_what_arrives_and_stops_on_sigterm(
        client, world, run, keys):
    with Receiver() as receiver:
        subscribe(client, world, "cadre_x1", Browser(), receiver.endpoint("x1"))
        env = zhucun_env(keys, push_poll_seconds=0.2, reminder_interval_seconds=0)
        proc = subprocess.Popen([sys.executable, "-m", "backend.cli", "dispatch"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(0.5)
            announce(run, world, "cadre_x1")
            assert receiver.arrived.wait(60)
            deadline = time.monotonic() + 30
            while deliveries(run)[0]["state"] != "sent" and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "dispatcher stopped" in err
    assert len(receiver.received) == 1 and deliveries(run)[0]["state"] == "sent"


def two_dispatchers_send_each_push_once(client, world, run, keys):
    browsers = {who: Browser() for who in CADRES}
    with Receiver(delay=0.005) as receiver:
        for who, browser in browsers.items():
            subscribe(client, world, who, browser, receiver.endpoint(who))
            announce(run, world, who, 50)
        # Small batches: many claims, so that the two processes' claims meet often.
        env = zhucun_env(keys, push_batch_size=2, push_concurrency=2)
        procs = [dispatcher_process(env) for _ in range(2)]
        outs = [p.communicate(timeout=180) for p in procs]
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
    inbox_ids = {str(r["id"]) for r in run(InboxItem.select(InboxItem.id).run)}
    pushed = [browsers[who].decrypt(r.body)["id"]
              for who in CADRES for r in receiver.to(who)]
    assert len(pushed) == len(inbox_ids) == 200
    assert set(pushed) == inbox_ids  # each once: 200 requests for 200 different items
    sent = [int(re.search(r"sent=(\d+)", out).group(1)) if "sent=" in out else 0
            for out, _ in outs]
    assert sum(sent) == 200, outs
    assert Counter(d["state"] for d in deliveries(run)) == Counter(sent=200)


@pytest.mark.postgres_only
def test_two_dispatcher_processes_send_each_push_exactly_once(client, world, run, keys):
    two_dispatchers_send_each_push_once(client, world, run, keys)


@pytest.mark.sqlite_only
def test_two_dispatcher_processes_on_sqlite_send_each_push_exactly_once(
        client, world, run, keys):
    two_dispatchers_send_each_push_once(client, world, run, keys)


def test_cli_dispatch_without_keys_says_so_and_vapid_makes_a_pair(client):
    env = {**os.environ, "ZHUCUN_DATABASE_URL": DB_URL}
    for name in ("ZHUCUN_VAPID_PRIVATE_KEY", "ZHUCUN_VAPID_PUBLIC_KEY"):
        env.pop(name, None)
    done = subprocess.run([sys.executable, "-m", "backend.cli", "dispatch", "--once"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "ZHUCUN_VAPID_PRIVATE_KEY" in done.stderr
    made = subprocess.run([sys.executable, "-m", "backend.cli", "vapid"], env=env,
                          capture_output=True, text=True, timeout=120)
    pairs = dict(line.split("=", 1) for line in made.stdout.splitlines()
                 if line.startswith("ZHUCUN_"))
    assert set(pairs) == {"ZHUCUN_VAPID_PRIVATE_KEY", "ZHUCUN_VAPID_PUBLIC_KEY",
                          "ZHUCUN_VAPID_SUBJECT"}
    from backend.core.settings import Settings
    from backend.notify.vapid import signer

    signer(Settings(vapid_private_key=pairs["ZHUCUN_VAPID_PRIVATE_KEY"],
                    vapid_public_key=pairs["ZHUCUN_VAPID_PUBLIC_KEY"]))

