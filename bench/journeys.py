"""`python -m bench.journeys`: N owners walk the whole journey at once (issue 7's load benchmark).

The journey: /start, the lessons («Начать обучение», «Далее ▶️» × 3, «Завершить обучение ✅»),
then the diagnostic request («Записаться на диагностику», qualification, one segment, consent,
contacts with a typed phone unique per owner, call time, «✅ Отправить»), and finally the lead
card the bot posts into the consultants' group. The group is a supergroup created in the
emulator with the bot as admin; the bot gets CONSULTANTS_CHAT_ID, ADMIN_IDS and a large
GROUP_MESSAGES_PER_MINUTE, so that the 20 cards/min production limit does not dominate the
figures (the limit itself is tested elsewhere; here it would just make the run N/20 minutes).

Machinery from bench.run is reused: the emulator in this process (a fresh one per bot), the
bots as real processes one after the other (BenchBot), ReplyTail, LoadResult, /proc figures,
and no garbage collection in this process while a bot is measured (harness_without_gc).
--repeat N makes N runs with the bots' order alternating and judges the median ratio.

Phases per bot (ours, then the echo bot, unless a repeated run puts the echo bot first):
  warm-up     a few owners walk once (not measured; their journeys still count below)
  saturation  --owners owners walk at once, every step waiting for its ready reply (closed
              loop); updates/s = injected updates / (last ready reply − first injection)
  paced       --paced-owners (P) owners walk with their steps injected at --rate updates/s
              offered as a Poisson process (exponential gaps), each arrival taken by a random
              owner with steps left, so the steps of different owners mix; --lockstep instead
              puts every owner on the same step at the same time (slot k at t0 + k/rate,
              owner k mod P), the heaviest bursts. Step latency = emulator time of the ready
              reply (the bot's message that asks the next question) − emulator time of the
              injection. An owner whose previous reply has not come yet waits for it (a person
              cannot press a button not yet shown): that wait is reported as injection lag.
              It starts once the cards of the saturation phase are all in the group (the
              time the outbox took to drain them is reported) and the bot has settled.
              This measures latency on the whole journey (lessons, FSM, SQLite writes,
              outbox), not on the lessons only as bench.run does.
The echo bot gets the same: as many owners, each sending as many texts as the journey has
steps (closed loop), and the same number of updates at the same pace (bench.loads.open_loop).
For both, the Bot API calls made per update in the saturation phase are counted by method
(the emulator counts every call): the echo bot makes one, ours several per step.

Nothing lost: completed journeys == lead rows in the bot's SQLite database (opened read-only
after the bot stopped) == cards in the group (bot messages whose text starts with «🆕»).
Exit 2 if a count differs or a run was incomplete; with --check exit 1 if a target is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import math
import random
import sqlite3
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.loads import LoadResult, closed_loop, open_loop
from bench.processes import ROOT, BenchBot
from bench.report import exit_code, write_json
from bench.run import (
    BOTS,
    Usage,
    _meta,
    _phase,
    add_owners,
    benchmark_parser,
    complete,
    measure_in_turn,
    measuring,
    options_from,
    settle,
)
from bench.scripts import Injection, Ready, echo_script, find_button, newest_with_button
from bench.stats import summarize
from bench.tail import ReplyTail
from bot.content import Content
from bot.emulator import Emulator
from bot.emulator.models import StoredMessage
from bot.emulator.world import BotWorld

DEFAULT_OUT = ROOT / "bench" / "results" / "journeys.json"
WARMUP_IDS, SATURATION_IDS, PACED_IDS = 1_000_000, 2_000_000, 3_000_000
ADMIN_ID = 900_000_001
GROUP_MESSAGES_PER_MINUTE = 100_000
CARD_PREFIX = "🆕"

TARGET_RATIO = 0.5  # ours / echo, saturation updates/s
TARGET_P99_MS = 50.0  # ours, step latency p99 at the paced rate
TARGET_RSS_MIB = 150.0  # ours, peak RSS (VmHWM)


# -- the journey ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Act:
    """One owner action: type `text` (formatted with the owner's phone) or press `label`;
    `ready` accepts the bot's message that lets the owner go on."""

    ready: Ready
    text: str | None = None
    label: str | None = None


def says(fragment: str) -> Ready:
    return lambda message: fragment in (message.text or message.caption or "")


def shows(label: str) -> Ready:
    return lambda message: find_button(message, label) is not None


def phone_of(owner: int) -> str:
    """+7 916 xxx-xx-xx, unique per owner id below 10^7 apart (the phase bases are)."""
    digits = f"{owner % 10_000_000:07d}"
    return f"+7 916 {digits[:3]}-{digits[3:5]}-{digits[5:]}"


def journey(content: Content | None = None) -> tuple[Act, ...]:
    """The whole journey; the texts the owner waits for are those of
    tests/test_diagnostic_flow.py and tests/e2e/test_diagnostic_e2e.py."""
    content = content or Content()

    def label(key: str) -> str:
        return content.label(f"buttons.{key}")

    start, nxt, finish = label("start_lessons"), label("next"), label("finish")
    diagnostic = label("diagnostic")
    acts = [Act(text="/start", ready=shows(start))]
    total = content.lesson_count
    acts.append(Act(label=start, ready=shows(nxt if total > 1 else finish)))
    for lesson in range(2, total + 1):
        acts.append(Act(label=nxt, ready=shows(nxt if lesson < total else finish)))
    acts.append(Act(label=finish, ready=shows(diagnostic)))
    acts += [
        Act(label=diagnostic, ready=says("Какой у компании оборот")),
        Act(label="более 3, до 10 млн ₽", ready=says("Сколько лет")),
        Act(label="более 5, до 10 лет", ready=says("тип отдела продаж")),
        Act(label="Продаёт лидам от маркетинга", ready=says("приводит в компанию лидов")),
        Act(label="Маркетинг", ready=says("сегментов целевой аудитории")),
        Act(label="1", ready=says("назовёте")),
        Act(text="розница", ready=says("Согласие на обработку")),
        Act(label="Даю согласие", ready=says("Как к вам обращаться")),
        Act(text="Анна", ready=says("Как называется ваша компания")),
        Act(text="ООО «Ромашка»", ready=says("Ваша должность")),
        Act(label="Пропустить", ready=says("Ваш телефон")),
        Act(text="{phone}", ready=says("Когда вам удобно")),
        Act(label="Утром, 9–12", ready=says("Проверьте заявку")),
        Act(label="✅ Отправить", ready=says("Заявка принята")),
    ]
    return tuple(acts)


def _reply_keyboard_has(message: StoredMessage, label: str) -> bool:
    markup = message.reply_markup or {}
    return any(
        (button if isinstance(button, str) else button.get("text")) == label
        for row in markup.get("keyboard", ())
        for button in row
    )


def perform(world: BotWorld, owner: int, act: Act, on: StoredMessage | None) -> Injection:
    """Do `act` as `owner` in their private chat: press the inline button on `on` (else on the
    newest bot message that has it), or send the label as text if it is a reply keyboard's."""
    if act.text is not None:
        seq = world.send_text(owner, act.text.format(phone=phone_of(owner))).seq
    else:
        assert act.label is not None
        message = on if on is not None and find_button(on, act.label) else None
        message = message or newest_with_button(world, owner, act.label)
        if message is not None:
            button = find_button(message, act.label)
            assert button is not None
            seq = world.click(owner, owner, message.message_id, button["callback_data"]).seq
        elif any(_reply_keyboard_has(m, act.label) for m in world.bot_messages(owner)[-3:]):
            seq = world.send_text(owner, act.label).seq
        else:
            raise RuntimeError(f"owner {owner}: no button {act.label!r} to press")
    event = world.events(seq - 1)[0]
    assert event.seq == seq
    return Injection(owner, seq, event.ts)


# -- loads ----------------------------------------------------------------------------------


async def walk_all(
    world: BotWorld,
    tail: ReplyTail,
    acts: tuple[Act, ...],
    owners: list[int],
    *,
    reply_timeout: float,
    slot: Callable[[int, int], float] | None = None,
) -> LoadResult:
    """Every owner walks `acts`, waiting for each ready reply. With `slot(owner_index, step)`
    (a loop time), a step is not injected before its slot (the paced load)."""
    result = LoadResult(len(owners))
    loop = asyncio.get_running_loop()
    lags: list[float] = []
    per_step: list[list[float]] = [[] for _ in acts]

    async def walk(position: int, owner: int) -> None:
        on: StoredMessage | None = None
        for index, act in enumerate(acts):
            if slot is not None:
                target = slot(position, index)
                delay = target - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                lags.append(max(loop.time() - target, 0.0) * 1000)
            try:
                injection = perform(world, owner, act, on)
            except RuntimeError as error:
                result.errors.append(str(error))
                return
            result.note(injection)
            try:
                event = await asyncio.wait_for(tail.wait(owner, injection.seq, act.ready),
                                               reply_timeout)
            except TimeoutError:
                result.errors.append(f"owner {owner}: no ready reply to step {index + 1}")
                return
            result.reply(injection, event.ts)
            per_step[index].append((event.ts - injection.ts) * 1000)
            on = event.message
        result.owners_finished += 1

    await asyncio.gather(*(walk(position, owner) for position, owner in enumerate(owners)))
    if slot is not None:
        result.extra["schedule_lag_ms"] = summarize(lags)
    result.extra["step_latency_ms"] = {
        f"{index + 1:02d} {act.text or act.label}": summarize(values)
        for index, (act, values) in enumerate(zip(acts, per_step, strict=True))
    }
    return result


def paced_slots(
    owners: int, steps: int, rate: float, *, lockstep: bool = False, seed: int = 7
) -> Callable[[int, int], float]:
    """When an owner's step may be injected (a loop time). The owners x steps arrivals form
    one Poisson process of `rate` per second (exponential gaps of 1/rate s on average), and
    each arrival goes to an owner drawn at random among those with steps left, so different
    owners' steps mix as in real traffic and the offered rate holds to the end. `lockstep`:
    slot k = step x owners + position, at k/rate: every owner on the same step in the same
    instant (all submits in one burst)."""
    start = asyncio.get_running_loop().time() + 0.05
    if lockstep:
        return lambda position, step: start + (step * owners + position) / rate
    rng = random.Random(seed)
    turns = [position for position in range(owners) for _ in range(steps)]
    rng.shuffle(turns)
    times = itertools.accumulate((rng.expovariate(rate) for _ in turns), initial=start)
    slots: list[list[float]] = [[] for _ in range(owners)]
    for position, at in zip(turns, itertools.islice(times, 1, None), strict=True):
        slots[position].append(at)
    return lambda position, step: slots[position][step]


# -- one bot --------------------------------------------------------------------------------


@dataclass(slots=True)
class Options:
    owners: int = 1000
    rate: float = 100.0
    paced_owners: int = 50
    lockstep: bool = False
    warmup: int = 5
    reply_timeout: float = 60.0
    card_timeout: float = 120.0
    log_level: str = "INFO"
    workdir: Path | None = None


def cards_in(world: BotWorld, group_id: int) -> int:
    return sum(
        1 for message in world.bot_messages(group_id)
        if (message.text or "").startswith(CARD_PREFIX)
    )


def lead_rows(path: Path) -> int:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM leads").fetchone()[0])


def _calls_per_update(calls: Counter[str], updates: int) -> dict[str, float]:
    """Bot API calls the bot made per update it was sent, by method (getUpdates aside: it
    fetches, it does no work for an owner); "all" sums the rest."""
    work = {method: count for method, count in calls.items() if method != "getUpdates"}
    per = {method: round(count / updates, 3) for method, count in sorted(work.items())}
    return {"all": round(sum(work.values()) / updates, 3), **per} if updates else {}


def _updates_per_fetch(calls: Counter[str], updates: int) -> float:
    """Updates one getUpdates brought on average (the intake's batch size)."""
    fetches = calls.get("getUpdates", 0)
    return round(updates / fetches, 2) if fetches else math.nan


def _phase_and_calls(result: LoadResult, usage: Usage, calls: Counter[str]) -> dict[str, Any]:
    """A phase's figures (bench.run's), with the Bot API `calls` the bot made in it."""
    return {
        **_phase(result, usage),
        "api_calls_per_update": _calls_per_update(calls, result.injected),
        "updates_per_fetch": _updates_per_fetch(calls, result.injected),
    }


async def measure(
    name: str, emulator: Emulator, base_url: str, workdir: Path, options: Options
) -> dict[str, Any]:
    module, token = BOTS[name]
    world = emulator.register(token, username=f"bench_{name}_bot")
    acts = journey()
    echo = echo_script(len(acts))
    extra_env: dict[str, str] = {}
    group_id = None
    if name == "ours":
        world.add_user(user_id=ADMIN_ID, first_name="Админ", started=True)
        group = world.add_group(title="Консультанты", type="supergroup", members=[ADMIN_ID],
                                bot_admin=True)
        group_id = group.id
        extra_env = {
            "CONSULTANTS_CHAT_ID": str(group_id),
            "ADMIN_IDS": str(ADMIN_ID),
            "GROUP_MESSAGES_PER_MINUTE": str(GROUP_MESSAGES_PER_MINUTE),
        }
    bot = BenchBot(name, module, token=token, base_url=base_url, world=world,
                   workdir=workdir, log_level=options.log_level, env=extra_env)
    tail = ReplyTail(world)
    tail.start()
    measured: dict[str, Any] = {"steps_per_owner": len(acts)}
    finished = 0

    async def at_once(ids: list[int]) -> LoadResult:
        """The owners `ids` walk at once, every step waiting for its reply (closed loop): the
        journey with ours, as many texts with the echo bot."""
        if name == "ours":
            return await walk_all(world, tail, acts, ids, reply_timeout=options.reply_timeout)
        return await closed_loop(world, tail, echo, ids, reply_timeout=options.reply_timeout)

    async with measuring(bot, tail, measured):
        if options.warmup:
            warm = await at_once(add_owners(world, WARMUP_IDS, options.warmup))
            measured["warmup"] = warm.to_dict()
            finished += warm.owners_finished
        await settle()

        usage = Usage(bot)
        calls_before = world.call_totals.copy()
        saturation = await at_once(add_owners(world, SATURATION_IDS, options.owners))
        measured["saturation"] = _phase_and_calls(
            saturation, usage, world.call_totals - calls_before
        )
        finished += saturation.owners_finished
        if group_id is not None:
            # The last submits leave cards in the outbox; the paced phase measures latency at
            # the offered rate, not while that backlog drains (reported on its own).
            measured["cards_drain_seconds"] = await wait_for_cards(
                world, group_id, finished, options.card_timeout
            )
        await settle()

        usage = Usage(bot)
        calls_before = world.call_totals.copy()
        ids = add_owners(world, PACED_IDS, options.paced_owners)
        if name == "ours":
            slots = paced_slots(len(ids), len(acts), options.rate, lockstep=options.lockstep)
            paced = await walk_all(world, tail, acts, ids, reply_timeout=options.reply_timeout,
                                   slot=slots)
            paced.extra["offered_rate"] = options.rate
        else:
            updates = options.paced_owners * len(acts)
            paced = await open_loop(world, tail, echo, ids, rate=options.rate,
                                    duration=updates / options.rate,
                                    reply_timeout=options.reply_timeout)
        measured["paced"] = _phase_and_calls(paced, usage, world.call_totals - calls_before)
        finished += paced.owners_finished
        measured["journeys_completed"] = finished

        if group_id is not None:
            measured["cards_wait_seconds"] = await wait_for_cards(
                world, group_id, finished, options.card_timeout
            )
            measured["cards_posted"] = cards_in(world, group_id)
    if name == "ours" and "error" not in measured:
        try:
            measured["lead_rows"] = lead_rows(workdir / f"{name}.sqlite3")
        except sqlite3.Error as error:
            measured["error"] = f"reading leads: {error}"
    measured["complete"] = complete(measured, ("saturation", "paced"))
    return measured


async def wait_for_cards(world: BotWorld, group_id: int, count: int, limit: float) -> float:
    """Seconds until `count` cards are in the group (or `limit` seconds passed). Polls the
    emulator's group (a cheap count); the bot's outbox posts the cards on its own."""
    started = time.monotonic()
    while cards_in(world, group_id) < count and time.monotonic() - started < limit:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    return round(time.monotonic() - started, 2)


async def run(options: Options, *, echo_first: bool = False) -> dict[str, Any]:
    """One run: both bots, one after the other (ours first unless `echo_first`), each against
    an emulator of its own. With one emulator for both, the second bot met the first one's
    tens of thousands of stored messages: a slower emulator, which cost the echo bot a tenth
    of its rate when it came second."""
    started = time.time()
    order = ("echo", "ours") if echo_first else ("ours", "echo")
    measured = await measure_in_turn(measure, order, options.workdir, options)
    ours, echo = measured["ours"], measured["echo"]
    counts = {
        "journeys_completed": ours.get("journeys_completed"),
        "lead_rows": ours.get("lead_rows"),
        "cards_posted": ours.get("cards_posted"),
    }
    expected_journeys = options.warmup + options.owners + options.paced_owners
    counts_match = (
        counts["journeys_completed"] == expected_journeys
        and counts["journeys_completed"] == counts["lead_rows"] == counts["cards_posted"]
    )
    result = {
        "meta": _meta(started),
        "options": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(options).items()},
        "group_messages_per_minute": GROUP_MESSAGES_PER_MINUTE,
        "ours": ours,
        "echo": echo,
        "counts": {**counts, "expected_journeys": expected_journeys, "match": counts_match},
        "complete": ours["complete"] and echo["complete"],
        "order": list(measured),
        "seconds": round(time.time() - started, 1),
    }
    result["targets"] = targets(result)
    return result


