"""Login throttling: limits per client address, a slowdown per phone, never a lock-out.

Failures are counted by the phone *as typed* and the client address over a sliding window,
whether or not the phone has an account, so that no answer tells which phones exist:

- one address failing too often (any phones: spraying) gets 429 for the rest of the window;
- one address failing too often on one phone gets 429 for that phone only;
- one phone failing from anywhere makes every attempt on it wait a little longer (doubling up
  to a cap): it slows guessing without locking the owner out, who still logs in from their
  own address while someone else guesses from another.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from backend.accounts.tables import LoginFailure
from backend.core.clock import utc_now
from backend.core.db import write_transaction
from backend.core.errors import DomainError
from backend.core.ids import new_id

if TYPE_CHECKING:
    from backend.core.settings import Settings

__all__ = [
    "FailureCounts",
    "TooManyAttempts",
    "check_allowed",
    "clear_failures",
    "count_failures",
    "is_slowed",
    "record_failure",
    "slowdown_seconds",
]


class TooManyAttempts(DomainError):
    """Login throttled (per client address, or per phone from one address)."""

    status = 429
    code = "too_many_attempts"

#: Failures older than this are deleted when new ones are written.
_KEEP = dt.timedelta(days=1)


@dataclass(frozen=True)
class FailureCounts:
    by_address: int
    by_phone_address: int
    by_phone: int
    #: The oldest failure of the window that the refusal rests on (for Retry-After).
    oldest: dt.datetime | None = None


def slowdown_seconds(phone_failures: int, settings: Settings) -> float:
    """How long an attempt on a phone waits, from that phone's failures in the window.

    >>> from backend.core.settings import Settings
    >>> s = Settings(login_slowdown_after=5, login_slowdown_base_seconds=0.5,
    ...              login_slowdown_max_seconds=8)
    >>> [slowdown_seconds(n, s) for n in (0, 4, 5, 6, 7, 9, 50)]
    [0.0, 0.0, 0.5, 1.0, 2.0, 8.0, 8.0]
    """
    over = phone_failures - settings.login_slowdown_after
    if over < 0:
        return 0.0
    return min(settings.login_slowdown_max_seconds,
               settings.login_slowdown_base_seconds * math.pow(2, min(over, 30)))


async def is_slowed(settings: Settings, phone: str) -> bool:
    """Whether logins on a phone are being slowed down now (shown to admins as "locked")."""
    since = utc_now() - dt.timedelta(minutes=settings.login_window_minutes)
    failures = await LoginFailure.count().where(
        LoginFailure.phone == phone, LoginFailure.at >= since
    )
    return slowdown_seconds(failures, settings) > 0


async def count_failures(settings: Settings, phone: str, ip: str) -> FailureCounts:
    since = utc_now() - dt.timedelta(minutes=settings.login_window_minutes)
    by_address = await LoginFailure.select(LoginFailure.phone, LoginFailure.at).where(
        LoginFailure.ip == ip, LoginFailure.at >= since
    )
    by_phone = await LoginFailure.count().where(
        LoginFailure.phone == phone, LoginFailure.at >= since
    )
    pair = [r["at"] for r in by_address if r["phone"] == phone]
    oldest = min((r["at"] for r in by_address), default=None)
    return FailureCounts(len(by_address), len(pair), by_phone, oldest)


def _retry_minutes(settings: Settings, oldest: dt.datetime | None) -> int:
    window = dt.timedelta(minutes=settings.login_window_minutes)
    if oldest is None:
        return settings.login_window_minutes
    left = (oldest + window - utc_now()).total_seconds()
    return max(1, math.ceil(left / 60))


def check_allowed(settings: Settings, counts: FailureCounts) -> None:
    """429 ``too_many_attempts`` when this address has used up its failures."""
    if (
        counts.by_address >= settings.login_max_failures_per_address
        or counts.by_phone_address >= settings.login_max_failures_per_phone_address
    ):
        minutes = _retry_minutes(settings, counts.oldest)
        raise TooManyAttempts(minutes=minutes, headers={"Retry-After": str(minutes * 60)})


async def record_failure(phone: str, ip: str) -> None:
    now = utc_now()
    async with write_transaction(LoginFailure._meta.db):
        await LoginFailure.insert(LoginFailure(id=new_id(), phone=phone[:20], ip=ip[:45], at=now))
        await LoginFailure.delete().where(LoginFailure.at < now - _KEEP)


async def clear_failures(phone: str, ip: str | None = None) -> None:
    """After a success from an address (or an admin's reset: every address)."""
    query = LoginFailure.delete().where(LoginFailure.phone == phone)
    if ip is not None:
        query = query.where(LoginFailure.ip == ip)
    await query
