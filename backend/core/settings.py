"""Settings from environment variables prefixed ``ZHUCUN_``, with safe laptop defaults."""

from __future__ import annotations

import datetime as dt
import math
import os
import secrets
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = [
    "DEMO_SECRET",
    "EXAMPLE_SECRET",
    "InsecureSettings",
    "Settings",
    "get_settings",
    "secret_bits",
]

#: Known public values that never sign a production token (the old demo constant and the
#: placeholder of deploy/zhucun.env.example).
DEMO_SECRET = "zhucun-demo-secret-change-me-in-production"
EXAMPLE_SECRET = "change-me-to-64-random-characters-from-openssl-rand-hex-32"
_PUBLIC_SECRETS = frozenset({DEMO_SECRET, EXAMPLE_SECRET})
#: A signing key needs at least this much estimated entropy (``openssl rand -hex 32`` ≈ 210).
MIN_SECRET_BITS = 100


def secret_bits(secret: str) -> float:
    """Estimated entropy of a key in bits: the lower of zxcvbn's guess estimate (which sees
    repeats, sequences, words and keyboard runs) and length × Shannon entropy per character.

    'aaaa…' and 'password' × 8 score under 10, 64 random hex characters about 210.
    """
    if not secret:
        return 0.0
    from zxcvbn import zxcvbn

    counts = Counter(secret)
    n = len(secret)
    shannon = -sum(c / n * math.log2(c / n) for c in counts.values()) * n
    guessed = float(zxcvbn(secret[:72])["guesses_log10"]) * math.log2(10)
    return min(shannon, guessed)


@lru_cache(maxsize=8)
def _installation_secret(path: Path) -> str:
    """The development signing key of this installation: random, made on first run."""
    if path.is_file():
        existing = path.read_text(encoding="ascii").strip()
        if secret_bits(existing) >= MIN_SECRET_BITS:
            return existing
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key + "\n")
    return key


class InsecureSettings(RuntimeError):
    """Raised when a production start would run with unsafe settings."""


