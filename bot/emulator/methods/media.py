"""Files the bot sends (sendDocument, sendPhoto, … uploads or file_ids) and getFile."""

from __future__ import annotations

import mimetypes
from typing import Any

from bot.emulator.errors import ApiError, bad_request
from bot.emulator.methods.registry import Call, api_method
from bot.emulator.methods.sending import caption_fields, caption_param, post_requested
from bot.emulator.models import StoredFile
from bot.emulator.params import Upload, opt_bool, opt_str
from bot.emulator.payloads import FileFactory, photo_sizes

UPLOAD_LIMIT = 50 * 1024 * 1024
_MEDIA_METHODS = {
    "sendDocument": "document",
    "sendPhoto": "photo",
    "sendVideo": "video",
    "sendAudio": "audio",
    "sendVoice": "voice",
    "sendAnimation": "animation",
    "sendSticker": "sticker",
    "sendVideoNote": "video_note",
}
_NO_CAPTION = ("sticker", "video_note")
_CAPTION_ABOVE = ("photo", "video", "animation")  # kinds that take show_caption_above_media


def _send_media(call: Call, kind: str) -> dict[str, Any]:
    world, params = call.world, call.params
    chat = world.chat_for_send(params.get("chat_id"))
    stored = _input_file(call, kind)
    caption = None
    if kind not in _NO_CAPTION:
        caption = caption_param(world, params)
    message = post_requested(
        world,
        chat,
        params,
        kind=kind,
        media=media_object(kind, stored, world.add_file),
        file=stored,
        **caption_fields(caption),
        show_caption_above_media=kind in _CAPTION_ABOVE
        and opt_bool(params, "show_caption_above_media"),
    )
    return message.to_telegram()


def _register(method: str, kind: str) -> None:
    api_method(method)(lambda call: _send_media(call, kind))


for _method, _kind in _MEDIA_METHODS.items():
    _register(_method, _kind)


@api_method("getFile")
def get_file(call: Call) -> dict[str, Any]:
    file_id = opt_str(call.params, "file_id")
    stored = call.world.files.get(file_id or "")
    if stored is None:
        raise bad_request("invalid file_id")
    return stored.to_telegram()


def _input_file(call: Call, kind: str) -> StoredFile:
    """An upload (multipart part, possibly via attach://) or a known file_id."""
    value = call.params.get(kind)
    if isinstance(value, str) and value.startswith("attach://"):
        value = call.uploads.get(value[len("attach://") :])
    if value is None or value == "":
        raise bad_request(f"there is no {kind} in the request")
    if isinstance(value, str):
        known = call.world.files.get(value)
        if known is not None:
            return known
        if value.startswith(("http://", "https://")):
            raise bad_request("failed to get HTTP URL content")
        raise bad_request("wrong file identifier/HTTP URL specified")
    if not isinstance(value, Upload):
        raise bad_request(f"there is no {kind} in the request")
    if not value.data:
        raise bad_request("file must be non-empty")
    if len(value.data) > UPLOAD_LIMIT:
        raise ApiError(413, "Request Entity Too Large")
    mime_type = mimetypes.guess_type(value.filename)[0]
    if mime_type is None and value.content_type not in (None, "application/octet-stream"):
        mime_type = value.content_type
    width = height = None
    if kind == "photo":
        width, height = image_size(value.data)
    return call.world.add_file(
        kind,
        value.data,
        file_name=value.filename,
        mime_type=mime_type or "application/octet-stream",
        width=width,
        height=height,
    )


def media_object(kind: str, stored: StoredFile, new_file: FileFactory) -> dict[str, Any]:
    """The message fields Telegram returns for a sent file of this kind."""
    body: dict[str, Any] = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
    }
    if kind == "photo":
        return {"photo": photo_sizes(stored, new_file)}
    if kind == "sticker":
        body.update(type="regular", width=512, height=512, is_animated=False, is_video=False)
        return {"sticker": body}
    if kind == "video_note":
        body.update(length=240, duration=1)
        return {"video_note": body}
    body["mime_type"] = stored.mime_type
    if kind in ("document", "video", "audio", "animation"):
        body["file_name"] = stored.file_name
    if kind in ("video", "audio", "voice", "animation"):
        body["duration"] = 1
    if kind in ("video", "animation"):
        body.update(width=640, height=360)
    if kind == "animation":
        document = {key: body[key] for key in ("file_id", "file_unique_id", "file_size")}
        document.update(file_name=stored.file_name, mime_type=stored.mime_type)
        return {"animation": body, "document": document}
    return {kind: body}


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, GIF or JPEG; a plausible default for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    if data.startswith(b"\xff\xd8"):
        index = 2
        while index + 9 < len(data):
            if data[index] != 0xFF:
                break
            marker = data[index + 1]
            length = int.from_bytes(data[index + 2 : index + 4], "big")
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height = int.from_bytes(data[index + 5 : index + 7], "big")
                width = int.from_bytes(data[index + 7 : index + 9], "big")
                return width, height
            index += 2 + length
    return 1280, 720
