"""kill -9 of the real process during a burst of reminders: none is lost, and a kill repeats at
most the reminders that were on their way to Telegram at that moment.

300 owners have a reminder due at once. The process sends them at NUDGES_PER_SECOND and is
killed with SIGKILL at random moments (seeded, RELIABILITY_SEED) and started again at once,
until every reminder went out. A reminder is marked sent in the transaction after Telegram
took it, so a kill between the two sends it again after the restart: every owner who got
theirs twice must have got the first copy right before a kill, and no kill may have repeated
more reminders than the sender keeps on their way at once (MAX_IN_FLIGHT).
"""

from __future__ import annotations

import asyncio
import random
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from bot.db import Database
from bot.nudges.sender import MAX_IN_FLIGHT
from tests.e2e.harness import BOT_ID, BotProcess
from tests.kit import EmulatorClient
from tests.reliability.conftest import SEED, Figures

pytestmark = [pytest.mark.process, pytest.mark.reliability]

OWNERS = 300
KILLS = 6
IN_FLIGHT = 0.2  # how late a request the killed process sent may still reach Telegram
OFFER = "Вы прошли курс"


async def fill(path: Path, owners: list[int]) -> None:
    """Owners who finished the lessons, each with the offer due now."""
    db = await Database(path).connect()  # the schema
    await db.close()
    now = time.time()
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO users (id, first_name, first_seen, last_seen, lesson, lessons_done_at) "
            "VALUES (?, ?, ?, ?, 4, ?)",
            [(owner, f"Владелец {owner}", now, now, now) for owner in owners],
        )
        conn.executemany(
            "INSERT INTO nudges (user_id, kind, due_at, created_at) VALUES (?, 'offer', ?, ?)",
            [(owner, now - 1, now) for owner in owners],
        )


@pytest.mark.timeout(600)
async def test_kill_9_during_a_burst_of_reminders_loses_none_and_repeats_only_in_flight(
    emulator_url: str, client: EmulatorClient, tmp_path: Path, figures: Figures,
) -> None:
    url = emulator_url
    remote = client.bot(BOT_ID)
    owners = [
        (await remote.add_user(first_name=f"Владелец {n}", started=True))["id"]
        for n in range(OWNERS)
    ]
    await fill(tmp_path / "bot.sqlite3", owners)
    process = BotProcess(
        url, remote, tmp_path, NUDGES_PER_SECOND="50", QUIET_HOURS="", SHUTDOWN_GRACE_SECONDS="2",
    )
    rng = random.Random(SEED)
    kills: list[float] = []
    await process.start(timeout=60)
    try:
        while len(kills) < KILLS and await _pending(tmp_path / "bot.sqlite3") > 0:
            await asyncio.sleep(rng.uniform(0.3, 1.2))
            kills.append(time.time())
            await process.kill()
            await process.start(timeout=60)
        deadline = time.monotonic() + 120
        while await _pending(tmp_path / "bot.sqlite3") > 0:
            assert time.monotonic() < deadline, "the reminders did not all go out"
            await asyncio.sleep(0.2)
        assert await process.stop() == 0
    finally:
        if process.proc is not None and process.proc.returncode is None:
            await process.kill()

    sends: dict[int, list[dict[str, Any]]] = {}
    for call in await remote.calls("sendMessage"):
        if call["ok"] and str(call["params"].get("text", "")).startswith(OFFER):
            sends.setdefault(int(call["params"]["chat_id"]), []).append(call)
    lost = [owner for owner in owners if owner not in sends]
    assert not lost, f"{len(lost)} owners never got their reminder"
    repeated_at: dict[float, int] = {}
    for owner, calls in sends.items():
        if len(calls) == 1:
            continue
        assert len(calls) == 2, f"owner {owner} got the reminder {len(calls)} times"
        first, second = sorted(calls, key=lambda c: c["ts"])
        kill = next((k for k in kills if first["ts"] - IN_FLIGHT < k < second["ts"]), None)
        assert kill is not None, f"owner {owner} got it twice, not across a kill"
        repeated_at[kill] = repeated_at.get(kill, 0) + 1
    assert all(count <= MAX_IN_FLIGHT for count in repeated_at.values()), repeated_at
    with sqlite3.connect(tmp_path / "bot.sqlite3") as conn:
        statuses = dict(conn.execute("SELECT status, count(*) FROM nudges GROUP BY status"))
        events = conn.execute(
            "SELECT count(*) FROM events WHERE kind = 'nudge_offer'"
        ).fetchone()[0]
    assert statuses == {"sent": OWNERS}
    assert events == OWNERS  # one funnel event per reminder, none for a repeat
    errors = [line for line in process.log().splitlines() if " ERROR " in line]
    assert not errors, errors[:5]
    repeats = sum(repeated_at.values())
    figures.add("kill -9 during a burst of reminders", len(kills))
    figures.add("reminders sent through kill -9", OWNERS)
    figures.add("reminders repeated at a kill (in flight)", repeats)
    figures.note(
        f"kill -9 in a reminder burst: {len(kills)} kills, {OWNERS} reminders, none lost, "
        f"{repeats} repeated (at most {max(repeated_at.values(), default=0)} per kill)"
    )


async def _pending(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(
            "SELECT count(*) FROM nudges WHERE status = 'pending'"
        ).fetchone()[0])
