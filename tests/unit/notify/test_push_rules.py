"""The pure parts of Web Push: which endpoints and keys are accepted, backoff, outcomes, the
payload, VAPID keys and the settings that must agree, the month-end window."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import ValidationError

from backend.core.settings import Settings
from backend.notify.dispatch import Attempt, backoff_seconds, classify, push_payload
from backend.notify.reminders import month_end_due
from backend.notify.services import endpoint_problem, keys_problems, schedule_time
from backend.notify.vapid import (
    PushNotConfigured,
    generate_key_pair,
    load_private_key,
    public_key_b64,
    signer,
)
from tests.pushing import Browser


@pytest.mark.parametrize("endpoint, dev, prod", [
    ("https://fcm.googleapis.com/fcm/send/abc", None, None),
    ("https://web.push.apple.com/QGx", None, None),
    ("https://push.example.com:8443/a", None, None),
    ("https://8.8.8.8/a", None, None),
    ("http://127.0.0.1:8080/push", None, "endpoint_not_https"),
    ("http://localhost/push", None, "endpoint_not_https"),
    ("http://[::1]:9/push", None, "endpoint_not_https"),
    ("https://127.0.0.1/push", None, "endpoint_not_allowed"),
    ("http://push.example.com/a", "endpoint_not_https", "endpoint_not_https"),
    ("ws://push.example.com/a", "endpoint_not_https", "endpoint_not_https"),
    ("https://192.168.1.10/a", "endpoint_not_allowed", "endpoint_not_allowed"),
    ("https://169.254.169.254/latest", "endpoint_not_allowed", "endpoint_not_allowed"),
    ("https://100.64.0.1/a", "endpoint_not_allowed", "endpoint_not_allowed"),
    ("https://[fe80::1]/a", "endpoint_not_allowed", "endpoint_not_allowed"),
    ("https://printer.local/a", "endpoint_not_allowed", "endpoint_not_allowed"),
    ("https://intranet/a", "endpoint_not_allowed", "endpoint_not_allowed"),
    ("https://u:p@push.example.com/a", "invalid", "invalid"),
    ("https://push.example.com:99999/a", "invalid", "invalid"),
    ("not a url", "invalid", "invalid"),
])
def test_endpoints(endpoint, dev, prod):
    assert endpoint_problem(endpoint, allow_loopback_http=True) == dev
    assert endpoint_problem(endpoint, allow_loopback_http=False) == prod


def test_browser_keys():
    good = Browser().subscription("https://x.example/a")["keys"]
    assert keys_problems(good["p256dh"], good["auth"]) == []
    off_curve = "BA" + "A" * 85  # 65 bytes, 0x04 prefix, not a point on P-256
    compressed = public_key_b64(ec.generate_private_key(ec.SECP256R1()))[:44]
    for p256dh in (off_curve, compressed, "!!!", ""):
        assert [e.field for e in keys_problems(p256dh, good["auth"])] == ["keys.p256dh"]
    for auth in ("AAAA", good["auth"] + "AAAA", "***"):
        assert [e.field for e in keys_problems(good["p256dh"], auth)] == ["keys.auth"]


def test_backoff_doubles_up_to_the_cap():
    assert [backoff_seconds(n, 30, 3600) for n in range(1, 9)] == [
        30, 60, 120, 240, 480, 960, 1920, 3600]


@pytest.mark.parametrize("status, outcome", [
    (200, "sent"), (201, "sent"), (202, "sent"), (204, "sent"),
    (404, "gone"), (410, "gone"),
    (429, "retry"), (500, "retry"), (502, "retry"), (503, "retry"), (None, "retry"),
    (400, "failed"), (401, "failed"), (403, "failed"), (413, "failed"),
])
def test_outcomes(status, outcome):
    assert classify(Attempt(status)) == outcome


def test_the_payload_names_the_inbox_item_and_nothing_else():
    inbox_id = uuid.uuid4()
    assert json.loads(push_payload(inbox_id, "#/month/2026-03")) == {
        "type": "inbox", "id": str(inbox_id), "link": "#/month/2026-03"}


def test_schedule_times_have_no_fraction():
    moment = dt.datetime(2026, 3, 1, 12, 0, 0, 999_999, tzinfo=dt.UTC)
    assert schedule_time(moment) == dt.datetime(2026, 3, 1, 12, 0, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("today, month", [
    (dt.date(2026, 1, 28), None), (dt.date(2026, 1, 29), dt.date(2026, 1, 1)),
    (dt.date(2026, 1, 31), dt.date(2026, 1, 1)), (dt.date(2026, 2, 25), None),
    (dt.date(2026, 2, 26), dt.date(2026, 2, 1)), (dt.date(2028, 2, 26), None),
    (dt.date(2028, 2, 27), dt.date(2028, 2, 1)), (dt.date(2026, 4, 28), dt.date(2026, 4, 1)),
    (dt.date(2026, 4, 1), None),
])
def test_the_month_end_window_is_the_last_three_days(today, month):
    assert month_end_due(today) == month


def keyed(**extra):
    private, public = generate_key_pair()
    return Settings(vapid_private_key=private, vapid_public_key=public, **extra)


def test_vapid_keys_load_as_raw_or_pem_and_must_belong_together():
    private, public = generate_key_pair()
    key = load_private_key(private)
    assert public_key_b64(key) == public
    for fmt in (serialization.PrivateFormat.TraditionalOpenSSL,
                serialization.PrivateFormat.PKCS8):
        pem = key.private_bytes(serialization.Encoding.PEM, fmt,
                                serialization.NoEncryption()).decode()
        assert public_key_b64(load_private_key(pem)) == public
        signer(Settings(vapid_private_key=pem, vapid_public_key=public))
    with pytest.raises(PushNotConfigured, match="does not belong"):
        signer(Settings(vapid_private_key=private, vapid_public_key=generate_key_pair()[1]))
    with pytest.raises(PushNotConfigured, match="unreadable"):
        signer(Settings(vapid_private_key="bm90IGEga2V5", vapid_public_key=public))
    with pytest.raises(PushNotConfigured, match="not configured"):
        signer(Settings())


def test_push_settings_must_agree():
    assert keyed().push_configured and not Settings().push_configured
    assert not Settings(vapid_private_key="", vapid_public_key=" ").push_configured
    with pytest.raises(ValidationError, match="set both"):
        Settings(vapid_public_key=generate_key_pair()[1])
    with pytest.raises(ValidationError, match="mailto"):
        keyed(vapid_subject="admin@example.org")
    # 16 per batch, 8 at once: two rounds of up to 10 s each must fit in the lease.
    with pytest.raises(ValidationError, match="LEASE"):
        keyed(push_lease_seconds=20)
    assert keyed(push_lease_seconds=21).push_lease_seconds == 21
