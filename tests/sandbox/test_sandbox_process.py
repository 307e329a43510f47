"""`python -m bot` without a token: the sandbox comes up, serves the page and the real bot answers.

The owner is driven through the same HTTP endpoints the page uses (/api/… and the emulator's
/_emu/… control API with its events long-poll), without a browser.
"""

from __future__ import annotations

import signal
import time
from typing import Any

import pytest

from bot.sandbox.cast import GROUP_ID
from tests.sandbox.process import SandboxProcess

pytestmark = pytest.mark.process


def wait_bot_message(
    sandbox: SandboxProcess, bot_id: int, chat_id: int, after: int, needle: str, timeout: float = 15
) -> tuple[dict[str, Any], int]:
    """Follow the events feed like the page does until the bot says `needle` in the chat."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = sandbox.call("GET", f"/_emu/bots/{bot_id}/events?after={after}&timeout=5")
        for event in answer["events"]:
            after = max(after, event["seq"])
            message = event.get("message")
            if (
                event["kind"] in ("message", "edit")
                and event["chat_id"] == chat_id
                and message["from_bot"]
                and needle in (message["text"] or "")
            ):
                return message, after
    raise AssertionError(f"the bot did not say {needle!r}:\n{sandbox.logs()}")


def button(message: dict[str, Any], label: str) -> str:
    for row in message["reply_markup"]["inline_keyboard"]:
        for key in row:
            if key["text"] == label:
                return key["callback_data"]
    raise AssertionError(f"no button {label!r} in {message['reply_markup']}")


def test_page_and_one_owner_through_start(sandbox_process: SandboxProcess) -> None:
    sandbox = sandbox_process
    status, headers, body = sandbox.request("GET", "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b'src="/static/js/app.js"' in body
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    for asset in ("/static/sandbox.css", "/static/js/app.js", "/static/js/chat.js",
                  "/static/js/format.js", "/static/js/api.js", "/static/js/dom.js"):
        assert sandbox.request("GET", asset)[0] == 200, asset

    state = sandbox.call("GET", "/api/state")
    bot_id, owner = state["bot"]["id"], state["owners"][0]
    assert state["group"]["id"] == GROUP_ID and state["bot_running"]
    assert [c["first_name"] for c in state["consultants"]] == ["Анна", "Борис", "Виктор"]
    assert [c["admin"] for c in state["consultants"]] == [False, False, True]

    seq = state["last_seq"]
    start = {"user_id": owner["id"], "text": "/start"}
    sandbox.call("POST", f"/_emu/bots/{bot_id}/messages", start)
    greeting, seq = wait_bot_message(sandbox, bot_id, owner["id"], seq, "Здравствуйте, Ольга")
    sandbox.call("POST", f"/_emu/bots/{bot_id}/clicks", {
        "user_id": owner["id"], "chat_id": owner["id"], "message_id": greeting["message_id"],
        "callback_data": button(greeting, "Начать обучение"),
    })
    wait_bot_message(sandbox, bot_id, owner["id"], seq, "Урок 1 из 4")

    data = sandbox.workdir / "data"
    assert (data / "sandbox.sqlite3").exists()
    assert not (data / "bot.sqlite3").exists(), "the sandbox must never open DATABASE_PATH"

    fresh = sandbox.call("POST", "/api/reset", {})
    assert fresh["generation"] == state["generation"] + 1 and fresh["bot_running"]
    assert sandbox.call("GET", f"/_emu/bots/{bot_id}/chats/{owner['id']}/messages") == []
    assert fresh["owners"][0]["id"] == owner["id"] and not fresh["owners"][0]["started"]

    assert sandbox.stop(signal.SIGTERM) == 0
    assert "Sandbox stopped." in sandbox.stdout()
    assert "Traceback" not in sandbox.stderr(), sandbox.stderr()


def test_api_rejects_form_posts_and_unknown_roles(sandbox_process: SandboxProcess) -> None:
    sandbox = sandbox_process
    status, _, _ = sandbox.request("POST", "/api/reset", {}, content_type="text/plain")
    assert status == 400
    status, _, _ = sandbox.request("POST", "/api/people", {"role": "admin"})
    assert status == 400
    consultant = sandbox.call("POST", "/api/people", {"role": "consultant"})
    chat = sandbox.call("GET", f"/_emu/bots/100000001/chats/{GROUP_ID}")
    assert consultant["id"] in chat["members"] and consultant["phone"].startswith("+7 999")
    assert sandbox.stop(signal.SIGINT) == 0  # Ctrl-C
    assert "Traceback" not in sandbox.stderr(), sandbox.stderr()
