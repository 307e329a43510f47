"""Fixtures of the consultants' group stories."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.consultants.office import Office, open_office


@pytest.fixture
async def office(db_path: Path) -> AsyncIterator[Office]:
    async with open_office(db_path) as opened:
        yield opened
