"""Writing inbox rows and their pushes (inside the transaction of the change), marking them
read, and the browsers' push subscriptions."""

from __future__ import annotations

import datetime as dt
import ipaddress
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec

from backend.core.clock import utc_now
from backend.core.db import write_transaction
from backend.core.errors import FieldError, NotFound, ValidationFailed
from backend.core.ids import new_id
from backend.core.rows import rows_as
from backend.notify.schemas import ReadData, SubscriptionIn, SubscriptionOut
from backend.notify.tables import InboxItem, PushDelivery, PushSubscription
from backend.notify.vapid import b64url_decode
from backend.sync.registry import Prepared, SyncedRow
from backend.sync.services import allocate_seqs

if TYPE_CHECKING:
    from backend.core.scope import Actor
    from backend.core.settings import Settings

__all__ = [
    "InboxItemRow",
    "Notice",
    "bilingual",
    "drop_subscriptions",
    "endpoint_problem",
    "keys_problems",
    "notify",
    "pending_pushes",
    "prepare_read",
    "push_public_key",
    "schedule_time",
    "subscribe",
    "unsubscribe",
    "write_notices",
]


@dataclass(frozen=True)
class Notice:
    """One event for one person, in both languages.

    ``dedupe_key`` makes a scheduled notice idempotent: a second notice with the same key is
    not written (nor pushed).
    """

    recipient_id: uuid.UUID
    event: str
    title: tuple[str, str]
    body: tuple[str, str] = ("", "")
    link: str = ""
    object_kind: str = ""
    object_id: str = ""
    village_code: str = ""
    county_code: str = ""
    dedupe_key: str | None = None


async def pending_pushes() -> int:
    """How many pushes wait for the dispatcher (the outbox depth shown in the metrics)."""
    return await PushDelivery.count().where(PushDelivery.state == "pending")


def schedule_time(moment: dt.datetime) -> dt.datetime:
    """``moment`` cut to the whole second, for the dispatcher's due and lease times.

    SQLite keeps times as text and compares them as text; Python writes
    ``12:00:00+00:00`` but ``12:00:00.5+00:00``, which sort wrongly within one second, so
    every time the dispatcher compares has no fraction.
    """
    return moment.replace(microsecond=0)


async def notify(*notices: Notice) -> None:
    """Write inbox rows, and a pending push for each of the recipients' browsers.

    Call inside the write transaction of the change they announce, so that a change that rolls
    back takes its notices and pushes with it (outbox pattern).
    """
    await write_notices(notices)


async def write_notices(notices: Sequence[Notice]) -> int:
    """``notify()``, answering how many notices were new (not already written by dedupe key)."""
    if not notices:
        return 0
    seqs = await allocate_seqs(InboxItem._meta.db, len(notices))
    now = utc_now()
    inserted = await InboxItem.insert(*[InboxItem(
        id=new_id(), owner_id=n.recipient_id, village_code=n.village_code,
        county_code=n.county_code, version=1, seq=seq, content_hash="", deleted=False,
        created_at=now, updated_at=now, event=n.event, title_zh=n.title[0],
        title_en=n.title[1], body_zh=n.body[0], body_en=n.body[1], link=n.link,
        object_kind=n.object_kind, object_id=n.object_id, dedupe_key=n.dedupe_key,
    ) for n, seq in zip(notices, seqs, strict=True)]).on_conflict(
        target=InboxItem.dedupe_key, action="DO NOTHING"
    ).returning(InboxItem.id, InboxItem.owner_id)
    await _queue_pushes(rows_as(_Inserted, inserted), now)
    return len(inserted)


class _Inserted(TypedDict):
    id: uuid.UUID
    owner_id: uuid.UUID


async def _queue_pushes(items: list[_Inserted], now: dt.datetime) -> None:
    """One pending delivery per new inbox row per subscription of its recipient."""
    owners = list({r["owner_id"] for r in items})
    if not owners:
        return
    subscriptions: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for s in await PushSubscription.select(PushSubscription.id, PushSubscription.owner_id).where(
        PushSubscription.owner_id.is_in(owners)
    ):
        subscriptions[s["owner_id"]].append(s["id"])
    due = schedule_time(now)
    rows = [
        PushDelivery(id=new_id(), inbox=item["id"], subscription_id=sub, state="pending",
                     attempts=0, next_attempt_at=due, created_at=now)
        for item in items for sub in subscriptions.get(item["owner_id"], [])
    ]
    if rows:
        await PushDelivery.insert(*rows)


class InboxItemRow(SyncedRow):
    """An ``InboxItem`` as ``InboxItem.select()`` returns it."""

    event: str
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    link: str
    object_kind: str
    object_id: str
    read_at: dt.datetime | None
    dedupe_key: str | None


def bilingual(zh: str, en: str) -> dict[str, str]:
    """A title or body on the wire: both languages, the phone shows its own."""
    return {"zh": zh, "en": en}




async def prepare_read(actor: Actor, read: ReadData) -> Prepared:
    if not read.read:
        raise ValidationFailed(errors=[FieldError("read", "not_allowed")])
    return Prepared({"read_at": read.read_at or utc_now()}, None, None)


# --- push subscriptions ------------------------------------------------------------------------

