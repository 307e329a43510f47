"""Never double-booked: twenty owners press the same free time at the same moment; as many
get it as there are seats (DIAGNOSTIC_PARALLEL), every other one is told it was just taken
and shown that day's free times instead."""

from __future__ import annotations

import pytest

from bot.config import Settings
from bot.db.repos import Repositories
from tests.booking.clock import at
from tests.consultants.office import lead_draft
from tests.kit.inprocess_driver import InProcessWorld
from tests.kit.views import MessageView

OWNERS = 20


@pytest.mark.parametrize(
    "settings", [{"diagnostic_parallel": 1}, {"diagnostic_parallel": 2}], indirect=True,
    ids=["one seat", "two seats"],
)
async def test_of_twenty_simultaneous_presses_each_seat_has_exactly_one_winner(
    world: InProcessWorld, repo: Repositories, settings: Settings
) -> None:
    seats = settings.diagnostic_parallel
    owners, screens = [], []
    for index in range(OWNERS):
        owner = await world.user(f"Владелец {index}")
        await repo.leads.submit(lead_draft(owner.id, f"d{index}"), None)
        await owner.send("/booking")
        await owner.click("чт, 10 декабря")
        screens.append(await owner.expect("свободное время"))
        owners.append(owner)

    def data_of(screen: MessageView, label: str) -> str:
        [data] = [b.callback_data for b in screen.buttons if b.text == label]
        assert data is not None
        return data

    presses = [
        world.world.click(owner.id, owner.id, screen.message_id, data_of(screen, "14:00"))
        for owner, screen in zip(owners, screens, strict=True)
    ]
    world.world.take_all_updates()
    await world.handle_at_once([press.update for press in presses])

    start = at("2026-12-10 14:00")
    booked = await repo.db.fetchall(
        "SELECT lead_id, seat FROM bookings WHERE state = 'active' AND starts_at = ?", (start,)
    )
    assert sorted(seat for _, seat in booked) == list(range(seats))  # one winner per seat
    assert await repo.db.fetchval("SELECT count(*) FROM bookings") == seats

    winners, told = 0, 0
    for owner in owners:
        said = [m for m in await owner.bot_messages()]
        if any("Вы записаны на диагностику" in m.content for m in said):
            winners += 1
            continue
        [screen] = [m for m in said if "свободное время" in m.content]
        assert "Это время только что заняли" in screen.content
        offered = [b.text for b in screen.buttons]
        assert "14:00" not in offered and offered[:4] == ["10:00", "11:00", "12:00", "13:00"]
        told += 1
    assert (winners, told) == (seats, OWNERS - seats)
    assert not world.errors
