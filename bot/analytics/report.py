"""The funnel report: owners at each step for a cohort, step-to-step conversion, sources and
top referrers, rendered from `content/analytics/funnel.html`."""

from __future__ import annotations

from dataclasses import dataclass

from bot.content import Content
from bot.db.funnel import DIRECT, FUNNEL_STEPS, Referrer
from bot.db.repos import Repositories
from bot.domain import SIDE_STEPS

# The columns of the per-source table: the milestones a sales manager looks at.
SOURCE_MILESTONES: tuple[str, ...] = (
    "start",
    "lessons_done",
    "qualified",
    "lead_submitted",
    "done",
)
MAX_SOURCES = 8


@dataclass(frozen=True, slots=True)
class FunnelStep:
    step: str
    owners: int
    conversion: int | None  # % of the previous step
    of_start: int | None  # % of those who started


@dataclass(frozen=True, slots=True)
class FunnelReport:
    period: str
    steps: list[FunnelStep]
    side: dict[str, int]
    sources: list[tuple[str, list[int]]]
    referrers: list[Referrer]

    @property
    def started(self) -> int:
        return self.steps[0].owners if self.steps else 0


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def build_report(
    period: str, counts: dict[str, dict[str, int]], referrers: list[Referrer]
) -> FunnelReport:
    totals = {step: sum(by_source.values()) for step, by_source in counts.items()}
    started = totals.get("start", 0)
    steps: list[FunnelStep] = []
    previous: int | None = None
    for step in FUNNEL_STEPS:
        owners = totals.get(step, 0)
        conversion = None if previous is None else _percent(owners, previous)
        steps.append(FunnelStep(step, owners, conversion, _percent(owners, started)))
        previous = owners
    sources = sorted(
        {source for by_source in counts.values() for source in by_source},
        key=lambda s: (-counts.get("start", {}).get(s, 0), s),
    )
    table = [
        (source, [counts.get(step, {}).get(source, 0) for step in SOURCE_MILESTONES])
        for source in sources[:MAX_SOURCES]
    ]
    side = {step: totals.get(step, 0) for step in SIDE_STEPS}
    return FunnelReport(period, steps, side, table, referrers)


async def collect_report(repo: Repositories, period: str, since: float | None) -> FunnelReport:
    counts = await repo.funnel.counts(since)
    referrers = await repo.funnel.top_referrers(since)
    return build_report(period, counts, referrers)


def source_label(content: Content, source: str | None) -> str:
    """«напрямую», «по рекомендации», or the source's own code (vk, site…)."""
    key = f"funnel_sources.{source or DIRECT}"
    try:
        return content.label(key)
    except KeyError:
        return source or ""


def render_report(report: FunnelReport, content: Content) -> str:
    step_label = lambda step: content.label(f"funnel_steps.{step}")  # noqa: E731
    return content.render(
        "analytics/funnel.html",
        period=content.label(f"group_periods.{report.period}"),
        started=report.started,
        steps=[
            {
                "label": step_label(s.step),
                "owners": s.owners,
                "conversion": s.conversion,
                "of_start": s.of_start,
            }
            for s in report.steps
        ],
        not_qualified=report.side.get("not_qualified", 0),
        lost=report.side.get("lost", 0),
        milestones=[step_label(step) for step in SOURCE_MILESTONES],
        sources=[
            {"name": source_label(content, name), "counts": values}
            for name, values in report.sources
        ],
        referrers=[
            {"name": r.name, "invited": r.invited, "qualified": r.qualified}
            for r in report.referrers
        ],
    )
