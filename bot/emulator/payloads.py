"""Telegram-shaped pieces of incoming updates: entities users' clients add, media samples.

Every payload here is what Telegram really sends for a user's message of that kind, minimal
but complete enough for aiogram's models to parse.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from typing import Any

from bot.emulator.models import StoredFile
from bot.telegram_html import utf16_len

MEDIA_KINDS = (
    "sticker",
    "photo",
    "voice",
    "video",
    "video_note",
    "audio",
    "document",
    "animation",
    "location",
    "poll",
    "dice",
)
# Kinds whose messages have no caption: a caption given to copyMessage is ignored for them.
UNCAPTIONED = frozenset(
    {"text", "sticker", "video_note", "contact", "location", "venue", "dice", "poll"}
)
_COMMAND_RE = re.compile(r"(?<![\w/@])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,64})?(?![\w/@])")
_MENTION_RE = re.compile(r"(?<![\w@])@[A-Za-z0-9_]{4,32}(?!\w)")

FileFactory = Callable[..., StoredFile]


def user_entities(text: str) -> list[dict[str, Any]]:
    """The entities a Telegram client attaches to typed text: bot commands and mentions."""
    found: list[tuple[int, int, str]] = []
    for match in _COMMAND_RE.finditer(text):
        found.append((match.start(), match.end(), "bot_command"))
    for match in _MENTION_RE.finditer(text):
        found.append((match.start(), match.end(), "mention"))
    found.sort()
    return [
        {
            "type": kind,
            "offset": utf16_len(text[:start]),
            "length": utf16_len(text[start:end]),
        }
        for start, end, kind in found
    ]


def leading_command(text: str) -> tuple[str, str | None] | None:
    """("/start", "somebot") for "/start@somebot payload"; None when text is no command."""
    match = _COMMAND_RE.match(text)
    if match is None:
        return None
    command, _, username = match.group(0).partition("@")
    return command, username or None


def chat_instance(chat_id: int, bot_id: int) -> str:
    """A stable opaque chat_instance like Telegram's (same chat → same value)."""
    return str(zlib.crc32(f"{bot_id}:{chat_id}".encode()) * 7919 + 10**15)


def sample_media(
    kind: str, new_file: FileFactory, serial: int
) -> tuple[dict[str, Any], StoredFile | None]:
    """Message fields for a user's `kind` message and the stored file behind it, if any."""
    if kind == "location":
        return {"location": {"latitude": 55.755826, "longitude": 37.6173}}, None
    if kind == "dice":
        return {"dice": {"emoji": "🎲", "value": serial % 6 + 1}}, None
    if kind == "poll":
        options = [
            {"persistent_id": str(index), "text": text, "voter_count": 0}
            for index, text in enumerate(("Да", "Нет"))
        ]
        poll = {
            "id": str(5_000_000_000_000_000_000 + serial),
            "question": "Опрос?",
            "options": options,
            "total_voter_count": 0,
            "is_closed": False,
            "is_anonymous": True,
            "type": "regular",
            "allows_multiple_answers": False,
            "allows_revoting": False,
            "members_only": False,
        }
        return {"poll": poll}, None
    spec = _FILE_SAMPLES.get(kind)
    if spec is None:
        raise ValueError(kind)
    file_name, mime_type, extra = spec
    stored = new_file(
        kind,
        f"emulated {kind} #{serial}".encode(),
        file_name=file_name,
        mime_type=mime_type,
        width=extra.get("width"),
        height=extra.get("height"),
    )
    body: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        **extra,
    }
    if mime_type and kind not in ("sticker", "photo", "video_note"):
        body["mime_type"] = mime_type
    if file_name and kind in ("document", "audio", "animation"):
        body["file_name"] = file_name
    if kind == "photo":
        return {"photo": photo_sizes(stored, new_file)}, stored
    if kind == "animation":
        document = {key: body[key] for key in ("file_id", "file_unique_id", "file_size")}
        document.update(file_name=file_name, mime_type=mime_type)
        return {"animation": body, "document": document}, stored
    return {kind: body}, stored


PHOTO_SIDES = (90, 320, 800)  # Telegram's s, m, x thumbnails below the photo itself


def photo_sizes(stored: StoredFile, new_file: FileFactory) -> list[dict[str, Any]]:
    """PhotoSize list of a photo as Telegram returns it: the thumbnails it makes (each side
    at most 90, 320, 800 px, smaller than the photo) then the photo, each with its own file
    id. Made once per photo; sending it again by any of its file ids gives the same list."""
    root = stored.parent or stored
    width, height = root.width or 1280, root.height or 720
    if not root.variants:
        for side in PHOTO_SIDES:
            if side >= max(width, height):
                break
            scale = side / max(width, height)
            thumb = new_file(
                "photo",
                root.data,
                mime_type=root.mime_type,
                width=max(1, round(width * scale)),
                height=max(1, round(height * scale)),
            )
            thumb.parent = root
            root.variants.append(thumb)
    return [
        {
            "file_id": size.file_id,
            "file_unique_id": size.file_unique_id,
            "file_size": size.size,
            "width": size.width or width,
            "height": size.height or height,
        }
        for size in (*root.variants, root)
    ]


_FILE_SAMPLES: dict[str, tuple[str | None, str | None, dict[str, Any]]] = {
    "sticker": (
        None,
        "image/webp",
        {
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        },
    ),
    "photo": (None, "image/jpeg", {"width": 1280, "height": 720}),
    "voice": (None, "audio/ogg", {"duration": 3}),
    "video": ("video.mp4", "video/mp4", {"width": 640, "height": 360, "duration": 5}),
    "video_note": (None, "video/mp4", {"length": 240, "duration": 4}),
    "audio": (
        "song.mp3",
        "audio/mpeg",
        {"duration": 180, "title": "Song", "performer": "Artist"},
    ),
    "document": ("document.pdf", "application/pdf", {}),
    "animation": ("animation.mp4", "video/mp4", {"width": 320, "height": 240, "duration": 2}),
}
