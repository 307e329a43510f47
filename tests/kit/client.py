"""Async HTTP client of the emulator's control API (see `bot.emulator.control_api`).

`EmulatorClient(base_url)` holds one reused aiohttp session; `client.bot(bot_id)` returns a
`RemoteBot` whose methods mirror `BotWorld`'s control methods and return the control API's
JSON (dicts shaped like `to_dict()` of the emulator's records).
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp


class EmulatorClientError(RuntimeError):
    """The control API answered {"ok": false}."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class EmulatorClient:
    def __init__(self, base_url: str, *, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> EmulatorClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - per-request HTTP timeout
        raw: bool = False,
    ) -> Any:
        """One control API call; returns its `result` (or bytes with raw=True)."""
        params = {key: str(value) for key, value in (query or {}).items() if value is not None}
        total = aiohttp.ClientTimeout(total=timeout or self.timeout)
        async with self._client().request(
            method, self.base_url + path, json=body, params=params, timeout=total
        ) as response:
            if raw and response.status == 200:
                return await response.read()
            text = await response.text()
        try:
            payload = json.loads(text)
        except ValueError:
            raise EmulatorClientError(response.status, text[:200]) from None
        if not payload.get("ok"):
            raise EmulatorClientError(response.status, str(payload.get("error")))
        return payload["result"]

    async def health(self) -> dict[str, Any]:
        return await self.request("GET", "/_emu/health")

    async def bots(self) -> list[dict[str, Any]]:
        return await self.request("GET", "/_emu/bots")

    async def register_bot(
        self, token: str, *, username: str | None = None, first_name: str | None = None
    ) -> RemoteBot:
        info = await self.request(
            "POST",
            "/_emu/bots",
            body=_clean({"token": token, "username": username, "first_name": first_name}),
        )
        return self.bot(int(info["id"]))

    def bot(self, bot_id: int) -> RemoteBot:
        return RemoteBot(self, bot_id)


