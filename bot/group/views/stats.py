"""/stats: leads per status and the conversion between the stages of the pipeline.

Kept apart from the handlers so the funnel report (another issue) can extend it.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from bot.content import Content
from bot.db.repos import Repositories
from bot.domain import PIPELINE, LeadStatus
from bot.group.views.card import status_label


@dataclass(frozen=True, slots=True)
class Step:
    from_status: str
    to_status: str
    from_count: int
    to_count: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.to_count / self.from_count) if self.from_count else None


@dataclass(frozen=True, slots=True)
class Stats:
    counts: dict[str, int]
    steps: list[Step]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


async def collect(repo: Repositories) -> Stats:
    counts = await repo.stats.counts()
    reached = await repo.stats.reached(PIPELINE)
    steps = [Step(a, b, reached[a], reached[b]) for a, b in pairwise(PIPELINE)]
    return Stats({status: counts.get(status, 0) for status in LeadStatus}, steps)


def render(stats: Stats, content: Content) -> str:
    return content.render(
        "group/stats.html",
        counts=[
            {"label": status_label(content, status), "count": count}
            for status, count in stats.counts.items()
        ],
        total=stats.total,
        steps=[
            {
                "from_label": status_label(content, step.from_status),
                "to_label": status_label(content, step.to_status),
                "from_count": step.from_count,
                "to_count": step.to_count,
                "percent": step.percent,
            }
            for step in stats.steps
        ],
    )
