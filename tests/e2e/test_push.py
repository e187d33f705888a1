"""消息提醒 (Web Push): never asked for on load; off when the server has no VAPID keys, with the
inbox still arriving through sync; and the service worker's doorbell (a push delivered over
the DevTools protocol, as FCM is out of reach): one notification per inbox item, in the
chosen language, an immediate pull, and a tap that opens the notice's link."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.review_steps import post, sync
from tests.e2e.support import (
    COUNTY_ADMIN,
    Server,
    login,
    unique_text,
    wait_for_service_worker,
    wait_until,
)

#: Cadres of 石桥镇 no other browser test uses.
CADRE_PUSH_OFF = "13900000030"
CADRE_PUSH_RING = "13900000031"

#: Shaped like a VAPID public key (an uncompressed P-256 point, base64url).
FAKE_KEY = base64.urlsafe_b64encode(b"\x04" * 65).decode().rstrip("=")

#: Counts every permission prompt and subscription the page asks for, from the first script on.
COUNT_ASKS = """
window.__pushAsks = [];
if (window.Notification) {
  const ask = Notification.requestPermission.bind(Notification);
  Notification.requestPermission = (...a) => {
    window.__pushAsks.push('permission'); return ask(...a);
  };
}
if (window.PushManager) {
  const sub = PushManager.prototype.subscribe;
  PushManager.prototype.subscribe = function (...a) {
    window.__pushAsks.push('subscribe'); return sub.apply(this, a);
  };
}
"""

#: The language of the notification's text the page left for the service worker (i18n setLang
#: writes it to Cache Storage, which takes a moment after the switch), or None.
NOTIFY_TEXT_LANG = """async () => {
    const hit = await (await caches.open('zhucun-notify-text')).match('/__zhucun/notify-text');
    return hit ? (await hit.json()).lang : null;
}"""

NOTIFICATIONS = """async () => {
  const reg = await navigator.serviceWorker.ready;
  return (await reg.getNotifications())
    .map(n => ({title: n.title, body: n.body, tag: n.tag, data: n.data}));
}"""


def answered_notice(server: Server, phone: str) -> dict[str, Any]:
    """A notice for this cadre: a feedback message answered by the county (through the API)."""
    fid = str(uuid.uuid4())
    r = post(server, "/api/sync/push", phone, {"items": [
        {"kind": "feedback", "id": fid, "base_version": None,
         "data": {"text": unique_text("村委会网络信号差")}},
    ]})
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "applied", r.text
    r = post(server, f"/api/feedback/{fid}/answer", COUNTY_ADMIN, {"answer": "已联系电信公司。"})
    assert r.status_code == 200, r.text
    [notice] = [c for c in server.pull_all(phone)
                if c["kind"] == "inbox" and c["data"].get("object_id") == fid]
    return notice


def open_settings(page: Page) -> Any:
    page.get_by_test_id("nav-me").click()
    card = page.get_by_test_id("push-card")
    expect(card).to_be_visible()
    expect(card).not_to_have_attribute("data-state", "checking")
    return card


@pytest.mark.e2e
def test_push_off_without_server_keys_never_prompts_and_the_inbox_still_arrives(page, server, shot):
    # The e2e server has no VAPID keys.
    r = server.get("/api/notify/push/key", CADRE_PUSH_OFF)
    assert r.status_code == 404 and r.json()["code"] == "push_not_configured", r.text

    page.add_init_script(COUNT_ASKS)
    page.goto("/")
    login(page, CADRE_PUSH_OFF)
    card = open_settings(page)
    expect(card.get_by_role("heading", name="消息提醒")).to_be_visible()
    expect(card).to_have_attribute("data-state", "unconfigured")
    expect(page.get_by_test_id("push-state")).to_have_text("服务器未开启推送，消息仍会在同步时送达。")
    expect(page.get_by_test_id("push-enable")).to_have_count(0)
    card.evaluate("e => e.scrollIntoView({block: 'center'})")
    shot(page, "settings-push-unconfigured")
    # Loading the app and the settings screen asked the browser for nothing.
    assert page.evaluate("window.__pushAsks") == []
    assert page.evaluate("Notification.permission") == "default"

    # The notice still comes, through sync pull.
    notice = answered_notice(server, CADRE_PUSH_OFF)
    sync(page)
    expect(page.get_by_test_id("inbox-count")).to_have_text("1")
    page.get_by_test_id("nav-inbox").click()
    expect(page.locator(f'[data-testid="inbox-item"][data-id="{notice["id"]}"]')).to_contain_text(
        "已联系电信公司。")
    assert page.evaluate("window.__pushAsks") == []


@pytest.mark.e2e
def test_push_doorbell_rings_once_pulls_and_opens_the_link(page, context, server, shot):
    page.add_init_script(COUNT_ASKS)
    page.goto("/")
    login(page, CADRE_PUSH_RING)
    wait_for_service_worker(page)
    context.grant_permissions(["notifications"])

    # With a key from the server, the tap asks for permission and then the push service,
    # which headless Chromium (like a phone in mainland China without FCM) cannot reach.
    page.route("**/api/notify/push/key", lambda route: route.fulfill(
        status=200, content_type="application/json",
        body=json.dumps({"public_key": FAKE_KEY})))
    card = open_settings(page)
    expect(card).to_have_attribute("data-state", "off")
    assert page.evaluate("window.__pushAsks") == []
    page.get_by_test_id("push-enable").click()
    expect(page.get_by_test_id("push-error")).to_have_text(
        "未能开启提醒（手机的推送服务暂时无法使用）。消息仍会在同步时送达。")
    expect(card).to_have_attribute("data-state", "off")
    expect(page.get_by_test_id("push-enable")).to_be_enabled()
    shot(page, "settings-push-failed")
    assert page.evaluate("window.__pushAsks")[0] == "permission"
    page.unroute("**/api/notify/push/key")

    # A push as the dispatcher sends it, delivered by DevTools to the service worker.
    notice = answered_notice(server, CADRE_PUSH_RING)
    cdp = context.new_cdp_session(page)
    registrations: list[dict[str, Any]] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda e: registrations.extend(r for r in e["registrations"] if not r["isDeleted"]))
    cdp.send("ServiceWorker.enable")
    wait_until(page, lambda: bool(registrations), "the service worker registration")

    def ring(inbox_id: str, link: str) -> None:
        cdp.send("ServiceWorker.deliverPushMessage", {
            "origin": server.url,
            "registrationId": registrations[0]["registrationId"],
            "data": json.dumps({"type": "inbox", "id": inbox_id, "link": link}),
        })

    link = notice["data"]["link"]
    assert link.startswith("#/"), link
    page.get_by_test_id("nav-today").click()
    expect(page.get_by_test_id("inbox-count")).to_have_count(0)
    with page.expect_request(lambda r: "/api/sync/pull" in r.url):
        ring(notice["id"], link)
    # The open page pulled at once: the notice is there without waiting for a sync.
    expect(page.get_by_test_id("inbox-count")).to_have_text("1")
    wait_until(page, lambda: len(page.evaluate(NOTIFICATIONS)) == 1, "the notification")
    ring(notice["id"], link)  # delivered twice: still one notification
    page.wait_for_timeout(300)
    [shown] = page.evaluate(NOTIFICATIONS)
    assert shown == {"title": "驻村：您有新消息", "body": "点按查看", "tag": notice["id"],
                     "data": {"id": notice["id"], "link": link}}, shown

    # The text follows the language chosen in the app; the payload carries none.
    page.get_by_test_id("nav-me").click()
    page.get_by_test_id("lang-switch").select_option("en")
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    # A real push comes long after the switch; here the ring must wait for the text's write.
    wait_until(page, lambda: page.evaluate(NOTIFY_TEXT_LANG) == "en", "the English text kept")
    ring("other-item", "https://example.com/not-ours")
    wait_until(page, lambda: len(page.evaluate(NOTIFICATIONS)) == 2, "the second notification")
    other = next(n for n in page.evaluate(NOTIFICATIONS) if n["tag"] == "other-item")
    assert other["title"] == "Zhucun: you have a new message", other
    assert other["data"]["link"] == "#/inbox", other  # only our own hash routes are followed

    # A tap (dispatched in the worker; headless Chromium shows no notification to tap) opens
    # the notice's link in the open page and closes the notification.
    worker = context.service_workers[0]
    worker.evaluate("""async tag => {
        const [n] = await self.registration.getNotifications({tag});
        try { self.dispatchEvent(new NotificationEvent('notificationclick', {notification: n})); }
        catch (e) { /* waitUntil refuses an untrusted event; the handler has run */ }
    }""", notice["id"])
    expect(page).to_have_url(f"{server.url}/{link}")
    wait_until(page, lambda: [n["tag"] for n in page.evaluate(NOTIFICATIONS)] == ["other-item"],
               "the tapped notification to close")