def _target(result: dict[str, Any], name: str) -> float:
    return float(next(target["value"] for target in result["targets"] if target["name"] == name))


def summarize_runs(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Several runs in one verdict: the median ratio (the machines are noisy; the order of
    the bots alternates between runs, so a slow minute does not always fall on the same
    one), the worst p99 and RSS, and nothing lost in any run."""
    ratios = [_target(result, "updates/s ours/echo") for result in results]
    p99s = [_get(result, "ours", "paced", "latency_ms", "p99") for result in results]
    rss = [_get(result, "ours", "peak_rss_mib") for result in results]
    ratio = round(statistics.median(ratios), 3)
    return {
        "runs": len(results),
        "ratios": ratios,
        "complete": all(result["complete"] for result in results),
        "counts_match": all(result["counts"]["match"] for result in results),
        "targets": [
            {"name": "median updates/s ours/echo", "value": ratio,
             "limit": f">= {TARGET_RATIO}", "ok": ratio >= TARGET_RATIO},
            {"name": "worst ours step p99 ms", "value": max(p99s),
             "limit": f"< {TARGET_P99_MS:g}", "ok": max(p99s) < TARGET_P99_MS},
            {"name": "worst ours peak RSS MiB", "value": max(rss),
             "limit": f"< {TARGET_RSS_MIB:g}", "ok": max(rss) < TARGET_RSS_MIB},
        ],
    }


def summary_table(summary: dict[str, Any]) -> str:
    lines = [
        f"{summary['runs']} runs, bots in alternating order; ratios ours/echo: "
        + ", ".join(f"{ratio:.3f}" for ratio in summary["ratios"]),
        "nothing lost in any run: "
        + ("yes" if summary["counts_match"] and summary["complete"] else "NO"),
    ]
    for target in summary["targets"]:
        verdict = "ok" if target["ok"] else "MISSED"
        lines.append(f"target {target['name']} {target['limit']}: {target['value']:.3g} {verdict}")
    return "\n".join(lines)


def _get(data: dict[str, Any], *path: str) -> float:
    value: Any = data
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return float(value) if isinstance(value, (int, float)) else math.nan


def targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    ours_rate = _get(result, "ours", "saturation", "updates_per_second")
    echo_rate = _get(result, "echo", "saturation", "updates_per_second")
    ratio = round(ours_rate / echo_rate, 3) if echo_rate else math.nan
    p99 = _get(result, "ours", "paced", "latency_ms", "p99")
    rss = _get(result, "ours", "peak_rss_mib")
    return [
        {"name": "updates/s ours/echo", "value": ratio, "limit": f">= {TARGET_RATIO}",
         "ok": ratio >= TARGET_RATIO},
        {"name": f"ours step p99 ms at {result['options']['rate']:g} updates/s",
         "value": p99, "limit": f"< {TARGET_P99_MS:g}", "ok": p99 < TARGET_P99_MS},
        {"name": "ours peak RSS MiB", "value": rss, "limit": f"< {TARGET_RSS_MIB:g}",
         "ok": rss < TARGET_RSS_MIB},
    ]


def _fmt(value: float) -> str:
    if math.isnan(value):
        return "-"
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


ROWS: list[tuple[str, tuple[str, ...]]] = [
    ("saturation: updates/s", ("saturation", "updates_per_second")),
    ("  wall s", ("saturation", "wall_seconds")),
    ("  closed-loop step p50 ms", ("saturation", "latency_ms", "p50")),
    ("  closed-loop step p99 ms", ("saturation", "latency_ms", "p99")),
    ("  bot CPU ms per update", ("saturation", "bot_cpu_ms_per_update")),
    ("  Bot API calls per update", ("saturation", "api_calls_per_update", "all")),
    ("  updates per getUpdates", ("saturation", "updates_per_fetch")),
    ("  bot CPU, % of a core", ("saturation", "bot_cpu_percent")),
    ("  other processes CPU, %", ("saturation", "other_cpu_percent")),
    ("paced: achieved updates/s", ("paced", "updates_per_second")),
    ("  step p50 ms", ("paced", "latency_ms", "p50")),
    ("  step p95 ms", ("paced", "latency_ms", "p95")),
    ("  step p99 ms", ("paced", "latency_ms", "p99")),
    ("  step max ms", ("paced", "latency_ms", "max")),
    ("  injection lag p99 ms", ("paced", "schedule_lag_ms", "p99")),
    ("peak RSS (VmHWM) MiB", ("peak_rss_mib",)),
]


def table(result: dict[str, Any]) -> str:
    options = result["options"]
    steps = result["ours"].get("steps_per_owner", 0)
    lines = [
        f"journeys: {options['owners']} owners × {steps} steps at once (closed loop); paced: "
        f"{options['paced_owners']} owners at {options['rate']:g} updates/s "
        f"({'lockstep' if options.get('lockstep') else 'Poisson arrivals'}); "
        f"warm-up {options['warmup']} owners",
        f"consultants' group limit raised to GROUP_MESSAGES_PER_MINUTE="
        f"{result['group_messages_per_minute']} (production: 20) so it does not dominate",
        f"echo: same owners, {steps} texts each; paced with the same updates at the same rate",
        f"{'':30} {'ours':>12} {'echo':>12} {'ours/echo':>10}",
    ]
    for label, path in ROWS:
        ours, echo = _get(result["ours"], *path), _get(result["echo"], *path)
        ratio = ""
        if path[-1] == "updates_per_second" and path[0] == "saturation" and echo:
            ratio = _fmt(ours / echo)
        lines.append(f"{label:30} {_fmt(ours):>12} {_fmt(echo):>12} {ratio:>10}")
    counts = result["counts"]
    lines += [
        "",
        f"journeys completed {counts['journeys_completed']} (expected "
        f"{counts['expected_journeys']}) | lead rows {counts['lead_rows']} | cards in group "
        f"{counts['cards_posted']} (last card {result['ours'].get('cards_wait_seconds', '-')} s"
        f" after the last journey) -> {'match' if counts['match'] else 'MISMATCH'}",
        f"cards still in the outbox when the saturation phase ended: posted within "
        f"{result['ours'].get('cards_drain_seconds', '-')} s (the paced phase starts after)",
    ]
    for target in result["targets"]:
        verdict = "ok" if target["ok"] else "MISSED"
        lines.append(f"target {target['name']} {target['limit']}: {target['value']:.3g} {verdict}")
    for name in ("ours", "echo"):
        if "error" in result[name]:
            lines.append(f"{name} ERROR: {result[name]['error']}")
        for phase in ("saturation", "paced"):
            errors = result[name].get(phase, {}).get("errors")
            if errors:
                lines.append(f"{name} {phase} errors: {errors[:3]}")
    if not result["complete"]:
        lines.append("INCOMPLETE: some owners did not finish; see the results JSON")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> tuple[Options, argparse.Namespace]:
    defaults = Options()
    parser = benchmark_parser(
        "python -m bench.journeys", __doc__, defaults, DEFAULT_OUT,
        owners="owners walking at once", rate="paced injection rate",
    )
    parser.add_argument("--paced-owners", type=int, default=defaults.paced_owners,
                        help="owners in the paced phase (default %(default)s)")
    parser.add_argument("--lockstep", action="store_true",
                        help="paced owners all take the same step at once (worst-case bursts)")
    parser.add_argument("--card-timeout", type=float, default=defaults.card_timeout,
                        help="how long to wait for the last cards in the group")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs, the bots' order alternating; targets on the median ratio, "
                        "worst p99 and RSS (default %(default)s)")
    args = parser.parse_args(argv)
    if args.owners < 1 or args.paced_owners < 1 or args.rate <= 0 or args.warmup < 0:
        parser.error("--owners, --paced-owners and --rate must be positive")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return options_from(Options, args), args


def main(argv: list[str] | None = None) -> int:
    options, args = parse_args(argv)
    results = []
    for index in range(args.repeat):
        result = asyncio.run(run(options, echo_first=index % 2 == 1))
        results.append(result)
        if args.repeat > 1:
            print(f"run {index + 1} of {args.repeat} (first: {result['order'][0]})")
        print(table(result) + "\n", flush=True)
    if args.repeat == 1:
        verdict = {"complete": result["complete"], "counts_match": result["counts"]["match"],
                   "targets": result["targets"]}
        write_json(result, args.out)
    else:
        verdict = summarize_runs(results)
        write_json({"runs": results, "summary": verdict}, args.out)
        print(summary_table(verdict))
    print(f"results: {args.out} ({sum(r['seconds'] for r in results):.1f} s)")
    met = all(target["ok"] for target in verdict["targets"])
    return exit_code(verdict["complete"] and verdict["counts_match"], met, args.check)


if __name__ == "__main__":
    sys.exit(main())
