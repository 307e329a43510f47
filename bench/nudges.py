"""`python -m bench.nudges`: a burst of reminders — 100,000 owners whose reminders fall due at
the same moment — while 50 other owners chat with the bot.

The bot runs as a real process (`python -m bot`) against the Bot API emulator, which lives in
this process and enforces Telegram's flood limits (1 message a second per chat with a small
burst, 30 a second in all; bot/emulator/limits.py): a message over them is refused with 429.
The database is filled before the start: the owners (a third stopped after lesson 1, a third
finished the lessons, a third left a request at question 3) and one due reminder each.

Measured over `--duration` seconds from the first reminder on:

* the send rate: reminders Telegram took per second, against NUDGES_PER_SECOND (target:
  at least 90 % of it), and the 429s the emulator answered (target: none);
* live answers: the owners chatting send a text each at a fixed offered rate in all (open
  loop, `--live-rate`, kept under Telegram's 30 a second together with the reminders);
  latency from the emulator's time of the message to the bot's answer (target: p99 < 50 ms);
* database time per reminder: what the bot's sender spent waiting for SQLite (its reads,
  the transaction that marks a reminder sent, and its share of the passes' queries over the
  100,000 rows), as the bot logs it when it stops.

Prints a JSON report and writes it to bench/results/nudges.json. Exit code 1 with `--check`
when a target is missed, 2 when the run itself failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import re
import sqlite3
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bench.loads import open_loop
from bench.processes import ROOT, BenchBot
from bench.report import exit_code
from bench.run import Usage, harness_without_gc, options_from
from bench.scripts import echo_script
from bench.stats import summarize
from bench.tail import ReplyTail
from bot.config import load_settings
from bot.db import Database
from bot.db.repos import Repositories
from bot.emulator import Emulator, start_server
from bot.emulator.limits import RateLimits
from bot.emulator.world import BotWorld
from bot.nudges import policy
from bot.nudges.sender import BATCH

TOKEN = "7000000003:BENCH-nudges-token-0123456789abcdef"
OWNERS_BASE, LIVE_BASE = 10_000_000, 20_000_000
DEFAULT_OUT = ROOT / "bench" / "results" / "nudges.json"
TARGET_SHARE, TARGET_P99_MS = 0.9, 50.0
SUMMARY = re.compile(
    r"nudge sender: (\d+) sent, (\d+) dropped, (\d+) throttled, ([\d.]+) ms of database time"
)


@dataclass(slots=True)
class Options:
    owners: int = 100_000
    live: int = 50
    live_rate: float = 8.0
    duration: float = 60.0
    rate: float = 20.0
    workdir: Path | None = None
    baseline: bool = False  # also measure the live answers without a burst, for comparison


def fill(path: Path, owners: list[int], due: float) -> None:
    """The owners and one reminder each, all due at `due` (plain sqlite3, one transaction)."""
    users, nudges = [], []
    for index, owner in enumerate(owners):
        kind = ("lesson", "offer", "diagnostic")[index % 3]
        lesson, done = {"lesson": (1, None), "offer": (4, due), "diagnostic": (0, None)}[kind]
        users.append((owner, f"Owner{owner % 1000:03d}", due - 86400, due - 86400, lesson, done))
        payload = {
            "lesson": {"lesson": 1},
            "offer": {},
            "diagnostic": {"key": "q3", "number": 3, "total": 5, "topic": "dept_type",
                           "left": 10, "seg": 0},
        }[kind]
        nudges.append((owner, kind, due, json.dumps(payload), due - 86400))
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO users (id, first_name, first_seen, last_seen, lesson, lessons_done_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            users,
        )
        conn.executemany(
            "INSERT INTO nudges (user_id, kind, due_at, payload, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            nudges,
        )
    conn.close()


def add_people(world: BotWorld, base: int, count: int) -> list[int]:
    ids = [base + n for n in range(1, count + 1)]
    for user_id in ids:
        world.add_user(user_id=user_id, first_name=f"Owner{user_id % 1000:03d}", started=True)
    return ids


async def first_reminder(world: BotWorld, owners: set[int], within: float) -> float:
    """The emulator's time of the first reminder Telegram took."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for call in world.calls("sendMessage"):
            if call.ok and call.params.get("chat_id") in owners:
                return call.ts
        await asyncio.sleep(0.05)
    raise RuntimeError(f"no reminder was sent within {within:.0f} s")


async def run(options: Options) -> dict[str, Any]:
    """The burst; with `baseline`, first the same live load with no reminder due (the
    machine is shared: the difference is what the burst costs the live answers)."""
    report: dict[str, Any] = {}
    if options.baseline:
        quiet = replace(options, owners=0)
        with tempfile.TemporaryDirectory(prefix="bench-nudges-", dir=options.workdir) as folder:
            with harness_without_gc():
                alone = await _measure(quiet, Path(folder))
        report["baseline_live_answers"] = alone["live_answers"]
    with tempfile.TemporaryDirectory(prefix="bench-nudges-", dir=options.workdir) as folder:
        with harness_without_gc():
            report.update(await _measure(options, Path(folder)))
    return report


