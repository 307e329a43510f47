"""Async HTTP client of the emulator's control API (see `bot.emulator.control_api`).

`EmulatorClient(base_url)` holds one reused aiohttp session; `client.bot(bot_id)` returns a
`RemoteBot` whose methods mirror `BotWorld`'s control methods and return the control API's
JSON (dicts shaped like `to_dict()` of the emulator's records).
"""

from __future__ import annotations

import json
from types import TracebackType
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

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
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
    """Control methods of one bot's world, over HTTP."""

    def __init__(self, client: EmulatorClient, bot_id: int) -> None:
        self.client = client
        self.bot_id = bot_id
        self._base = f"/_emu/bots/{bot_id}"

    async def _get(self, path: str, **query: Any) -> Any:
        return await self.client.request("GET", self._base + path, query=query)

    async def _post(self, path: str, **body: Any) -> Any:
        return await self.client.request("POST", self._base + path, body=_clean(body))

    # -- bot --------------------------------------------------------------------------------

    async def info(self) -> dict[str, Any]:
        return await self._get("")

    async def settings(
        self,
        *,
        username: str | None = None,
        first_name: str | None = None,
        privacy_mode: bool | None = None,
        rate_limits: bool | dict[str, Any] | None = None,
        response_enrichment: bool | dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        return await self._post(
            "/settings",
            username=username,
            first_name=first_name,
            privacy_mode=privacy_mode,
            rate_limits=rate_limits,
            response_enrichment=response_enrichment,
        )

    async def reset(self) -> dict[str, Any]:
        return await self._post("/reset")

    # -- users and chats --------------------------------------------------------------------

    async def users(self) -> list[dict[str, Any]]:
        return await self._get("/users")

    async def add_user(
        self,
        user_id: int | None = None,
        first_name: str = "User",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ru",
        is_bot: bool = False,
        started: bool = False,
    ) -> dict[str, Any]:
        return await self._post(
            "/users",
            user_id=user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            is_bot=is_bot,
            started=started,
        )

    async def block_bot(self, user_id: int, blocked: bool = True) -> dict[str, Any]:
        return await self._post(f"/users/{user_id}/block", blocked=blocked)

    async def add_group(
        self,
        chat_id: int | None = None,
        title: str = "Group",
        type: str = "group",
        is_forum: bool = False,
        members: list[int] | None = None,
        admins: list[int] | None = None,
        creator: int | None = None,
        username: str | None = None,
        bot_present: bool = True,
        bot_admin: bool = False,
        bot_rights: list[str] | None = None,
    ) -> dict[str, Any]:
        return await self._post(
            "/groups",
            bot_rights=bot_rights,
            chat_id=chat_id,
            title=title,
            type=type,
            is_forum=is_forum,
            members=members,
            admins=admins,
            creator=creator,
            username=username,
            bot_present=bot_present,
            bot_admin=bot_admin,
        )

    async def chats(self) -> list[dict[str, Any]]:
        return await self._get("/chats")

    async def chat(self, chat_id: int) -> dict[str, Any]:
        return await self._get(f"/chats/{chat_id}")

    async def add_member(self, chat_id: int, user_id: int, admin: bool = False) -> dict[str, Any]:
        return await self._post(f"/chats/{chat_id}/members", user_id=user_id, admin=admin)

    async def remove_member(
        self, chat_id: int, user_id: int, banned: bool = False
    ) -> dict[str, Any]:
        return await self.client.request(
            "DELETE",
            f"{self._base}/chats/{chat_id}/members/{user_id}",
            query={"banned": 1 if banned else None},
        )

    async def set_bot_in_chat(
        self,
        chat_id: int,
        present: bool,
        *,
        not_found: bool = False,
        admin: bool | None = None,
        by: int | None = None,
        rights: list[str] | None = None,
    ) -> dict[str, Any]:
        return await self._post(
            f"/chats/{chat_id}/bot",
            present=present,
            not_found=not_found,
            admin=admin,
            by=by,
            rights=rights,
        )

    async def topics(self, chat_id: int) -> list[dict[str, Any]]:
        return await self._get(f"/chats/{chat_id}/topics")

    async def create_topic(
        self,
        chat_id: int,
        name: str,
        by: int | None = None,
        icon_color: int | None = None,
        icon_custom_emoji_id: str | None = None,
        thread_id: int | None = None,
    ) -> dict[str, Any]:
        return await self._post(
            f"/chats/{chat_id}/topics",
            name=name,
            by=by,
            icon_color=icon_color,
            icon_custom_emoji_id=icon_custom_emoji_id,
            thread_id=thread_id,
        )

    async def edit_topic(
        self,
        chat_id: int,
        thread_id: int,
        name: str | None = None,
        icon_custom_emoji_id: str | None = None,
        by: int | None = None,
    ) -> dict[str, Any]:
        return await self._post(
            f"/chats/{chat_id}/topics/{thread_id}/edit",
            name=name,
            icon_custom_emoji_id=icon_custom_emoji_id,
            by=by,
        )

    async def close_topic(
        self, chat_id: int, thread_id: int, by: int | None = None
    ) -> dict[str, Any]:
        return await self._post(f"/chats/{chat_id}/topics/{thread_id}/close", by=by)

    async def reopen_topic(
        self, chat_id: int, thread_id: int, by: int | None = None
    ) -> dict[str, Any]:
        return await self._post(f"/chats/{chat_id}/topics/{thread_id}/reopen", by=by)

    async def delete_topic(self, chat_id: int, thread_id: int) -> dict[str, Any]:
        return await self.client.request(
            "DELETE", f"{self._base}/chats/{chat_id}/topics/{thread_id}"
        )

    async def migrate_group(self, chat_id: int) -> int:
        result = await self._post(f"/chats/{chat_id}/migrate")
        return int(result["new_chat_id"])

    # -- what users do ----------------------------------------------------------------------

    async def send_text(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        reply_to_message_id: int | None = None,
        thread_id: int | None = None,
    ) -> dict[str, Any]:
        return await self._post(
            "/messages",
            user_id=user_id,
            text=text,
            chat_id=chat_id,
            reply_to_message_id=reply_to_message_id,
            thread_id=thread_id,
        )

    async def edit_user_message(
        self, user_id: int, chat_id: int, message_id: int, text: str
    ) -> dict[str, Any]:
        return await self._post(
            "/edits", user_id=user_id, chat_id=chat_id, message_id=message_id, text=text
        )

    async def click(
        self,
        user_id: int,
        chat_id: int,
        message_id: int,
        callback_data: str,
        allow_non_member: bool = False,
    ) -> dict[str, Any]:
        return await self._post(
            "/clicks",
            user_id=user_id,
            chat_id=chat_id,
            message_id=message_id,
            callback_data=callback_data,
            allow_non_member=allow_non_member or None,
        )

    async def share_contact(
        self,
        user_id: int,
        phone_number: str,
        first_name: str | None = None,
        last_name: str | None = None,
        contact_user_id: int | None = None,
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        return await self._post(
            "/contacts",
            user_id=user_id,
            phone_number=phone_number,
            first_name=first_name,
            last_name=last_name,
            contact_user_id=contact_user_id,
            chat_id=chat_id,
        )

    async def send_media(
        self,
        user_id: int,
        kind: str,
        chat_id: int | None = None,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
        thread_id: int | None = None,
    ) -> dict[str, Any]:
        return await self._post(
            "/media", user_id=user_id, kind=kind, chat_id=chat_id, caption=caption,
            reply_to_message_id=reply_to_message_id, thread_id=thread_id,
        )

    async def inline_query(self, user_id: int, query: str, offset: str = "") -> dict[str, Any]:
        return await self._post("/inline_queries", user_id=user_id, query=query, offset=offset)

    async def inject_update(self, update: dict[str, Any]) -> dict[str, Any]:
        return await self.client.request("POST", self._base + "/updates", body=update)

    # -- reads ------------------------------------------------------------------------------

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

    # -- faults -----------------------------------------------------------------------------

    async def inject_fault(
        self,
        method: str,
        kind: str,
        count: int = 1,
        retry_after: int | None = None,
        chat_id: int | None = None,
        applied: bool = False,
    ) -> dict[str, Any]:
        return await self._post(
            "/faults",
            method=method,
            kind=kind,
            count=count,
            retry_after=retry_after,
            chat_id=chat_id,
            applied=applied,
        )

    async def faults(self) -> list[dict[str, Any]]:
        return await self._get("/faults")

    async def clear_faults(self) -> None:
        await self.client.request("DELETE", self._base + "/faults")


def _clean(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if value is not None}
