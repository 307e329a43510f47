"""Speed-to-lead figures: percentiles as spreadsheets compute them, durations as people read
them."""

from __future__ import annotations

import pytest

from bot.analytics.speed import percentile, speed
from bot.content import Content
from bot.group.views.first_contact import duration


def test_median_and_90th_percentile_interpolate_like_percentile_inc() -> None:
    minutes = [m * 60.0 for m in (1, 2, 3, 10)]
    figure = speed("все", minutes)
    assert (figure.count, figure.median, figure.p90) == (4, 150.0, 474.0)
    assert percentile([42.0], 0.9) == 42.0
    assert percentile([5.0, 1.0, 3.0], 0.5) == 3.0  # order does not matter
    with pytest.raises(ValueError):
        percentile([], 0.9)


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0, "0 с"), (59.4, "59 с"), (60, "1 мин"), (3599, "59 мин"), (3900, "1 ч 05 мин"),
     (86_400 * 2 + 3 * 3600 + 59, "2 дн 3 ч")],
)
def test_durations_read_naturally(content: Content, seconds: float, shown: str) -> None:
    assert duration(seconds, content) == shown
