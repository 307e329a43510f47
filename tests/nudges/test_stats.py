"""Measured: every reminder sent is a funnel event, and /stats shows reminders per kind and the
owners who came back within a day of one (and of those, who submitted a request)."""

from __future__ import annotations

from pathlib import Path

from bot.clock import ShiftedClock
from bot.db.repos import Repositories
from bot.domain import NudgeKind
from bot.nudges.sender import NudgeSender
from tests.consultants.office import CONTENT, open_office
from tests.nudges.conftest import HOUR, NOON
from tests.stories import send_the_request

DAY = 24 * HOUR


async def test_stats_show_reminders_and_the_owners_they_brought_back(db_path: Path) -> None:
    clock = ShiftedClock()
    clock.set_to(NOON.timestamp())
    async with open_office(db_path, clock=clock, nudges_per_second=1000) as office:
        nudges = NudgeSender(
            office.bot, office.repo, CONTENT, office.settings, office.world.processor
        )
        back = await office.world.user("Анна")
        away = await office.world.user("Борис")
        late = await office.world.user("Вера")
        for owner in (back, away, late):
            await owner.send("/lessons")
        clock.advance(DAY)
        await nudges.deliver_due()
        for owner in (back, away, late):
            await owner.expect("Вы остановились на уроке 1 из 4")

        await back.click("Открыть урок 2")  # within the day: came back…
        await back.expect("Урок 2 из 4")
        assert (await office.repo.nudges.counts()).returned == 1
        await send_the_request(back)  # …and went on to submit
        clock.advance(DAY + 60)
        await late.click("Открыть урок 2")  # more than a day later: not counted
        await late.expect("Урок 2 из 4")

        events = await office.repo.db.fetchall(
            "SELECT count(*) FROM events WHERE kind = 'nudge_lesson'"
        )
        assert events[0][0] == 3
        await office.anna.send("/stats")
        report = await office.anna.expect("Напоминания — всё время")
        assert "о недочитанных уроках: 3" in report.content
        assert "Всего отправлено: 3" in report.content
        assert "Вернулись в течение суток после напоминания об уроках, диагностике или заявке: 1" in (
            report.content
        )
        assert "из них отправили заявку: 1" in report.content


async def test_a_booked_diagnostics_reminder_is_not_counted_as_bringing_an_owner_back(
    repo: Repositories,
) -> None:
    """An owner's step after a reminder of their booked meeting (or after the consultants'
    one) is not re-engagement: only the funnel's reminders count as having brought back."""
    nudges = repo.nudges
    for user_id, kind in ((1, NudgeKind.booking_hour_before), (2, NudgeKind.booking_group),
                          (3, NudgeKind.lesson)):
        await repo.users.seen(user_id, f"Владелец {user_id}")
        await nudges.schedule(user_id, kind, nudges.now() - 1, {"booking": 7, "lesson": 1},
                              to_owner=kind is not NudgeKind.booking_group)
        [row] = await nudges.pending(user_id)
        assert await nudges.mark_sent(row)
        await nudges.came_back(user_id, DAY)
    assert (await nudges.counts()).returned == 1  # the lesson reminder's owner only