class Settings(BaseSettings):
    """Every knob of a Zhucun process; each field reads ``ZHUCUN_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="ZHUCUN_", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    database_url: str = "sqlite:///var/zhucun.sqlite"
    media_dir: Path = Path("var/media")
    pwa_dir: Path = Path("pwa/dist")
    host: str = "127.0.0.1"
    port: int = 8000
    #: The key that signs access tokens. Required in production (random, ≥ 128 bits of
    #: entropy: ``openssl rand -hex 32``); elsewhere a random key is made on first run in
    #: ``secret_key_file``, so no two installations share one.
    secret_key: SecretStr | None = None
    secret_key_file: Path = Path("var/secret_key")
    #: Key rotation: the previous key still verifies tokens it signed before
    #: ``secret_key_rotated_at``, for one access-token lifetime after that moment.
    secret_key_previous: SecretStr | None = None
    secret_key_rotated_at: dt.datetime | None = None
    access_token_minutes: int = Field(default=30, ge=1, le=24 * 60)
    #: A refresh token lapses after this many days unused (idle sessions expire).
    refresh_idle_days: int = Field(default=60, ge=1)
    #: Every session ends this many days after login, however much it is used.
    session_max_days: int = Field(default=90, ge=1)
    #: Login throttling over a sliding window: failures from one client address (any phone),
    #: and failures for one phone from one address, before answers become 429.
    login_window_minutes: int = Field(default=15, ge=1, le=24 * 60)
    login_max_failures_per_address: int = Field(default=30, ge=1)
    login_max_failures_per_phone_address: int = Field(default=5, ge=1)
    #: After this many failures of one phone from anywhere, each attempt on it waits
    #: base · 2^(n − threshold) seconds, at most ``login_slowdown_max_seconds`` — a delay,
    #: never a lock-out: the owner still logs in from their own address.
    login_slowdown_after: int = Field(default=5, ge=1)
    login_slowdown_base_seconds: float = Field(default=0.5, ge=0)
    login_slowdown_max_seconds: float = Field(default=8.0, ge=0, le=60)
    #: Argon2 hashes at once per process, and how many more may wait before a 503.
    password_hash_concurrency: int = Field(default=2, ge=1, le=64)
    password_hash_queue: int = Field(default=64, ge=0, le=10_000)
    #: Addresses of reverse proxies (nginx) whose ``client_ip_header`` names the client.
    #: From anyone else the header is ignored and the connection's address is used.
    trusted_proxies: list[str] = Field(default_factory=lambda: ["127.0.0.1", "::1"])
    client_ip_header: str = "x-real-ip"
    #: Photo uploads handled at once per process; past that, 503 with Retry-After. Memory
    #: for uploads stays under about upload_concurrency × max_image_bytes × 2.
    upload_concurrency: int = Field(default=8, ge=1, le=1000)
    #: A client sending a body that pauses longer than this is dropped (408).
    body_idle_seconds: float = Field(default=30.0, gt=0, le=600)
    #: uvicorn (``zhucun serve``): connections at once per process (past it: 503), idle
    #: keep-alive, and the largest request head (headers) it buffers.
    server_limit_concurrency: int = Field(default=1000, ge=10)
    server_keepalive_seconds: int = Field(default=5, ge=1, le=300)
    server_max_head_bytes: int = Field(default=16 * 1024, ge=4096, le=1024 * 1024)
    #: Requests at work at once per process; the others wait their turn in order of arrival
    #: (``core/admission``). Keep it at or below ``db_pool_max``: each may hold a connection.
    server_active_requests: int = Field(default=8, ge=1, le=1000)
    #: ``zhucun serve --workers N``: a worker that does not answer the supervisor's health check
    #: in this time is killed and replaced. uvicorn's 5 s killed workers still starting (8 s to
    #: import and build the app at a load of 10 on two cores) again and again.
    server_worker_healthcheck_seconds: int = Field(default=30, ge=5, le=600)
    #: 网络安全法 Art. 21: network logs and audit records are kept at least 6 months.
    audit_retention_days: int = 180
    max_body_bytes: int = Field(default=12 * 1024 * 1024, ge=1024)
    max_image_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    max_image_pixels: int = Field(default=40_000_000, ge=10_000)
    sync_batch_max: int = Field(default=500, ge=1, le=5000)
    db_pool_max: int = Field(default=10, ge=1)
    #: Lets a scraper outside this machine read ``/metrics`` (Bearer); loopback needs none.
    metrics_token: SecretStr | None = None
    #: ``json`` (one object a line, with the request id) or ``text``; default json in production.
    log_format: Literal["json", "text"] | None = None
    #: Web Push (VAPID). Push is configured when both keys are set (``zhucun vapid`` makes a
    #: pair); it is only a doorbell: the inbox reaches every phone through sync pull anyway.
    #: The private key: PEM, or the raw 32-byte scalar in base64url. Secret.
    vapid_private_key: SecretStr | None = None
    #: The application server key the browser subscribes with (base64url, uncompressed point).
    vapid_public_key: str | None = None
    #: The contact the push services may use (RFC 8292): ``mailto:`` or ``https:``.
    vapid_subject: str = "mailto:admin@zhucun.invalid"
    #: The dispatcher (``zhucun dispatch``): sends at once, claimed per batch, timeouts.
    push_concurrency: int = Field(default=8, ge=1, le=64)
    push_batch_size: int = Field(default=16, ge=1, le=500)
    push_max_attempts: int = Field(default=5, ge=1, le=50)
    #: Retry after base · 2^(attempt−1) seconds, at most ``push_backoff_max_seconds``.
    push_backoff_seconds: float = Field(default=30.0, gt=0)
    push_backoff_max_seconds: float = Field(default=3600.0, gt=0)
    push_timeout_seconds: float = Field(default=10.0, gt=0)
    #: A claimed delivery is another dispatcher's to send again after this long.
    push_lease_seconds: int = Field(default=60, ge=1)
    push_poll_seconds: float = Field(default=5.0, gt=0)
    #: How long a push service keeps an undelivered message (and after which we stop trying).
    push_ttl_seconds: int = Field(default=24 * 3600, ge=0, le=28 * 24 * 3600)
    #: How often the dispatcher loop raises scheduled reminders; 0 turns them off.
    reminder_interval_seconds: int = Field(default=3600, ge=0)
    push_max_subscriptions_per_user: int = Field(default=10, ge=1)
    #: Sent, failed and dropped deliveries are deleted after this many days (the inbox stays).
    push_keep_days: int = Field(default=30, ge=1)

    @field_validator("audit_retention_days")
    @classmethod
    def _retention_at_least_six_months(cls, value: int) -> int:
        if value < 180:
            raise ValueError("audit records are kept at least 180 days (网络安全法 Art. 21)")
        return value

    @field_validator("vapid_private_key", "vapid_public_key", mode="before")
    @classmethod
    def _empty_key_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _push_settings_agree(self) -> Settings:
        if (self.vapid_private_key is None) != (self.vapid_public_key is None):
            raise ValueError("set both ZHUCUN_VAPID_PRIVATE_KEY and ZHUCUN_VAPID_PUBLIC_KEY")
        if not self.vapid_subject.startswith(("mailto:", "https:")):
            raise ValueError("ZHUCUN_VAPID_SUBJECT must be a mailto: or https: URL")
        rounds = -(-self.push_batch_size // self.push_concurrency)
        if self.push_lease_seconds <= rounds * self.push_timeout_seconds:
            # A send outliving its lease may be sent again by another dispatcher.
            raise ValueError(
                "ZHUCUN_PUSH_LEASE_SECONDS must exceed the time a batch may take: "
                "ceil(batch size / concurrency) × timeout"
            )
        return self

    def server_limits(self) -> dict[str, Any]:
        """uvicorn's connection limits and timeouts from these settings."""
        return {
            "limit_concurrency": self.server_limit_concurrency,
            "timeout_keep_alive": self.server_keepalive_seconds,
            "h11_max_incomplete_event_size": self.server_max_head_bytes,
            "timeout_worker_healthcheck": self.server_worker_healthcheck_seconds,
        }

    @property
    def push_configured(self) -> bool:
        return self.vapid_private_key is not None and self.vapid_public_key is not None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    def signing_key(self) -> str:
        """The key that signs new access tokens (see ``secret_key``)."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        if self.env == "production":
            raise InsecureSettings("ZHUCUN_SECRET_KEY is not set")
        return _installation_secret(self.secret_key_file.resolve())

    def previous_key_until(self) -> dt.datetime | None:
        """Until when tokens of the previous key are accepted (None: not at all)."""
        if self.secret_key_previous is None or self.secret_key_rotated_at is None:
            return None
        rotated = self.secret_key_rotated_at
        if rotated.tzinfo is None:
            rotated = rotated.replace(tzinfo=dt.UTC)
        return rotated + dt.timedelta(minutes=self.access_token_minutes)

    def check_production(self) -> None:
        """Refuse a production start without a key, with a public one or a guessable one."""
        if self.env != "production":
            return
        keys = {"ZHUCUN_SECRET_KEY": self.secret_key}
        if self.secret_key_previous is not None:
            keys["ZHUCUN_SECRET_KEY_PREVIOUS"] = self.secret_key_previous
            if self.secret_key_rotated_at is None:
                raise InsecureSettings(
                    "ZHUCUN_SECRET_KEY_PREVIOUS needs ZHUCUN_SECRET_KEY_ROTATED_AT / "
                    "轮换密钥时须同时设置 ZHUCUN_SECRET_KEY_ROTATED_AT"
                )
        for name, value in keys.items():
            secret = value.get_secret_value().strip() if value is not None else ""
            if (
                not secret
                or secret in _PUBLIC_SECRETS
                or len(secret) < 32
                or secret_bits(secret) < MIN_SECRET_BITS
            ):
                raise InsecureSettings(
                    f"{name} must be set to a random value (openssl rand -hex 32) in "
                    f"production, not the example / 生产环境必须将 {name} 设为随机值"
                    "（openssl rand -hex 32），不能用示例值或简单字符串"
                )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
