"""/stats: reminders sent in the period, per kind, and the owners they brought back within a
day (and of those, who went on to submit a request); rendered from
`content/analytics/nudges.html`."""

from __future__ import annotations

from bot.content import Content
from bot.db.nudges import NudgeCounts
from bot.db.repos import Repositories
from bot.domain import NudgeKind


async def collect(repo: Repositories, since: float | None) -> NudgeCounts:
    return await repo.nudges.counts(since)


def render(counts: NudgeCounts, period: str, content: Content) -> str:
    kinds = [
        {"label": content.label(f"nudge_kinds.{kind}"), "count": counts.sent.get(kind, 0)}
        for kind in NudgeKind
        if counts.sent.get(kind, 0)
    ]
    return content.render(
        "analytics/nudges.html",
        period=content.label(f"group_periods.{period}"),
        kinds=kinds,
        total=sum(counts.sent.values()),
        returned=counts.returned,
        submitted=counts.returned_submitted,
    )
