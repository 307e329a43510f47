"""aiogram's HTTP session for bots that talk to the emulator's server on this machine."""

from __future__ import annotations

from aiogram.client.session.aiohttp import AiohttpSession


class LocalHttpSession(AiohttpSession):
    """`AiohttpSession` as is, but closing it does not wait the 250 ms aiogram gives TLS
    connections to close: there are none to 127.0.0.1, and tests close hundreds of them."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
