"""Report periods: today (local midnight in the firm's time zone), 7 days, 30 days, all."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

PERIODS: tuple[str, ...] = ("today", "7d", "30d", "all")
ALIASES = {
    "today": "today", "сегодня": "today", "day": "today",
    "7d": "7d", "7": "7d", "week": "7d", "неделя": "7d",
    "30d": "30d", "30": "30d", "month": "30d", "месяц": "30d",
    "all": "all", "всё": "all", "все": "all",
}


def parse_period(text: str | None) -> str | None:
    """The period a person typed, or None if it is not one; empty means all."""
    if not text or not text.strip():
        return "all"
    return ALIASES.get(text.strip().lower())


def period_start(period: str, timezone: str, now: dt.datetime | None = None) -> float | None:
    """Unix time the period starts at (None for all time)."""
    zone = ZoneInfo(timezone)
    current = (now or dt.datetime.now(dt.UTC)).astimezone(zone)
    if period == "today":
        return current.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
    if period == "7d":
        return (current - dt.timedelta(days=7)).timestamp()
    if period == "30d":
        return (current - dt.timedelta(days=30)).timestamp()
    if period == "all":
        return None
    raise ValueError(f"unknown period {period!r}")
