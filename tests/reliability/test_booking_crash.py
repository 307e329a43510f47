"""kill -9 between pressing a time and the confirmation: before every single write and Bot
API call of that update, in process (tests/reliability/machine.py). At the instant of death
the slot is either free (the press is still pending and is handled again after the
restart) or booked together with the confirmation owed to the owner (committed in the same
transaction, sent after the restart) — never taken by nobody. After the restart exactly one
booking exists and the owner is told about it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.db import Database
from bot.emulator.world import Emulator
from tests.booking.clock import FrozenClock, at
from tests.booking.conftest import BOOKING, MONDAY_9AM
from tests.consultants.office import lead_draft
from tests.kit.drivers import Person
from tests.reliability.conftest import Figures
from tests.reliability.machine import LiveWorld, Machine
from tests.reliability.recordings import settings_for
from tests.reliability.stories import CONTENT

CONFIRMED = "Вы записаны на диагностику"


async def _ready(folder: Path) -> tuple[Machine, Person, int, str]:
    """A running machine and an owner with a request, looking at Thursday's free times;
    returns the message id of those times and the data of the 14:00 button."""
    db_path = folder / "bot.sqlite3"
    machine = Machine(db_path, settings_for(db_path, **BOOKING), CONTENT, Emulator(),
                      clock=FrozenClock(MONDAY_9AM))
    await machine.boot()
    people = LiveWorld(machine)
    owner = await people.user("Анна")
    generation = machine.generation
    assert generation is not None and generation.repo is not None
    await generation.repo.leads.submit(lead_draft(owner.id), None)
    await owner.send("/booking")
    await owner.click("чт, 10 декабря")
    times = await owner.expect("свободное время")
    [data] = [b.callback_data for b in times.buttons if b.text == "14:00"]
    assert data is not None
    return machine, owner, times.message_id, data


async def _left_behind(db_path: Path, owner_id: int, told: bool, queued: bool) -> str | None:
    """What a dead process left: None when fine, else what is wrong."""
    db = await Database(db_path).connect()
    try:
        booked = await db.fetchval("SELECT count(*) FROM bookings WHERE state = 'active'")
        owed = await db.fetchval(
            "SELECT count(*) FROM replies WHERE lane = ? AND payload LIKE ?",
            (owner_id, f"%{CONFIRMED}%"),
        )
        pending = await db.fetchval("SELECT count(*) FROM inbox WHERE status = 'pending'")
    finally:
        await db.close()
    if booked and not (owed or told):
        return "a booked slot nobody is told about"
    if not booked and (owed or told):
        return "a confirmation of a booking that does not exist"
    if booked > 1:
        return f"{booked} bookings"
    if not booked and not pending and not queued:
        return "the press is neither booked, nor pending, nor still with Telegram: lost"
    return None


@pytest.mark.reliability
async def test_a_kill_anywhere_in_the_booking_press_leaves_a_told_booking_or_a_free_slot(
    tmp_path: Path, figures: Figures
) -> None:
    reference, owner, message_id, data = await _ready(tmp_path / "reference")
    generation = reference.generation
    assert generation is not None
    before = generation.fate.ops
    reference.telegram.click(owner.id, owner.id, message_id, data)
    assert await reference.settle()
    operations = generation.fate.ops - before
    await reference.halt()
    assert operations > 5

    for crash_at in range(1, operations + 1):
        folder = tmp_path / f"crash-{crash_at}"
        machine, owner, message_id, data = await _ready(folder)
        try:
            generation = machine.generation
            assert generation is not None
            generation.fate.crash_at = generation.fate.ops + crash_at
            machine.telegram.click(owner.id, owner.id, message_id, data)
            assert not await machine.settle(), f"crash {crash_at}: the process did not die"
            await machine.halt()
            told = any(CONFIRMED in (m.text or "") for m in machine.telegram.bot_messages(owner.id))
            where = f"kill before operation {crash_at} of {operations}"
            queued = bool(machine.telegram.pending_updates())  # not yet acknowledged
            problem = await _left_behind(folder / "bot.sqlite3", owner.id, told, queued)
            assert problem is None, f"{where}: {problem}"

            await machine.boot()
            assert await machine.settle()
            db = machine.generation.repo.db  # type: ignore[union-attr]
            booked = await db.fetchall(
                "SELECT starts_at FROM bookings WHERE state = 'active'"
            )
            assert [row[0] for row in booked] == [at("2026-12-10 14:00")], where
            shown = [m.text or "" for m in machine.telegram.bot_messages(owner.id)]
            confirmations = sum(CONFIRMED in text for text in shown)
            assert 1 <= confirmations <= 2, f"{where}: confirmed {confirmations} times"
            assert any(m.kind == "document" and m.file is not None
                       for m in machine.telegram.bot_messages(owner.id)), where
            statuses = await db.fetchall("SELECT status FROM inbox")
            assert {row[0] for row in statuses} == {"done"}, where
            figures.add("kill points in the booking press")
        finally:
            await machine.halt()
