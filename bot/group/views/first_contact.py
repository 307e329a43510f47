"""/stats: time to first contact — median and 90th percentile, by consultant and by source,
for leads submitted in the period (bot/analytics/speed.py computes them)."""

from __future__ import annotations

from bot.analytics.report import source_label
from bot.analytics.speed import Speed, by, speed
from bot.content import Content
from bot.db.repos import Repositories


def duration(seconds: float, content: Content) -> str:
    """A duration as consultants read it: 40 с, 12 мин, 1 ч 05 мин, 2 дн 3 ч."""
    whole = round(seconds)
    if whole < 60:
        return content.label("first_contact.seconds", n=whole)
    minutes = whole // 60
    if minutes < 60:
        return content.label("first_contact.minutes", n=minutes)
    hours = minutes // 60
    if hours < 24:
        return content.label("first_contact.hours", h=hours, m=f"{minutes % 60:02d}")
    return content.label("first_contact.days", d=hours // 24, h=hours % 24)


async def render(repo: Repositories, content: Content, code: str, start: float | None) -> str:
    contacts = await repo.contacts.since(start)
    waiting = await repo.contacts.waiting(start)

    def row(figure: Speed) -> dict[str, object]:
        return {
            "name": figure.name, "count": figure.count,
            "median": duration(figure.median, content), "p90": duration(figure.p90, content),
        }

    overall = speed("", [c.seconds for c in contacts]) if contacts else None
    return content.render(
        "group/first_contact.html",
        period=content.label(f"group_periods.{code}"),
        total=overall.count if overall else 0,
        median=duration(overall.median, content) if overall else "",
        p90=duration(overall.p90, content) if overall else "",
        waiting=waiting,
        by_consultant=[row(f) for f in by(contacts, lambda c: c.consultant_name or "—")],
        by_source=[row(f) for f in by(contacts, lambda c: source_label(content, c.source))],
    )
