"""How soon the database threads get the interpreter back, tuned once start-up is done.

SQLite runs on aiosqlite's threads and gives up the GIL inside every statement; to go on
it must take the GIL back from the event loop's thread, which, busy with Python, lets go
of it only when it waits for I/O or when the switch interval runs out (5 ms by default).
Under load the writer thread then sat waiting with the single writer's turn in hand while
the units behind it waited for the writer: the bot idled 6–13 % of the time at saturation
and the paced p99 reached 28 ms. At 1 ms: busy 96–97 %, worst paced p99 19 ms, CPU per
update unchanged within the noise (docs/benchmarks.md, 2026-12-06).
"""

from __future__ import annotations

import sys

SWITCH_INTERVAL = 0.001  # seconds; Python's default is 0.005


def tune_thread_switching() -> None:
    sys.setswitchinterval(SWITCH_INTERVAL)
