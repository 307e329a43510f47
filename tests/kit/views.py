"""What a person sees: messages (edits applied), their buttons, groups.

Built from the emulator's JSON (`StoredMessage.to_dict()`), so they are the same whether the
world is in-process or behind the HTTP control API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.emulator.models import StoredMessage

Pattern = str | re.Pattern[str]


@dataclass(frozen=True, slots=True)
class Button:
    text: str
    callback_data: str | None = None
    url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True, slots=True)
class MessageView:
    """A message as a person sees it now (edits applied), from the emulator's JSON."""

    message_id: int
    chat_id: int
    from_bot: bool
    sender_id: int
    kind: str
    text: str | None
    html: str | None
    caption: str | None
    reply_markup: dict[str, Any] | None
    deleted: bool
    thread_id: int | None
    reply_to_message_id: int | None
    history: list[dict[str, Any]]
    file: dict[str, Any] | None
    contact: dict[str, Any] | None
    raw: dict[str, Any] = field(compare=False, repr=False)

    @classmethod
    def of(cls, message: StoredMessage) -> MessageView:
        """View of a message read straight from a `BotWorld`."""
        return cls.from_dict(message.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MessageView:
        return cls(
            message_id=data["message_id"],
            chat_id=data["chat_id"],
            from_bot=data["from_bot"],
            sender_id=data["sender_id"],
            kind=data["kind"],
            text=data.get("text"),
            html=data.get("html"),
            caption=data.get("caption"),
            reply_markup=data.get("reply_markup"),
            deleted=data.get("deleted", False),
            thread_id=data.get("message_thread_id"),
            reply_to_message_id=data.get("reply_to_message_id"),
            history=data.get("history") or [],
            file=data.get("file"),
            contact=data.get("contact"),
            raw=data,
        )

    @property
    def content(self) -> str:
        """Text or caption, what a reader sees."""
        return self.text if self.text is not None else self.caption or ""

    @property
    def buttons(self) -> list[Button]:
        markup = self.reply_markup or {}
        return [
            Button(b.get("text", ""), b.get("callback_data"), b.get("url"), b)
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]

    def button(self, label: str) -> Button | None:
        """The button labelled `label` (exact, else a unique substring), if any."""
        return pick_labelled(self.buttons, label, lambda b: b.text)

    def matches(self, pattern: Pattern) -> bool:
        if isinstance(pattern, re.Pattern):
            return pattern.search(self.content) is not None
        return pattern in self.content


@dataclass(frozen=True, slots=True)
class Group:
    chat_id: int
    title: str
    type: str
    is_forum: bool = False


def pick_labelled(items: list[Any], label: str, text_of: Any) -> Any:
    """The item whose text is `label`, else the only one containing it; None if none does,
    AssertionError if several do."""
    wanted = label.strip()
    exact = [item for item in items if text_of(item).strip() == wanted]
    if exact:
        return exact[0]
    partial = [item for item in items if wanted in text_of(item)]
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise AssertionError(f"{label!r} is ambiguous: {[text_of(i) for i in partial]}")
    return None
