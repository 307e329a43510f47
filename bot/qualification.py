"""Qualification for the free diagnostic: answer bands and the thresholds from settings.

The article's conditions are strict: turnover «более 3 млн. руб. в месяц», «работа на рынке
более 3-х лет». Bands are fixed answer buttons that never overlap: the first is [0, 1), the
second [1, 3] and every later one (low, high], so a value on a boundary belongs to exactly one
band and its label says which («от 1 до 3», «более 3, до 10»). A band qualifies when every
value in it is more than the threshold (conservative: a band that straddles the threshold
does not qualify). The codes are stored with leads: never rename them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Band:
    """Values from `low` (included when `low_included`) up to `high` (included when
    `high_included`; None: no upper bound)."""

    code: str
    low: float
    high: float | None
    low_included: bool = False
    high_included: bool = True

    def __contains__(self, value: float) -> bool:
        above = value >= self.low if self.low_included else value > self.low
        if self.high is None:
            return above
        return above and (value <= self.high if self.high_included else value < self.high)

    def above(self, threshold: float) -> bool:
        """Whether every value of the band is more than `threshold`."""
        return self.low > threshold or (self.low == threshold and not self.low_included)


TURNOVER_BANDS: tuple[Band, ...] = (
    Band("lt1", 0, 1, low_included=True, high_included=False),  # меньше 1 млн ₽
    Band("1_3", 1, 3, low_included=True),  # от 1 до 3 млн ₽
    Band("3_10", 3, 10),  # более 3, до 10 млн ₽
    Band("10_50", 10, 50),  # более 10, до 50 млн ₽
    Band("gt50", 50, None),  # более 50 млн ₽
)
YEARS_BANDS: tuple[Band, ...] = (
    Band("lt1", 0, 1, low_included=True, high_included=False),  # меньше 1 года
    Band("1_3", 1, 3, low_included=True),  # от 1 до 3 лет
    Band("3_5", 3, 5),  # более 3, до 5 лет
    Band("5_10", 5, 10),  # более 5, до 10 лет
    Band("gt10", 10, None),  # более 10 лет
)


def band(bands: tuple[Band, ...], code: str) -> Band | None:
    return next((b for b in bands if b.code == code), None)


@dataclass(frozen=True, slots=True)
class Qualification:
    turnover_ok: bool
    years_ok: bool

    @property
    def qualified(self) -> bool:
        return self.turnover_ok and self.years_ok


def qualify(
    turnover_code: str, years_code: str, min_turnover_mln: float, min_years: int
) -> Qualification:
    turnover = band(TURNOVER_BANDS, turnover_code)
    years = band(YEARS_BANDS, years_code)
    return Qualification(
        turnover_ok=turnover is not None and turnover.above(min_turnover_mln),
        years_ok=years is not None and years.above(min_years),
    )
