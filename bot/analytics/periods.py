"""Report periods shared by /export and /stats: today (from local midnight in the firm's time
zone), the last 7 days, the last 30 days, all time. Their names are `[group_periods]`."""

from __future__ import annotations

import time

from bot.config import Settings
from bot.content import Content
from bot.local_time import start_of_day

PERIODS: tuple[str, ...] = ("today", "7d", "30d", "all")


def parse_period(argument: str | None, content: Content) -> str | None:
    """The period code a person typed (code or its Russian name); empty means all."""
    text = (argument or "").strip().casefold()
    if not text:
        return "all"
    for code in PERIODS:
        if text in (code, content.label(f"group_periods.{code}").casefold()):
            return code
    return None


def period_start(code: str, settings: Settings, now: float | None = None) -> float | None:
    """Unix time the period starts at (None for all time)."""
    now = time.time() if now is None else now
    if code == "today":
        return start_of_day(now, settings.timezone)
    if code == "7d":
        return now - 7 * 86400
    if code == "30d":
        return now - 30 * 86400
    if code == "all":
        return None
    raise ValueError(f"unknown period {code!r}")
