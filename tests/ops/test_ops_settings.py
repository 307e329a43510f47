"""Operation settings: WEBHOOK_URL needs WEBHOOK_SECRET (one line, exit 2), values are checked
without echoing secrets, and the listen path defaults to the URL's path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

pytestmark = pytest.mark.process

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "123456789:" + "A" * 35


def run_bot(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    ours = ("BOT_", "DATABASE_", "WEBHOOK_", "METRICS_", "BACKUP_", "LOG_")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    return subprocess.run(
        [sys.executable, "-m", "bot"], cwd=tmp_path,
        env={**clean, "PYTHONPATH": str(ROOT), "BOT_TOKEN": TOKEN, **env},
        capture_output=True, text=True, timeout=60,
    )


def test_a_webhook_url_without_a_secret_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    result = run_bot(tmp_path, WEBHOOK_URL="https://bot.example.com/tg")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "configuration error: WEBHOOK_SECRET: required when WEBHOOK_URL is set (Telegram sends "
        "it in X-Telegram-Bot-Api-Secret-Token; requests without it are refused)"
    ]


@pytest.mark.parametrize(
    ("env", "setting"),
    [
        ({"WEBHOOK_URL": "bot.example.com/tg", "WEBHOOK_SECRET": "s"}, "WEBHOOK_URL"),
        ({"WEBHOOK_URL": "https://x.example/tg", "WEBHOOK_SECRET": "has space"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_PORT": "70000"}, "WEBHOOK_PORT"),
        ({"WEBHOOK_PATH": "tg"}, "WEBHOOK_PATH"),
        ({"METRICS_PORT": "http"}, "METRICS_PORT"),
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT"),
        ({"BACKUP_HOUR": "24"}, "BACKUP_HOUR"),
        ({"BACKUP_KEEP": "0"}, "BACKUP_KEEP"),
    ],
)
def test_malformed_operation_settings_name_the_setting(
    tmp_path: Path, env: dict[str, str], setting: str
) -> None:
    overrides = {k.lower(): v for k, v in env.items()}
    with pytest.raises(ConfigError) as caught:
        load_settings(None, bot_token=TOKEN, database_path=tmp_path / "x.db", **overrides)
    assert str(caught.value).startswith(f"{setting}:")
    assert "has space" not in str(caught.value)


def test_defaults_and_the_listen_path(tmp_path: Path) -> None:
    plain = load_settings(None, bot_token=TOKEN, database_path=tmp_path / "x.db")
    assert not plain.webhook and plain.metrics_port == 0 and plain.backup_dir is None
    assert (plain.webhook_host, plain.webhook_port) == ("0.0.0.0", 8443)
    assert (plain.metrics_host, plain.backup_hour, plain.backup_keep) == ("127.0.0.1", 3, 7)
    hooked = load_settings(
        None, bot_token=TOKEN, database_path=tmp_path / "x.db",
        webhook_url="https://bot.example.com/telegram/abc", webhook_secret="s3",
        metrics_port="", backup_dir="",
    )
    assert hooked.webhook and hooked.webhook_listen_path() == "/telegram/abc"
    assert hooked.metrics_port == 0 and hooked.backup_dir is None
    behind_proxy = load_settings(
        None, bot_token=TOKEN, database_path=tmp_path / "x.db",
        webhook_url="https://bot.example.com/telegram/abc", webhook_secret="s3",
        webhook_path="/hook",
    )
    assert behind_proxy.webhook_listen_path() == "/hook"
