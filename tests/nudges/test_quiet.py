"""Quiet hours in the bot's time zone: across midnight, within a day, over a clock change."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.nudges.quiet import inside, out_of_quiet

NIGHT = (21 * 60, 10 * 60)


def ts(zone: str, *parts: int) -> float:
    return dt.datetime(*parts, tzinfo=ZoneInfo(zone)).timestamp()


def test_a_window_across_midnight() -> None:
    moscow = "Europe/Moscow"
    assert not inside(NIGHT, ts(moscow, 2026, 12, 7, 20, 59), moscow)
    assert inside(NIGHT, ts(moscow, 2026, 12, 7, 21, 0), moscow)
    assert inside(NIGHT, ts(moscow, 2026, 12, 8, 9, 59), moscow)
    assert not inside(NIGHT, ts(moscow, 2026, 12, 8, 10, 0), moscow)
    assert out_of_quiet(NIGHT, ts(moscow, 2026, 12, 7, 23, 30), moscow) == ts(
        moscow, 2026, 12, 8, 10, 0
    )
    assert out_of_quiet(NIGHT, ts(moscow, 2026, 12, 8, 3, 0), moscow) == ts(
        moscow, 2026, 12, 8, 10, 0
    )
    noon = ts(moscow, 2026, 12, 8, 12, 0)
    assert out_of_quiet(NIGHT, noon, moscow) == noon
    assert out_of_quiet(None, ts(moscow, 2026, 12, 8, 3, 0), moscow) == ts(
        moscow, 2026, 12, 8, 3, 0
    )


def test_a_window_within_a_day_and_the_zone() -> None:
    window = (13 * 60, 14 * 60 + 30)
    assert out_of_quiet(window, ts("Asia/Vladivostok", 2026, 12, 7, 13, 5), "Asia/Vladivostok") \
        == ts("Asia/Vladivostok", 2026, 12, 7, 14, 30)
    # The same moment is 06:05 in Moscow: not quiet there.
    moment = ts("Asia/Vladivostok", 2026, 12, 7, 13, 5)
    assert out_of_quiet(window, moment, "Europe/Moscow") == moment


def test_the_window_follows_the_clocks_on_a_daylight_saving_change() -> None:
    berlin = "Europe/Berlin"  # 2026-03-29: 02:00 CET becomes 03:00 CEST
    window = (60, 3 * 60)
    start = ts(berlin, 2026, 3, 29, 1, 30)
    end = out_of_quiet(window, start, berlin)
    assert end == ts(berlin, 2026, 3, 29, 3, 0)
    assert end - start == 30 * 60  # half an hour of real time: the clocks skipped an hour
