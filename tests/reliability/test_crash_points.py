"""kill -9 before every single write and Bot API call of whole journeys, in process.

For each journey an uninterrupted run is recorded. Then, for every operation k of it (each
SQLite write or transaction, each request to Telegram — see `machine.Fate`), the journey is
played again on a fresh database with the process dying right before operation k,
restarting at once and going on. Every one of those runs must end exactly as the
uninterrupted one: the owner saw the same messages, no more and no fewer (nothing answered
twice, nothing left unanswered, the next question always came), the same lead row exists
once with the same answers and one notification for the consultants, and every update was
handled, none failed.

Journeys whose beginning another journey already covers are crashed only in their last
steps (`focus`), which keeps the whole file at a few hundred crash points.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.emulator.models import StoredMessage, UserRecord
from bot.emulator.world import Emulator
from tests.reliability.conftest import ErrorRecords, Figures
from tests.reliability.machine import Machine
from tests.reliability.recordings import record, replay_in_order, same_conversation, settings_for
from tests.reliability.stories import (
    CONTENT,
    Request,
    Step,
    click,
    label,
    lessons_steps,
    send,
)


@dataclass(frozen=True)
class Journey:
    steps: list[Step]
    focus: int | None = None  # crash only within the last `focus` steps (None: everywhere)


JOURNEYS = {
    "qualified, a colleague's contact confirmed": Journey(Request(
        segments=(("розница", 60),), strategic=0, position=None, someone_elses_contact=True,
        phone="+7 903 111-22-33",
    ).steps()),
    "two segments, own contact, edit on the review": Journey([
        *Request(phone_by_contact=True).steps()[:-1],
        click(label("edit.company"), "Как называется ваша компания"),
        send("АО «Василёк»", "Проверьте заявку"),
        click(label("diag_buttons.submit"), "Заявка принята"),
    ], focus=4),
    "not qualified": Journey(Request(turnover="1_3").steps()),
    "consent declined": Journey(
        Request(consent=False, segments=(("опт", None),), strategic=0).steps(), focus=2
    ),
    "back from the first question": Journey([
        send("/diagnostic", "Какой у компании оборот"),
        click(label("diag_buttons.back"), "отменено"),
    ]),
    "all lessons": Journey(lessons_steps()),
}


@pytest.mark.parametrize("name", list(JOURNEYS))
@pytest.mark.reliability
async def test_a_crash_before_any_operation_changes_nothing_the_owner_or_the_team_sees(
    name: str, figures: Figures, error_log: ErrorRecords,
) -> None:
    journey = JOURNEYS[name]
    chat = await record("Анна", journey.steps)
    first = 1
    if journey.focus is not None:
        prefix = await record("Анна", journey.steps[: -journey.focus])
        first = prefix.operations + 1

    for crash_at in range(first, chat.operations + 1):
        result = await replay_in_order([chat], crash_at)
        where = f"{name}: crash before operation {crash_at} of {chat.operations}"
        assert result.crashes == 1, where
        problem = same_conversation(chat.shown, result.shown[chat.id], repeats=result.crashes)
        assert problem is None, f"{where}: {problem}"
        assert result.leads.get(chat.id) == chat.lead, where
        assert tuple(kind for kind, _, _ in result.outbox) == chat.notifications, where
        assert set(result.inbox) == {"done"}, f"{where}: inbox {result.inbox}"
        figures.add("crash points replayed in process (kill before a write or call)")
    assert not error_log.records, error_log.describe()[:3]


@asynccontextmanager
async def machine_with_anna(folder: Path) -> AsyncIterator[tuple[Machine, UserRecord]]:
    """A machine (not started yet) with its database in `folder`, and Анна, who has started
    the bot; the machine is halted at the end."""
    machine = Machine(folder / "bot.sqlite3", settings_for(folder / "bot.sqlite3"),
                      CONTENT, Emulator())
    try:
        yield machine, machine.telegram.add_user(first_name="Анна", started=True)
    finally:
        await machine.halt()


def bot_answers(machine: Machine, since: int, user_id: int) -> list[StoredMessage]:
    """The bot's messages in this person's chat after event `since`."""
    return [event.message for event in machine.telegram.events(since, user_id)
            if event.message is not None and event.message.from_bot]


async def test_three_quick_crashes_do_not_drop_an_update_that_never_ran(tmp_path: Path) -> None:
    async with machine_with_anna(tmp_path) as (machine, owner):
        machine.telegram.send_text(owner.id, "/start")
        waiting = machine.telegram.send_text(owner.id, "/help")  # queued behind /start
        # Dies right after committing both to the inbox (recover, getUpdates, the commit),
        # then twice more right after starting, before handling anything; then it lives.
        await machine.boot(crash_at=4)
        for crash_at in (2, 2, None):
            assert not await machine.settle()
            await machine.restart(crash_at)
        await machine.settle()
        helps = [
            m for m in bot_answers(machine, waiting.seq, owner.id) if "/delete_me" in (m.text or "")
        ]
        assert helps, "the /help queued behind /start was given up without ever running"


async def test_an_update_that_kills_every_replay_is_given_up_and_the_chat_goes_on(
    tmp_path: Path,
) -> None:
    async with machine_with_anna(tmp_path) as (machine, owner):
        poison = machine.telegram.send_text(owner.id, "/start")
        # Dies while handling /start (after storing it), then again in each replay of it,
        # right after the replay has begun (recover, the replay's attempt, its first step).
        await machine.boot(crash_at=5)
        assert not await machine.settle()
        for _ in range(3):  # MAX_ATTEMPTS replays, each one killed
            await machine.restart(crash_at=3)
            assert not await machine.settle()
        await machine.restart()
        assert await machine.settle(), "the poison update is replayed again"
        rows = await machine.generation.repo.db.fetchall(
            "SELECT update_id, status, error FROM inbox")
        assert [tuple(r) for r in rows] == [(poison.update_id, "failed",
                                             "gave up after repeated crashes")]
        # The person is not stuck: what they send next is answered.
        later = machine.telegram.send_text(owner.id, "/help")
        assert await machine.settle()
        answers = bot_answers(machine, later.seq, owner.id)
        assert answers, "the chat stays blocked behind the given-up update"


async def test_a_kill_between_telegram_taking_a_reply_and_its_record_repeats_that_one_reply(
    tmp_path: Path,
) -> None:
    """The one window of the promise: Telegram took the message, the bot had not recorded
    it yet. After the restart that message goes again — once — and nothing else repeats:
    the update itself is not handled twice (one funnel event), later replies come once."""
    async with machine_with_anna(tmp_path) as (machine, owner):
        await machine.boot(crash_at_record=1)  # dies right after the greeting went out
        machine.telegram.send_text(owner.id, "/start")
        assert not await machine.settle()
        await machine.restart()
        assert await machine.settle()
        machine.telegram.send_text(owner.id, "/help")
        assert await machine.settle()
        shown = [m.text or "" for m in machine.telegram.bot_messages(owner.id)]
        greetings = [text for text in shown if "Здравствуйте, Анна" in text]
        assert len(greetings) == 2 and shown[0] == shown[1], shown
        assert len(shown) == 3 and "/delete_me" in shown[2], shown
        starts = await machine.generation.repo.db.fetchval(
            "SELECT count(*) FROM events WHERE kind = 'start'"
        )
        assert starts == 1
