"""Which diagnostic times are free: pure arithmetic over the rules, the consultants' closed
and opened times and the bookings already made.

A slot is a wall-clock time in TIMEZONE (10:00, 11:00 … as DIAGNOSTIC_HOURS lays them out,
DIAGNOSTIC_SLOT_MINUTES long) turned into a UTC instant by the zone database, so a day
after a daylight-saving change starts at another UTC hour and a wall-clock time that does
not exist that night (02:30 in spring) is not offered. Instants are whole unix seconds.

What is open: the working hours of the day, then every /busy (closes) and /free (opens)
applied in the order they were given, so a later one wins where they overlap. A slot is
free when it lies wholly in open time, starts at least BOOKING_MIN_NOTICE from now, and
fewer than DIAGNOSTIC_PARALLEL active bookings overlap it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.booking.hours import WeeklyHours
from bot.local_time import zone as zone_of

if TYPE_CHECKING:
    from bot.config import Settings

Interval = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Rules:
    """The booking settings, as the slot arithmetic needs them."""

    hours: WeeklyHours
    slot_minutes: int
    parallel: int
    notice: int  # seconds
    days_ahead: int
    zone: str

    @classmethod
    def of(cls, settings: Settings) -> Rules:
        return cls(
            hours=settings.booking_hours,
            slot_minutes=settings.diagnostic_slot_minutes,
            parallel=settings.diagnostic_parallel,
            notice=settings.booking_min_notice,
            days_ahead=settings.booking_days_ahead,
            zone=settings.timezone,
        )

    @property
    def tz(self) -> ZoneInfo:
        return zone_of(self.zone)

    @property
    def length(self) -> int:
        return self.slot_minutes * 60


@dataclass(frozen=True, slots=True)
class Slot:
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Override:
    """A consultant's /busy or /free, in the order given (`id`)."""

    id: int
    start: int
    end: int
    kind: str  # "busy" | "free"


@dataclass(frozen=True, slots=True)
class Taken:
    """An active booking's time."""

    start: int
    end: int


# -- wall clock and instants ------------------------------------------------------------------


def instant(day: dt.date, minute: int, tz: ZoneInfo) -> int | None:
    """The instant of wall-clock `minute` (since midnight, 1440 = the next midnight) on
    `day`; None when that wall-clock time does not exist (skipped by a daylight-saving
    change). An ambiguous time (the hour repeated in autumn) is its first occurrence."""
    day, minute = day + dt.timedelta(days=minute // 1440), minute % 1440
    local = dt.datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=tz)
    moment = local.astimezone(dt.UTC)
    back = moment.astimezone(tz)
    if (back.hour, back.minute, back.date()) != (local.hour, local.minute, local.date()):
        return None
    return int(moment.timestamp())


def local_date(moment: float, tz: ZoneInfo) -> dt.date:
    return dt.datetime.fromtimestamp(moment, tz).date()


def day_window(day: dt.date, tz: ZoneInfo) -> Interval:
    """From the local midnight that starts `day` to the one that ends it."""
    start = dt.datetime(day.year, day.month, day.day, tzinfo=tz)
    following = day + dt.timedelta(days=1)
    end = dt.datetime(following.year, following.month, following.day, tzinfo=tz)
    return int(start.timestamp()), int(end.timestamp())


# -- interval sets ------------------------------------------------------------------------------


