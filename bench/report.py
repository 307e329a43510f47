"""The results table, the targets and the results JSON."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from bench.stats import spread

TARGET_RATIO = 0.5  # saturation throughput, ours / echo
TARGET_P99_MS = 50.0  # ours, open loop at the offered rate
# Other processes using more than this (% of one core) during a phase make the run suspect.
DISTURBED_PERCENT = 25.0

# (row label, metric key; "{bot}" is replaced by ours/echo), and whether ours/echo is shown.
ROWS: list[tuple[str, str, bool]] = [
    ("saturation: updates/s", "{bot}.saturation.updates_per_second", True),
    ("  closed-loop step p50 ms", "{bot}.saturation.latency_ms.p50", False),
    ("  closed-loop step p99 ms", "{bot}.saturation.latency_ms.p99", False),
    ("  bot CPU ms per update", "{bot}.saturation.bot_cpu_ms_per_update", True),
    ("  bot CPU, % of a core", "{bot}.saturation.bot_cpu_percent", False),
    ("  harness CPU, % of a core", "{bot}.saturation.harness_cpu_percent", False),
    ("  other processes CPU, %", "{bot}.saturation.other_cpu_percent", False),
    ("latency: p50 ms", "{bot}.latency.latency_ms.p50", True),
    ("latency: p95 ms", "{bot}.latency.latency_ms.p95", True),
    ("latency: p99 ms", "{bot}.latency.latency_ms.p99", True),
    ("latency: max ms", "{bot}.latency.latency_ms.max", False),
    ("  bot CPU, % of a core", "{bot}.latency.bot_cpu_percent", False),
    ("  other processes CPU, %", "{bot}.latency.other_cpu_percent", False),
    ("  injection lag p99 ms", "{bot}.latency.schedule_lag_ms.p99", False),
    ("peak RSS (VmHWM) MiB", "{bot}.peak_rss_mib", True),
]


def lookup(run: dict[str, Any], key: str) -> float:
    value: Any = run
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            return math.nan
        value = value[part]
    return float(value) if isinstance(value, (int, float)) else math.nan


def summarize_runs(runs: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Median, min and max over the runs of every metric of the table."""
    keys = {"ratio.saturation", "ratio.p99", "ratio.cpu_per_update"}
    for _, pattern, _ in ROWS:
        keys.update(pattern.format(bot=bot) for bot in ("ours", "echo"))
    summary = {}
    for key in sorted(keys):
        values = [v for v in (lookup(run, key) for run in runs) if not math.isnan(v)]
        if values:
            summary[key] = spread(values)
    return summary


def targets(summary: dict[str, dict[str, float]]) -> list[dict[str, Any]]:
    """The targets, judged on the median over runs."""
    ratio = summary.get("ratio.saturation", {}).get("median", math.nan)
    p99 = summary.get("ours.latency.latency_ms.p99", {}).get("median", math.nan)
    return [
        {"name": "saturation ratio ours/echo", "value": ratio, "limit": f">= {TARGET_RATIO}",
         "ok": ratio >= TARGET_RATIO},
        {"name": "ours latency p99 ms", "value": p99, "limit": f"< {TARGET_P99_MS}",
         "ok": p99 < TARGET_P99_MS},
    ]


def _cell(stats: dict[str, float] | None, runs: int) -> str:
    if not stats:
        return "-"
    median = stats["median"]
    text = f"{median:.2f}" if abs(median) < 10 else f"{median:.1f}"
    if runs > 1:
        text += f" [{stats['min']:.4g}–{stats['max']:.4g}]"
    return text


def table(result: dict[str, Any]) -> str:
    summary = result["summary"]
    runs = len(result["runs"])
    options = result["options"]
    lines = [
        f"bench: {options['owners']} owners closed loop; open loop {options['rate']:g} updates/s"
        f" for {options['duration']:g} s; {runs} run(s)"
        + (" — median [min–max]" if runs > 1 else ""),
        f"{'':30} {'ours':>22} {'echo':>22} {'ours/echo':>22}",
    ]
    for label, pattern, with_ratio in ROWS:
        ours = _cell(summary.get(pattern.format(bot="ours")), runs)
        echo = _cell(summary.get(pattern.format(bot="echo")), runs)
        ratio = ""
        if pattern.endswith("updates_per_second"):
            ratio = _cell(summary.get("ratio.saturation"), runs)
        elif pattern.endswith("latency_ms.p99") and with_ratio:
            ratio = _cell(summary.get("ratio.p99"), runs)
        elif pattern.endswith("bot_cpu_ms_per_update"):
            ratio = _cell(summary.get("ratio.cpu_per_update"), runs)
        lines.append(f"{label:30} {ours:>22} {echo:>22} {ratio:>22}")
    lines.append("")
    for target in result["targets"]:
        verdict = "ok" if target["ok"] else "MISSED"
        lines.append(f"target {target['name']} {target['limit']}: {target['value']:.3g} {verdict}")
    if result.get("disturbed_percent", 0) > DISTURBED_PERCENT:
        lines.append(
            f"WARNING: other processes used up to {result['disturbed_percent']:.0f}% of a core "
            "during a measurement; the machine is shared, treat these figures with caution"
        )
    if not result["complete"]:
        lines.append("INCOMPLETE: some owners did not finish; see the errors in the results JSON")
    return "\n".join(lines)


def disturbance(runs: list[dict[str, Any]]) -> float:
    """The most CPU (% of one core) other processes used during any measured phase."""
    found = [
        lookup(run, f"{bot}.{phase}.other_cpu_percent")
        for run in runs
        for bot in ("ours", "echo")
        for phase in ("saturation", "latency")
    ]
    return max((value for value in found if not math.isnan(value)), default=0.0)


def exit_code(complete: bool, met: bool, check: bool) -> int:
    """A benchmark's exit status: 2 when it did not complete, 1 when `check` (--check) asks
    for the targets and one was missed (`met` false), else 0."""
    if not complete:
        return 2
    return 1 if check and not met else 0


def write_json(result: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(_finite(result), indent=2, ensure_ascii=False) + "\n")


def _finite(value: Any) -> Any:
    """NaN (a metric that could not be computed) becomes null: strict JSON."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value
