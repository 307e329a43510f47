"""Fixtures of the sandbox tests; the `browser` marker (headless Chromium via Playwright)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.sandbox.process import SandboxProcess


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives the sandbox page in headless Chromium (Playwright)"
    )


@pytest.fixture
def sandbox_process(tmp_path: Path) -> Iterator[SandboxProcess]:
    process = SandboxProcess(tmp_path / "fresh-clone")
    try:
        yield process.start()
    finally:
        process.kill()
