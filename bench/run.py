"""`python -m bench.run`: saturation and latency of our bot next to a bare aiogram echo bot.

Both bots run as real processes against the Bot API emulator, which lives in this process
(aiohttp server) together with the simulated owners; the bots run one after the other so they
never compete for the CPU. While a bot is measured this process runs no cyclic garbage
collection of its own (`harness_without_gc`), so that it cannot stall a measurement. Per bot: start, warm up, saturation (closed
loop), latency (open loop), peak RSS, stop. Prints a table and writes
bench/results/latest.json. Exit code: 2 if a run was incomplete (a bot died or owners did not
finish), 1 if `--check` and a target was missed, else 0.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

import aiogram

from bench import procfs
from bench.loads import LoadResult, closed_loop, open_loop
from bench.processes import ROOT, BenchBot
from bench.report import disturbance, exit_code, summarize_runs, table, targets, write_json
from bench.scripts import Script, echo_script, lessons_script
from bench.tail import ReplyTail
from bot.emulator import Emulator, start_server
from bot.emulator.world import BotWorld

DEFAULT_OUT = ROOT / "bench" / "results" / "latest.json"
# Each bot has its own token, hence its own world in the emulator.
BOTS: dict[str, tuple[str, str]] = {
    "ours": ("bot", "7000000001:BENCH-ours-token-0123456789abcdef"),
    "echo": ("bench.echo_bot", "7000000002:BENCH-echo-token-0123456789abcdef"),
}
# Owner ids per phase: every phase meets people the bot has never seen.
WARMUP_IDS, SATURATION_IDS, LATENCY_IDS = 1_000_000, 2_000_000, 3_000_000
SETTLE_SECONDS = 0.5
OptionsT = TypeVar("OptionsT")


@contextmanager
def harness_without_gc() -> Iterator[None]:
    """No cyclic garbage collection in this process (the emulator standing in for Telegram,
    and the owners) while a bot is measured. The emulator keeps every message; a full
    collection over them paused it for up to 0.6 s (22 of them, 3.5 s in a journeys run), and
    a bot waiting for Telegram's answers sat idle meanwhile: a cost of the harness, not of the
    bot, and heavier on the bot with more messages. Reference counting still frees memory;
    `settle()` collects between phases, outside the measurements."""
    gc.collect()
    gc.freeze()  # the start-up heap (aiogram's models) is never scanned again
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()
        gc.collect()


async def measure_in_turn(
    measure: Callable[[str, Emulator, str, Path, Any], Awaitable[dict[str, Any]]],
    names: Iterable[str],
    workdir: Path | None,
    options: Any,
) -> dict[str, dict[str, Any]]:
    """`measure` each bot in turn, each against a fresh emulator (the messages the first bot
    left would slow the emulator down for the second) and with this process's garbage
    collection off (`harness_without_gc`); the bots share one temporary folder."""
    measured: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-", dir=workdir) as folder:
        for name in names:
            with harness_without_gc():
                emulator = Emulator()
                runner, base_url = await start_server(emulator, "127.0.0.1", 0)
                try:
                    measured[name] = await measure(name, emulator, base_url, Path(folder), options)
                finally:
                    await runner.cleanup()
                    await emulator.aclose()
            del emulator, runner  # not frozen into the next bot's measurement
    return measured


async def settle() -> None:
    """Between phases: let the bot finish leftovers, and collect this process's garbage now
    rather than in the middle of a measurement."""
    gc.collect()
    await asyncio.sleep(SETTLE_SECONDS)


@dataclass(slots=True)
class Options:
    owners: int = 200
    rate: float = 100.0
    duration: float = 10.0
    warmup: int = 10
    repeat: int = 1
    reply_timeout: float = 30.0
    log_level: str = "INFO"
    workdir: Path | None = None


def script_for(name: str) -> Script:
    return lessons_script() if name == "ours" else echo_script()


def add_owners(world: BotWorld, base: int, count: int) -> list[int]:
    ids = [base + n for n in range(1, count + 1)]
    for owner in ids:
        world.add_user(user_id=owner, first_name=f"Owner{owner % 1000:03d}")
    return ids


class Usage:
    """CPU over one phase, as % of one core: the bot, this process (emulator and owners), and
    everything else on the machine (other users' work: a noise indicator)."""

    def __init__(self, bot: BenchBot) -> None:
        self.bot = bot
        self.wall = time.monotonic()
        self.bot_cpu = bot.cpu_seconds()
        self.own_cpu = procfs.cpu_seconds()
        self.all_cpu = procfs.system_busy_seconds()

    def done(self, updates: int) -> dict[str, float]:
        wall = time.monotonic() - self.wall
        bot = self.bot.cpu_seconds() - self.bot_cpu
        own = procfs.cpu_seconds() - self.own_cpu
        other = procfs.system_busy_seconds() - self.all_cpu - bot - own
        return {
            "bot_cpu_percent": round(100 * bot / wall, 1),
            "bot_cpu_ms_per_update": round(1000 * bot / updates, 3) if updates else math.nan,
            "harness_cpu_percent": round(100 * own / wall, 1),
            "other_cpu_percent": round(100 * max(other, 0.0) / wall, 1),
        }


async def measure(
    name: str, emulator: Emulator, base_url: str, workdir: Path, options: Options
) -> dict[str, Any]:
    module, token = BOTS[name]
    world = emulator.register(token, username=f"bench_{name}_bot")
    script = script_for(name)
    bot = BenchBot(name, module, token=token, base_url=base_url, world=world,
                   workdir=workdir, log_level=options.log_level)
    tail = ReplyTail(world)
    tail.start()
    measured: dict[str, Any] = {"script": script.name, "steps_per_owner": len(script.steps)}
    async with measuring(bot, tail, measured):
        if options.warmup:
            warm = await closed_loop(world, tail, script, add_owners(world, WARMUP_IDS,
                                     options.warmup), reply_timeout=options.reply_timeout)
            measured["warmup"] = warm.to_dict()
        await settle()

        usage = Usage(bot)
        saturation = await closed_loop(
            world, tail, script, add_owners(world, SATURATION_IDS, options.owners),
            reply_timeout=options.reply_timeout,
        )
        measured["saturation"] = _phase(saturation, usage)
        await settle()

        needed = math.ceil(max(1, round(options.rate * options.duration)) / len(script.steps))
        usage = Usage(bot)
        latency = await open_loop(
            world, tail, script, add_owners(world, LATENCY_IDS, needed),
            rate=options.rate, duration=options.duration, reply_timeout=options.reply_timeout,
        )
        measured["latency"] = _phase(latency, usage)
    measured["complete"] = complete(measured, ("saturation", "latency"))
    return measured


@asynccontextmanager
async def measuring(
    bot: BenchBot, tail: ReplyTail, measured: dict[str, Any]
) -> AsyncIterator[None]:
    """Start `bot` and measure it in the body; whatever goes wrong becomes `measured["error"]`.
    Then `measured` holds its memory (when the body finished), exit code and, after an error,
    the end of its log."""
    try:
        await bot.start()
        yield
        memory = bot.memory_kib()
        measured["peak_rss_mib"] = round(memory.get("VmHWM", 0) / 1024, 1)
        measured["rss_mib"] = round(memory.get("VmRSS", 0) / 1024, 1)
    except Exception as error:
        measured["error"] = f"{type(error).__name__}: {error}"
    finally:
        await tail.stop()
        measured["exit_code"] = await bot.stop()
        measured["log_tail"] = bot.log(1500) if "error" in measured else ""


def complete(measured: dict[str, Any], phases: Iterable[str]) -> bool:
    """The bot ran without an error, exited 0, and every phase is complete."""
    return (
        "error" not in measured
        and measured["exit_code"] == 0
        and all(measured.get(phase, {}).get("complete") for phase in phases)
    )


def _phase(result: LoadResult, usage: Usage) -> dict[str, Any]:
    return {**result.to_dict(), **usage.done(result.injected), "complete": result.complete}


async def run_once(options: Options, order: tuple[str, ...] = ("ours", "echo")) -> dict[str, Any]:
    """One run: both bots one after the other (in `order`), each with a fresh emulator (the
    messages the first bot left would slow the emulator down for the second)."""
    run: dict[str, Any] = {"order": list(order)}
    run.update(await measure_in_turn(measure, order, options.workdir, options))
    ours, echo = run["ours"], run["echo"]
    run["ratio"] = {
        "saturation": _ratio(ours, echo, "saturation", "updates_per_second"),
        "p99": _ratio(ours, echo, "latency", "latency_ms", "p99"),
        "cpu_per_update": _ratio(ours, echo, "saturation", "bot_cpu_ms_per_update"),
    }
    run["complete"] = ours["complete"] and echo["complete"]
    return run


def _ratio(ours: dict[str, Any], echo: dict[str, Any], *path: str) -> float:
    def get(data: dict[str, Any]) -> float:
        value: Any = data
        for part in path:
            value = value.get(part, {}) if isinstance(value, dict) else {}
        return float(value) if isinstance(value, (int, float)) else math.nan

    ours_value, echo_value = get(ours), get(echo)
    return round(ours_value / echo_value, 3) if echo_value else math.nan


async def run(options: Options) -> dict[str, Any]:
    """`options.repeat` runs (alternating which bot goes first), summarized."""
    started = time.time()
    runs = []
    for number in range(options.repeat):
        order = ("ours", "echo") if number % 2 == 0 else ("echo", "ours")
        runs.append(await run_once(options, order))
    summary = summarize_runs(runs)
    return {
        "meta": _meta(started),
        "options": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(options).items()},
        "runs": runs,
        "summary": summary,
        "targets": targets(summary),
        "complete": all(r["complete"] for r in runs),
        "disturbed_percent": disturbance(runs),
        "seconds": round(time.time() - started, 1),
    }