#: Names that never reach a public push service.
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa", ".intranet")


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def endpoint_problem(endpoint: str, *, allow_loopback_http: bool) -> str | None:
    """Why the dispatcher must not POST to ``endpoint`` (a message code), or None.

    Push services are public https servers; an endpoint on this machine or a private network
    would turn the dispatcher into a way to reach inside. Plain http on loopback is allowed
    outside production, for development and the tests' push receiver.
    """
    try:
        url = urlsplit(endpoint.strip())
        url.port  # noqa: B018  (raises on a bad port)
    except ValueError:
        return "invalid"
    host = (url.hostname or "").lower().rstrip(".")
    if not host or url.username is not None or url.password is not None:
        return "invalid"
    address = _ip(host)
    loopback = host == "localhost" or (address is not None and address.is_loopback)
    if loopback and allow_loopback_http and url.scheme in {"http", "https"}:
        return None
    if url.scheme != "https":
        return "endpoint_not_https"
    if address is not None:
        return None if address.is_global else "endpoint_not_allowed"
    if host == "localhost" or host.endswith(_LOCAL_SUFFIXES) or "." not in host:
        return "endpoint_not_allowed"
    return None


def keys_problems(p256dh: str, auth: str) -> list[FieldError]:
    """The browser's keys must be a P-256 point (65 bytes) and a 16-byte secret."""
    errors = []
    try:
        point = b64url_decode(p256dh)
        if len(point) != 65:
            raise ValueError("length")
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        errors.append(FieldError("keys.p256dh", "push_key_invalid"))
    try:
        if len(b64url_decode(auth)) != 16:
            raise ValueError("length")
    except ValueError:
        errors.append(FieldError("keys.auth", "push_key_invalid"))
    return errors


def push_public_key(settings: Settings) -> str:
    """The application server key, or 404 ``push_not_configured``."""
    if not settings.push_configured or settings.vapid_public_key is None:
        raise NotFound("push_not_configured")
    return settings.vapid_public_key.strip()


async def drop_subscriptions(ids: Sequence[uuid.UUID], reason: str) -> None:
    """Delete subscriptions; their pending pushes become ``dropped`` (kept as history)."""
    if not ids:
        return
    async with write_transaction(PushSubscription._meta.db):
        await PushDelivery.update({
            PushDelivery.state: "dropped", PushDelivery.locked_until: None,
            PushDelivery.lease: None, PushDelivery.last_error: reason[:300],
        }).where(PushDelivery.subscription_id.is_in(list(ids)), PushDelivery.state == "pending")
        await PushSubscription.delete().where(PushSubscription.id.is_in(list(ids)))


async def subscribe(actor: Actor, settings: Settings, data: SubscriptionIn,
                    user_agent: str = "") -> SubscriptionOut:
    """Register (or refresh) the caller's browser by its endpoint.

    The endpoint is the browser's: when another user of a shared phone subscribes it, it moves
    to them, and the pushes still pending for the previous user are dropped.
    """
    push_public_key(settings)
    endpoint = data.endpoint.strip()
    errors = keys_problems(data.keys.p256dh, data.keys.auth)
    problem = endpoint_problem(endpoint, allow_loopback_http=settings.env != "production")
    if problem:
        errors.insert(0, FieldError("endpoint", problem))
    if errors:
        raise ValidationFailed(errors=errors)
    async with write_transaction(PushSubscription._meta.db):
        moved = [r["id"] for r in await PushSubscription.select(PushSubscription.id).where(
            PushSubscription.endpoint == endpoint, PushSubscription.owner_id != actor.user_id)]
        if moved:
            await PushDelivery.update({
                PushDelivery.state: "dropped", PushDelivery.locked_until: None,
                PushDelivery.lease: None, PushDelivery.last_error: "subscription moved",
            }).where(PushDelivery.subscription_id.is_in(moved), PushDelivery.state == "pending")
        [row] = await PushSubscription.insert(PushSubscription(
            id=new_id(), owner_id=actor.user_id, endpoint=endpoint,
            p256dh=data.keys.p256dh.strip(), auth=data.keys.auth.strip(),
            user_agent=user_agent[:200], created_at=utc_now(), failures=0,
        )).on_conflict(
            target=PushSubscription.endpoint, action="DO UPDATE",
            values=[PushSubscription.owner_id, PushSubscription.p256dh, PushSubscription.auth,
                    PushSubscription.user_agent, (PushSubscription.failures, 0)],
        ).returning(PushSubscription.id, PushSubscription.endpoint, PushSubscription.created_at)
        others = [r["id"] for r in await PushSubscription.select(PushSubscription.id).where(
            PushSubscription.owner_id == actor.user_id, PushSubscription.id != row["id"]
        ).order_by(PushSubscription.created_at, ascending=False)]
        keep = settings.push_max_subscriptions_per_user - 1
        await drop_subscriptions(others[keep:], "too many subscriptions")
    return SubscriptionOut(id=row["id"], endpoint=row["endpoint"], created_at=row["created_at"])


async def unsubscribe(actor: Actor, endpoint: str) -> None:
    """Remove one of the caller's own subscriptions; anyone else's is not found."""
    async with write_transaction(PushSubscription._meta.db):
        ids = [r["id"] for r in await PushSubscription.select(PushSubscription.id).where(
            PushSubscription.endpoint == endpoint.strip(),
            PushSubscription.owner_id == actor.user_id)]
        if not ids:
            raise NotFound()
        await drop_subscriptions(ids, "unsubscribed")
