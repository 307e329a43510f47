"""User-story drivers: people who talk to the bot, independent of the transport.

    owner = await emu.user("Анна")
    await owner.send("/start")
    reply = await owner.expect("Урок 1 из 4")
    await owner.click("Далее")

`WorldDriver` is the small interface (primitives over JSON dicts) with two implementations:
`HttpWorld` (control API over HTTP, the bot runs elsewhere) and `InProcessWorld` (a
`BotWorld` plus an aiogram Dispatcher fed directly). `Person` is built on the primitives
only, so a story runs unchanged on both; what it reads are `views.MessageView`s.
"""

from __future__ import annotations

import re
import time
from abc import ABC, abstractmethod
from typing import Any

from tests.kit.views import Group, MessageView, Pattern, pick_labelled


class WorldDriver(ABC):
    """Transport-agnostic access to one bot's emulated world."""

    timeout: float = 5.0  # how long expect() waits
    quiet_period: float = 0.5  # how long expect_no_reply() listens

    # -- people -----------------------------------------------------------------------------

    async def user(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "ru",
        user_id: int | None = None,
        phone: str | None = None,
    ) -> Person:
        """A new user (fresh id unless given) in their private chat with the bot."""
        user = await self._add_user(
            user_id=user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        return Person(self, user, chat_id=user["id"], phone=phone)

    async def group(
        self,
        title: str,
        *,
        type: str = "supergroup",
        is_forum: bool = False,
        bot_admin: bool = False,
        chat_id: int | None = None,
    ) -> Group:
        chat = await self._add_group(
            chat_id=chat_id, title=title, type=type, is_forum=is_forum, bot_admin=bot_admin
        )
        return Group(chat["id"], title, type, is_forum)

    async def member(
        self,
        group: Group,
        first_name: str,
        *,
        admin: bool = False,
        last_name: str | None = None,
        username: str | None = None,
        thread_id: int | None = None,
        phone: str | None = None,
    ) -> Person:
        """A new user who is a member of `group` and talks there (in `thread_id` if given)."""
        user = await self._add_user(first_name=first_name, last_name=last_name, username=username)
        await self._add_member(group.chat_id, user["id"], admin)
        return Person(self, user, chat_id=group.chat_id, thread_id=thread_id, phone=phone)

    # -- primitives -------------------------------------------------------------------------

    @abstractmethod
    async def _add_user(self, **fields: Any) -> dict[str, Any]: ...

    @abstractmethod
    async def _add_group(self, **fields: Any) -> dict[str, Any]: ...

    @abstractmethod
    async def _add_member(self, chat_id: int, user_id: int, admin: bool) -> None: ...

    @abstractmethod
    async def _act(self, action: str, **fields: Any) -> dict[str, Any]:
        """Run a user action (send_text, click, share_contact, send_media,
        edit_user_message, inline_query) and return its receipt."""

    @abstractmethod
    async def _messages(self, chat_id: int, include_deleted: bool) -> list[dict[str, Any]]: ...

    @abstractmethod
    async def _chat(self, chat_id: int) -> dict[str, Any]: ...

    @abstractmethod
    async def _events(
        self, after: int, wait: float, chat_id: int | None
    ) -> list[dict[str, Any]]: ...

    @abstractmethod
    async def _callback_answers(self, query_id: str) -> list[dict[str, Any]]: ...

    @abstractmethod
    async def file_bytes(self, file_id: str) -> bytes: ...

    async def _topic(self, action: str, **fields: Any) -> dict[str, Any]:
        """Run a forum topic action (create, edit, close, reopen, delete) and return the
        topic with the event seq of the action."""
        raise NotImplementedError(f"{type(self).__name__} has no forum topics")

    async def settle(self) -> None:
        """Let the bot handle what is queued (in-process); over HTTP the bot runs on its own."""
        return None


class Person:
    """Someone in one chat (their private chat with the bot, or a group/topic)."""

    def __init__(
        self,
        driver: WorldDriver,
        user: dict[str, Any],
        *,
        chat_id: int,
        thread_id: int | None = None,
        phone: str | None = None,
    ) -> None:
        self.driver = driver
        self.user = user
        self.id: int = user["id"]
        self.first_name: str = user["first_name"]
        self.chat_id = chat_id
        self.thread_id = thread_id
        self.phone = phone or f"+7999{self.id % 10_000_000:07d}"
        self._cursor = 0  # event seq of this person's last action
        self._last_query_id: str | None = None

    def __repr__(self) -> str:
        return f"<Person {self.first_name} id={self.id} chat={self.chat_id}>"

    def in_private(self) -> Person:
        """The same user in their private chat with the bot."""
        return Person(self.driver, self.user, chat_id=self.id, phone=self.phone)

    def in_chat(self, group: Group, thread_id: int | None = None) -> Person:
        return Person(
            self.driver, self.user, chat_id=group.chat_id, thread_id=thread_id, phone=self.phone
        )

    # -- actions ----------------------------------------------------------------------------

    async def send(self, text: str, *, reply_to: MessageView | None = None) -> MessageView:
        receipt = await self._act(
            "send_text",
            user_id=self.id,
            text=text,
            chat_id=self.chat_id,
            reply_to_message_id=reply_to.message_id if reply_to else None,
            thread_id=self.thread_id,
        )
        return MessageView.from_dict(receipt["message"])

    async def forward(self, text: str, *, author: str = "Коллега") -> MessageView:
        """Forward someone else's message with this text into the chat."""
        receipt = await self._act(
            "send_text", user_id=self.id, text=text, chat_id=self.chat_id,
            thread_id=self.thread_id, forwarded_from=author,
        )
        return MessageView.from_dict(receipt["message"])

    async def send_via_bot(self, text: str, *, bot_username: str = "gif") -> MessageView:
        """Send a message made with another (inline) bot."""
        receipt = await self._act(
            "send_text", user_id=self.id, text=text, chat_id=self.chat_id,
            thread_id=self.thread_id, via_bot=bot_username,
        )
        return MessageView.from_dict(receipt["message"])

    async def reply_to(self, message: MessageView, text: str) -> MessageView:
        return await self.send(text, reply_to=message)

    async def edit(self, message: MessageView, text: str) -> None:
        await self._act(
            "edit_user_message",
            user_id=self.id,
            chat_id=self.chat_id,
            message_id=message.message_id,
            text=text,
        )

    async def share_contact(
        self,
        phone_number: str | None = None,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        own: bool = True,
    ) -> MessageView:
        """Share a contact; `own=True` (the request_contact button) sets contact.user_id."""
        receipt = await self._act(
            "share_contact",
            user_id=self.id,
            phone_number=phone_number or self.phone,
            first_name=first_name,
            last_name=last_name,
            contact_user_id=self.id if own else None,
            chat_id=self.chat_id,
        )
        return MessageView.from_dict(receipt["message"])

    def in_topic(self, thread_id: int | None) -> Person:
        """The same person in another topic of the same forum (None: the General topic)."""
        return Person(
            self.driver, self.user, chat_id=self.chat_id, thread_id=thread_id, phone=self.phone
        )

    async def create_topic(self, name: str) -> int:
        """Create a forum topic in this person's group; returns its thread id."""
        topic = await self._topic_act("create", chat_id=self.chat_id, name=name, by=self.id)
        return int(topic["message_thread_id"])

    async def close_topic(self, thread_id: int) -> None:
        await self._topic_act("close", chat_id=self.chat_id, thread_id=thread_id, by=self.id)

    async def reopen_topic(self, thread_id: int) -> None:
        await self._topic_act("reopen", chat_id=self.chat_id, thread_id=thread_id, by=self.id)

    async def rename_topic(self, thread_id: int, name: str) -> None:
        await self._topic_act(
            "edit", chat_id=self.chat_id, thread_id=thread_id, name=name, by=self.id
        )

    async def delete_topic(self, thread_id: int) -> None:
        await self._topic_act("delete", chat_id=self.chat_id, thread_id=thread_id)

    async def send_media(
        self, kind: str, caption: str | None = None, *, reply_to: MessageView | None = None
    ) -> MessageView:
        receipt = await self._act(
            "send_media", user_id=self.id, kind=kind, chat_id=self.chat_id, caption=caption,
            reply_to_message_id=reply_to.message_id if reply_to else None,
            thread_id=self.thread_id,
        )
        return MessageView.from_dict(receipt["message"])

    async def click(
        self,
        label: str,
        *,
        on: MessageView | None = None,
        timeout: float | None = None,  # noqa: ASYNC109 - fails with a story-level message
    ) -> str | None:
        """Press the button labelled `label` (exact, else a unique substring) on the newest
        bot message that has it, or on `on`; waits up to the driver's timeout for it to
        appear. Falls back to the chat's reply keyboard (sending its text, contact or
        location). Returns the callback query id (None for a reply keyboard key)."""
        await self.driver.settle()
        deadline = time.monotonic() + (self.driver.timeout if timeout is None else timeout)
        after = self._cursor
        while True:
            candidates = await self._button_holders(on)
            for message in candidates:
                button = pick_labelled(message.buttons, label, lambda b: b.text)
                if button is None:
                    continue
                if button.callback_data is None:
                    raise AssertionError(
                        f"{self.first_name}: button {button.text!r} is not a callback button "
                        f"({button.raw}); there is nothing to press"
                    )
                return await self.click_data(message, button.callback_data)
            if on is None and await self._press_reply_key(label):
                return None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = [[b.text for b in m.buttons] for m in candidates[:3]]
                raise AssertionError(
                    f"{self.first_name}: no button {label!r} in chat {self.chat_id}; "
                    f"buttons on the newest bot messages: {seen}"
                )
            for event in await self.driver._events(after, remaining, self.chat_id):
                after = max(after, event["seq"])

    async def click_data(
        self, message: MessageView, callback_data: str, *, allow_non_member: bool = False
    ) -> str:
        """Press a button with arbitrary (possibly forged or stale) callback data; with
        `allow_non_member` even on a group message this person could not see."""
        receipt = await self._act(
            "click",
            user_id=self.id,
            chat_id=message.chat_id,
            message_id=message.message_id,
            callback_data=callback_data,
            allow_non_member=allow_non_member,
        )
        self._last_query_id = receipt["query_id"]
        return receipt["query_id"]

    # -- expectations -----------------------------------------------------------------------

    async def expect(
        self,
        pattern: Pattern,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - fails with a story-level message
    ) -> MessageView:
        """Wait until a bot message in this chat, sent or edited since this person's last
        action, contains `pattern` (substring or regex); return it as it is now."""
        await self.driver.settle()
        deadline = time.monotonic() + (self.driver.timeout if timeout is None else timeout)
        current: dict[int, MessageView] = {}
        after = self._cursor
        wait = 0.0
        while True:
            for event in await self.driver._events(after, wait, self.chat_id):
                after = max(after, event["seq"])
                _track(current, event)
            for message in sorted(current.values(), key=lambda m: m.message_id):
                if message.matches(pattern):
                    return message
            wait = deadline - time.monotonic()
            if wait <= 0:
                ordered = sorted(current.values(), key=lambda m: m.message_id)
                said = [m.content[:120] for m in ordered]
                raise AssertionError(
                    f"{self.first_name}: no bot message matching {_show(pattern)} in chat "
                    f"{self.chat_id}; since the last action the bot sent/edited: {said}"
                )

    async def expect_no_reply(self, *, within: float | None = None) -> None:
        """Fail if the bot sends or edits anything in this chat since the last action."""
        await self.driver.settle()
        within = self.driver.quiet_period if within is None else within
        deadline = time.monotonic() + within
        after, current = self._cursor, {}
        while True:
            remaining = max(deadline - time.monotonic(), 0.0)
            for event in await self.driver._events(after, remaining, self.chat_id):
                after = max(after, event["seq"])
                _track(current, event)
            if current:
                said = [m.content[:120] for m in current.values()]
                raise AssertionError(f"{self.first_name}: expected no reply, the bot said {said}")
            if remaining <= 0:
                return

    async def expect_answer(
        self,
        text: Pattern | None = None,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 - fails with a story-level message
    ) -> dict[str, Any]:
        """Wait for the bot's answerCallbackQuery to this person's last click."""
        query_id = self._last_query_id
        if query_id is None:
            raise AssertionError(f"{self.first_name} has not clicked anything yet")
        await self.driver.settle()
        deadline = time.monotonic() + (self.driver.timeout if timeout is None else timeout)
        after = self._cursor
        while True:
            records = await self.driver._callback_answers(query_id)
            if records and records[0]["answered"]:
                answer = records[0]["answer"]
                shown = answer.get("text") or ""
                if text is not None and not (
                    text.search(shown) if isinstance(text, re.Pattern) else text in shown
                ):
                    raise AssertionError(
                        f"{self.first_name}: callback answer {shown!r} does not match {_show(text)}"
                    )
                return answer
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{self.first_name}: the bot did not answer the callback")
            for event in await self.driver._events(after, remaining, self.chat_id):
                after = max(after, event["seq"])

    # -- reads ------------------------------------------------------------------------------

    async def messages(self, *, include_deleted: bool = False) -> list[MessageView]:
        """Everything in this chat (both sides), edits applied, oldest first."""
        found = await self.driver._messages(self.chat_id, include_deleted)
        return [MessageView.from_dict(message) for message in found]

    async def bot_messages(self) -> list[MessageView]:
        return [message for message in await self.messages() if message.from_bot]

    async def last_bot_message(self) -> MessageView | None:
        found = await self.bot_messages()
        return found[-1] if found else None

    async def download(self, message: MessageView) -> bytes:
        if not message.file:
            raise AssertionError(f"message {message.message_id} carries no file")
        return await self.driver.file_bytes(message.file["file_id"])

    # -- internals --------------------------------------------------------------------------

    async def _act(self, action: str, **fields: Any) -> dict[str, Any]:
        receipt = await self.driver._act(action, **fields)
        self._cursor = receipt["seq"]
        await self.driver.settle()
        return receipt

    async def _topic_act(self, action: str, **fields: Any) -> dict[str, Any]:
        topic = await self.driver._topic(action, **fields)
        self._cursor = topic["seq"]
        await self.driver.settle()
        return topic

    async def _button_holders(self, on: MessageView | None) -> list[MessageView]:
        """`on` as it is now, or the bot's messages with inline buttons, newest first."""
        if on is None:
            return [m for m in reversed(await self.bot_messages()) if m.buttons]
        for found in await self.driver._messages(on.chat_id, True):
            if found["message_id"] == on.message_id:
                return [MessageView.from_dict(found)]
        return [on]

    async def _press_reply_key(self, label: str) -> bool:
        keyboard = (await self.driver._chat(self.chat_id)).get("reply_keyboard") or {}
        keys = [
            {"text": key} if isinstance(key, str) else key
            for row in keyboard.get("keyboard", [])
            for key in row
        ]
        key = pick_labelled(keys, label, lambda k: k.get("text", ""))
        if key is None:
            return False
        if key.get("request_contact"):
            await self.share_contact()
        elif key.get("request_location"):
            await self.send_media("location")
        else:
            await self.send(key["text"])
        return True


def _track(current: dict[int, MessageView], event: dict[str, Any]) -> None:
    message = event.get("message")
    if message is None or not message["from_bot"]:
        return
    if event["kind"] in ("message", "edit") and not message["deleted"]:
        current[message["message_id"]] = MessageView.from_dict(message)
    elif event["kind"] == "delete":
        current.pop(message["message_id"], None)


def _show(pattern: Pattern) -> str:
    return f"/{pattern.pattern}/" if isinstance(pattern, re.Pattern) else repr(pattern)
