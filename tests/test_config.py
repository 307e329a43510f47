"""Bad configuration gives one clear line naming the setting and exit code 2, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

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
