"""Quiet hours: a window of the local day (QUIET_HOURS in TIMEZONE) when no reminder goes out.

A reminder that falls due inside the window waits for its end. Local times are the zone
database's (`zoneinfo`), so a daylight-saving change moves the window with the clocks.
"""

from __future__ import annotations

import datetime as dt

from bot.local_time import zone


def minute_of_day(moment: dt.datetime) -> int:
    return moment.hour * 60 + moment.minute


def inside(window: tuple[int, int] | None, at: float, tz_name: str) -> bool:
    """Whether unix time `at` falls inside the window (start included, end excluded)."""
    if window is None:
        return False
    start, end = window
    minute = minute_of_day(dt.datetime.fromtimestamp(at, zone(tz_name)))
    if start < end:
        return start <= minute < end
    return minute >= start or minute < end  # the window spans midnight


def window_end(window: tuple[int, int], at: float, tz_name: str) -> float:
    """The first end of the window at or after `at` (unix time)."""
    tz = zone(tz_name)
    local = dt.datetime.fromtimestamp(at, tz)
    end = dt.time(window[1] // 60, window[1] % 60)
    candidate = dt.datetime.combine(local.date(), end, tzinfo=tz)
    if candidate.timestamp() <= at:
        candidate = dt.datetime.combine(local.date() + dt.timedelta(days=1), end, tzinfo=tz)
    return candidate.timestamp()


def out_of_quiet(window: tuple[int, int] | None, at: float, tz_name: str) -> float:
    """`at`, or the end of the quiet window when `at` falls inside it."""
    if window is None or not inside(window, at, tz_name):
        return at
    return window_end(window, at, tz_name)
