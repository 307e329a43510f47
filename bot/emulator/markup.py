"""Validation of reply_markup the way Telegram rejects malformed keyboards.

Returns the markup as received (it is stored on the message and shown back to tests), or
None when it holds no keyboard at all (the Bot API server then sends none); raises Telegram's
exact `Bad Request` for the mistakes a bot can make: rows that are not arrays, buttons that
are not objects, without text (TDLib: "Inline keyboard button text must be non-empty") or
without action, callback_data over 64 bytes, bad URLs. Telegram sets no length limit of its
own on button texts (clients cut long ones), so neither does the emulator.
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
EMPTY_IS_NONE = frozenset({"url", "callback_data"})


def validate_reply_markup(markup: Any, *, inline_only: bool = False) -> dict[str, Any] | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("object expected as reply markup")
    keyboard = markup.get("keyboard")
    if keyboard is not None:
        _check_rows(keyboard, 'field "keyboard" must be an Array of Arrays')
        for row in keyboard:
            for button in row:
                _check_keyboard_button(button)
    inline = markup.get("inline_keyboard")
    if inline is not None:
        _check_rows(
            inline, 'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
        for row in inline:
            for button in row:
                _check_inline_button(button)
    if keyboard:
        kind = "keyboard"
    elif inline:
        kind = "inline_keyboard"
    elif markup.get("remove_keyboard") or markup.get("hide_keyboard"):
        kind = "remove_keyboard"
    elif markup.get("force_reply") or markup.get("force_reply_keyboard"):
        kind = "force_reply"
    else:
        return None  # no keyboard in it: the message goes without one
    if inline_only and kind != "inline_keyboard":
        raise bad_request("inline keyboard expected")
    return markup


def _check_rows(rows: Any, reason: str) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(reason)


def _check_inline_button(button: Any) -> None:
    def fail(reason: str) -> None:
        raise bad_request(f"can't parse inline keyboard button: {reason}")

    if not isinstance(button, dict):
        fail("InlineKeyboardButton must be an Object")
    text = button.get("text")
    if not isinstance(text, str):
        fail('Field "text" must be of type String')
    # An empty url or callback_data counts as none; the other actions count when present
    # (switch_inline_query "" is an empty query).
    if not any(
        button.get(action) not in ((None, "") if action in EMPTY_IS_NONE else (None,))
        for action in INLINE_ACTIONS
    ):
        fail("Text buttons are unallowed in the inline keyboard")
    data = button.get("callback_data")
    if data is not None:
        if not isinstance(data, str):
            fail('Field "callback_data" must be of type String')
        if len(data.encode("utf-8")) > CALLBACK_DATA_LIMIT:
            raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if url and (not isinstance(url, str) or not url.startswith(URL_SCHEMES)):
        raise bad_request("BUTTON_URL_INVALID")
    if not text:  # TDLib checks the text once the button was read
        raise bad_request("inline keyboard button text must be non-empty")


def _check_keyboard_button(button: Any) -> None:
    if isinstance(button, str):
        text = button
    elif isinstance(button, dict):
        text = button.get("text")
        if not isinstance(text, str):
            raise bad_request('can\'t parse keyboard button: Field "text" must be of type String')
    else:
        raise bad_request(
            "can't parse keyboard button: KeyboardButton must be a String or an Object"
        )
    if not text:
        raise bad_request("keyboard button text must be non-empty")


def inline_buttons(markup: dict[str, Any] | None) -> list[dict[str, Any]]:
    """All inline buttons of a markup, row by row."""
    if not markup or "inline_keyboard" not in markup:
        return []
    return [button for row in markup["inline_keyboard"] for button in row]
