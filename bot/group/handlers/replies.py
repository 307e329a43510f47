"""Consultants' replies in the group: a reply to a card (or to the bot's notice about a lead)
becomes a note on that lead; a reply to a refusal prompt is the refusal reason (the lead's
booked diagnostic, if any, is cancelled with it)."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import Message

from bot.booking import service as booking_service
from bot.booking.reminders import NoReminders, ReminderSchedule
from bot.clock import Clock
from bot.config import Settings
from bot.content import Content
from bot.db.cards import LeadMessage
from bot.db.repos import Repositories
from bot.delivery.replies import Replies
from bot.domain import LeadStatus
from bot.group.access import Consultants
from bot.group.handlers.buttons import refusal_alert
from bot.group.rules import NOT_ALLOWED, Action, decide
from bot.group.views.card import status_label
from bot.group.views.refresh import refresh_card

NOTE_LIMIT = 3000
REASON_LIMIT = 1000


async def on_reply(
    message: Message, bot: Bot, reply: Replies, repo: Repositories, content: Content,
    settings: Settings, consultants: Consultants, clock: Clock | None = None,
    reminders: ReminderSchedule | None = None,
) -> None:
    target = message.reply_to_message
    if target is None or target.from_user is None or target.from_user.id != bot.id:
        return
    ref = await repo.cards.message(message.chat.id, target.message_id)
    if ref is None:
        return
    if ref.kind == "lost_prompt":
        await _refusal_reason(message, ref, reply, repo, content, settings, consultants, clock,
                              reminders)
    else:
        await _note(message, ref, reply, repo, content)


async def _note(
    message: Message, ref: LeadMessage, reply: Replies, repo: Repositories, content: Content
) -> None:
    assert message.from_user is not None
    text = (message.text or message.caption or "").strip()
    if not text:
        reply(message.reply(content.text("group_hints.note_empty")))
        return
    stored = await repo.pipeline.add_note(
        ref.lead_id, message.from_user.id, message.from_user.full_name, text[:NOTE_LIMIT],
        message.chat.id, message.message_id,
    )
    if stored:
        reply(message.reply(content.text("group_hints.note_saved", id=ref.lead_id)))


async def _refusal_reason(
    message: Message, ref: LeadMessage, reply: Replies, repo: Repositories, content: Content,
    settings: Settings, consultants: Consultants, clock: Clock | None,
    reminders: ReminderSchedule | None,
) -> None:
    user = message.from_user
    assert user is not None
    reason = (message.text or message.caption or "").strip()
    if not reason:
        reply(message.reply(content.text("group_hints.lost_empty")))
        return
    lead = await repo.leads.get(ref.lead_id)
    closing = await booking_service.closing_event(repo, lead, LeadStatus.lost) if lead else None
    event, slot_at = closing if closing is not None else (None, None)
    result = await repo.pipeline.move(
        ref.lead_id, user.id, user.full_name,
        decide(Action.lost, user.id, user.full_name, is_admin=consultants.is_admin(user.id),
               reason=reason[:REASON_LIMIT], event=event, slot_at=slot_at),
    )
    if not result.ok or result.after is None:
        lead = result.before
        if lead is not None and result.refusal == NOT_ALLOWED:
            reply(message.reply(
                content.text("group_hints.lost_late", id=lead.id,
                             status=status_label(content, lead.status))
            ))
        else:
            reply(message.reply(
                content.text("group_hints.lost_refused",
                             alert=refusal_alert(content, result.refusal or "missing", lead,
                                                 Action.lost))
            ))
        return
    await booking_service.close_after_move(
        repo, reminders or NoReminders(), lead=result.after, now=(clock or Clock()).now()
    )
    await repo.cards.forget_message(message.chat.id, ref.message_id)
    reply(message.reply(content.text("group_hints.lost_saved", id=ref.lead_id)))
    await refresh_card(reply, repo, content, settings, result.after)
