"""The diagnostic's working hours, as DIAGNOSTIC_HOURS writes them.

    mon-fri 10:00-18:00
    mon-thu 10:00-13:00,14:00-18:00; fri 10:00-15:00
    mon,wed,fri 09:30-12:00; sat 10:00-14:00

Groups are separated by «;», each is days then time ranges. Days are `mon` … `sun`, single,
ranged (`mon-fri`, also across the week's end: `fri-mon`) or listed with commas. Times are
wall-clock `HH:MM` in TIMEZONE, `24:00` allowed as an end. Ranges of one day must not
overlap. An empty value means no hours at all: booking is off.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
HINT = "expected days and hours such as «mon-fri 10:00-18:00; sat 10:00-14:00»"

Range = tuple[int, int]
"""Minutes since local midnight: [start, end)."""


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    """Open ranges per weekday (0 = Monday), each sorted and not overlapping."""

    days: tuple[tuple[Range, ...], ...] = ((),) * 7

    @property
    def empty(self) -> bool:
        return not any(self.days)

    def on(self, weekday: int) -> tuple[Range, ...]:
        return self.days[weekday]


def _minutes(text: str) -> int:
    match = _TIME_RE.match(text)
    if match is None:
        raise ValueError(f"«{text}» is not a time HH:MM; {HINT}")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(f"«{text}» is not a time of day; {HINT}")
    return hours * 60 + minutes


def _days(text: str) -> list[int]:
    found: list[int] = []
    for part in text.split(","):
        first, dash, last = part.strip().lower().partition("-")
        if first not in DAY_NAMES or (dash and last not in DAY_NAMES):
            raise ValueError(f"«{part.strip()}» is not a day or a range of days; {HINT}")
        start = DAY_NAMES.index(first)
        end = DAY_NAMES.index(last) if dash else start
        day = start
        while True:
            if day in found:
                raise ValueError(f"«{DAY_NAMES[day]}» is given twice; {HINT}")
            found.append(day)
            if day == end:
                break
            day = (day + 1) % 7
    return found


def _ranges(text: str) -> list[Range]:
    ranges: list[Range] = []
    for part in text.split(","):
        start_text, dash, end_text = part.strip().partition("-")
        if not dash:
            raise ValueError(f"«{part.strip()}» is not a range HH:MM-HH:MM; {HINT}")
        start, end = _minutes(start_text.strip()), _minutes(end_text.strip())
        if start >= end:
            raise ValueError(f"«{part.strip()}» ends before it starts; {HINT}")
        ranges.append((start, end))
    return ranges


def parse_hours(text: str) -> WeeklyHours:
    """The weekly hours in `text`; ValueError naming the first problem."""
    days: list[list[Range]] = [[] for _ in DAY_NAMES]
    seen: set[int] = set()
    for group in text.split(";"):
        group = group.strip()
        if not group:
            continue
        head, _, tail = group.partition(" ")
        if not tail.strip():
            raise ValueError(f"«{group}» has no hours; {HINT}")
        weekdays = _days(head)
        ranges = _ranges(tail.replace(" ", ""))
        for day in weekdays:
            if day in seen:
                raise ValueError(f"«{DAY_NAMES[day]}» is given twice; {HINT}")
            seen.add(day)
            days[day] = sorted(ranges)
            for (_, end), (start, _) in zip(days[day], days[day][1:], strict=False):
                if start < end:
                    raise ValueError(f"hours of «{DAY_NAMES[day]}» overlap; {HINT}")
    return WeeklyHours(tuple(tuple(ranges) for ranges in days))
