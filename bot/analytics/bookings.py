"""Booked diagnostics for /stats: of the owners who booked in a period, how many came
(held), how many did not (no-show), cancelled, or are still to come — in all and by source.

Each lead counts once, by its latest booking (a rescheduled one counts where it ended)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bot.analytics.report import source_label
from bot.content import Content
from bot.db.bookings import Outcome
from bot.db.repos import Repositories
from bot.domain import BookingState

MAX_SOURCES = 8


@dataclass(frozen=True, slots=True)
class Tally:
    booked: int
    held: int
    no_show: int
    cancelled: int
    upcoming: int

    @classmethod
    def of(cls, outcomes: list[Outcome]) -> Tally:
        states = Counter(outcome.state for outcome in outcomes)
        return cls(
            booked=len(outcomes),
            held=states[BookingState.held],
            no_show=states[BookingState.no_show],
            cancelled=states[BookingState.cancelled],
            upcoming=states[BookingState.active],
        )

    @property
    def held_percent(self) -> int | None:
        return round(100 * self.held / self.booked) if self.booked else None

    @property
    def no_show_percent(self) -> int | None:
        return round(100 * self.no_show / self.booked) if self.booked else None


@dataclass(frozen=True, slots=True)
class BookingReport:
    period: str
    total: Tally
    sources: list[tuple[str | None, Tally]]


def build(period: str, outcomes: list[Outcome]) -> BookingReport:
    by_source: dict[str | None, list[Outcome]] = {}
    for outcome in outcomes:
        by_source.setdefault(outcome.source, []).append(outcome)
    sources = sorted(
        ((source, Tally.of(items)) for source, items in by_source.items()),
        key=lambda pair: (-pair[1].booked, pair[0] or ""),
    )
    return BookingReport(period, Tally.of(outcomes), sources[:MAX_SOURCES])


async def collect(repo: Repositories, period: str, since: float | None) -> BookingReport:
    return build(period, await repo.bookings.outcomes(since))


def render(report: BookingReport, content: Content) -> str:
    total = report.total
    return content.render(
        "group/booking_stats.html",
        period=content.label(f"group_periods.{report.period}"),
        booked=total.booked, held=total.held, no_show=total.no_show,
        cancelled=total.cancelled, upcoming=total.upcoming,
        held_percent=total.held_percent if total.held_percent is not None else "",
        no_show_percent=total.no_show_percent if total.no_show_percent is not None else "",
        sources=[
            {"name": source_label(content, source), "booked": tally.booked,
             "held": tally.held, "no_show": tally.no_show}
            for source, tally in report.sources
        ],
    )
