"""Start-up leaves the collector and thread switching tuned for a long-running bot (see
bot/gc_tuning.py and bot/thread_switching.py)."""

from __future__ import annotations

import gc
import sys

from bot.gc_tuning import GC_YOUNG_THRESHOLD, tune_garbage_collector
from bot.thread_switching import SWITCH_INTERVAL, tune_thread_switching


def test_start_up_freezes_the_long_lived_heap_and_collects_young_objects_less_often() -> None:
    before = gc.get_threshold()
    try:
        tune_garbage_collector()
        assert gc.get_freeze_count() > 10_000  # aiogram, pydantic and our modules
        assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, before[1], before[2])
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_start_up_hands_the_interpreter_to_the_database_threads_sooner() -> None:
    before = sys.getswitchinterval()
    try:
        # From Python's default: a service started in this process by another test may
        # have tuned it already.
        sys.setswitchinterval(0.005)
        tune_thread_switching()
        assert sys.getswitchinterval() == SWITCH_INTERVAL < 0.005
    finally:
        sys.setswitchinterval(before)
