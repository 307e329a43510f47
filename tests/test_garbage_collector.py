"""Start-up leaves the collector tuned for a long-running bot (see bot/gc_tuning.py)."""

from __future__ import annotations

import gc

from bot.gc_tuning import GC_YOUNG_THRESHOLD, tune_garbage_collector


def test_start_up_freezes_the_long_lived_heap_and_collects_young_objects_less_often() -> None:
    before = gc.get_threshold()
    try:
        tune_garbage_collector()
        assert gc.get_freeze_count() > 10_000  # aiogram, pydantic and our modules
        assert gc.get_threshold() == (GC_YOUNG_THRESHOLD, before[1], before[2])
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
