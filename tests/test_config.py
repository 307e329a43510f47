"""Bad configuration gives one clear line naming the setting and exit code 2, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings

ROOT = Path(__file__).resolve().parent.parent
GOOD_TOKEN = "123456789:" + "A" * 35


def run_bot(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_", "ADMIN_"))
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-m", "bot"],
        cwd=tmp_path,  # no .env there
        env={**clean, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "setting"),
    [
        ({"BOT_TOKEN": "not-a-token"}, "BOT_TOKEN"),
        ({"BOT_TOKEN": "12345:short"}, "BOT_TOKEN"),
        ({"BOT_TOKEN": GOOD_TOKEN, "ADMIN_IDS": "1,two"}, "ADMIN_IDS"),
        ({"BOT_TOKEN": GOOD_TOKEN, "CONSULTANTS_CHAT_ID": "group"}, "CONSULTANTS_CHAT_ID"),
        ({"BOT_TOKEN": GOOD_TOKEN, "TELEGRAM_API_BASE": "ftp://x"}, "TELEGRAM_API_BASE"),
        ({"BOT_TOKEN": GOOD_TOKEN, "LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"BOT_TOKEN": GOOD_TOKEN, "ASSIGNMENT": "lottery"}, "ASSIGNMENT"),
        (
            {"BOT_TOKEN": GOOD_TOKEN, "DATABASE_PATH": "/proc/forbidden/bot.sqlite3"},
            "DATABASE_PATH",
        ),
        ({"BOT_TOKEN": GOOD_TOKEN, "LESSON_NUDGE_AFTER": "24"}, "LESSON_NUDGE_AFTER"),
        ({"BOT_TOKEN": GOOD_TOKEN, "DIAGNOSTIC_NUDGE_AFTER": "2 hours"}, "DIAGNOSTIC_NUDGE_AFTER"),
        ({"BOT_TOKEN": GOOD_TOKEN, "QUIET_HOURS": "21-25"}, "QUIET_HOURS"),
        ({"BOT_TOKEN": GOOD_TOKEN, "NUDGES_PER_SECOND": "0"}, "NUDGES_PER_SECOND"),
        ({"BOT_TOKEN": GOOD_TOKEN, "LESSONS_PACE": "weekly"}, "LESSONS_PACE"),
        ({"BOT_TOKEN": GOOD_TOKEN, "DIAGNOSTIC_HOURS": "mon-fri 10-18"}, "DIAGNOSTIC_HOURS"),
        ({"BOT_TOKEN": GOOD_TOKEN, "BOOKING_MIN_NOTICE": "3 hours"}, "BOOKING_MIN_NOTICE"),
    ],
)
@pytest.mark.process
def test_malformed_setting_is_one_line_and_exit_code_2(
    tmp_path: Path, env: dict[str, str], setting: str
) -> None:
    result = run_bot(tmp_path, **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert setting in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.process
def test_bad_token_is_never_echoed(tmp_path: Path) -> None:
    secret = "123:" + "S3cr3t" * 6 + " x"
    result = run_bot(tmp_path, BOT_TOKEN=secret)
    assert result.returncode == 2
    assert "S3cr3t" not in result.stderr + result.stdout


def test_settings_read_dotenv_and_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        f"BOT_TOKEN={GOOD_TOKEN}\nADMIN_IDS=5, 6\nDATABASE_PATH={tmp_path}/d/x.db\n"
    )
    monkeypatch.setenv("ADMIN_IDS", "7")
    settings = load_settings(env_file)
    assert settings.token() == GOOD_TOKEN
    assert settings.admin_ids == frozenset({7})
    assert (tmp_path / "d").is_dir()
    assert GOOD_TOKEN not in repr(settings)


def test_missing_token_means_sandbox(tmp_path: Path) -> None:
    settings = load_settings(None, database_path=tmp_path / "x.db")
    assert settings.sandbox
    with pytest.raises(ConfigError, match="BOT_TOKEN"):
        settings.token()


@pytest.mark.parametrize(
    ("variable", "written", "value"),
    [
        # Durations are written with their unit.
        ("OFFER_NUDGE_AFTER", "90s", 90.0),
        ("OFFER_NUDGE_AFTER", "45m", 2700.0),
        ("OFFER_NUDGE_AFTER", "24h", 86400.0),
        ("OFFER_NUDGE_AFTER", "3d", 259200.0),
        ("OFFER_NUDGE_AFTER", "0", 0.0),
        ("OFFER_NUDGE_AFTER", " 12H ", 43200.0),
        ("OFFER_NUDGE_AFTER", "1.5h", 5400.0),
        # Quiet hours: minutes of the day they begin and end at.
        ("QUIET_HOURS", "21-10", (1260, 600)),
        ("QUIET_HOURS", "22:30-07:15", (1350, 435)),
        ("QUIET_HOURS", "1-5", (60, 300)),
        ("QUIET_HOURS", "", None),
    ],
)
def test_a_duration_or_quiet_hours_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, written: str, value: object
) -> None:
    monkeypatch.setenv(variable, written)
    settings = load_settings(None, database_path=tmp_path / "x.db")
    assert getattr(settings, variable.lower()) == value


STALE = r"^NUDGE_STALE_AFTER: expected a duration"


@pytest.mark.parametrize(
    ("variable", "written", "refusal"),
    [
        # A duration without its unit.
        ("NUDGE_STALE_AFTER", "24", STALE),
        ("NUDGE_STALE_AFTER", "h", STALE),
        ("NUDGE_STALE_AFTER", "-1h", STALE),
        ("NUDGE_STALE_AFTER", "1w", STALE),
        ("NUDGE_STALE_AFTER", "1h30m", STALE),
        ("NUDGE_STALE_AFTER", "off", STALE),
        ("QUIET_HOURS", "21", r"^QUIET_HOURS: "),
        ("QUIET_HOURS", "21-21", r"^QUIET_HOURS: "),
        ("QUIET_HOURS", "9:60-10", r"^QUIET_HOURS: "),
        ("QUIET_HOURS", "night", r"^QUIET_HOURS: "),
    ],
)
def test_a_malformed_duration_or_quiet_hours_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, written: str, refusal: str
) -> None:
    monkeypatch.setenv(variable, written)
    with pytest.raises(ConfigError, match=refusal):
        load_settings(None, database_path=tmp_path / "x.db")


# -- booking the diagnostic ---------------------------------------------------------------------


def test_booking_settings_have_the_issues_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DIAGNOSTIC_HOURS", raising=False)  # tests/conftest.py turns it off
    settings = Settings(_env_file=None, database_path=tmp_path / "x.db")  # type: ignore[call-arg]
    assert settings.diagnostic_hours == "mon-fri 10:00-18:00" and settings.booking
    assert settings.booking_hours.on(0) == ((600, 1080),) and settings.booking_hours.on(5) == ()
    assert settings.diagnostic_slot_minutes == 60
    assert settings.booking_min_notice == 3 * 3600
    assert settings.diagnostic_parallel == 1
    assert settings.booking_days_ahead == 10


@pytest.mark.parametrize(("written", "seconds"), [
    ("90s", 90), ("45m", 2700), ("3h", 10800), ("24h", 86400), ("3d", 259200), ("0", 0),
    (" 2H ", 7200),
])
def test_booking_notice_is_a_duration(tmp_path: Path, written: str, seconds: int) -> None:
    settings = load_settings(None, database_path=tmp_path / "x.db", booking_min_notice=written)
    assert settings.booking_min_notice == seconds


def test_empty_hours_turn_booking_off(tmp_path: Path) -> None:
    assert not load_settings(None, database_path=tmp_path / "x.db", diagnostic_hours="").booking


@pytest.mark.parametrize(("field", "value"), [
    ("diagnostic_hours", "mon-fri 10:00-18:00; fri 10:00-15:00"),
    ("diagnostic_hours", "weekdays 10:00-18:00"),
    ("diagnostic_hours", "mon 18:00-10:00"),
    ("booking_min_notice", "3"),
    ("booking_min_notice", "3w"),
    ("booking_min_notice", "-1h"),
    ("diagnostic_slot_minutes", "0"),
    ("diagnostic_slot_minutes", "hour"),
    ("diagnostic_parallel", "0"),
    ("booking_days_ahead", "0"),
])
def test_malformed_booking_settings_are_one_line_naming_them(
    tmp_path: Path, field: str, value: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(None, database_path=tmp_path / "x.db", **{field: value})
    message = str(raised.value)
    assert message.startswith(f"{field.upper()}: ") and "\n" not in message
