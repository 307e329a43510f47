"""Memory and CPU of a process from /proc (Linux): no psutil needed."""

from __future__ import annotations

import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def memory_kib(pid: int) -> dict[str, int]:
    """VmHWM (peak resident set) and VmRSS of `pid`, in KiB; {} when unreadable."""
    found: dict[str, int] = {}
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return found
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            found[name] = int(value.split()[0])
    return found


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU time of the whole process (all threads); this process by default."""
    stat = Path(f"/proc/{pid or os.getpid()}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # the name may contain spaces
    return (int(fields[11]) + int(fields[12])) / _TICKS


def system_busy_seconds() -> float:
    """CPU time all processes on the machine have used since boot (every core, not idle)."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / _TICKS
