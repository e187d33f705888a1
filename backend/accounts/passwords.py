"""Passwords: Argon2id hashing off the event loop and bounded, the rules a new password must
meet, and temporary passwords for accounts an admin creates or resets.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
from functools import lru_cache

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from backend.core.errors import ServiceUnavailable

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "HashingGate",
    "configure_hashing",
    "hash_password",
    "hash_password_async",
    "hashing_gate",
    "needs_rehash",
    "new_temporary_password",
    "password_problem",
    "verify_password",
    "verify_password_async",
]

MIN_PASSWORD_LENGTH = 8
_hasher = PasswordHasher()
# Verified against when the phone is unknown, so that timing does not reveal accounts.
_DUMMY = _hasher.hash("zhucun-timing-equaliser")

#: Common passwords of Chinese users that English-language lists miss (拼音, 520/1314 …).
_CHINESE_COMMON = (
    "woaini1314", "woaini520", "woaini123", "aini1314", "5201314520", "52013145201314",
    "1314520520", "13145200", "520520520", "qq123456", "qq5201314", "wang123456",
    "zhang123456", "li123456", "liu123456", "chen123456", "yang123456", "huang123456",
    "zhao123456", "wu123456", "zhou123456", "a123456789", "aa123456", "abc123456",
    "123456abc", "123456qq", "1234qwer", "qwer1234", "asdf1234", "zxcvbnm123",
    "88888888", "66666666", "11223344", "00000000", "147258369", "159357456",
    "123321123", "12344321", "1qaz2wsx3edc", "zhucun123", "zhucun2018", "admin123",
    "admin888", "admin1234", "root1234", "guizhou123", "mima1234", "mima123456",
)

#: Alphabet of temporary passwords: no 0/O, 1/l/I, easy to read out over the phone.
_TEMP_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"
_TEMP_LENGTH = 12


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    """zxcvbn's list of the 30,000 most common passwords, plus the Chinese ones above."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"]) | frozenset(
        _CHINESE_COMMON
    )


def password_problem(password: str, *, phone: str = "") -> tuple[str, dict[str, int]] | None:
    """Why a new password is refused, as a message code and its params, or None when fine.

    Too short, one of the most common passwords, or made of the user's own phone number.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return "password_too_short", {"min": MIN_PASSWORD_LENGTH}
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) < 3:
        return "password_common", {}
    digits = "".join(c for c in password if c.isdigit())
    if phone and (phone in password or (len(digits) >= 8 and digits in phone)):
        return "password_is_phone", {}
    return None


def new_temporary_password() -> str:
    """A random temporary password (≈ 69 bits) an admin reads out to the person."""
    while True:
        candidate = "".join(secrets.choice(_TEMP_ALPHABET) for _ in range(_TEMP_LENGTH))
        if any(c.isdigit() for c in candidate) and any(c.isalpha() for c in candidate):
            return candidate


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


class HashingGate:
    """Argon2 runs in worker threads, at most ``concurrency`` at once per process, with at
    most ``queue`` more waiting; past that a caller gets 503 (Retry-After) at once.

    A flood of login guesses then costs at most ``concurrency`` cores and never blocks the
    event loop, so every other request still answers. ``peak`` records the most hashes ever
    running together (the bound is checked by the tests, not by timing).
    """

    def __init__(self, concurrency: int, queue: int) -> None:
        self.concurrency = concurrency
        self.queue = queue
        self._limiters: dict[int, anyio.CapacityLimiter] = {}
        self._waiting = 0
        self._running = 0
        self.peak = 0
        self._lock = threading.Lock()

    def _limiter_for_loop(self) -> anyio.CapacityLimiter:
        loop = id(asyncio.get_running_loop())
        if loop not in self._limiters:
            self._limiters[loop] = anyio.CapacityLimiter(self.concurrency)
        return self._limiters[loop]

    def _run(self, fn, *args):
        with self._lock:
            self._running += 1
            self.peak = max(self.peak, self._running)
        try:
            return fn(*args)
        finally:
            with self._lock:
                self._running -= 1

    async def call(self, fn, *args):
        if self._waiting >= self.concurrency + self.queue:
            raise ServiceUnavailable(headers={"Retry-After": "5"})
        self._waiting += 1
        try:
            return await anyio.to_thread.run_sync(
                self._run, fn, *args, limiter=self._limiter_for_loop()
            )
        finally:
            self._waiting -= 1


_gate = HashingGate(concurrency=2, queue=64)


def configure_hashing(concurrency: int, queue: int) -> HashingGate:
    """Set the process's bound (from settings, at app start) and return the gate."""
    global _gate
    _gate = HashingGate(concurrency, queue)
    return _gate


def hashing_gate() -> HashingGate:
    return _gate


async def hash_password_async(password: str) -> str:
    return await _gate.call(hash_password, password)


async def verify_password_async(stored_hash: str | None, password: str) -> bool:
    return await _gate.call(verify_password, stored_hash, password)

