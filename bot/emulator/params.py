"""Decoding of Bot API request parameters into typed Python values.

Telegram accepts query strings, url-encoded and multipart forms and JSON bodies alike; in the
form encodings every value is a string and objects/arrays are JSON-encoded strings (this is how
aiogram sends everything). `normalize_params` turns all of them into one typed dict so method
code never cares about the transport. Uploaded files stay `Upload` objects.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.emulator.errors import bad_request


@dataclass(frozen=True, slots=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    data: bytes
    content_type: str | None = None

    def describe(self) -> str:
        return f"<upload {self.filename} {len(self.data)} bytes>"


JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "scope",
        "commands",
        "reply_parameters",
        "link_preview_options",
        "allowed_updates",
        "results",
        "button",
        "menu_button",
        "media",
        "message_ids",
        "options",
        "permissions",
        "rights",
        "explanation_entities",
        "reaction",
    }
)
INT_FIELDS = frozenset(
    {
        "message_id",
        "from_chat_id",
        "user_id",
        "offset",
        "limit",
        "timeout",
        "message_thread_id",
        "reply_to_message_id",
        "cache_time",
        "max_connections",
        "duration",
        "width",
        "height",
        "until_date",
        "icon_color",
    }
)
BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "is_personal",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "has_spoiler",
        "disable_content_type_detection",
        "revoke_messages",
        "only_if_banned",
        "for_channels",
        "allow_paid_broadcast",
        "show_caption_above_media",
        "is_big",
    }
)
_JSON_ERRORS = {
    "reply_markup": "can't parse reply keyboard markup JSON object",
    "entities": "can't parse entities JSON object",
    "caption_entities": "can't parse entities JSON object",
    "link_preview_options": "can't parse link preview options JSON object",
    "reaction": "can't parse reaction types JSON object",
}
_INT_RE = re.compile(r"^-?\d+$")
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})


def normalize_params(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Typed copy of `raw`: JSON fields decoded, ints and bools coerced, uploads kept."""
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str):
            value = _decode_string(key, value)
        params[key] = value
    return params


def _decode_string(key: str, value: str) -> Any:
    if key in JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(_JSON_ERRORS.get(key, f"can't parse {key} JSON object")) from None
    if key == "chat_id":
        return int(value) if _INT_RE.match(value) else value
    if key in INT_FIELDS:
        if _INT_RE.match(value.strip()):
            return int(value)
        raise bad_request(f"invalid {key} specified")
    if key in BOOL_FIELDS:
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise bad_request(f"invalid {key} specified")
    if key in ("latitude", "longitude"):
        try:
            return float(value)
        except ValueError:
            raise bad_request(f"invalid {key} specified") from None
    return value


def opt_int(params: Mapping[str, Any], key: str) -> int | None:
    value = params.get(key)
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _INT_RE.match(value):
        return int(value)
    raise bad_request(f"invalid {key} specified")


def opt_str(params: Mapping[str, Any], key: str) -> str | None:
    value = params.get(key)
    if value is None:
        return None
    if isinstance(value, (dict, list, Upload)):
        raise bad_request(f"invalid {key} specified")
    return str(value)


def opt_bool(params: Mapping[str, Any], key: str) -> bool:
    value = params.get(key)
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    return bool(value)


def describe_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON-friendly copy for the call log: uploads become short descriptions."""
    if not any(isinstance(value, Upload) for value in params.values()):
        return dict(params)
    return {
        key: value.describe() if isinstance(value, Upload) else value
        for key, value in params.items()
    }
