"""The garbage collector tuned for a long-running bot, once start-up is done.

What is alive after start-up (aiogram, pydantic, our modules) lives as long as the process;
a full collection walking it stalled every update in flight (it was the whole p99 in the
load benchmark). Frozen out of the collector's sight, and the young generation collected
every 20,000 net new objects instead of 700: GC time 3.7 → 0.4 s per load run, full
collections 45 → 1 (docs/benchmarks.md). tests/test_garbage_collector.py checks both.
"""

from __future__ import annotations

import gc

# Collect the young generation after this many net new container objects instead of 700.
# An update's objects nearly all die by reference counting; at 700 the collector ran about a
# hundred times a second under load, walking the live objects of every update in flight,
# and promoted them into full collections of 35 ms each: 10 % of the CPU and a p99 tail.
# Cycles are still collected, a few MB later.
GC_YOUNG_THRESHOLD = 20_000


def tune_garbage_collector() -> None:
    """Called once start-up is done. What is alive now (aiogram, pydantic, our modules) lives
    as long as the process: a full collection walking it stalls every update in flight (it
    was the whole p99 in the benchmark), so it is moved out of the collector's sight; then
    the young generation is collected less often (GC_YOUNG_THRESHOLD)."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, older, oldest)
