"""The push dispatcher (``zhucun dispatch``): sends the pending pushes of the outbox.

Guarantees, with any number of dispatcher processes on one database:

- A delivery is claimed by one dispatcher at a time: a short transaction leases a batch
  (``locked_until`` ahead, a fresh ``lease`` token, ``attempts`` + 1) — on PostgreSQL with
  ``SELECT … FOR UPDATE SKIP LOCKED``, so concurrent claims skip each other's rows, on SQLite
  with one ``UPDATE … WHERE id IN (SELECT …) RETURNING`` (writers are serialised anyway).
- At least once: a dispatcher that dies after claiming loses nothing; its lease expires
  (``ZHUCUN_PUSH_LEASE_SECONDS``) and the next run sends the delivery.
- The duplicate window is small: a push is sent twice only when a dispatcher dies (or loses
  its database) between the push service's 2xx and the ``sent`` update that follows it, which
  is written per delivery at once; or when a send outlives its lease, which the settings
  forbid (lease > rounds × timeout) and whose late result is then discarded by the lease
  token. The payload carries the inbox id, so the service worker shows one notification per
  inbox item (``tag``) even then.
- 2xx: sent. 404/410: the subscription is gone; it is deleted and its pending pushes are
  dropped. 429, 5xx and network errors: retried after base · 2^(attempt−1) seconds (or the
  push service's Retry-After, if longer) until ``ZHUCUN_PUSH_MAX_ATTEMPTS``; other answers:
  failed. A push older than its TTL, or whose inbox item was already read, is dropped.

Nothing depends on push: the inbox reaches every phone through sync pull.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import secrets
import signal
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from backend.core.clock import utc_now
from backend.core.db import fetch, is_postgres, write_transaction
from backend.notify.services import drop_subscriptions, schedule_time
from backend.notify.tables import InboxItem, PushDelivery, PushSubscription
from backend.notify.vapid import signer

if TYPE_CHECKING:
    from py_vapid import Vapid02

    from backend.core.settings import Settings

__all__ = ["Attempt", "Dispatcher", "Outcome", "backoff_seconds", "classify", "purge_finished",
           "push_payload", "run_dispatcher"]

log = logging.getLogger("zhucun.push")

#: Any 2xx means the push service took the message (pywebpush itself raises above 202).
_GONE = {404, 410}
#: Seconds between purges of finished deliveries in the loop.
_PURGE_EVERY = 3600


def push_payload(inbox_id: uuid.UUID, link: str) -> str:
    """What the push carries: which inbox item and where it leads, never personal data (the
    service worker fetches the notice itself through sync pull)."""
    return json.dumps({"type": "inbox", "id": str(inbox_id), "link": link},
                      separators=(",", ":"))


def backoff_seconds(attempt: int, base: float, cap: float) -> float:
    """Exponential backoff after the ``attempt``-th failed try (1-based)."""
    return min(cap, base * 2 ** max(0, attempt - 1))


@dataclass(frozen=True)
class Attempt:
    """What came of one POST to a push service."""

    status: int | None
    error: str = ""
    retry_after: float | None = None


Outcome = Literal["sent", "gone", "retry", "failed"]


def classify(attempt: Attempt) -> Outcome:
    if attempt.status is None:
        return "retry"
    if 200 <= attempt.status < 300:
        return "sent"
    if attempt.status in _GONE:
        return "gone"
    if attempt.status == 429 or attempt.status >= 500:
        return "retry"
    return "failed"


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: fall back on our own backoff


@dataclass
class _Job:
    id: uuid.UUID
    lease: str
    attempts: int
    created_at: dt.datetime
    subscription: dict[str, Any] | None
    inbox: dict[str, Any] | None


@dataclass
class Dispatcher:
    """Claims due deliveries in batches and sends them with bounded concurrency.

    ``clock`` and ``send`` are seams for tests: the current time, and one blocking POST
    (subscription info, payload) → ``Attempt``, run in a worker thread.
    """

    settings: Settings
    clock: Callable[[], dt.datetime] = utc_now
    send: Callable[[dict[str, Any], str], Attempt] | None = None
    totals: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._vapid: Vapid02 | None = None
        if self.send is None:
            self._vapid = signer(self.settings)
            self.send = self._webpush

    # --- sending ------------------------------------------------------------------------------

    def _webpush(self, subscription: dict[str, Any], payload: str) -> Attempt:
        """One blocking POST with pywebpush: aes128gcm, VAPID-signed, no redirects followed."""
        import requests
        from pywebpush import WebPushException, webpush

        with requests.Session() as session:
            session.max_redirects = 0
            try:
                response = webpush(
                    subscription, payload, vapid_private_key=self._vapid,
                    # A fresh dict each time: pywebpush writes the endpoint's origin into it.
                    vapid_claims={"sub": self.settings.vapid_subject},
                    content_encoding="aes128gcm", ttl=self.settings.push_ttl_seconds,
                    timeout=self.settings.push_timeout_seconds,
                    headers={"Urgency": "normal"}, requests_session=session,
                )
            except WebPushException as exc:
                if exc.response is None:
                    return Attempt(None, str(exc.message)[:300])
                return Attempt(exc.status_code, f"HTTP {exc.status_code}",
                               _retry_after(exc.retry_after))
            except requests.RequestException as exc:
                return Attempt(None, f"{type(exc).__name__}: {exc}"[:300])
        return Attempt(response.status_code)

    # --- claiming -----------------------------------------------------------------------------

    async def claim(self, limit: int) -> tuple[str, list[uuid.UUID]]:
        """Lease up to ``limit`` due deliveries for this dispatcher: (lease token, ids)."""
        engine = PushDelivery._meta.db
        now = schedule_time(self.clock())
        until = now + dt.timedelta(seconds=self.settings.push_lease_seconds)
        lease = secrets.token_hex(16)
        due = ("state = 'pending' AND next_attempt_at <= {} "
               "AND (locked_until IS NULL OR locked_until <= {})")
        async with write_transaction(engine):
            if is_postgres(engine):
                rows = await fetch(
                    engine,
                    f"SELECT id FROM notify_push_delivery WHERE {due} "
                    "ORDER BY next_attempt_at LIMIT {} FOR UPDATE SKIP LOCKED",
                    now, now, limit)
                ids = [r["id"] for r in rows]
                if ids:
                    await PushDelivery.update({
                        PushDelivery.locked_until: until, PushDelivery.lease: lease,
                        PushDelivery.attempts: PushDelivery.attempts + 1,
                    }).where(PushDelivery.id.is_in(ids))
            else:
                rows = await fetch(
                    engine,
                    "UPDATE notify_push_delivery SET locked_until = {}, lease = {}, "
                    "attempts = attempts + 1 WHERE id IN (SELECT id FROM notify_push_delivery "
                    f"WHERE {due} ORDER BY next_attempt_at LIMIT {{}}) RETURNING id",
                    until, lease, now, now, limit)
                ids = [r["id"] if isinstance(r["id"], uuid.UUID) else uuid.UUID(str(r["id"]))
                       for r in rows]
        return lease, ids

    async def _jobs(self, lease: str, ids: list[uuid.UUID]) -> list[_Job]:
        rows = await PushDelivery.select(
            PushDelivery.id, PushDelivery.inbox, PushDelivery.subscription_id,
            PushDelivery.attempts, PushDelivery.created_at,
        ).where(PushDelivery.id.is_in(ids), PushDelivery.lease == lease)
        if not rows:
            return []
        subscriptions = {s["id"]: s for s in await PushSubscription.select(
            PushSubscription.id, PushSubscription.endpoint, PushSubscription.p256dh,
            PushSubscription.auth,
        ).where(PushSubscription.id.is_in(list({r["subscription_id"] for r in rows})))}
        inbox = {i["id"]: i for i in await InboxItem.select(
            InboxItem.id, InboxItem.link, InboxItem.read_at, InboxItem.deleted,
        ).where(InboxItem.id.is_in(list({r["inbox"] for r in rows})))}
        return [_Job(r["id"], lease, r["attempts"], r["created_at"],
                     subscriptions.get(r["subscription_id"]), inbox.get(r["inbox"]))
                for r in rows]

    # --- recording ----------------------------------------------------------------------------

    async def _finish(self, job: _Job, values: dict[Any, Any]) -> bool:
        """Write a result if this dispatcher still holds the lease (else another one sends)."""
        done = await PushDelivery.update({
            **values, PushDelivery.locked_until: None, PushDelivery.lease: None,
        }).where(PushDelivery.id == job.id, PushDelivery.lease == job.lease).returning(
            PushDelivery.id)
        return bool(done)

    async def _record(self, job: _Job, attempt: Attempt) -> str:
        now = self.clock()
        outcome = classify(attempt)
        sub_id = job.subscription["id"] if job.subscription else None
        if outcome == "sent":
            await self._finish(job, {PushDelivery.state: "sent", PushDelivery.sent_at: now,
                                     PushDelivery.last_error: ""})
            await PushSubscription.update({PushSubscription.last_success_at: now,
                                           PushSubscription.failures: 0}).where(
                PushSubscription.id == sub_id)
            return "sent"
        if outcome == "gone" and sub_id is not None:
            log.info("push subscription %s gone (HTTP %s): removed", sub_id, attempt.status)
            await drop_subscriptions([sub_id], f"subscription gone: HTTP {attempt.status}")
            return "dropped"
        await PushSubscription.update({
            PushSubscription.failures: PushSubscription.failures + 1}).where(
            PushSubscription.id == sub_id)
        if outcome == "retry" and job.attempts < self.settings.push_max_attempts:
            delay = backoff_seconds(job.attempts, self.settings.push_backoff_seconds,
                                    self.settings.push_backoff_max_seconds)
            delay = max(delay, min(attempt.retry_after or 0.0,
                                   self.settings.push_backoff_max_seconds))
            await self._finish(job, {
                PushDelivery.next_attempt_at: schedule_time(now) + dt.timedelta(
                    seconds=max(1.0, delay)),
                PushDelivery.last_error: attempt.error[:300],
            })
            return "retried"
        await self._finish(job, {PushDelivery.state: "failed",
                                 PushDelivery.last_error: attempt.error[:300]})
        log.warning("push %s failed for good after %s attempts: %s", job.id, job.attempts,
                    attempt.error)
        return "failed"

    def _skip_reason(self, job: _Job) -> str | None:
        if job.subscription is None:
            return "subscription gone"
        if job.inbox is None or job.inbox["deleted"]:
            return "inbox item gone"
        if job.inbox["read_at"] is not None:
            return "already read"
        age = (self.clock() - job.created_at).total_seconds()
        if age > self.settings.push_ttl_seconds:
            return "expired"
        return None

    async def _deliver(self, job: _Job, gate: asyncio.Semaphore) -> str:
        if job.attempts > self.settings.push_max_attempts:
            # Claimed again and again without a result: it crashes whoever sends it.
            await self._finish(job, {PushDelivery.state: "failed",
                                     PushDelivery.last_error: "too many attempts"})
            return "failed"
        reason = self._skip_reason(job)
        if reason:
            await self._finish(job, {PushDelivery.state: "dropped",
                                     PushDelivery.last_error: reason})
            return "dropped"
        assert job.subscription is not None and job.inbox is not None and self.send
        info = {"endpoint": job.subscription["endpoint"],
                "keys": {"p256dh": job.subscription["p256dh"],
                         "auth": job.subscription["auth"]}}
        payload = push_payload(job.inbox["id"], job.inbox["link"])
        async with gate:
            attempt = await asyncio.to_thread(self.send, info, payload)
        return await self._record(job, attempt)

    # --- running ------------------------------------------------------------------------------

    async def run_batch(self) -> int:
        """Claim one batch and send it; answers how many deliveries it held."""
        lease, ids = await self.claim(self.settings.push_batch_size)
        if not ids:
            return 0
        gate = asyncio.Semaphore(self.settings.push_concurrency)
        jobs = await self._jobs(lease, ids)
        results = await asyncio.gather(*(self._deliver(j, gate) for j in jobs),
                                       return_exceptions=True)
        for job, result in zip(jobs, results, strict=True):
            if isinstance(result, BaseException):
                # The lease runs out and another run tries again.
                log.error("push %s: %r", job.id, result)
                self.totals["error"] += 1
            else:
                self.totals[result] += 1
        return len(ids)

    async def drain(self, stop: asyncio.Event | None = None) -> Counter[str]:
        """Send batches until nothing is due (deliveries waiting on backoff stay for later)."""
        while not (stop and stop.is_set()) and await self.run_batch():
            pass
        return self.totals


async def purge_finished(settings: Settings, now: dt.datetime | None = None) -> int:
    """Delete sent, failed and dropped deliveries older than ``ZHUCUN_PUSH_KEEP_DAYS``."""
    before = (now or utc_now()) - dt.timedelta(days=settings.push_keep_days)
    gone = await PushDelivery.delete().where(
        PushDelivery.state != "pending", PushDelivery.created_at < before
    ).returning(PushDelivery.id)
    return len(gone)


async def run_dispatcher(settings: Settings, *, once: bool = False,
                         reminders: bool = False) -> Counter[str]:
    """``zhucun dispatch``: drain and return (``once``), or loop until SIGTERM or SIGINT.

    The loop raises scheduled reminders every ``ZHUCUN_REMINDER_INTERVAL_SECONDS``; ``once``
    raises them only when ``reminders`` is asked for. Without VAPID keys the loop still
    raises reminders (they reach the inbox) and sends nothing.
    """
    from backend.notify.reminders import raise_reminders
    from backend.notify.vapid import PushNotConfigured

    dispatcher: Dispatcher | None = None
    try:
        dispatcher = Dispatcher(settings)
    except PushNotConfigured as exc:
        if once and not reminders:
            raise
        log.warning("%s: raising reminders only", exc)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    try:
        if once:
            if reminders:
                log.info("reminders: %s", await raise_reminders())
            return await dispatcher.drain(stop) if dispatcher else Counter()
        await _loop(settings, dispatcher, stop, raise_reminders)
        return dispatcher.totals if dispatcher else Counter()
    finally:
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)


async def _loop(settings: Settings, dispatcher: Dispatcher | None, stop: asyncio.Event,
                raise_reminders: Callable[[], Any]) -> None:
    interval = settings.reminder_interval_seconds
    next_reminders = next_purge = 0.0
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        try:
            if interval and loop.time() >= next_reminders:
                next_reminders = loop.time() + interval
                log.info("reminders: %s", await raise_reminders())
            if loop.time() >= next_purge:
                next_purge = loop.time() + _PURGE_EVERY
                log.info("purged %s finished pushes", await purge_finished(settings))
            if dispatcher:
                await dispatcher.drain(stop)
        except Exception:
            # The database may be restarting: wait and go on.
            log.exception("dispatch cycle failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), settings.push_poll_seconds)
    log.info("dispatcher stopped: %s", dict(dispatcher.totals) if dispatcher else {})
