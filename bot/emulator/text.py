"""Message text and captions as Telegram stores them: parse_mode, entities, trimming, limits.

HTML is parsed by the project's `bot.telegram_html` (the same rules the bot relies on), so the
emulator rejects exactly what Telegram rejects and stores the plain text and entities Telegram
would deliver back.
"""

from __future__ import annotations

import html as html_lib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.emulator.errors import bad_request
from bot.telegram_html import TelegramHTMLError, parse_html, utf16_len

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
TRIMMED = " \t\n\r\x0b\x0c"  # what Telegram trims around a message text


@dataclass(frozen=True, slots=True)
class FormattedText:
    text: str
    entities: list[dict[str, Any]]
    html: str


def format_text(
    source: Any,
    parse_mode: Any,
    entities: Any,
    *,
    caption: bool = False,
    resolve_user: Callable[[int], dict[str, Any] | None] | None = None,
) -> FormattedText | None:
    """Telegram's view of a text/caption parameter; None for an absent or blank caption.

    `resolve_user` turns the user id of a text_mention into the full User object Telegram
    returns; mentions of users it does not know are dropped (the text stays plain)."""
    if source is None or source == "":
        if caption:
            return None
        raise bad_request("message text is empty")
    source = str(source)
    if entities is not None:
        plain, found = source, _checked_entities(entities)
        markup = html_lib.escape(plain, quote=False)
    else:
        plain, found, markup = _parse(source, parse_mode)
    plain, found = _strip(plain, found)
    if any(entity.get("type") == "text_mention" for entity in found):
        found = _resolve_mentions(found, resolve_user)
    if not plain:
        if caption:
            return None
        raise bad_request("message text is empty")
    # Limits count characters (code points) of the text after entity parsing, not UTF-16.
    if len(plain) > (CAPTION_LIMIT if caption else TEXT_LIMIT):
        raise bad_request("message caption is too long" if caption else "message is too long")
    return FormattedText(plain, found, markup)


LINK_PREVIEW_FLAGS = ("is_disabled", "prefer_small_media", "prefer_large_media", "show_above_text")


def link_preview_options(params: dict[str, Any]) -> dict[str, Any] | None:
    """LinkPreviewOptions a text message keeps and Telegram returns with it: those given in
    link_preview_options (which wins), else {"is_disabled": true} for the legacy
    disable_web_page_preview; None when nothing was changed from the defaults."""
    raw = params.get("link_preview_options")
    if raw is None or raw == "":
        return {"is_disabled": True} if params.get("disable_web_page_preview") is True else None
    if not isinstance(raw, dict):
        raise bad_request("object expected as link preview options")
    options: dict[str, Any] = {}
    for flag in LINK_PREVIEW_FLAGS:
        value = raw.get(flag)
        if value is not None and not isinstance(value, bool):
            raise bad_request(f'field "{flag}" must be of type Boolean')
        if value:
            options[flag] = True
    url = raw.get("url")
    if url is not None and not isinstance(url, str):
        raise bad_request('field "url" must be of type String')
    if url:
        options["url"] = url
    order = ("is_disabled", "url", *LINK_PREVIEW_FLAGS[1:])
    return {key: options[key] for key in order if key in options} or None


def _parse(source: str, parse_mode: Any) -> tuple[str, list[dict[str, Any]], str]:
    mode = str(parse_mode or "").strip().lower()
    if mode == "html":
        try:
            plain, entities = parse_html(source)
        except TelegramHTMLError as error:
            raise bad_request(f"can't parse entities: {_reason(error)}") from None
        return plain, list(entities), source
    if mode in ("", "markdown", "markdownv2"):
        # Markdown is not emulated: the text is kept verbatim, without entities.
        return source, [], html_lib.escape(source, quote=False)
    raise bad_request("unsupported parse_mode")


def _reason(error: TelegramHTMLError) -> str:
    description = getattr(error, "description", None) or str(error)
    prefix = "can't parse entities: "
    for head in ("Bad Request: " + prefix, prefix):
        if description.startswith(head):
            return description[len(head) :]
    return description


def _checked_entities(entities: Any) -> list[dict[str, Any]]:
    if not isinstance(entities, list):
        raise bad_request("can't parse entities JSON object")
    for entity in entities:
        if not (
            isinstance(entity, dict)
            and isinstance(entity.get("type"), str)
            and isinstance(entity.get("offset"), int)
            and isinstance(entity.get("length"), int)
            and entity["offset"] >= 0
            and entity["length"] > 0
        ):
            raise bad_request("can't parse entities JSON object")
    return entities


def _resolve_mentions(
    entities: list[dict[str, Any]], resolve_user: Callable[[int], dict[str, Any] | None] | None
) -> list[dict[str, Any]]:
    resolved = []
    for entity in entities:
        if entity.get("type") == "text_mention":
            user = entity.get("user")
            user_id = user.get("id") if isinstance(user, dict) else None
            found = resolve_user(user_id) if resolve_user and isinstance(user_id, int) else None
            if found is None:
                continue
            entity = {**entity, "user": found}
        resolved.append(entity)
    return resolved


def _strip(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram trims leading and trailing whitespace and clips entities accordingly."""
    stripped = text.strip(TRIMMED)
    if stripped == text:
        return text, entities
    if not stripped:
        return "", []
    lead = utf16_len(text[: len(text) - len(text.lstrip(TRIMMED))])
    end_limit = utf16_len(stripped)
    clipped = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, end_limit)
        if end > start:
            clipped.append({**entity, "offset": start, "length": end - start})
    return stripped, clipped
