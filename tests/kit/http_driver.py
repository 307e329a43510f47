"""`WorldDriver` over the control API: the bot runs separately and talks HTTP to the server."""

from __future__ import annotations

from typing import Any

from tests.kit.client import EmulatorClient, RemoteBot
from tests.kit.drivers import WorldDriver


class HttpWorld(WorldDriver):
    def __init__(
        self,
        client: EmulatorClient,
        bot_id: int,
        *,
        timeout: float = 5.0,
        quiet_period: float = 0.5,
    ) -> None:
        self.client = client
        self.remote: RemoteBot = client.bot(bot_id)
        self.timeout = timeout
        self.quiet_period = quiet_period

    async def _add_user(self, **fields: Any) -> dict[str, Any]:
        return await self.remote.add_user(**fields)

    async def _add_group(self, **fields: Any) -> dict[str, Any]:
        return await self.remote.add_group(**fields)

    async def _add_member(self, chat_id: int, user_id: int, admin: bool) -> None:
        await self.remote.add_member(chat_id, user_id, admin)

    async def _act(self, action: str, **fields: Any) -> dict[str, Any]:
        return await getattr(self.remote, action)(**fields)

    async def _topic(self, action: str, **fields: Any) -> dict[str, Any]:
        return await getattr(self.remote, f"{action}_topic")(**fields)

    async def _messages(self, chat_id: int, include_deleted: bool) -> list[dict[str, Any]]:
        return await self.remote.messages(chat_id, include_deleted=include_deleted)

    async def _chat(self, chat_id: int) -> dict[str, Any]:
        return await self.remote.chat(chat_id)

    async def _events(self, after: int, wait: float, chat_id: int | None) -> list[dict[str, Any]]:
        found = await self.remote.events(after, max(wait, 0.0), chat_id)
        return found["events"]

    async def _callback_answers(self, query_id: str) -> list[dict[str, Any]]:
        return await self.remote.callback_answers(query_id)

    async def file_bytes(self, file_id: str) -> bytes:
        return await self.remote.file_bytes(file_id)
