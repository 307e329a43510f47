"""The seam to the follow-up scheduler: what a booking needs reminded, and the texts and
buttons the scheduler sends when a reminder falls due."""

from __future__ import annotations

import dataclasses

from bot.booking.reminders import Audience, reminders_for
from bot.config import Settings
from bot.content import Content
from bot.db.bookings import BookingRow
from bot.db.models import LeadRow
from bot.domain import BookingState, NudgeKind
from bot.flows.booking.views import owner_reminder
from bot.group.views.agenda import group_reminder
from tests.booking.clock import at
from tests.consultants.office import lead_draft

START = at("2026-12-10 14:00")


def booking(state: str = BookingState.active, confirmed: float | None = None) -> BookingRow:
    return BookingRow(7, 3, START, START + 3600, 0, state, "new", at("2026-12-07 09:00"),
                      confirmed, None, None)


def test_a_booking_days_ahead_gets_all_three_reminders() -> None:
    plan = reminders_for(booking(), at("2026-12-07 09:00"))
    assert [(r.kind, r.due_at, r.to, r.quiet_hours) for r in plan] == [
        (NudgeKind.booking_day_before, START - 86400, Audience.owner, True),
        (NudgeKind.booking_hour_before, START - 3600, Audience.owner, False),
        (NudgeKind.booking_group, START - 900, Audience.group, False),
    ]


def test_reminders_already_past_are_left_out_and_an_ended_booking_needs_none() -> None:
    assert [r.kind for r in reminders_for(booking(), START - 2 * 3600)] == [
        NudgeKind.booking_hour_before, NudgeKind.booking_group
    ]
    assert [r.kind for r in reminders_for(booking(), START - 1800)] == [NudgeKind.booking_group]
    assert reminders_for(booking(), START - 60) == []
    for ended in (BookingState.cancelled, BookingState.moved, BookingState.held,
                  BookingState.no_show):
        assert reminders_for(booking(ended), at("2026-12-07 09:00")) == []


def test_the_owners_reminders_carry_confirm_move_and_cancel(
    content: Content, settings: Settings
) -> None:
    text, markup = owner_reminder(booking(), NudgeKind.booking_day_before, content, settings,
                                  START - 86400)
    assert "завтра: четверг, 10 декабря, 14:00–15:00 (по Москве)" in text
    assert [[b.text for b in row] for row in markup.inline_keyboard] == [
        ["✅ Подтверждаю"], ["🔁 Перенести", "✖️ Отменить"]
    ]
    assert [b.callback_data for row in markup.inline_keyboard for b in row] == [
        "bk:c:7", "bk:m:7", "bk:x:7"
    ]
    text, _ = owner_reminder(booking(confirmed=1.0), NudgeKind.booking_hour_before, content,
                             settings, START - 3600)
    assert "через час" in text and "уже подтвердили" in text


def test_a_reminder_sent_late_says_how_soon_it_really_is(
    content: Content, settings: Settings
) -> None:
    """The bot was down when a reminder fell due: it goes when the bot is back, and says so."""
    hour_before = NudgeKind.booking_hour_before
    text, _ = owner_reminder(booking(), hour_before, content, settings, START - 12 * 60)
    assert "через 12 минут: четверг, 10 декабря, 14:00–15:00" in text and "через час" not in text
    text, _ = owner_reminder(booking(), hour_before, content, settings, START - 21 * 60)
    assert "через 21 минуту:" in text
    text, _ = owner_reminder(booking(), hour_before, content, settings, START - 57 * 60)
    assert "через час:" in text  # a few minutes late still reads as an hour
    text, _ = owner_reminder(booking(), NudgeKind.booking_day_before, content, settings,
                             at("2026-12-10 09:00"))
    assert "сегодня: четверг, 10 декабря, 14:00–15:00" in text and "завтра" not in text


def test_the_groups_reminder_names_the_consultant_or_loudly_nobody(
    content: Content, settings: Settings
) -> None:
    draft = lead_draft(5)
    lead = LeadRow(3, 5, "scheduled", True, "", None, None, {}, draft.name, draft.company,
                   None, None, None, None, "d1", False, 1, None, None, 0.0, 0.0)
    nobody = group_reminder(lead, booking(), content, settings)
    assert "заявка №3 — четверг, 10 декабря, 14:00–15:00" in nobody
    assert "<b>Заявку никто не взял</b>" in nobody
    claimed = dataclasses.replace(lead, assignee_id=1, assignee_name="Анна")
    assert "Проводит: Анна." in group_reminder(claimed, booking(), content, settings)
