"""The relay's outbox kinds: an owner's message into the lead's thread, a consultant's message
to the owner, edits of either, the thread told of a message that did not arrive, and the
notice that leads to a new topic.

Each row carries what its handler saw (ids, the text while it is on its way); the payload is
blanked once the row is settled. A text goes as a message of its own under the signature; a
medium is copied with the signature above its caption, or under a separate signature
message when it cannot carry one (or the text would be too long). What became of each
message is recorded with the row (bot/db/relay.py) for edits, replies and erasure. A
delivered message is marked with a reaction (best effort: a mark that fails changes
nothing). Errors propagate to the sender, which retries, or gives up and — for a message to
the owner — says so in the thread (`after_failure`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import ReactionTypeEmoji, ReplyParameters

from bot.binding import GroupTarget
from bot.db.cards import LeadMessage
from bot.db.leads import Notification
from bot.db.models import LeadRow
from bot.db.outbox import FollowUp, OutboxRow
from bot.db.relay import Direction, Form, RelayedRow
from bot.db.repos import Repositories
from bot.domain import OutboxKind
from bot.outbox.delivered import Delivered
from bot.outbox.threads import Place, Threads
from bot.outbox.views import GroupViews
from bot.relay_rules import CAPTION_LIMIT
from bot.telegram_html import MESSAGE_LIMIT, visible_length

log = logging.getLogger(__name__)

Throttle = Callable[[int], Awaitable[None]]
SETTLED_EDITS = ("message is not modified", "message to edit not found", "message can't be edited")
REFUSED_KINDS = (OutboxKind.relay_to_owner, OutboxKind.relay_edit)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _kind(value: Any) -> str:
    return value if value in ("text", "caption", "fixed") else "fixed"


class Relay:
    def __init__(
        self, bot: Bot, repo: Repositories, views: GroupViews, threads: Threads,
        throttle: Throttle,
    ) -> None:
        self.bot, self.repo, self.views, self.threads = bot, repo, views, threads
        self.throttle = throttle

    # -- the owner wrote: into the lead's thread ------------------------------------------

    async def to_group(self, row: OutboxRow, target: GroupTarget | None) -> Delivered:
        assert target is not None
        lead = await self.repo.leads.get(row.lead_id) if row.lead_id else None
        message_id = _int(row.payload.get("m"))
        if lead is None or message_id is None:  # erased meanwhile: nothing flows any more
            return Delivered(keep_payload=False)
        kind, text = _kind(row.payload.get("kind")), _str(row.payload.get("text"))
        answered = await self._answered_in_group(lead, _int(row.payload.get("reply")))

        async def first(place: Place) -> tuple[int, Form]:
            reply = answered if answered is not None else (
                None if place.topic else place.card_id
            )
            return await self._post(
                place.chat_id, place.thread_id, reply, kind, text,
                signed=lambda body: self.views.from_owner(lead, body),
                source=(lead.user_id, message_id), lenient=True,
            )

        posted, place = await self.threads.send(lead, target, first)
        copy_id, header_id, form = await self._finish(
            place.chat_id, place.thread_id, posted, text, source=(lead.user_id, message_id),
            lenient=True,
        )
        await self._mark(lead.user_id, message_id)
        return Delivered(
            relayed=[RelayedRow(lead.id, Direction.to_group, message_id, place.chat_id,
                                copy_id, form, header_id)],
            keep_payload=False,
        )

    async def _answered_in_group(self, lead: LeadRow, owner_reply: int | None) -> int | None:
        """The owner replied to one of the messages of the conversation: its counterpart in
        the group (the consultant's message, or the copy of the owner's own)."""
        if owner_reply is None:
            return None
        found = await self.repo.relay.by_owner_copy(lead.id, owner_reply)
        if found is not None:
            return found.message_id
        own = await self.repo.relay.from_owner(lead.id, owner_reply)
        return own.message_id if own is not None else None

    # -- a consultant wrote: to the owner -------------------------------------------------

    async def to_owner(self, row: OutboxRow, target: GroupTarget | None) -> Delivered:
        lead = await self.repo.leads.get(row.lead_id) if row.lead_id else None
        chat_id, message_id = _int(row.payload.get("chat")), _int(row.payload.get("m"))
        if lead is None or chat_id is None or message_id is None or row.chat_id is None:
            return Delivered(keep_payload=False)
        owner = row.chat_id
        kind, text = _kind(row.payload.get("kind")), _str(row.payload.get("text"))
        name = _str(row.payload.get("name"))
        answered = await self._answered_in_owner_chat(lead, chat_id, _int(row.payload.get("reply")))
        await self.throttle(owner)
        posted = await self._post(
            owner, None, answered, kind, text,
            signed=lambda body: self.views.from_consultant(name, body),
            source=(chat_id, message_id), lenient=False,
        )
        copy_id, header_id, form = await self._finish(
            owner, None, posted, text, source=(chat_id, message_id), lenient=False
        )
        await self._mark(chat_id, message_id)
        return Delivered(
            relayed=[RelayedRow(lead.id, Direction.to_owner, copy_id, chat_id, message_id,
                                form, header_id)],
            keep_payload=False,
        )

    async def _answered_in_owner_chat(
        self, lead: LeadRow, chat_id: int, group_reply: int | None
    ) -> int | None:
        """The consultant replied to a message of the conversation: its counterpart in the
        owner's chat (the owner's own message, or the copy of a consultant's)."""
        if group_reply is None:
            return None
        found = await self.repo.relay.by_group_copy(chat_id, group_reply)
        if found is not None and found.lead_id == lead.id:
            return found.owner_message_id
        sent = await self.repo.relay.to_owner(chat_id, group_reply)
        return sent.owner_message_id if sent is not None and sent.lead_id == lead.id else None

    # -- posting one message, signed -------------------------------------------------------

    async def _post(
        self, chat_id: int, thread_id: int | None, reply: int | None, kind: str, text: str,
        *, signed: Callable[[str | None], str], source: tuple[int, int], lenient: bool,
    ) -> tuple[int, Form]:
        """The first message of a relayed one: the whole of it when the signature fits in,
        else the signature alone (`_finish` adds the rest). Returns its id and the form.
        `lenient`: a message Telegram will not copy is replaced by a word saying so (in the
        thread); otherwise the refusal propagates (the thread is told it did not arrive)."""
        whole = signed(text)
        params: dict[str, Any] = {"message_thread_id": thread_id}
        if reply is not None:
            params["reply_parameters"] = ReplyParameters(
                message_id=reply, allow_sending_without_reply=True
            )
        if kind == "text" and visible_length(whole) <= MESSAGE_LIMIT:
            return (await self.bot.send_message(chat_id, whole, **params)).message_id, Form.text
        if kind == "caption" and visible_length(whole) <= CAPTION_LIMIT:
            try:
                copied = await self.bot.copy_message(
                    chat_id, source[0], source[1], caption=whole, **params
                )
            except TelegramBadRequest as error:
                if not lenient or not _uncopyable(error):
                    raise
                return (await self.bot.send_message(
                    chat_id, signed(self.views.uncopyable()), **params
                )).message_id, Form.fixed
            return copied.message_id, Form.caption
        form = {"text": Form.plain_text, "caption": Form.plain_caption}.get(kind, Form.fixed)
        return (await self.bot.send_message(chat_id, signed(None), **params)).message_id, form

    async def _finish(
        self, chat_id: int, thread_id: int | None, first: tuple[int, Form], text: str,
        *, source: tuple[int, int], lenient: bool,
    ) -> tuple[int, int | None, Form]:
        """After the first message: the copy under a separate signature, when there is one.
        Returns (the copy, the signature or None, how the copy carries the text)."""
        first_id, form = first
        if form in (Form.text, Form.caption):
            return first_id, None, form
        params: dict[str, Any] = {
            "message_thread_id": thread_id,
            "reply_parameters": ReplyParameters(
                message_id=first_id, allow_sending_without_reply=True
            ),
        }
        await self.throttle(chat_id)
        if form is Form.plain_text:
            sent = await self.bot.send_message(chat_id, self.views.plain(text), **params)
            return sent.message_id, first_id, form
        caption = {"caption": self.views.plain(text)} if form is Form.plain_caption else {}
        try:
            copied = await self.bot.copy_message(
                chat_id, source[0], source[1], **caption, **params
            )
        except TelegramBadRequest as error:
            if not lenient or not _uncopyable(error):
                raise
            said = await self.bot.send_message(chat_id, self.views.uncopyable(), **params)
            return said.message_id, first_id, Form.fixed
        return copied.message_id, first_id, form

    async def _mark(self, chat_id: int, message_id: int) -> None:
        """React to the original: it has reached the other side (best effort)."""
        try:
            await self.bot.set_message_reaction(
                chat_id, message_id, [ReactionTypeEmoji(emoji=self.views.relay_mark())]
            )
        except (TelegramAPIError, OSError) as error:
            log.info("relay mark not set: %s", type(error).__name__)

    # -- edits ----------------------------------------------------------------------------

    async def edit(self, row: OutboxRow, target: GroupTarget | None) -> Delivered:
        """An edited original: its copy is edited to match (signature kept)."""
        lead = await self.repo.leads.get(row.lead_id) if row.lead_id else None
        message_id = _int(row.payload.get("m"))
        if lead is None or message_id is None:
            return Delivered(keep_payload=False)
        text = _str(row.payload.get("text"))
        if row.chat_id is None:  # the owner edited: the copy is in the group
            copy = await self.repo.relay.from_owner(lead.id, message_id)
            if copy is None:
                return Delivered(keep_payload=False)
            chat_id, copy_id = copy.chat_id, copy.message_id
            signed: Callable[[str | None], str] = lambda body: self.views.from_owner(lead, body)  # noqa: E731
        else:  # a consultant edited: the copy is in the owner's chat
            group = _int(row.payload.get("chat"))
            copy = await self.repo.relay.to_owner(group, message_id) if group else None
            if copy is None or copy.lead_id != lead.id:
                return Delivered(keep_payload=False)
            chat_id, copy_id = row.chat_id, copy.owner_message_id
            name = _str(row.payload.get("name"))
            signed = lambda body: self.views.from_consultant(name, body)  # noqa: E731
        form = copy.form
        if form == Form.fixed:
            return Delivered(keep_payload=False)
        limit = MESSAGE_LIMIT if form in (Form.text, Form.plain_text) else CAPTION_LIMIT
        body = _fit(text, limit, signed if form in (Form.text, Form.caption) else self.views.plain)
        await self.throttle(chat_id)
        try:
            if form in (Form.text, Form.plain_text):
                await self.bot.edit_message_text(text=body, chat_id=chat_id, message_id=copy_id)
            else:
                await self.bot.edit_message_caption(
                    chat_id=chat_id, message_id=copy_id, caption=body
                )
        except TelegramBadRequest as error:
            if not any(marker in error.message.lower() for marker in SETTLED_EDITS):
                raise
        return Delivered(keep_payload=False)

    # -- what the thread is told ----------------------------------------------------------

    def after_failure(self, row: OutboxRow, error: BaseException) -> list[FollowUp]:
        """A consultant's message (or edit) that never reached the owner: the thread says
        so, under that message."""
        if row.kind not in REFUSED_KINDS or row.chat_id is None or row.lead_id is None:
            return []
        chat_id, message_id = _int(row.payload.get("chat")), _int(row.payload.get("m"))
        if chat_id is None or message_id is None:
            return []
        description = str(getattr(error, "message", error)).lower()
        reason = "blocked" if "blocked" in description else (
            "deactivated" if "deactivated" in description else "failed"
        )
        return [FollowUp(
            Notification(OutboxKind.relay_refused, None,
                         {"chat": chat_id, "m": message_id, "reason": reason}),
            row.lead_id,
            f"{OutboxKind.relay_refused}:{row.dedup_key}",
        )]

    async def refused(self, row: OutboxRow, target: GroupTarget | None) -> Delivered:
        assert target is not None
        lead = await self.repo.leads.get(row.lead_id) if row.lead_id else None
        if lead is None:
            return Delivered()
        chat_id, message_id = _int(row.payload.get("chat")), _int(row.payload.get("m"))
        reason = row.payload.get("reason")
        text = self.views.relay_refused(reason if isinstance(reason, str) else "failed")

        async def say(place: Place) -> int:
            reply = None
            if chat_id == place.chat_id and message_id is not None:
                reply = ReplyParameters(message_id=message_id, allow_sending_without_reply=True)
            elif not place.topic and place.card_id is not None:
                reply = ReplyParameters(message_id=place.card_id, allow_sending_without_reply=True)
            sent = await self.bot.send_message(
                place.chat_id, text, message_thread_id=place.thread_id, reply_parameters=reply
            )
            return sent.message_id

        await self.threads.send(lead, target, say)
        return Delivered()

    async def topic_notice(self, row: OutboxRow, target: GroupTarget | None) -> Delivered:
        """One line where consultants look (the general topic, or the bound one) leading to
        the lead's new topic. It names the lead: recorded, so erasure replaces it."""
        assert target is not None
        lead = await self.repo.leads.get(row.lead_id) if row.lead_id else None
        topic = await self.repo.relay.topic(lead.id) if lead else None
        if lead is None or topic is None or topic.chat_id != target.chat_id:
            return Delivered()
        await self.throttle(target.chat_id)
        sent = await self.bot.send_message(
            target.chat_id,
            self.views.topic_notice(lead, topic_link(target.chat_id, topic.thread_id)),
            message_thread_id=target.thread_id,
        )
        return Delivered(messages=[LeadMessage(target.chat_id, sent.message_id, lead.id, "view")])


def topic_link(chat_id: int, thread_id: int) -> str:
    """A link that opens a topic of a supergroup for its members."""
    internal = str(chat_id).removeprefix("-100") if str(chat_id).startswith("-100") else str(
        abs(chat_id)
    )
    return f"https://t.me/c/{internal}/{thread_id}"


def _uncopyable(error: TelegramBadRequest) -> bool:
    """Telegram will not copy this message (gone meanwhile, or of a kind that cannot be
    copied: a quiz, a paid medium …): the other side is told so instead."""
    description = error.message.lower()
    return "message to copy not found" in description or "can't be copied" in description


def _fit(text: str, limit: int, render: Callable[[str], str]) -> str:
    """`render(text)`, the text cut with «…» until it fits `limit` (an edit cannot be split)."""
    body = render(text)
    cut = len(text)
    while visible_length(body) > limit and cut > 1:
        cut = max(cut - max(visible_length(body) - limit, 16), 1)
        body = render(text[:cut].rstrip() + "…")
    return body

