"""The nudges table as the sender pages through it: a burst due at one moment is read page
by page, in order, every reminder once."""

from __future__ import annotations

from bot.db import Database
from bot.db.repos import Repositories


async def test_pages_of_due_reminders_cover_a_shared_due_time_once_in_order(db: Database) -> None:
    repo = Repositories.create(db)
    burst, later = 1000.0, 1010.0
    for user_id in range(1, 11):
        await repo.nudges.schedule(user_id, "offer", burst)
    for user_id in range(11, 16):
        await repo.nudges.schedule(user_id, "offer", later)
    await repo.nudges.schedule(99, "offer", 5000.0)  # not due yet
    seen: list[tuple[float, int]] = []
    cursor = None
    while rows := await repo.nudges.due(2000.0, after=cursor, limit=3):
        seen += [(row.due_at, row.id) for row in rows]
        cursor = seen[-1]
    assert seen == sorted(seen) and len(set(seen)) == len(seen) == 15
    assert {due for due, _ in seen} == {burst, later}
