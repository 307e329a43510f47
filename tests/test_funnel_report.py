"""The funnel for a period equals a hand-computed fixture; the chart is a PNG of every step."""

from __future__ import annotations

import datetime as dt
import struct
import time

import pytest

from bot.analytics.chart import funnel_figure, funnel_png
from bot.analytics.periods import parse_period, period_start
from bot.analytics.report import FunnelReport, FunnelStep, collect_report, render_report
from bot.config import Settings
from bot.content import Content
from bot.db.funnel import FUNNEL_STEPS
from bot.db.repos import Repositories

DAY = 86400.0


async def add_owner(
    repo: Repositories,
    user_id: int,
    first_seen: float,
    source: str | None,
    steps: list[str],
    referrer: int | None = None,
    name: str = "",
) -> None:
    await repo.db.write(
        "INSERT INTO users (id, first_name, first_seen, last_seen, source, referrer_id) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (user_id, name or f"u{user_id}", first_seen, first_seen, source, referrer),
    )
    for step in steps:
        await repo.funnel.record(user_id, step)


async def fixture(repo: Repositories) -> float:
    now = time.time()
    lessons = ["start", "lesson_1", "lesson_2", "lesson_3", "lesson_4", "lessons_done"]
    await add_owner(repo, 1, now - 40 * DAY, "direct", lessons, name="Анна")
    await add_owner(repo, 2, now - 2 * DAY, "vk", ["start", "lesson_1"])
    await add_owner(
        repo,
        3,
        now - 2 * DAY,
        "vk",
        [*lessons, "diagnostic_started", "qualified", "consent", "lead_submitted"],
    )
    await add_owner(
        repo,
        4,
        now - 1 * DAY,
        "referral",
        ["start", "diagnostic_started", "not_qualified"],
        referrer=1,
    )
    await add_owner(
        repo,
        5,
        now - 3 * DAY,
        "referral",
        [
            "start",
            "lesson_1",
            "diagnostic_started",
            "qualified",
            "consent",
            "lead_submitted",
            "claimed",
        ],
        referrer=1,
    )
    await repo.funnel.record(3, "start")  # a second /start is an event, not a second arrival
    return now


async def test_funnel_for_seven_days_matches_the_hand_count(repo: Repositories) -> None:
    now = await fixture(repo)
    report = await collect_report(repo, "7d", now - 7 * DAY)
    owners = {step.step: step.owners for step in report.steps}
    assert owners["start"] == 4  # owner 1 came 40 days ago: another cohort
    assert owners["lesson_1"] == 3 and owners["lessons_done"] == 1
    assert owners["diagnostic_started"] == 3 and owners["qualified"] == 2
    assert owners["lead_submitted"] == 2 and owners["claimed"] == 1 and owners["done"] == 0
    conversion = {step.step: step.conversion for step in report.steps}
    assert conversion["start"] is None and conversion["lesson_1"] == 75
    assert report.side == {"not_qualified": 1, "lost": 0}
    sources = dict(report.sources)
    assert sources["vk"] == [2, 1, 1, 1, 0] and sources["referral"] == [2, 0, 1, 1, 0]
    [top] = report.referrers
    assert (top.user_id, top.name, top.invited, top.qualified) == (1, "Анна", 2, 1)


async def test_funnel_for_all_time_includes_every_cohort(repo: Repositories) -> None:
    await fixture(repo)
    report = await collect_report(repo, "all", None)
    assert report.started == 5
    assert [s.owners for s in report.steps][:6] == [5, 4, 2, 2, 2, 2]


async def test_report_text_and_chart(repo: Repositories, content: Content) -> None:
    await fixture(repo)
    report = await collect_report(repo, "all", None)
    text = render_report(report, content)
    assert "Воронка — всё время" in text and "Запустили бота: <b>5</b>" in text
    assert "по рекомендации: 2 → 0 → 1 → 1 → 0" in text and "vk: 2 → 1 → 1 → 1 → 0" in text
    labels = [content.label(f"funnel_steps.{step}") for step in FUNNEL_STEPS]
    png = funnel_png(report, labels, content.label("funnel_chart.title", period="всё время"))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width > 400 and height > 300


@pytest.mark.parametrize("owners", [[1, 1, 0, 0], [1], [3, 2, 1], [7, 5, 2], [0, 0]])
def test_chart_counts_owners_in_whole_numbers(content: Content, owners: list[int]) -> None:
    """A handful of owners drew an axis of 0.2 … 1.2: the ticks are whole numbers."""
    steps = [FunnelStep(f"s{i}", n, None, None) for i, n in enumerate(owners)]
    report = FunnelReport("all", steps, {}, [], [])
    figure = funnel_figure(report, [step.step for step in steps], "Воронка")
    ticks = figure.axes[0].get_xticks()
    assert len(ticks) >= 2 and all(float(tick).is_integer() for tick in ticks), list(ticks)


def test_periods(content: Content, settings: Settings) -> None:
    now = dt.datetime(2026, 11, 26, 22, 30, tzinfo=dt.UTC).timestamp()  # 01:30 in Moscow
    start = period_start("today", settings, now)
    assert start == dt.datetime(2026, 11, 26, 21, 0, tzinfo=dt.UTC).timestamp()
    assert period_start("all", settings, now) is None
    assert period_start("7d", settings, now) == now - 7 * DAY
    assert parse_period("", content) == "all" and parse_period("7 дней", content) == "7d"
    assert parse_period("год", content) is None