class RemoteBot:
    """Control methods of one bot's world, over HTTP. Their keyword arguments are those of the
    `BotWorld` method of the same name (the control API rejects unknown ones, and the world
    supplies the defaults); they return the control API's JSON."""

    def __init__(self, client: EmulatorClient, bot_id: int) -> None:
        self.client = client
        self.bot_id = bot_id
        self._base = f"/_emu/bots/{bot_id}"

    async def _get(self, path: str, **query: Any) -> Any:
        return await self.client.request("GET", self._base + path, query=query)

    async def _post(self, path: str, **body: Any) -> Any:
        return await self.client.request("POST", self._base + path, body=_clean(body))

    async def _delete(self, path: str, **query: Any) -> Any:
        return await self.client.request("DELETE", self._base + path, query=query)

    # -- the bot, its people and chats --------------------------------------------------------

    async def info(self) -> dict[str, Any]:
        return await self._get("")

    async def settings(self, **fields: Any) -> dict[str, Any]:
        """username, first_name, privacy_mode, rate_limits, response_enrichment."""
        return await self._post("/settings", **fields)

    async def reset(self) -> dict[str, Any]:
        return await self._post("/reset")

    async def users(self) -> list[dict[str, Any]]:
        return await self._get("/users")

    async def add_user(self, **fields: Any) -> dict[str, Any]:
        return await self._post("/users", **fields)

    async def block_bot(self, user_id: int, blocked: bool = True) -> dict[str, Any]:
        return await self._post(f"/users/{user_id}/block", blocked=blocked)

    async def add_group(self, **fields: Any) -> dict[str, Any]:
        return await self._post("/groups", **fields)

    async def chats(self) -> list[dict[str, Any]]:
        return await self._get("/chats")

    async def chat(self, chat_id: int) -> dict[str, Any]:
        return await self._get(f"/chats/{chat_id}")

    async def add_member(self, chat_id: int, user_id: int, admin: bool = False) -> dict[str, Any]:
        return await self._post(f"/chats/{chat_id}/members", user_id=user_id, admin=admin)

    async def remove_member(self, chat_id: int, user_id: int, banned: bool = False) -> Any:
        return await self._delete(f"/chats/{chat_id}/members/{user_id}", banned=banned or None)

    async def set_bot_in_chat(self, chat_id: int, present: bool, **fields: Any) -> Any:
        return await self._post(f"/chats/{chat_id}/bot", present=present, **fields)

    async def migrate_group(self, chat_id: int) -> int:
        result = await self._post(f"/chats/{chat_id}/migrate")
        return int(result["new_chat_id"])

    # -- forum topics -------------------------------------------------------------------------

    async def topics(self, chat_id: int) -> list[dict[str, Any]]:
        return await self._get(f"/chats/{chat_id}/topics")

    async def create_topic(self, chat_id: int, name: str, **fields: Any) -> dict[str, Any]:
        return await self._post(f"/chats/{chat_id}/topics", name=name, **fields)

    async def edit_topic(self, chat_id: int, thread_id: int, **fields: Any) -> dict[str, Any]:
        return await self._post(f"/chats/{chat_id}/topics/{thread_id}/edit", **fields)

    async def close_topic(self, chat_id: int, thread_id: int, **fields: Any) -> dict[str, Any]:
        return await self._post(f"/chats/{chat_id}/topics/{thread_id}/close", **fields)

    async def reopen_topic(self, chat_id: int, thread_id: int, **fields: Any) -> dict[str, Any]:
        return await self._post(f"/chats/{chat_id}/topics/{thread_id}/reopen", **fields)

    async def delete_topic(self, chat_id: int, thread_id: int) -> dict[str, Any]:
        return await self._delete(f"/chats/{chat_id}/topics/{thread_id}")

    # -- what users do --------------------------------------------------------------------------

    async def send_text(self, user_id: int, text: str, **fields: Any) -> dict[str, Any]:
        return await self._post("/messages", user_id=user_id, text=text, **fields)

    async def edit_user_message(self, user_id: int, chat_id: int, message_id: int, text: str) -> Any:
        return await self._post(
            "/edits", user_id=user_id, chat_id=chat_id, message_id=message_id, text=text
        )

    async def click(
        self, user_id: int, chat_id: int, message_id: int, callback_data: str, **fields: Any
    ) -> dict[str, Any]:
        return await self._post(
            "/clicks", user_id=user_id, chat_id=chat_id, message_id=message_id,
            callback_data=callback_data, **fields,
        )

    async def share_contact(self, user_id: int, phone_number: str, **fields: Any) -> Any:
        return await self._post("/contacts", user_id=user_id, phone_number=phone_number, **fields)

    async def send_media(self, user_id: int, kind: str, **fields: Any) -> dict[str, Any]:
        return await self._post("/media", user_id=user_id, kind=kind, **fields)

    async def inline_query(self, user_id: int, query: str, **fields: Any) -> dict[str, Any]:
        return await self._post("/inline_queries", user_id=user_id, query=query, **fields)

    async def inject_update(self, update: dict[str, Any]) -> dict[str, Any]:
        return await self.client.request("POST", self._base + "/updates", body=update)

    # -- reads ----------------------------------------------------------------------------------

    async def messages(
        self, chat_id: int, include_deleted: bool = False, from_bot: bool = False
    ) -> list[dict[str, Any]]:
        return await self._get(
            f"/chats/{chat_id}/messages",
            include_deleted=1 if include_deleted else None,
            from_bot=1 if from_bot else None,
        )

    async def bot_messages(self, chat_id: int) -> list[dict[str, Any]]:
        return await self.messages(chat_id, from_bot=True)

    async def message(self, chat_id: int, message_id: int) -> dict[str, Any]:
        return await self._get(f"/chats/{chat_id}/messages/{message_id}")

    async def pending_updates(self) -> list[dict[str, Any]]:
        return await self._get("/updates")

    async def callback_answers(self, query_id: str | None = None) -> list[dict[str, Any]]:
        return await self._get("/callback_answers", query_id=query_id)

    async def inline_answers(self, query_id: str | None = None) -> list[dict[str, Any]]:
        return await self._get("/inline_answers", query_id=query_id)

    async def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        return await self._get("/calls", method=method)

    async def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        return await self._get(
            "/commands",
            scope=json.dumps(scope) if scope else None,
            language_code=language_code or None,
        )

    async def webhook_info(self) -> dict[str, Any]:
        return await self._get("/webhook")

    async def events(
        self,
        after: int = 0,
        timeout: float = 0.0,  # noqa: ASYNC109 - the long poll's own timeout, ends with []
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        """{"events": [...], "last_seq": N}; long-polls up to `timeout` for the first one."""
        return await self.client.request(
            "GET",
            self._base + "/events",
            query={"after": after, "timeout": timeout, "chat_id": chat_id},
            timeout=timeout + self.client.timeout,
        )

    async def file_bytes(self, file_id: str) -> bytes:
        return await self.client.request("GET", f"{self._base}/files/{file_id}", raw=True)

    # -- faults ---------------------------------------------------------------------------------

    async def inject_fault(self, method: str, kind: str, **fields: Any) -> dict[str, Any]:
        """count, retry_after, chat_id, applied (see `bot.emulator.faults`)."""
        return await self._post("/faults", method=method, kind=kind, **fields)

    async def faults(self) -> list[dict[str, Any]]:
        return await self._get("/faults")

    async def clear_faults(self) -> None:
        await self._delete("/faults")


def _clean(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if value is not None}
