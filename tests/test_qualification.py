"""The diagnostic's conditions: answer bands that never overlap, read one way, and qualify
exactly the companies the article names («более 3 млн. руб. в месяц», «более 3-х лет»)."""

from __future__ import annotations

import pytest

from bot.content import Content
from bot.qualification import TURNOVER_BANDS, YEARS_BANDS, Band, qualify

VALUES = (0, 0.5, 0.999, 1, 1.5, 2.999, 3, 3.001, 4, 5, 5.5, 10, 10.01, 49, 50, 50.5, 1000)


@pytest.mark.parametrize("bands", [TURNOVER_BANDS, YEARS_BANDS], ids=["turnover", "years"])
def test_every_value_falls_in_exactly_one_band(bands: tuple[Band, ...]) -> None:
    for value in VALUES:
        holding = [band.code for band in bands if value in band]
        assert len(holding) == 1, (value, holding)


def _expected_start(band: Band) -> str:
    """How a band's label must begin so that its bounds read one way."""
    low = f"{band.low:g}"
    if band.high is None:
        return f"более {low} "
    high = f"{band.high:g}"
    if band.low == 0:
        return f"меньше {high} "
    if band.low_included:
        return f"от {low} до {high} "
    return f"более {low}, до {high} "


@pytest.mark.parametrize("table, bands", [("turnover", TURNOVER_BANDS), ("years", YEARS_BANDS)])
def test_labels_say_the_bounds_the_code_uses(
    content: Content, table: str, bands: tuple[Band, ...]
) -> None:
    for band in bands:
        label = content.label(f"{table}.{band.code}")
        assert label.startswith(_expected_start(band)), (band, label)


@pytest.mark.parametrize(
    ("turnover", "years", "min_turnover", "min_years", "qualified"),
    [
        ("3_10", "3_5", 3.0, 3, True),  # «более 3»: every value of (3, 10] and (3, 5] is more
        ("1_3", "gt10", 3.0, 3, False),  # 3 mln exactly is not «более 3 млн»
        ("gt50", "1_3", 3.0, 3, False),  # 3 years exactly is not «более 3 лет»
        ("1_3", "1_3", 1.0, 1, False),  # [1, 3] holds 1 itself: not «более 1»
        ("3_10", "3_5", 2.5, 2, True),
        ("1_3", "3_5", 2.5, 2, False),  # [1, 3] straddles 2,5: conservative
        ("10_50", "5_10", 10.0, 10, False),  # (5, 10] years are not all more than 10
        ("10_50", "gt10", 10.0, 10, True),
        ("lt1", "lt1", 0.0, 0, False),  # [0, 1) holds 0
        ("unknown", "3_5", 3.0, 3, False),
    ],
)
def test_qualify(
    turnover: str, years: str, min_turnover: float, min_years: int, qualified: bool
) -> None:
    assert qualify(turnover, years, min_turnover, min_years).qualified is qualified
