"""Speed to lead: median and 90th percentile of the time to first contact, overall, by
consultant and by source. Pure: rows in, figures out.

Percentiles interpolate linearly between the closest ranks (`statistics.quantiles`,
"inclusive" method, the one spreadsheets call PERCENTILE.INC): the median of 1, 2, 3 and 10
minutes is 2.5 minutes, their 90th percentile 7.9 minutes; one value is its own median and
90th percentile.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.db.contacts import FirstContact


@dataclass(frozen=True, slots=True)
class Speed:
    """Time to first contact of `count` leads, in seconds."""

    name: str
    count: int
    median: float
    p90: float


def percentile(values: list[float], share: float) -> float:
    """The `share` percentile (0 < share < 1) of the values, linearly interpolated."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    cuts = statistics.quantiles(ordered, n=100, method="inclusive")
    return cuts[round(share * 100) - 1]


def speed(name: str, seconds: list[float]) -> Speed:
    return Speed(name, len(seconds), statistics.median(seconds), percentile(seconds, 0.9))


def by(
    contacts: Iterable[FirstContact], key: Callable[[FirstContact], str]
) -> list[Speed]:
    """Figures per group, the fastest median first (then the name)."""
    groups: dict[str, list[float]] = {}
    for contact in contacts:
        groups.setdefault(key(contact), []).append(contact.seconds)
    return sorted(
        (speed(name, seconds) for name, seconds in groups.items()),
        key=lambda figure: (figure.median, figure.name),
    )
