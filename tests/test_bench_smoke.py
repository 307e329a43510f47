"""The benchmark machinery still works end to end (tiny numbers; nothing is timed here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.report import table, write_json
from bench.run import Options, run
from bench.stats import percentile

pytestmark = pytest.mark.process


async def test_bench_runs_both_bots_and_every_owner_finishes(tmp_path: Path) -> None:
    options = Options(owners=3, rate=12, duration=1, warmup=1, reply_timeout=20, workdir=tmp_path)
    result = await run(options)
    [single] = result["runs"]
    for name in ("ours", "echo"):
        measured = single[name]
        assert measured["complete"], measured
        saturation, latency = measured["saturation"], measured["latency"]
        assert saturation["owners_finished"] == saturation["owners"] == 3
        assert saturation["replied"] == saturation["injected"] == 3 * measured["steps_per_owner"]
        assert latency["owners_finished"] == latency["owners"]
        assert latency["replied"] == latency["injected"] == 12
        assert latency["latency_ms"]["count"] == 12
        assert measured["peak_rss_mib"] > 0
        assert measured["exit_code"] == 0
    assert result["complete"]
    assert "saturation: updates/s" in table(result)
    write_json(result, tmp_path / "latest.json")


def test_percentile_interpolates_between_ranks() -> None:
    assert percentile([1, 2, 3, 4], 50) == 2.5
    assert percentile([5], 99) == 5
    assert percentile(list(range(101)), 99) == 99


def test_the_harness_collects_no_garbage_while_a_bot_is_measured() -> None:
    import gc

    from bench.run import harness_without_gc

    assert gc.isenabled()
    with harness_without_gc():
        assert not gc.isenabled()
        assert gc.get_freeze_count() > 0  # the start-up heap is out of the collector's sight
    assert gc.isenabled() and gc.get_freeze_count() == 0
