"""Settings of the bot process, read from the environment and `.env` (pydantic-settings).

Settings are built in `main()` only, never at import time. A bad value becomes one
human-readable line naming the setting (see `load_settings`), never a traceback.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.booking.hours import WeeklyHours, parse_hours
from bot.domain import Assignment
from bot.durations import parse_duration

TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,100}$")
# Telegram's rule for a webhook's secret_token.
WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
DEFAULT_API_BASE = "https://api.telegram.org"
HOUR = 3600.0
QUIET_RE = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*-\s*(\d{1,2})(?::(\d{2}))?$")


class ConfigError(Exception):
    """A setting is malformed; the message names it and is safe to print."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
    )

    bot_token: SecretStr | None = None
    telegram_api_base: str = DEFAULT_API_BASE
    database_path: Path = Path("data/bot.sqlite3")
    # NORMAL survives a crash of the process; FULL also a power cut (an fsync per commit).
    database_synchronous: Literal["NORMAL", "FULL"] = "NORMAL"
    consultants_chat_id: int | None = None
    consultants_thread_id: int | None = None
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # "text": one line per record; "json": one JSON object per line.
    log_format: Literal["text", "json"] = "text"

    # Intake and processing.
    polling_timeout: int = Field(default=25, ge=0, le=50)
    max_concurrent_updates: int = Field(default=64, ge=1, le=10_000)
    shutdown_grace_seconds: float = Field(default=10.0, ge=0, le=300)
    inbox_retention_days: int = Field(default=3, ge=1, le=365)

    # Qualification (issue: diagnostic request).
    min_turnover_mln: float = Field(default=3.0, ge=0)
    min_years_on_market: int = Field(default=3, ge=0)
    notify_unqualified: bool = False
    consent_doc_url: str = "https://example.com/consent"
    privacy_policy_url: str = "https://example.com/privacy"
    # Empty: the wording in content/diagnostic.toml [diag_texts] callback_expectation.
    callback_expectation: str = ""

    # Booking the diagnostic in the calendar (bot/booking/). Empty DIAGNOSTIC_HOURS turns
    # booking off: the owner names a convenient call time instead, as before.
    diagnostic_hours: str = "mon-fri 10:00-18:00"
    diagnostic_slot_minutes: int = Field(default=60, ge=5, le=720)
    booking_min_notice: float = 3 * HOUR  # seconds; written like 90s, 45m, 3h, 2d
    diagnostic_parallel: int = Field(default=1, ge=1, le=100)
    booking_days_ahead: int = Field(default=10, ge=1, le=90)

    # Consultants' group.
    timezone: str = "Europe/Moscow"
    sla_minutes: int = Field(default=30, ge=1)
    # Who gets a new lead: "manual" (whoever presses «Взять в работу») or "round_robin" (the
    # next consultant on duty, /duty on|off).
    assignment: Assignment = Assignment.manual
    member_cache_seconds: int = Field(default=60, ge=0)
    group_messages_per_minute: int = Field(default=20, ge=1)
    leads_page_size: int = Field(default=10, ge=1, le=50)
    # Outbox sender: how often it looks without being woken, and how it backs off.
    outbox_poll_seconds: float = Field(default=5.0, gt=0, le=300)
    outbox_retry_base_seconds: float = Field(default=1.0, gt=0, le=60)
    outbox_retry_max_seconds: float = Field(default=300.0, gt=0, le=3600)
    outbox_outage_probe_seconds: float = Field(default=300.0, gt=0, le=3600)

    # Webhook intake (polling when WEBHOOK_URL is unset). WEBHOOK_URL is the public HTTPS
    # address Telegram posts to (usually a reverse proxy); the bot listens on
    # WEBHOOK_HOST:WEBHOOK_PORT at WEBHOOK_PATH (default: the path of WEBHOOK_URL).
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_host: str = "0.0.0.0"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_path: str | None = None

    # /healthz and /metrics; port 0 turns the server off.
    metrics_host: str = "127.0.0.1"
    metrics_port: int = Field(default=0, ge=0, le=65535)

    # Daily backup at BACKUP_HOUR (in TIMEZONE) into BACKUP_DIR; off when BACKUP_DIR is unset.
    backup_dir: Path | None = None
    backup_hour: int = Field(default=3, ge=0, le=23)
    backup_keep: int = Field(default=7, ge=1, le=1000)

    # Follow-ups (bot/nudges): reminders to owners who stopped. Durations like 90s, 45m,
    # 24h, 3d (seconds here); 0 turns that reminder off.
    lesson_nudge_after: float = 24 * HOUR
    offer_nudge_after: float = 48 * HOUR
    diagnostic_nudge_after: float = 2 * HOUR
    # After downtime, a reminder more than this late is dropped instead of sent (0: never).
    nudge_stale_after: float = 12 * HOUR
    # A reminder that falls due inside this window (TIMEZONE) waits for its end; empty: off.
    # (start, end) in minutes after midnight.
    quiet_hours: Annotated[tuple[int, int] | None, NoDecode] = (21 * 60, 10 * 60)
    # At most this many reminders a second in all (Telegram allows about 30 messages a
    # second to a bot; the rest is left for live answers).
    nudges_per_second: float = Field(default=20.0, gt=0, le=1000)
    # on_demand: the next lesson when the owner asks for it; daily: it also comes by itself a
    # day after the previous one was opened.
    lessons_pace: Literal["on_demand", "daily"] = "on_demand"

    # Sandbox.
    sandbox_host: str = "127.0.0.1"
    sandbox_port: int = Field(default=8080, ge=1, le=65535)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("bot_token", mode="before")
    @classmethod
    def _token_shape(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        text = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
        if not TOKEN_RE.match(text.strip()):
            # Never echo the value: it may be a real secret with a typo.
            raise ValueError("expected Telegram's <digits>:<secret> form")
        return text.strip()

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p for p in re.split(r"[,\s]+", value.strip()) if p]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError:
                raise ValueError("expected comma-separated Telegram user ids") from None
        return value

    @field_validator("consultants_chat_id", "consultants_thread_id", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("expected an IANA time zone such as Europe/Moscow") from None
        return value.strip()

    @field_validator(
        "lesson_nudge_after", "offer_nudge_after", "diagnostic_nudge_after",
        "nudge_stale_after", "booking_min_notice", mode="before",
    )
    @classmethod
    def _duration(cls, value: object) -> object:
        return parse_duration(value)

    @field_validator("quiet_hours", mode="before")
    @classmethod
    def _quiet_hours(cls, value: object) -> object:
        return parse_quiet_hours(value)

    @field_validator("lessons_pace", mode="before")
    @classmethod
    def _pace(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("diagnostic_hours")
    @classmethod
    def _hours(cls, value: str) -> str:
        _weekly_hours(value)  # a ValueError names the problem
        return value.strip()

    @field_validator("assignment", mode="before")
    @classmethod
    def _assignment(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().lower()
            if value not in set(Assignment):
                raise ValueError("expected manual or round_robin")
        return value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("webhook_url", "webhook_secret", "webhook_path", "backup_dir", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("metrics_port", mode="before")
    @classmethod
    def _blank_port_is_off(cls, value: object) -> object:
        return 0 if isinstance(value, str) and not value.strip() else value

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        return _stripped_match(
            value, r"^https?://[^\s/]+(/\S*)?$",
            "expected the public URL Telegram posts to, such as https://bot.example.com/tg",
        )

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _webhook_secret(cls, value: object) -> object:
        text = value.get_secret_value() if isinstance(value, SecretStr) else value
        if text is None or (isinstance(text, str) and not text.strip()):
            return None
        text = str(text)
        if not WEBHOOK_SECRET_RE.match(text.strip()):
            # Never echo the value.
            raise ValueError("expected 1-256 characters A-Z, a-z, 0-9, _ and -")
        return text.strip()

    @field_validator("webhook_path")
    @classmethod
    def _webhook_path(cls, value: str | None) -> str | None:
        return _stripped_match(value, r"^/\S*$", "expected a path starting with /, such as /tg")

    @model_validator(mode="after")
    def _webhook_needs_secret(self) -> Settings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError(
                "WEBHOOK_SECRET: required when WEBHOOK_URL is set (Telegram sends it in "
                "X-Telegram-Bot-Api-Secret-Token; requests without it are refused)"
            )
        return self

    @field_validator("telegram_api_base")
    @classmethod
    def _api_base(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("expected an http(s) URL such as https://api.telegram.org")
        return value

    @property
    def booking_hours(self) -> WeeklyHours:
        """DIAGNOSTIC_HOURS, parsed (empty: booking is off)."""
        return _weekly_hours(self.diagnostic_hours)

    @property
    def booking(self) -> bool:
        """Owners book the diagnostic in the calendar (DIAGNOSTIC_HOURS is not empty)."""
        return not self.booking_hours.empty

    @property
    def sandbox(self) -> bool:
        return self.bot_token is None

    def token(self) -> str:
        if self.bot_token is None:
            raise ConfigError("BOT_TOKEN: not set")
        return self.bot_token.get_secret_value()

    @property
    def webhook(self) -> bool:
        """Updates come by webhook (WEBHOOK_URL is set) instead of polling."""
        return bool(self.webhook_url)

    def webhook_secret_value(self) -> str:
        if self.webhook_secret is None:
            raise ConfigError("WEBHOOK_SECRET: not set")
        return self.webhook_secret.get_secret_value()

    def webhook_listen_path(self) -> str:
        """Where the local server takes webhook posts: WEBHOOK_PATH, else WEBHOOK_URL's path."""
        if self.webhook_path:
            return self.webhook_path
        path = urlsplit(self.webhook_url or "").path
        return path or "/"

    def secrets(self) -> tuple[str, ...]:
        """Values that must never reach a log line."""
        values = [self.bot_token, self.webhook_secret]
        return tuple(v.get_secret_value() for v in values if v is not None)


def parse_quiet_hours(value: object) -> object:
    """"21-10" or "21:30-09:00" as (start, end) minutes after midnight; empty: None."""
    if value is None or isinstance(value, tuple):
        return value
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return None
    match = QUIET_RE.match(text)
    problem = "expected hours such as 21-10 or 21:30-09:00 (empty turns them off)"
    if match is None:
        raise ValueError(problem)
    start_h, start_m, end_h, end_m = (int(part or 0) for part in match.groups())
    if start_h > 23 or end_h > 23 or start_m > 59 or end_m > 59:
        raise ValueError(problem)
    start, end = start_h * 60 + start_m, end_h * 60 + end_m
    if start == end:
        raise ValueError("expected a window that starts and ends at different times")
    return (start, end)


def _stripped_match(value: str | None, pattern: str, problem: str) -> str | None:
    """`value` without surrounding blanks when it matches `pattern`; None stays None."""
    if value is None:
        return None
    value = value.strip()
    if not re.match(pattern, value):
        raise ValueError(problem)
    return value


@lru_cache(maxsize=8)
def _weekly_hours(text: str) -> WeeklyHours:
    return parse_hours(text)


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    message = first["msg"].removeprefix("Value error, ")
    if not first["loc"]:  # a check across settings names them in its message
        return message
    return f"{str(first['loc'][0]).upper()}: {message}"


def load_settings(
    env_file: str | os.PathLike[str] | None = ".env", **overrides: object
) -> Settings:
    """Build settings; raise ConfigError with one line naming the bad setting."""
    try:
        settings = Settings(_env_file=env_file, **overrides)  # type: ignore[call-arg]
    except ValidationError as error:
        raise ConfigError(_describe(error)) from None
    ensure_database_dir(settings.database_path)
    return settings


def ensure_database_dir(path: Path) -> None:
    """Create the database folder and prove it is writable, or raise ConfigError."""
    folder = path.expanduser().resolve().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-probe-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise ConfigError(
            f"DATABASE_PATH: folder {folder} is not writable ({error.strerror or error})"
        ) from None
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise ConfigError(f"DATABASE_PATH: {path} is not readable and writable")
