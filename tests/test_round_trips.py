"""A budget of round trips to the database threads per update, counted along the load
benchmark's whole journey (bench/journeys.py) in process.

Each round trip to an aiosqlite thread costs about 80 µs of CPU, more than the statements it
carries; issues 12–17 had let an update's count grow from 4 to 15 unnoticed, and the load
benchmark's figures with it (docs/benchmarks.md). This counts instead of timing, so it fails
on the change that adds trips, on any machine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.journeys import journey, phone_of
from tests.consultants.office import open_office
from tests.databases import count_trips

# Measured when the budget was set: 4.6 to the writer and 5.3 in all per update, with each
# update stored on its own (the real intake stores a whole getUpdates batch in one trip).
WRITER_BUDGET, TOTAL_BUDGET = 5.0, 5.9


async def test_the_whole_journey_stays_within_its_round_trips_per_update(
    tmp_path: Path,
) -> None:
    acts = journey()
    async with open_office(
        tmp_path / "bot.sqlite3", group_messages_per_minute=100_000
    ) as office:
        owners = [await office.world.user(f"Владелец {n}") for n in range(6)]

        async def walk(owner: Any) -> int:
            steps = 0
            for act in acts:
                if act.text is not None:
                    await owner.send(act.text.format(phone=phone_of(owner.id)))
                else:
                    shown = await owner.last_bot_message()
                    if shown is None or shown.button(act.label) is None:
                        continue  # a question this configuration does not ask
                    await owner.click(act.label)
                steps += 1
            await owner.expect("Заявка принята")
            return steps

        await walk(owners[0])  # caches warm, as in a running bot
        await office.idle()
        assert office.db._reader is not None
        to_writer = count_trips(office.db._require_writer())
        to_reader = count_trips(office.db._reader)
        updates = 0
        for owner in owners[1:]:
            updates += await walk(owner)
        await office.idle()
        assert await office.repo.leads.for_user(owners[-1].id) is not None

    writer, total = len(to_writer) / updates, (len(to_writer) + len(to_reader)) / updates
    assert writer <= WRITER_BUDGET, f"{writer:.2f} trips to the writer per update"
    assert total <= TOTAL_BUDGET, f"{total:.2f} trips per update in all"