def _git(*args: str) -> str:
    """Read-only git query about the measured tree ("" when git is unavailable)."""
    try:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=5, check=False)
    except OSError:
        return ""
    return done.stdout.strip()


def _meta(started: float) -> dict[str, Any]:
    return {
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "commit": _git("rev-parse", "--short", "HEAD"),
        "uncommitted_changes": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "python": platform.python_version(),
        "aiogram": aiogram.__version__,
        "cpus": os.cpu_count(),
        "loadavg_at_start": os.getloadavg(),
        "platform": platform.platform(),
    }


def benchmark_parser(
    prog: str, description: str | None, defaults: Any, out: Path, *, owners: str, rate: str
) -> argparse.ArgumentParser:
    """The options both benchmarks take: owners, rate, the warm-up, the reply timeout, the
    bots' log level, the results file and --check."""
    parser = argparse.ArgumentParser(prog=prog, description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--owners", type=int, default=defaults.owners,
                        help=f"{owners} (default %(default)s)")
    parser.add_argument("--rate", type=float, default=defaults.rate,
                        help=f"{rate}, updates/s (default %(default)s)")
    parser.add_argument("--warmup", type=int, default=defaults.warmup,
                        help="owners walking once before measuring (default %(default)s)")
    parser.add_argument("--reply-timeout", type=float, default=defaults.reply_timeout)
    parser.add_argument("--log-level", default=defaults.log_level,
                        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                        help="LOG_LEVEL of both bots (default %(default)s, as in production)")
    parser.add_argument("--out", type=Path, default=out,
                        help=f"results JSON (default {out.relative_to(ROOT)})")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    return parser


