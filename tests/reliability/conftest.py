"""Fixtures of the reliability suite, and the summary figures printed at the end of the run.

Tests add their figures with `figures.add("kills", 52)`; the totals are printed after the
test session (also without -s), so the lead can quote them.
"""

from __future__ import annotations

import logging
import os
import random
from collections import Counter
from collections.abc import Iterator

import pytest

from tests.e2e.harness import client

__all__ = ["client"]  # the control API's client with the bot process's bot registered

FIGURES: Counter[str] = Counter()
NOTES: list[str] = []


class Figures:
    def add(self, name: str, amount: int = 1) -> None:
        FIGURES[name] += amount

    def note(self, text: str) -> None:
        NOTES.append(text)


@pytest.fixture(scope="session")
def figures() -> Figures:
    return Figures()


def reliability_seed() -> int:
    """RELIABILITY_SEED: an integer, or "random" for a fresh one; 20240607 by default."""
    raw = os.environ.get("RELIABILITY_SEED", "").strip()
    if raw.lower() == "random":
        return random.SystemRandom().randrange(2**32)
    return int(raw) if raw else 20240607


SEED = reliability_seed()
"""The seed of this session's random choices (kill moments, journeys, Hypothesis)."""


class ErrorRecords(logging.Handler):
    """Collects every record at ERROR or above (the dispatcher's `on_error`, the update
    processor's "update failed", the outbox sender's "failed unexpectedly" all log so)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def describe(self) -> list[str]:
        return [f"{r.name}: {r.getMessage()}" for r in self.records]


@pytest.fixture
def error_log() -> Iterator[ErrorRecords]:
    """Fails the test if anything logs an error it did not expect (check `.records`
    yourself and clear them when the test provokes errors on purpose)."""
    handler = ErrorRecords()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
    assert not handler.records, f"errors were logged: {handler.describe()[:5]}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not FIGURES and not NOTES:
        return
    terminalreporter.section("reliability figures")
    terminalreporter.write_line(f"seed: {SEED} (set RELIABILITY_SEED to repeat, or =random)")
    for name in sorted(FIGURES):
        terminalreporter.write_line(f"{name}: {FIGURES[name]}")
    for text in NOTES:
        terminalreporter.write_line(text)
