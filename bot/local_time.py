"""Times as consultants read them: the `timezone` setting (Moscow by default)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

STAMP_FORMAT = "%d.%m.%Y %H:%M"
DATE_FORMAT = "%d.%m.%Y"


@lru_cache(maxsize=8)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local(ts: float, tz_name: str) -> dt.datetime:
    return dt.datetime.fromtimestamp(ts, zone(tz_name))


def stamp(ts: float, tz_name: str) -> str:
    """"31.12.2025 18:05" in the given zone."""
    return local(ts, tz_name).strftime(STAMP_FORMAT)


def start_of_day(ts: float, tz_name: str) -> float:
    """The local midnight that begins the day of `ts`, as a unix time."""
    day = local(ts, tz_name).replace(hour=0, minute=0, second=0, microsecond=0)
    return day.timestamp()
