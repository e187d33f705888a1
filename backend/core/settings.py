"""Settings from environment variables prefixed ``ZHUCUN_``, with safe laptop defaults."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
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

    @field_validator("audit_retention_days")
    @classmethod
    def _retention_at_least_six_months(cls, value: int) -> int:
        if value < 180:
            raise ValueError("audit records are kept at least 180 days (网络安全法 Art. 21)")
        return value

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
