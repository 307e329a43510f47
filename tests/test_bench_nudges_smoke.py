"""The reminder benchmark's machinery still works end to end (tiny numbers; nothing timed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.nudges import Options, run

pytestmark = pytest.mark.process


async def test_the_reminder_burst_benchmark_runs_and_reports(tmp_path: Path) -> None:
    report = await run(
        Options(owners=300, live=5, live_rate=2, duration=3, rate=20, workdir=tmp_path)
    )
    assert report["complete"], report
    assert report["send_rate"]["reminders_sent"] > 0
    assert report["live_answers"]["answered"] == report["live_answers"]["sent"] > 0
    assert report["bot_summary"]["sent"] >= report["send_rate"]["reminders_sent"]
    assert report["bot_summary"]["db_ms_per_reminder"] > 0
    assert report["db_ms_per_reminder_alone"]["total"] > 0
    assert report["rows"]["sent"] == report["bot_summary"]["sent"]  # the rest still pending
    assert report["telegram_429"]["to_reminders"] == 0
