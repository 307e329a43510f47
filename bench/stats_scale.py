"""`python -m bench.stats_scale`: /stats and /leads on a large database.

Fills a fresh database with N owners (default 100,000) and M funnel events (default
1,000,000) plus leads with their histories, then has a consultant send /stats and /leads
through the real dispatcher in process (against the emulator, no network) and measures how
long each command takes from the update to its first reply (the answer a consultant reads:
queries and rendering), and to its last reply (for /stats, the funnel chart as a PNG, which
follows the text). Target: the answer in under 300 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from bot.app import create_bot, create_dispatcher
from bot.config import load_settings
from bot.content import Content
from bot.db import Database
from bot.db.funnel import FUNNEL_STEPS
from bot.db.repos import Repositories
from bot.emulator import Emulator
from tests.kit import EmulatorSession, InProcessWorld

TOKEN = "7000000009:BENCH-stats-token-0123456789abcdef"
SOURCES = ("direct", "direct", "direct", "vk", "site", "referral", "tg-ads")
# Share of owners who go on from each funnel step to the next.
CARRY_ON = 0.78
DAY = 86400.0
STATUSES = ("new", "claimed", "contacted", "scheduled", "done", "lost")


def fill(path: Path, owners: int, events: int, seed: int) -> dict[str, int]:
    """Write the data with plain sqlite3 in one transaction (fast), after migrations ran."""
    rng = random.Random(seed)
    now = time.time()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    users, funnel, event_rows, leads, history = [], [], [], [], []
    per_owner = max(events // owners, 1)
    for user_id in range(1, owners + 1):
        first_seen = now - rng.random() * 90 * DAY
        source = rng.choice(SOURCES)
        referrer = rng.randint(1, user_id - 1) if source == "referral" and user_id > 1 else None
        users.append((user_id, f"Owner {user_id}", first_seen, first_seen, source, referrer))
        reached = 1
        while reached < len(FUNNEL_STEPS) and rng.random() < CARRY_ON:
            reached += 1
        at = first_seen
        for step in FUNNEL_STEPS[:reached]:
            at += rng.random() * 3600
            funnel.append((user_id, step, at, source, first_seen))
        for i in range(per_owner):
            kind = FUNNEL_STEPS[min(i, reached - 1)]
            event_rows.append((user_id, first_seen + i * 60, kind))
        if reached > FUNNEL_STEPS.index("lead_submitted"):
            status = rng.choice(STATUSES)
            leads.append((user_id, status, first_seen))
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO users (id, first_name, first_seen, last_seen, source, referrer_id) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        users,
    )
    conn.executemany(
        "INSERT INTO funnel (user_id, step, at, source, cohort_at) VALUES (?, ?, ?, ?, ?)", funnel
    )
    conn.executemany("INSERT INTO events (user_id, at, kind) VALUES (?, ?, ?)", event_rows)
    for user_id, status, created in leads:
        cursor = conn.execute(
            "INSERT INTO leads (user_id, status, qualified, qualification, answers, name, company, "
            "phone, draft_id, created_at, updated_at, source) "
            'VALUES (?, ?, 1, \'ok\', \'{"segments": [{"name": "опт", "share": 60}]}\', '
            "?, 'ООО Тест', '+79990000000', 'd', ?, ?, 'direct')",
            (user_id, status, f"Owner {user_id}", created, created),
        )
        if status != "new":
            history.append((cursor.lastrowid, created + 60, 1, "Анна", "new", "claimed"))
            if status not in ("claimed", "lost"):
                history.append((cursor.lastrowid, created + 120, 1, "Анна", "claimed", status))
    conn.executemany(
        "INSERT INTO lead_history (lead_id, at, actor_id, actor_name, from_status, to_status) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        history,
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()
    return {
        "owners": owners,
        "events": len(event_rows),
        "funnel_rows": len(funnel),
        "leads": len(leads),
        "history_rows": len(history),
    }


async def measure(path: Path, repeats: int) -> dict[str, dict[str, float]]:
    emulator = Emulator()
    world = emulator.world(TOKEN)
    consultant = world.add_user(first_name="Анна", started=True)
    group = world.add_group(
        title="Консультанты", type="supergroup", members=[consultant.id], bot_admin=True
    )
    settings = load_settings(
        None,
        bot_token=TOKEN,
        database_path=path,
        consultants_chat_id=group.id,
        admin_ids=str(consultant.id),
    )
    db = await Database(path).connect()
    repo = Repositories.create(db)
    dispatcher = create_dispatcher(settings, repo=repo, content=Content())
    bot = create_bot(settings, session=EmulatorSession(emulator))
    commands = ("/stats", "/stats 7d", "/leads", "/leads new")
    timings: dict[str, list[float]] = {}
    async with InProcessWorld(dispatcher, bot, emulator=emulator) as driver:
        for command in commands:
            timings.setdefault(command, [])
            for attempt in range(repeats + 1):
                seq = world.send_text(consultant.id, command, chat_id=group.id).seq
                started = time.perf_counter()
                handling = asyncio.create_task(driver.settle())
                await world.wait_events(seq, 30.0, group.id)
                first_reply = (time.perf_counter() - started) * 1000
                await handling
                elapsed = (time.perf_counter() - started) * 1000
                if attempt > 0:  # the first run warms caches and imports
                    timings[command].append(first_reply)
                    timings.setdefault(f"{command} (all replies)", []).append(elapsed)
        replies = world.bot_messages(group.id)
        assert any(m.kind == "photo" for m in replies), "no funnel chart was sent"
    await db.close()
    return {
        command: {
            "median_ms": round(statistics.median(values), 1),
            "max_ms": round(max(values), 1),
        }
        for command, values in timings.items()
    }


async def main_async(args: argparse.Namespace) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "stats.sqlite3"
        db = await Database(path).connect()  # migrations
        await db.close()
        started = time.perf_counter()
        sizes = fill(path, args.owners, args.events, args.seed)
        fill_seconds = time.perf_counter() - started
        results = await measure(path, args.repeats)
    worst = max(r["median_ms"] for name, r in results.items() if "all replies" not in name)
    report = {
        "sizes": sizes,
        "fill_seconds": round(fill_seconds, 1),
        "commands": results,
        "target_ms": 300,
        "met": worst < 300,
    }
    return report


def write_report(report: dict[str, object], out: str) -> None:
    print(json.dumps(report, ensure_ascii=False, indent=2))
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(json.dumps(report, ensure_ascii=False, indent=2))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--owners", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", default="bench/results/stats_scale.json")
    parser.add_argument("--check", action="store_true", help="exit 1 if a median is over 300 ms")
    args = parser.parse_args()
    report = asyncio.run(main_async(args))
    write_report(report, args.out)
    return 1 if args.check and not report["met"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
