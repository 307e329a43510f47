"""Status buttons on a lead card: claim, contacted, scheduled, done, no-show, refusal, back
to new (done, no-show and refusal also close the lead's booked diagnostic).

Callback data is untrusted: the presser must be a consultant, the pressed message must be
the lead's current card in this chat, the action must be allowed from the current status
and, once the lead is claimed, the presser must be its assignee or an admin. Anything else
is answered with an alert and changes nothing. The change itself is one atomic move.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData
from aiogram.methods import SendMessage
from aiogram.types import CallbackQuery, ForceReply, Message, ReplyParameters

from bot.booking import service as booking_service
from bot.booking.reminders import ReminderSchedule
from bot.clock import Clock
from bot.content import Content
from bot.db.models import LeadRow
from bot.db.pipeline import MoveResult, valid_id
from bot.delivery.replies import Replies, Track
from bot.group.callbacks import CardCb, PassCb
from bot.group.desk import Desk
from bot.group.rules import NOT_ALLOWED, NOT_YOURS, TARGET, Action, decide, refusal
from bot.group.views.card import status_label
from bot.group.views.refresh import refresh_card


def canonical(query: CallbackQuery, callback_data: CallbackData) -> bool:
    """Only data exactly as the bot packs it (" 1" or "01" parse as 1, but were never sent)."""
    return query.data == callback_data.pack()


def refusal_alert(content: Content, code: str, lead: LeadRow | None, action: Action) -> str:
    if lead is None or code == "missing":
        return content.label("group_alerts.gone")
    if code == NOT_YOURS:
        return content.label("group_alerts.not_yours", name=lead.assignee_name or "—")
    if code == NOT_ALLOWED and action is Action.claim and lead.assignee_name:
        return content.label("group_alerts.taken", name=lead.assignee_name)
    return content.label("group_alerts.not_allowed", status=status_label(content, lead.status))


async def pressed_card(
    query: CallbackQuery, callback_data: CardCb | PassCb, desk: Desk
) -> tuple[Message, LeadRow] | None:
    """The checks every button on a card passes first: a consultant pressed it, its data is
    canonical and names a lead, the message is that lead's current card, and the lead is
    still there. None (the alert said) when one fails; else the card's message and its lead."""
    reply, repo, content = desk.reply, desk.repo, desk.content
    if not await desk.consultants.is_consultant(desk.bot, desk.user.id):
        reply(query.answer(content.label("group_alerts.not_consultant"), show_alert=True))
        return None
    message = query.message
    lead_id = callback_data.id
    if not canonical(query, callback_data) or not isinstance(message, Message) or not valid_id(
        lead_id
    ):
        reply(query.answer(content.label("group_alerts.forged"), show_alert=True))
        return None
    if not await repo.cards.is_current(lead_id, message.chat.id, message.message_id):
        reply(query.answer(content.label("group_alerts.stale", id=lead_id), show_alert=True))
        return None
    lead = await repo.leads.get(lead_id)
    if lead is None:
        reply(query.answer(content.label("group_alerts.gone"), show_alert=True))
        return None
    return message, lead


def under_card(card: Message, text: str, markup: ForceReply | None = None) -> SendMessage:
    """A message that answers the card, in the card's topic when it is in one."""
    return SendMessage(
        chat_id=card.chat.id,
        text=text,
        message_thread_id=card.message_thread_id if card.is_topic_message else None,
        reply_parameters=ReplyParameters(
            message_id=card.message_id, allow_sending_without_reply=True
        ),
        reply_markup=markup,
    )


async def on_card_button(
    query: CallbackQuery, callback_data: CardCb, desk: Desk, clock: Clock,
    reminders: ReminderSchedule,
) -> None:
    pressed = await pressed_card(query, callback_data, desk)
    if pressed is None:
        return
    message, lead = pressed
    user, reply, repo, content = desk.user, desk.reply, desk.repo, desk.content
    lead_id = callback_data.id
    action = callback_data.a
    is_admin = desk.consultants.is_admin(user.id)
    if action is Action.lost:
        _ask_reason(query, message, lead, desk, is_admin)
        return
    closing = await booking_service.closing_event(repo, lead, TARGET[action])
    event, slot_at = closing if closing is not None else (None, None)
    result: MoveResult = await repo.pipeline.move(
        lead_id, user.id, user.full_name,
        decide(action, user.id, user.full_name, is_admin=is_admin, event=event, slot_at=slot_at),
    )
    if not result.ok or result.after is None:
        reply(query.answer(
            refusal_alert(content, result.refusal or "missing", result.before, action),
            show_alert=True,
        ))
        return
    after = result.after
    await booking_service.close_after_move(
        repo, reminders, lead=after, now=clock.now()
    )
    if action is Action.claim:
        reply(query.answer(content.label("group_alerts.claimed", id=lead_id)))
    else:
        status = status_label(content, after.status)
        reply(query.answer(content.label("group_alerts.moved", id=lead_id, status=status)))
    await refresh_card(reply, repo, content, desk.settings, after)


def _ask_reason(
    query: CallbackQuery, card: Message, lead: LeadRow, desk: Desk, is_admin: bool
) -> None:
    """The refusal button: the reason comes as a reply to this prompt (see replies.py)."""
    user, reply, content = desk.user, desk.reply, desk.content
    problem = refusal(lead, Action.lost, user.id, is_admin)
    if problem is not None:
        reply(query.answer(refusal_alert(content, problem, lead, Action.lost), show_alert=True))
        return
    reply(query.answer(content.label("group_alerts.lost_asked")))
    reply(
        under_card(
            card,
            content.render(
                "group/lost_prompt.html", id=lead.id, user_id=user.id, name=user.full_name
            ),
            ForceReply(force_reply=True, selective=True),
        ),
        track=Track.lead_message(lead.id, "lost_prompt", user.id),
    )


async def on_unknown_button(query: CallbackQuery, reply: Replies, content: Content) -> None:
    """A button in a group nobody recognises (forged, old, another group's): change nothing."""
    reply(query.answer(content.label("group_alerts.forged"), show_alert=True))