def options_from(cls: type[OptionsT], args: argparse.Namespace) -> OptionsT:
    """A benchmark's options (dataclass `cls`) from the parsed arguments of the same names; a
    field no argument sets (workdir) keeps its default."""
    given = vars(args)
    return cls(**{field.name: given[field.name] for field in fields(cls) if field.name in given})


def parse_args(argv: list[str] | None) -> tuple[Options, argparse.Namespace]:
    defaults = Options()
    parser = benchmark_parser(
        "python -m bench.run", __doc__, defaults, DEFAULT_OUT,
        owners="simulated owners in the saturation run", rate="offered load of the latency run",
    )
    parser.add_argument("--duration", type=float, default=defaults.duration,
                        help="length of the latency run, seconds (default %(default)s)")
    parser.add_argument("--repeat", type=int, default=defaults.repeat,
                        help="whole runs; the table shows median [min–max] (default 1)")
    args = parser.parse_args(argv)
    if args.owners < 1 or args.repeat < 1 or args.rate <= 0 or args.duration <= 0:
        parser.error("--owners, --repeat, --rate and --duration must be positive")
    return options_from(Options, args), args


def main(argv: list[str] | None = None) -> int:
    options, args = parse_args(argv)
    result = asyncio.run(run(options))
    write_json(result, args.out)
    print(table(result))
    print(f"\nresults: {args.out} ({result['seconds']} s)")
    met = all(target["ok"] for target in result["targets"])
    return exit_code(result["complete"], met, args.check)


if __name__ == "__main__":
    sys.exit(main())
