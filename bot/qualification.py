"""Qualification for the free diagnostic: answer bands and the thresholds from settings.

Bands are fixed answer buttons; a band qualifies when its lower bound reaches the threshold
(conservative: a band that straddles a threshold does not qualify).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Band:
    code: str
    low: float
    high: float | None


TURNOVER_BANDS: tuple[Band, ...] = (
    Band("lt1", 0, 1),
    Band("1_3", 1, 3),
    Band("3_10", 3, 10),
    Band("10_50", 10, 50),
    Band("gt50", 50, None),
)
YEARS_BANDS: tuple[Band, ...] = (
    Band("lt1", 0, 1),
    Band("1_3", 1, 3),
    Band("3_5", 3, 5),
    Band("5_10", 5, 10),
    Band("gt10", 10, None),
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
        turnover_ok=turnover is not None and turnover.low >= min_turnover_mln,
        years_ok=years is not None and years.low >= min_years,
    )
