"""Bot API calls as rows: an aiogram method object to (name, JSON, file) and back.

A reply is stored between the commit of its update and its delivery, so it must survive a
restart exactly as the handler built it. The method's own fields are kept as the handler set
them (an explicit None stays None), nested objects whole (their `type` tags included) without
None fields, and aiogram's `Default(...)` placeholders, which mean "the bot's default", are
left out: they come back by themselves when the row is read. A file (a CSV export, a chart) travels as bytes next to the
JSON. Nothing here re-dumps what Telegram answered: only what we are about to send.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import aiogram.methods
from aiogram.client.default import Default
from aiogram.methods import TelegramMethod
from aiogram.types import BufferedInputFile, InputFile
from pydantic import BaseModel
from pydantic_core import to_json

from bot.db.replies import EncodedCall

FILE_MARK = "$file"


@functools.cache
def method_classes() -> dict[str, type[TelegramMethod[Any]]]:
    """Every Bot API method aiogram knows, by its API name."""
    classes: dict[str, type[TelegramMethod[Any]]] = {}
    for value in vars(aiogram.methods).values():
        if isinstance(value, type) and issubclass(value, TelegramMethod):
            name = getattr(value, "__api_method__", None)
            if isinstance(name, str):
                classes[name] = value
    return classes


def encode(method: TelegramMethod[Any]) -> EncodedCall:
    files: list[bytes] = []
    data = {
        name: _strip(_plain(getattr(method, name)), files)
        for name in method.model_fields_set | set(method.model_extra or ())
        if not isinstance(getattr(method, name), Default)
    }
    if len(files) > 1:
        raise ValueError(f"{method.__api_method__}: one file per call at most")
    return EncodedCall(method.__api_method__, to_json(data).decode(), files[0] if files else None)


def decode(call: EncodedCall) -> TelegramMethod[Any]:
    cls = method_classes().get(call.method)
    if cls is None:
        raise ValueError(f"unknown Bot API method {call.method!r}")
    data = json.loads(call.payload)
    return cls.model_validate(_restore(data, call.file))


def _plain(value: Any) -> Any:
    """Nested objects as dicts: every field that is set to something (tags included)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="python", exclude_none=True)
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _strip(value: Any, files: list[bytes]) -> Any:
    if isinstance(value, dict):
        return {
            key: _strip(item, files) for key, item in value.items() if not isinstance(item, Default)
        }
    if isinstance(value, list | tuple):
        return [_strip(item, files) for item in value if not isinstance(item, Default)]
    if isinstance(value, BufferedInputFile):
        files.append(value.data)
        return {FILE_MARK: value.filename or "file"}
    if isinstance(value, InputFile):
        raise TypeError(f"{type(value).__name__} cannot be stored; use BufferedInputFile")
    return value


def _restore(value: Any, file: bytes | None) -> Any:
    if isinstance(value, dict):
        if set(value) == {FILE_MARK} and file is not None:
            return BufferedInputFile(file, filename=str(value[FILE_MARK]))
        return {key: _restore(item, file) for key, item in value.items()}
    if isinstance(value, list):
        return [_restore(item, file) for item in value]
    return value
