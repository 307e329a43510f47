"""What each outbox kind does in Telegram, and what to record once it is done.

`lead_card` posts a card (or, for a lead that already has one, edits it and replies with a
short notice: the request came again, or the diagnostic was booked, moved, cancelled …),
`lead_erased` turns the card — and every other message that showed the lead — into a
tombstone, `sla_reminder` replies to the card, `admin_alert` writes to one admin,
`referrer_thanks` thanks an owner whose link brought a friend. Errors propagate to the
sender, which decides between retrying, following a migration and giving up; only outcomes
that cannot improve by retrying (the message to edit is gone) are settled here.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNotFound,
)
from aiogram.types import InlineKeyboardMarkup, ReplyParameters

from bot.binding import GroupTarget
from bot.config import Settings
from bot.content import Content
from bot.db.cards import CardRow, LeadMessage
from bot.db.outbox import FollowUp, OutboxRow
from bot.db.repos import Repositories
from bot.domain import Assignment, LeadStatus, OutboxKind
from bot.outbox.delivered import Delivered
from bot.outbox.relay import Relay
from bot.outbox.threads import Place, Threads
from bot.outbox.views import GroupViews

log = logging.getLogger(__name__)

GONE = ("message to edit not found", "message can't be edited", "message_id_invalid")
FOR_GOOD = (TelegramBadRequest, TelegramForbiddenError, TelegramNotFound, TelegramMigrateToChat)
"""Refusals that retrying cannot change (the chat or message is gone, the bot blocked)."""
NOT_MODIFIED = "message is not modified"
ALERTS = frozenset({"group_down", "group_back", "delivery_failed", "sla_late"})
OUTAGE_REASONS = frozenset({"kicked", "not_found", "unbound", "no_rights"})


Throttle = Callable[[int], Awaitable[None]]


class Deliveries:
    def __init__(
        self, bot: Bot, repo: Repositories, content: Content, settings: Settings,
        views: GroupViews, throttle: Throttle,
    ) -> None:
        self.bot, self.repo, self.content, self.settings = bot, repo, content, settings
        self.views = views
        self.throttle = throttle
        self.threads = Threads(bot, repo, views, throttle)
        self.relay = Relay(bot, repo, views, self.threads, throttle)
        self.by_kind: dict[str, Callable[[OutboxRow, GroupTarget | None], Awaitable[Delivered]]] = {
            OutboxKind.lead_card: self.lead_card,
            OutboxKind.lead_erased: self.lead_erased,
            OutboxKind.sla_reminder: self.sla_reminder,
            OutboxKind.admin_alert: self.admin_alert,
            OutboxKind.referrer_thanks: self.referrer_thanks,
            OutboxKind.relay_to_group: self.relay.to_group,
            OutboxKind.relay_to_owner: self.relay.to_owner,
            OutboxKind.relay_edit: self.relay.edit,
            OutboxKind.relay_refused: self.relay.refused,
            OutboxKind.topic_notice: self.relay.topic_notice,
        }

    def after_failure(self, row: OutboxRow, error: BaseException) -> list[FollowUp]:
        """What to enqueue when a row is given up (a message that never reached an owner
        is said in the lead's thread)."""
        return self.relay.after_failure(row, error)

    # -- lead_card ------------------------------------------------------------------------

    async def lead_card(self, row: OutboxRow, target: GroupTarget | None) -> Delivered:
        """Post the card in the lead's thread (a new topic when the group has topics), or,
        for a lead that has one, edit it and say so under it. With ASSIGNMENT=round_robin a
        new lead first goes to the next consultant on duty."""
        assert target is not None
        lead = await self.repo.leads.get(row.lead_id) if row.lead_id else None
        if lead is None:  # erased before it could be posted
            return Delivered()
        if self.settings.assignment == Assignment.round_robin:
            if await self.repo.duty.assign_next(lead.id) is not None:
                lead = await self.repo.leads.get(lead.id) or lead
        card = await self.repo.cards.get(lead.id)
        if card is not None and card.chat_id == target.chat_id:
            text, markup = await self.views.card(lead)
            if await self._edit(card, text, markup):
                said = (
                    await self.views.booking_notice(lead, row.payload)
                    if row.payload.get("notice") else self.views.update_notice(lead)
                )
                if said is None:
                    return Delivered()

                async def notice(place: Place) -> int:
                    current = await self.repo.cards.get(lead.id)
                    sent = await self.bot.send_message(
                        place.chat_id,
                        said,
                        message_thread_id=place.thread_id,
                        reply_parameters=ReplyParameters(
                            message_id=current.message_id, allow_sending_without_reply=True
                        ) if current is not None and current.chat_id == place.chat_id else None,
                    )
                    return sent.message_id

                notice_id, place = await self.threads.send(lead, target, notice)
                return Delivered(messages=[
                    LeadMessage(place.chat_id, notice_id, lead.id, "update")
                ])
        await self.threads.post_card(lead, target)
        return Delivered()

    async def _edit(self, card: CardRow, text: str, markup: InlineKeyboardMarkup | None) -> bool:
        """Edit the card in place; False when that message cannot be edited any more."""
        await self.throttle(card.chat_id)
        try:
            await self.bot.edit_message_text(
                text=text, chat_id=card.chat_id, message_id=card.message_id,
                reply_markup=markup or InlineKeyboardMarkup(inline_keyboard=[]),
            )
        except TelegramBadRequest as error:
            description = error.message.lower()
            if NOT_MODIFIED in description:
                return True
            if any(reason in description for reason in GONE):
                return False
            raise
        return True

    # -- lead_erased ----------------------------------------------------------------------

    async def lead_erased(self, row: OutboxRow, target: GroupTarget | None) -> Delivered:
        """Replace every message that showed the lead: its cards become the tombstone, so do
        /lead answers (in the group and in consultants' private chats), and each /leads page
        that listed it is rendered again without its line. Each message done (or out of
        reach for good) is struck off at once, so a retry after a transient error goes on
        with the rest; the current card's failures are the group's (outage, retry)."""
        lead_id = row.payload.get("lead_id")
        if not isinstance(lead_id, int) or isinstance(lead_id, bool):
            return Delivered()
        tombstone = self.views.tombstone(lead_id)
        late = _shown(row.payload.get("shown"), lead_id)
        if late is not None:  # one message that reached Telegram after the erasure
            try:
                await self._replace(late, tombstone)
            except FOR_GOOD as error:
                log.info("late message about erased lead %d is out of reach: %s",
                         lead_id, error.message)
            return Delivered()
        card = await self.repo.cards.get(lead_id)
        if card is not None:
            current = target is not None and card.chat_id == target.chat_id
            try:
                await self._edit(card, tombstone, None)
            except FOR_GOOD:
                if current:
                    raise
                # A card left behind in a former group cannot be reached any more.
                log.info("card of erased lead %d is in unreachable chat %d", lead_id, card.chat_id)
        for shown in await self.repo.cards.showing(lead_id):
            if card is not None and (shown.chat_id, shown.message_id) == (
                card.chat_id, card.message_id
            ):
                continue
            try:
                await self._replace(shown, tombstone)
            except FOR_GOOD as error:
                if target is not None and shown.chat_id == target.chat_id:
                    raise  # the group itself refuses: an outage, not this message's fate
                log.info(
                    "message %d about erased lead %d in chat %d is out of reach: %s",
                    shown.message_id, lead_id, shown.chat_id, error.message,
                )
            await self.repo.cards.forget_shown(shown)
        await self._erase_relay(lead_id, target)
        return Delivered(forget=lead_id)

    async def _erase_relay(self, lead_id: int, target: GroupTarget | None) -> None:
        """The owner's words go from the group: the bot's copies of their messages (and the
        signatures naming them) are deleted, or replaced by the tombstone where Telegram no
        longer lets the bot delete them; the lead's topic is renamed and closed."""
        tombstone = self.views.tombstone(lead_id)
        for copy in await self.repo.relay.copies_in_group(lead_id):
            for message_id in (copy.header_id, copy.message_id):
                if message_id is None:
                    continue
                try:
                    await self._delete_or_bury(copy.chat_id, message_id, tombstone)
                except FOR_GOOD as error:
                    if target is not None and copy.chat_id == target.chat_id and not _gone(error):
                        raise
                    log.info("copy of erased lead %d is out of reach: %s", lead_id, error.message)
            await self.repo.relay.forget_copy(copy)
        topic = await self.repo.relay.topic(lead_id)
        if topic is None:
            return
        for step in (
            self.bot.edit_forum_topic(
                topic.chat_id, topic.thread_id, name=self.views.erased_topic_title(lead_id)
            ),
            self.bot.close_forum_topic(topic.chat_id, topic.thread_id),
        ):
            try:
                await step
            except FOR_GOOD as error:  # deleted meanwhile, already closed, no rights
                log.info("topic of erased lead %d: %s", lead_id, error.message)

    async def _delete_or_bury(self, chat_id: int, message_id: int, tombstone: str) -> None:
        try:
            await self.bot.delete_message(chat_id, message_id)
            return
        except TelegramBadRequest as error:
            description = error.message.lower()
            if "message to delete not found" in description:
                return
            if "can't be deleted" not in description:
                raise
        await self.throttle(chat_id)
        try:
            await self.bot.edit_message_text(text=tombstone, chat_id=chat_id, message_id=message_id)
        except TelegramBadRequest as error:
            if "there is no text" not in error.message.lower():
                raise
            await self.bot.edit_message_caption(chat_id=chat_id, message_id=message_id,
                                                caption=tombstone)

    async def _replace(self, shown: LeadMessage, tombstone: str) -> None:
        """One message that showed an erased lead, replaced: a page without the lead's line,
        anything else by the tombstone."""
        text, markup = tombstone, None
        if shown.kind == "page":
            others = await self.repo.cards.listed_on(shown.chat_id, shown.message_id)
            page = await self.views.page_without(
                shown.detail, [i for i in others if i != shown.lead_id]
            )
            if page is not None:
                text, markup = page
        await self._edit(CardRow(shown.lead_id, shown.chat_id, shown.message_id, None), text, markup)

    # -- sla_reminder ---------------------------------------------------------------------

    async def sla_reminder(self, row: OutboxRow, target: GroupTarget | None) -> Delivered:
        """A reply to the card, in the lead's thread, for a lead nobody took in time."""
        assert target is not None
        lead = await self.repo.leads.get(row.lead_id) if row.lead_id else None
        if lead is None or lead.status != LeadStatus.new:  # claimed meanwhile: nothing to remind
            return Delivered()
        text = self.content.render(
            "group/sla_reminder.html", id=lead.id, minutes=self.settings.sla_minutes,
            assignee=lead.assignee_name or "",
        )

        async def remind(place: Place) -> int:
            sent = await self.bot.send_message(
                place.chat_id, text, message_thread_id=place.thread_id,
                reply_parameters=ReplyParameters(
                    message_id=place.card_id, allow_sending_without_reply=True
                ) if place.card_id is not None else None,
            )
            return sent.message_id

        message_id, place = await self.threads.send(lead, target, remind)
        return Delivered(
            messages=[LeadMessage(place.chat_id, message_id, lead.id, "reminder")]
        )

    # -- admin_alert ----------------------------------------------------------------------

    async def admin_alert(self, row: OutboxRow, target: GroupTarget | None) -> Delivered:
        alert = row.payload.get("alert")
        if row.chat_id is None or alert not in ALERTS:
            log.warning("outbox row %d: unknown alert %r dropped", row.id, alert)
            return Delivered()
        await self.bot.send_message(
            row.chat_id,
            self.content.render(
                f"group/alert_{alert}.html", **_alert_context(row.payload, self.content)
            ),
        )
        return Delivered()

    async def referrer_thanks(self, row: OutboxRow, target: GroupTarget | None) -> Delivered:
        """A thank-you to the owner whose link brought a friend (a 403 from a referrer who
        blocked the bot is final: the sender gives the row up once, nothing piles up)."""
        if row.chat_id is None:
            return Delivered()
        friend = row.payload.get("friend_name")
        reason = row.payload.get("reason")
        await self.bot.send_message(
            row.chat_id,
            self.content.render(
                "messages/referrer_thanks.html",
                friend_name=friend if isinstance(friend, str) else "",
                reason=reason if reason in ("lead", "lessons") else "lessons",
            ),
        )
        return Delivered()


def _gone(error: BaseException) -> bool:
    """The message itself is out of reach (deleted, or cannot change), not the group."""
    description = str(getattr(error, "message", error)).lower()
    return isinstance(error, TelegramBadRequest) and any(
        marker in description for marker in (*GONE, "can't be deleted", "message to delete")
    )


def _shown(value: Any, lead_id: int) -> LeadMessage | None:
    """The one message a late erasure row names (only well-formed values)."""
    if not isinstance(value, dict):
        return None
    chat_id, message_id = value.get("chat_id"), value.get("message_id")
    kind, detail = value.get("kind"), value.get("detail")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (chat_id, message_id)):
        return None
    if kind not in ("view", "page") or not (detail is None or isinstance(detail, str)):
        return None
    return LeadMessage(chat_id, message_id, lead_id, kind, None, detail)


def _alert_context(payload: dict[str, Any], content: Content) -> dict[str, Any]:
    """Only known, typed values from the payload reach the template."""
    reason = payload.get("reason")
    lead_id = payload.get("lead_id")
    minutes = payload.get("minutes")
    code = reason if reason in OUTAGE_REASONS else "unknown"
    return {
        "reason_text": content.label(f"group_outage_reasons.{code}"),
        "lead_id": lead_id if isinstance(lead_id, int) and not isinstance(lead_id, bool) else None,
        "minutes": minutes if isinstance(minutes, int) and not isinstance(minutes, bool) else 0,
    }
