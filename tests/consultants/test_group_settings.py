"""The consultants' group settings: sane defaults and one readable line for a bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings


def test_defaults_match_the_brief() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.timezone == "Europe/Moscow"
    assert settings.sla_minutes == 30
    assert settings.group_messages_per_minute == 20
    assert settings.leads_page_size == 10


def test_an_unknown_time_zone_is_reported_by_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^TIMEZONE: expected an IANA time zone"):
        load_settings(None, timezone="Mars/Olympus", database_path=tmp_path / "bot.sqlite3")