async def _measure(options: Options, workdir: Path) -> dict[str, Any]:
    emulator = Emulator(rate_limits=RateLimits())
    runner, base_url = await start_server(emulator, "127.0.0.1", 0)
    world = emulator.register(TOKEN, username="bench_nudges_bot")
    owners = add_people(world, OWNERS_BASE, options.owners)
    live = add_people(world, LIVE_BASE, options.live)
    database = workdir / "ours.sqlite3"
    db = await Database(database).connect()  # the schema
    await db.close()
    started = time.perf_counter()
    fill(database, owners, time.time())
    report: dict[str, Any] = {
        "owners": options.owners,
        "fill_seconds": round(time.perf_counter() - started, 1),
        "cap_per_second": options.rate,
    }
    bot = BenchBot(
        "ours", "bot", token=TOKEN, base_url=base_url, world=world, workdir=workdir,
        env={"NUDGES_PER_SECOND": f"{options.rate:g}", "QUIET_HOURS": ""},
    )
    tail = ReplyTail(world)
    tail.start()
    reminded = set(owners)
    try:
        await bot.start()
        t0 = await first_reminder(world, reminded, 60) if owners else time.time()
        usage = Usage(bot)
        steps = max(1, math.ceil(options.live_rate * options.duration / options.live))
        chatting = await open_loop(
            world, tail, echo_script(steps), live,
            rate=options.live_rate, duration=options.duration, reply_timeout=30,
        )
        report["cpu"] = usage.done(chatting.injected)
        del report["cpu"]["bot_cpu_ms_per_update"]  # it also sends the reminders
        memory = bot.memory_kib()
        report["peak_rss_mib"] = round(memory.get("VmHWM", 0) / 1024, 1)
        window_end = t0 + options.duration
        calls = world.calls("sendMessage")
        sent = [c for c in calls if c.ok and c.params.get("chat_id") in reminded
                and t0 <= c.ts < window_end]
        refused = [c for c in calls if c.ok is False and "Too Many Requests" in (c.error or "")]
        rate = len(sent) / options.duration
        report["send_rate"] = {  # reminders Telegram took in the window
            "window_seconds": options.duration,
            "reminders_sent": len(sent),
            "per_second": round(rate, 2),
            "share_of_cap": round(rate / options.rate, 3),
            "target_share": TARGET_SHARE,
        }
        report["telegram_429"] = {
            "total": len(refused),
            "to_reminders": sum(1 for c in refused if c.params.get("chat_id") in reminded),
            "to_live_answers": sum(1 for c in refused if c.params.get("chat_id") not in reminded),
        }
        report["live_answers"] = {
            "owners": options.live,
            "offered_per_second": options.live_rate,
            "answered": chatting.replied,
            "sent": chatting.injected,
            "latency_ms": summarize(chatting.latencies_ms),
            "target_p99_ms": TARGET_P99_MS,
        }
        report["hours_to_send_all"] = round(options.owners / max(rate, 1e-9) / 3600, 2) \
            if owners else 0.0
    finally:
        await tail.stop()
        report["exit_code"] = await bot.stop(timeout=60)
        await runner.cleanup()
        await emulator.aclose()
    found = SUMMARY.search(bot.log(20_000))
    if found:
        report["bot_summary"] = {
            "sent": int(found.group(1)), "dropped": int(found.group(2)),
            "throttled": int(found.group(3)),
            "db_ms_per_reminder": float(found.group(4)),
        }
    with sqlite3.connect(database) as conn:
        report["rows"] = dict(conn.execute("SELECT status, count(*) FROM nudges GROUP BY status"))
    if owners:
        report["db_ms_per_reminder_alone"] = await database_time(database)
    report["complete"] = report["exit_code"] == 0 and ("bot_summary" in report or not owners)
    report["met"] = bool(
        report["complete"]
        and report["send_rate"]["share_of_cap"] >= TARGET_SHARE
        and report["telegram_429"]["total"] == 0
        and report["live_answers"]["latency_ms"].get("p99", 1e9) < TARGET_P99_MS
    )
    return report


async def database_time(path: Path, samples: int = 500) -> dict[str, float]:
    """The sender's database work per reminder on the benchmark's database (its ~99,000
    pending rows), alone in this process: what it costs without the shared machine's noise.
    A page of due rows (amortized over the page), the row with its owner, the mark."""
    db = await Database(path).connect()
    repo = Repositories.create(db)
    settings = load_settings(None, database_path=path)
    try:
        now = time.time()
        started = time.perf_counter()
        rows = await repo.nudges.due(now, limit=BATCH)
        page = time.perf_counter() - started
        rows = rows[:samples]
        reading = marking = 0.0
        for row in rows:
            started = time.perf_counter()
            found = await repo.nudges.with_owner(row.id)
            reading += time.perf_counter() - started
            assert found is not None
            started = time.perf_counter()
            await policy.sent(repo, settings, 4, found[0])
            marking += time.perf_counter() - started
    finally:
        await db.close()
    count = max(len(rows), 1)
    return {
        "page_of_due": round(1000 * page / BATCH, 3),
        "read_with_owner": round(1000 * reading / count, 3),
        "mark_sent": round(1000 * marking / count, 3),
        "total": round(1000 * (page / BATCH + (reading + marking) / count), 3),
        "samples": count,
    }


def main() -> int:
    defaults = Options()
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--owners", type=int, default=defaults.owners)
    parser.add_argument("--live", type=int, default=defaults.live)
    parser.add_argument("--live-rate", type=float, default=defaults.live_rate)
    parser.add_argument("--duration", type=float, default=defaults.duration)
    parser.add_argument("--rate", type=float, default=defaults.rate, help="NUDGES_PER_SECOND")
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    parser.add_argument("--baseline", action="store_true",
                        help="first measure the live answers with no reminder due")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args()
    options = options_from(Options, args)
    report = asyncio.run(run(options))
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text)
    return exit_code(report["complete"], report["met"], args.check)


if __name__ == "__main__":
    raise SystemExit(main())
