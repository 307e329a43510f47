"""A clock that stands still until a test moves it: "now" is a chosen instant."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.clock import ShiftedClock


def at(text: str, zone: str = "Europe/Moscow") -> float:
    """The instant of a wall-clock time, «2026-12-07 09:00», in `zone`."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)).timestamp()


class FrozenClock(ShiftedClock):
    """`now()` is `start` plus whatever `advance()` and `set_to()` added."""

    def __init__(self, start: float) -> None:
        super().__init__()
        self.start = start

    def now(self) -> float:
        return self.start + self.shift
