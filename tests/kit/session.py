"""In-process transport: an aiogram session that calls the emulator directly, without HTTP.

Parameters are prepared exactly like `AiohttpSession.build_form_data` does (same
`prepare_value`, same dropped empty values, files read to bytes and referenced with
`attach://`), and answers go through aiogram's own `check_response`, so handlers get real
`Message` objects and real `TelegramBadRequest`/`TelegramRetryAfter`/… exceptions.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import unquote, urlsplit

from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods.base import TelegramType

from bot.emulator.api import call_method
from bot.emulator.errors import ApiError, TransportFault
from bot.emulator.params import Upload
from bot.emulator.world import Emulator

if TYPE_CHECKING:
    from aiogram import Bot
    from aiogram.methods import TelegramMethod
    from aiogram.types import InputFile

IN_PROCESS_BASE = "http://emulator.invalid"


class EmulatorSession(BaseSession):
    def __init__(self, emulator: Emulator | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("api", TelegramAPIServer.from_base(IN_PROCESS_BASE))
        super().__init__(**kwargs)
        self.emulator = emulator if emulator is not None else Emulator()

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> TelegramType:
        params, uploads = await self._build_params(bot, method)
        try:
            world = self.emulator.world(bot.token)
            result = await call_method(world, method.__api_method__, params, uploads)
            status, payload = 200, {"ok": True, "result": result}
        except ApiError as error:
            status, payload = error.error_code, error.to_payload()
        except TransportFault as fault:
            message = (
                "Request timeout error"
                if fault.kind == "timeout"
                else "ServerDisconnectedError: Server disconnected"
            )
            raise TelegramNetworkError(method=method, message=message) from None
        response = self.check_response(
            bot=bot, method=method, status_code=status, content=json.dumps(payload)
        )
        return cast(TelegramType, response.result)

    async def _build_params(
        self, bot: Bot, method: TelegramMethod[TelegramType]
    ) -> tuple[dict[str, Any], dict[str, Upload]]:
        """The same fields AiohttpSession would put in its multipart form."""
        files: dict[str, InputFile] = {}
        params: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files)
            if not prepared:
                continue
            if isinstance(prepared, str):  # str Enums (ParseMode.HTML) go out as their value
                prepared = str.__str__(prepared)
            params[key] = prepared
        uploads = {}
        for key, input_file in files.items():
            chunks = [chunk async for chunk in input_file.read(bot)]
            uploads[key] = Upload(input_file.filename or key, b"".join(chunks))
        return params, uploads

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 - aiogram's signature
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        """Downloads (`bot.download_file`) of files the emulator stores."""
        path = unquote(urlsplit(url).path)
        _, _, rest = path.partition("/file/bot")
        token, _, file_path = rest.partition("/")
        data = b""
        try:
            stored = self.emulator.world(token).files_by_path.get(file_path)
        except ApiError:
            stored = None
        if stored is not None:
            data = stored.data
        elif raise_for_status:
            raise FileNotFoundError(f"the emulator has no file {file_path!r}")
        for start in range(0, len(data), chunk_size):
            yield data[start : start + chunk_size]

    async def close(self) -> None:
        """Nothing to release: there is no connection."""
