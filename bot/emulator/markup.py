"""Validation of reply_markup the way Telegram rejects malformed keyboards.

Returns the markup as received (it is stored on the message and shown back to tests); raises
Telegram's exact `Bad Request` for the mistakes a bot can make: rows that are not arrays,
buttons without text or action, callback_data over 64 bytes, bad URLs.
"""

from __future__ import annotations

from typing import Any

from bot.emulator.errors import bad_request

INLINE_ACTIONS = (
    "callback_data",
    "url",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "callback_game",
    "pay",
    "web_app",
    "copy_text",
)
URL_SCHEMES = ("http://", "https://", "tg://")
CALLBACK_DATA_LIMIT = 64


def validate_reply_markup(markup: Any, *, inline_only: bool = False) -> dict[str, Any] | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_rows(markup["inline_keyboard"], "inline_keyboard", "InlineKeyboardMarkup")
        for row in markup["inline_keyboard"]:
            for button in row:
                _check_inline_button(button)
        return markup
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        _check_rows(markup["keyboard"], "keyboard", "ReplyKeyboardMarkup")
        for row in markup["keyboard"]:
            for button in row:
                _check_keyboard_button(button)
        return markup
    if "remove_keyboard" in markup or "force_reply" in markup:
        return markup
    raise bad_request('can\'t find field "keyboard"')


def _check_rows(rows: Any, field: str, owner: str) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'Field "{field}" of the {owner} should be an Array of Arrays')


def _check_inline_button(button: Any) -> None:
    def fail(reason: str) -> None:
        raise bad_request(f"can't parse inline keyboard button: {reason}")

    if not isinstance(button, dict):
        fail("InlineKeyboardButton must be an Object")
    text = button.get("text")
    if not isinstance(text, str):
        fail('Field "text" must be of type String')
    if not text.strip():
        fail("Text must be non-empty")
    if not any(button.get(action) is not None for action in INLINE_ACTIONS):
        fail("Text buttons are unallowed in the inline keyboard")
    data = button.get("callback_data")
    if data is not None:
        if not isinstance(data, str):
            fail('Field "callback_data" must be of type String')
        if not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
            raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url is not None and (not isinstance(url, str) or not url.startswith(URL_SCHEMES)):
        raise bad_request("BUTTON_URL_INVALID")


def _check_keyboard_button(button: Any) -> None:
    if isinstance(button, str):
        if button.strip():
            return
        raise bad_request("can't parse keyboard button: Text must be non-empty")
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse keyboard button: KeyboardButton must be a String or an Object"
        )
    text = button.get("text")
    if not isinstance(text, str):
        raise bad_request('can\'t parse keyboard button: Field "text" must be of type String')
    if not text.strip():
        raise bad_request("can't parse keyboard button: Text must be non-empty")


def inline_buttons(markup: dict[str, Any] | None) -> list[dict[str, Any]]:
    """All inline buttons of a markup, row by row."""
    if not markup or "inline_keyboard" not in markup:
        return []
    return [button for row in markup["inline_keyboard"] for button in row]
