"""The two loads: a closed loop that saturates the bot, an open loop at a fixed offered rate.

Closed loop: every owner walks the script as fast as the bot answers (inject a step, wait for
its ready reply, go on). Throughput = injected updates / (last reply − first injection).

Open loop: update k is injected at t0 + k/rate whatever the bot does; owner k mod N does its
next step, so one owner's steps are N/rate seconds apart. Latency = the emulator's time of the
first bot message/edit in that chat after the injection − the time of the injection.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass, field
from typing import Any

from bench.scripts import Injection, Ready, Script, inject
from bench.stats import summarize
from bench.tail import ReplyTail
from bot.emulator.models import StoredMessage
from bot.emulator.world import BotWorld


@dataclass(slots=True)
class LoadResult:
    owners: int
    injected: int = 0
    replied: int = 0
    owners_finished: int = 0
    first_inject_ts: float | None = None
    last_reply_ts: float | None = None
    latencies_ms: list[float] = field(default_factory=list)
    forged_clicks: int = 0
    errors: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def wall_seconds(self) -> float:
        if self.first_inject_ts is None or self.last_reply_ts is None:
            return 0.0
        return self.last_reply_ts - self.first_inject_ts

    @property
    def updates_per_second(self) -> float:
        wall = self.wall_seconds
        return self.injected / wall if wall > 0 else 0.0

    @property
    def complete(self) -> bool:
        return self.owners_finished == self.owners and self.replied == self.injected

    def note(self, injection: Injection) -> None:
        self.injected += 1
        self.forged_clicks += injection.forged
        if self.first_inject_ts is None or injection.ts < self.first_inject_ts:
            self.first_inject_ts = injection.ts

    def reply(self, injection: Injection, reply_ts: float) -> None:
        self.replied += 1
        self.latencies_ms.append((reply_ts - injection.ts) * 1000)
        if self.last_reply_ts is None or reply_ts > self.last_reply_ts:
            self.last_reply_ts = reply_ts

    def to_dict(self) -> dict[str, Any]:
        return {
            "owners": self.owners,
            "owners_finished": self.owners_finished,
            "injected": self.injected,
            "replied": self.replied,
            "wall_seconds": round(self.wall_seconds, 4),
            "updates_per_second": round(self.updates_per_second, 2),
            "latency_ms": summarize(self.latencies_ms),
            "forged_clicks": self.forged_clicks,
            "errors": self.errors[:10],
            **self.extra,
        }


async def closed_loop(
    world: BotWorld,
    tail: ReplyTail,
    script: Script,
    owners: list[int],
    *,
    reply_timeout: float = 30.0,
) -> LoadResult:
    """Every owner walks `script` to the end, each step waiting for its ready reply."""
    result = LoadResult(len(owners))

    async def walk(owner: int) -> None:
        on: StoredMessage | None = None
        for index, step in enumerate(script.steps):
            injection = inject(world, script, owner, index, on)
            result.note(injection)
            waiting = tail.wait(owner, injection.seq, step.ready or _echo_of(script, owner, index))
            try:
                event = await asyncio.wait_for(waiting, reply_timeout)
            except TimeoutError:
                result.errors.append(f"owner {owner}: no ready reply to step {index + 1}")
                return
            result.reply(injection, event.ts)
            on = event.message
        result.owners_finished += 1

    await asyncio.gather(*(walk(owner) for owner in owners))
    return result


async def open_loop(
    world: BotWorld,
    tail: ReplyTail,
    script: Script,
    owners: list[int],
    *,
    rate: float,
    duration: float,
    reply_timeout: float = 30.0,
) -> LoadResult:
    """Inject round(rate × duration) updates on a fixed schedule; owners are taken from
    `owners` (as many as the schedule needs, each doing the steps of `script` in order)."""
    total = max(1, round(rate * duration))
    needed = math.ceil(total / len(script.steps))
    if needed > len(owners):
        raise ValueError(f"the schedule needs {needed} owners, got {len(owners)}")
    owners = owners[:needed]
    result = LoadResult(len(owners))
    loop = asyncio.get_running_loop()
    pending: list[tuple[Injection, asyncio.Future[Any]]] = []
    lags: list[float] = []
    steps_done: dict[int, int] = dict.fromkeys(owners, 0)
    start = loop.time() + 0.05
    for k in range(total):
        target = start + k / rate
        delay = target - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        lags.append(max(loop.time() - target, 0.0) * 1000)
        owner, index = owners[k % needed], k // needed
        injection = inject(world, script, owner, index)
        result.note(injection)
        pending.append((injection, tail.wait(owner, injection.seq)))
    futures = [future for _, future in pending]
    await asyncio.wait(futures, timeout=reply_timeout)
    for injection, future in pending:
        if future.done() and not future.cancelled():
            result.reply(injection, future.result().ts)
            steps_done[injection.owner] += 1
        else:
            future.cancel()
            result.errors.append(f"owner {injection.owner}: no reply to seq {injection.seq}")
    per_owner = [sum(1 for i, _ in pending if i.owner == owner) for owner in owners]
    result.owners_finished = sum(
        1 for owner, planned in zip(owners, per_owner, strict=True) if steps_done[owner] == planned
    )
    result.extra = {
        "offered_rate": rate,
        "achieved_rate": round(_achieved_rate(pending), 2),
        "schedule_lag_ms": summarize(lags),
    }
    return result


def _achieved_rate(pending: list[tuple[Injection, Any]]) -> float:
    if len(pending) < 2:
        return 0.0
    span = pending[-1][0].ts - pending[0][0].ts
    return (len(pending) - 1) / span if span > 0 else 0.0


def _echo_of(script: Script, owner: int, index: int) -> Ready:
    """Ready when the bot has sent back exactly what the owner wrote."""
    text = script.step_text(owner, index)
    return lambda message: message.text == text
