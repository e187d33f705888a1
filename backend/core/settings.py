"""Settings from environment variables prefixed ``ZHUCUN_``, with safe laptop defaults."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEMO_SECRET", "InsecureSettings", "Settings", "get_settings"]

DEMO_SECRET = "zhucun-demo-secret-change-me-in-production"


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
    secret_key: SecretStr = SecretStr(DEMO_SECRET)
    access_token_minutes: int = Field(default=30, ge=1, le=24 * 60)
    #: A refresh token lapses after this many days unused (idle sessions expire).
    refresh_idle_days: int = Field(default=60, ge=1)
    lockout_failures: int = Field(default=5, ge=1)
    lockout_minutes: int = Field(default=30, ge=1)
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

    @property
    def push_configured(self) -> bool:
        return self.vapid_private_key is not None and self.vapid_public_key is not None

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    def check_production(self) -> None:
        """Refuse a production start with the demo secret or a short secret."""
        if self.env != "production":
            return
        secret = self.secret_key.get_secret_value()
        if secret == DEMO_SECRET or len(secret) < 32:
            raise InsecureSettings(
                "ZHUCUN_SECRET_KEY must be set to a random value of at least 32 characters "
                "in production / 生产环境必须设置至少 32 个字符的随机 ZHUCUN_SECRET_KEY"
            )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
