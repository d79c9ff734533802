"""Settings from the environment or a .env file, validated once at start."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

#: Locales that have a complete catalog; the first is the default.
SUPPORTED_LOCALES: tuple[str, ...] = ("zh_CN", "en")
#: Proxy schemes httpx understands (socks needs python-telegram-bot's `socks` extra).
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it in one line."""


class Settings(BaseSettings):
    """Every operator-facing knob, with the default a small union would want."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    telegram_bot_token: SecretStr | None = None
    database_path: Path = Path("data/unionbot.sqlite3")
    admin_ids: Annotated[tuple[int, ...], NoDecode] = ()
    timezone: str = "Asia/Shanghai"
    default_language: Literal["zh_CN", "en"] = "zh_CN"
    bot_api_base_url: str = "https://api.telegram.org/bot"
    bot_api_base_file_url: str = "https://api.telegram.org/file/bot"
    telegram_proxy: str | None = None
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_secret: SecretStr | None = None
    # How long a statement waits for another process's write lock, and how many more
    # times it tries before the member is told the bot is busy (5 s x 3 by default).
    db_busy_timeout_ms: int = Field(default=5000, ge=1, le=600_000)
    db_lock_retries: int = Field(default=2, ge=0, le=10)
    delivery_rate: float = Field(default=25.0, gt=0, le=1000)
    delivery_concurrency: int = Field(default=8, ge=1, le=64)
    anonymity_threshold: int = Field(default=5, ge=3, le=1000)
    survey_reminder_max: int = Field(default=2, ge=0, le=10)
    survey_reminder_lead_hours: float = Field(default=24.0, gt=0, le=720)
    relay_key: SecretStr | None = Field(default=None, validate_default=True)
    suggestion_categories: Annotated[tuple[str, ...], NoDecode] = (
        "Wages and benefits", "Safety", "Canteen and living", "Training and promotion",
        "Management", "Other",
    )
    anonymous_digest_times: Annotated[tuple[str, ...], NoDecode] = ("09:00", "13:00", "17:00")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    event_offer_hours: float = Field(default=12.0, gt=0, le=168)
    digest_weekday: int = Field(default=1, ge=1, le=7)  # officers' weekly digest, 1 = Monday
    digest_time: str = Field(default="09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    retention_audit_days: int = Field(default=730, ge=0)  # 0 keeps forever
    retention_outbox_days: int = Field(default=90, ge=0)
    retention_survey_state_days: int = Field(default=30, ge=0)
    study_points_read: int = Field(default=1, ge=0, le=100)
    study_points_quiz_perfect: int = Field(default=2, ge=0, le=100)
    study_points_quiz_partial: int = Field(default=1, ge=0, le=100)
    study_streak_days: int = Field(default=5, ge=2, le=365)
    study_points_streak: int = Field(default=3, ge=0, le=1000)
    # Work supervision: reminder days before the due time, and hours overdue before escalation.
    task_reminder_days: str = Field(default="3,1", pattern=r"^\s*\d{1,2}(\s*,\s*\d{1,2})*\s*$")
    task_escalation_hours: float = Field(default=48.0, ge=0, le=720)
    scorecard_digest_day: int = Field(default=3, ge=1, le=28)  # day of month, from 09:00

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        """Accept "1,2 3" as well as a list, because env vars are plain strings."""
        if isinstance(value, str):
            parts = value.replace(",", " ").split()
            try:
                return tuple(int(p) for p in parts)
            except ValueError as exc:
                raise ValueError("must be Telegram user ids separated by commas") from exc
        if isinstance(value, int):
            return (value,)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        """Reject a zone name zoneinfo cannot load, before any scheduling uses it."""
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        """A token is "<digits>:<secret>"; catch a pasted-wrong value early."""
        if value is None or not value.get_secret_value().strip():
            return None
        raw = value.get_secret_value().strip()
        head, sep, tail = raw.partition(":")
        if not sep or not head.isdigit() or len(tail) < 5:
            raise ValueError("does not look like a bot token (expected 123456:ABC...)")
        return SecretStr(raw)

    @field_validator("relay_key")
    @classmethod
    def _relay_key_usable(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        """Refuse a short key, no key with a token, or a key that cannot open this database."""
        from bot.sealing import relay_key_problem  # bot.sealing imports this module

        secret = value.get_secret_value() if value else None
        problem = relay_key_problem(
            secret, info.data.get("database_path"), bool(info.data.get("telegram_bot_token"))
        )
        if problem:
            raise ValueError(problem)
        return SecretStr(secret.strip()) if secret and secret.strip() else None

    @field_validator("telegram_proxy")
    @classmethod
    def _proxy_url(cls, value: str | None) -> str | None:
        """An http://, https:// or socks5:// URL with a host; empty means no proxy."""
        if value is None or not value.strip():
            return None
        value = value.strip()
        scheme, sep, rest = value.partition("://")
        host = rest.rpartition("@")[2].split("/")[0]
        if not sep or scheme.lower() not in PROXY_SCHEMES or not host:
            raise ValueError("must look like http://host:port or socks5://host:port")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        """Telegram accepts 1-256 characters A-Z, a-z, 0-9, _ and - as secret_token."""
        if value is None or not value.get_secret_value().strip():
            return None
        raw = value.get_secret_value().strip()
        if len(raw) > 256 or not all(c.isascii() and (c.isalnum() or c in "_-") for c in raw):
            raise ValueError("may only use A-Z, a-z, 0-9, _ and - (at most 256 characters)")
        return SecretStr(raw)

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        """Without a secret anyone who finds the URL can post forged updates."""
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError(
                "WEBHOOK_SECRET must be set when WEBHOOK_URL is set "
                "(generate one: python -c \"import secrets; print(secrets.token_urlsafe(32))\")"
            )
        return self

    @field_validator("suggestion_categories", mode="before")
    @classmethod
    def _split_categories(cls, value: object) -> object:
        """Accept "Wages,Safety" from the environment; 1-12 labels of at most 40 characters."""
        labels = value.split(",") if isinstance(value, str) else value
        if not isinstance(labels, list | tuple):
            return value
        cleaned = tuple(dict.fromkeys(str(x).strip() for x in labels if str(x).strip()))
        if not 1 <= len(cleaned) <= 12 or any(len(x) > 40 for x in cleaned):
            raise ValueError("must be 1 to 12 comma-separated labels of at most 40 characters")
        return cleaned

    @field_validator("anonymous_digest_times", mode="before")
    @classmethod
    def _digest_times(cls, value: object) -> object:
        """Accept "09:00,17:00": the fixed times officers hear of anonymous items."""
        parts = value.replace(" ", ",").split(",") if isinstance(value, str) else value
        if not isinstance(parts, list | tuple):
            return value
        out: set[str] = set()
        for part in (str(p).strip() for p in parts):
            if not part:
                continue
            hour, sep, minute = part.partition(":")
            if not (sep and hour.isdigit() and minute.isdigit() and len(minute) == 2) or not (
                0 <= int(hour) < 24 and 0 <= int(minute) < 60
            ):
                raise ValueError(f"{part!r} is not a time of day like 09:00")
            out.add(f"{int(hour):02d}:{minute}")
        if not out:
            raise ValueError("needs at least one time of day like 09:00")
        return tuple(sorted(out))

    @property
    def tz(self) -> ZoneInfo:
        """The configured zone, for rendering and scheduling."""
        return ZoneInfo(self.timezone)

    @property
    def token(self) -> str:
        """The raw token; only the wiring code should call this."""
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else ""


def load_settings(**overrides: object) -> Settings:
    """Build settings or raise ConfigError with one line naming the bad setting."""
    unknown = set(overrides) - set(Settings.model_fields)
    if unknown:
        # The environment may carry anything, but a typo in code must not pass silently.
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        where = f"{name.upper()}: " if name else ""
        raise ConfigError(f"configuration error: {where}{message}") from None


def settings_or_exit(**overrides: object) -> Settings:
    """Load settings for the CLI: on error print one line and exit with code 2."""
    try:
        return load_settings(**overrides)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        raise SystemExit(2) from None