def _union(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _subtract(intervals: list[Interval], cut: Interval) -> list[Interval]:
    kept: list[Interval] = []
    for start, end in intervals:
        if cut[1] <= start or cut[0] >= end:
            kept.append((start, end))
            continue
        if start < cut[0]:
            kept.append((start, cut[0]))
        if cut[1] < end:
            kept.append((cut[1], end))
    return kept


def _working(day: dt.date, rules: Rules) -> list[Interval]:
    found = []
    for first, last in rules.hours.on(day.weekday()):
        start, end = range_instants(day, first, last, rules.tz)
        if start is not None and end is not None and start < end:
            found.append((start, end))
    return found


def range_instants(
    day: dt.date, first: int, last: int, tz: ZoneInfo
) -> tuple[int | None, int | None]:
    """A wall-clock range's instants (minutes since the day's midnight; 1440 = the next
    midnight); an edge inside a skipped hour moves to where the clock resumes."""

    def edge(minute: int) -> int | None:
        for later in range(minute, minute + 180):
            found = instant(day, later, tz)
            if found is not None:
                return found
        return None

    return edge(first), edge(last)


def open_time(day: dt.date, rules: Rules, overrides: Sequence[Override]) -> list[Interval]:
    """Open intervals of `day`: working hours, then each override in the order given."""
    window = day_window(day, rules.tz)
    opened = _union(_working(day, rules))
    for override in sorted(overrides, key=lambda o: o.id):
        piece = (max(override.start, window[0]), min(override.end, window[1]))
        if piece[0] >= piece[1]:
            continue
        if override.kind == "busy":
            opened = _subtract(opened, piece)
        else:
            opened = _union([*opened, piece])
    return opened


# -- slots --------------------------------------------------------------------------------------


def _grid(day: dt.date, first: int, last: int, rules: Rules) -> list[Slot]:
    """Slots laid out on the wall clock from `first` while they end by `last` (minutes)."""
    slots = []
    _, range_end = range_instants(day, first, last, rules.tz)
    minute = first
    while minute + rules.slot_minutes <= last:
        start = instant(day, minute, rules.tz)
        if start is not None and range_end is not None and start + rules.length <= range_end:
            slots.append(Slot(start, start + rules.length))
        minute += rules.slot_minutes
    return slots


def _minute_of(moment: int, day: dt.date, tz: ZoneInfo) -> int:
    local = dt.datetime.fromtimestamp(moment, tz)
    return (local.date() - day).days * 1440 + local.hour * 60 + local.minute


def candidates(day: dt.date, rules: Rules, overrides: Sequence[Override]) -> list[Slot]:
    """Every slot of `day` in open time (taken or not, however soon)."""
    tz = rules.tz
    laid: dict[int, Slot] = {}
    for first, last in rules.hours.on(day.weekday()):
        for slot in _grid(day, first, last, rules):
            laid.setdefault(slot.start, slot)
    window = day_window(day, tz)
    for override in overrides:
        if override.kind != "free" or override.end <= window[0] or override.start >= window[1]:
            continue
        first = _minute_of(max(override.start, window[0]), day, tz)
        last = _minute_of(override.end, day, tz)
        for slot in _grid(day, first, last, rules):
            laid.setdefault(slot.start, slot)
    opened = open_time(day, rules, overrides)
    return [
        slot for start, slot in sorted(laid.items())
        if local_date(start, tz) == day
        and any(a <= slot.start and slot.end <= b for a, b in opened)
    ]


def seats_taken(slot: Slot, taken: Sequence[Taken]) -> int:
    return sum(1 for t in taken if t.start < slot.end and slot.start < t.end)


def free_slots(
    day: dt.date, now: float, rules: Rules, overrides: Sequence[Override],
    taken: Sequence[Taken],
) -> list[Slot]:
    """The slots of `day` an owner may book now."""
    earliest = now + rules.notice
    return [
        slot for slot in candidates(day, rules, overrides)
        if slot.start >= earliest and seats_taken(slot, taken) < rules.parallel
    ]


def booking_days(now: float, rules: Rules) -> list[dt.date]:
    """The days an owner may book on: today and the next BOOKING_DAYS_AHEAD - 1."""
    today = local_date(now, rules.tz)
    return [today + dt.timedelta(days=offset) for offset in range(rules.days_ahead)]


def horizon(now: float, rules: Rules) -> Interval:
    """The instants `booking_days` cover (to read overrides and bookings once)."""
    days = booking_days(now, rules)
    return day_window(days[0], rules.tz)[0], day_window(days[-1], rules.tz)[1]


def free_days(
    now: float, rules: Rules, overrides: Sequence[Override], taken: Sequence[Taken]
) -> list[dt.date]:
    """The booking days with at least one free slot."""
    return [
        day for day in booking_days(now, rules)
        if free_slots(day, now, rules, overrides, taken)
    ]


def refusal(
    slot: Slot, now: float, rules: Rules, overrides: Sequence[Override], taken: Sequence[Taken]
) -> str | None:
    """Why `slot` cannot be booked now — "passed" (too soon, or gone), "closed" (not an open
    slot of a day offered) or "taken" (every seat is booked) — or None when it is free."""
    if slot.start < now + rules.notice:
        return "passed"
    day = local_date(slot.start, rules.tz)
    if day not in booking_days(now, rules) or slot not in candidates(day, rules, overrides):
        return "closed"
    if seats_taken(slot, taken) >= rules.parallel:
        return "taken"
    return None
