"""Consultants' replies in the group: a reply to a card (or to the bot's notice about a lead)
becomes a note on that lead; a reply to a refusal prompt is the refusal reason (the lead's
booked diagnostic, if any, is cancelled with it)."""

from __future__ import annotations

from aiogram.types import Message

from bot.booking import service as booking_service
from bot.booking.reminders import ReminderSchedule
from bot.clock import Clock
from bot.db.cards import LeadMessage
from bot.domain import LeadStatus
from bot.group.desk import Desk
from bot.group.handlers.buttons import refusal_alert
from bot.group.handlers.relay import replied, thread_lead
from bot.group.rules import NOT_ALLOWED, Action, decide
from bot.group.views.card import status_label
from bot.group.views.refresh import refresh_card
from bot.relay_rules import content_of

NOTE_LIMIT = 3000
NOTE_KINDS = frozenset({
    "voice", "video_note", "sticker", "photo", "video", "document", "audio", "animation",
    "contact", "location", "venue", "poll", "dice",
})
"""Kinds of message a note without text names by what they are (content/relay.toml)."""
REASON_LIMIT = 1000


async def on_reply(
    message: Message, desk: Desk, clock: Clock, reminders: ReminderSchedule
) -> None:
    """A reply to a lead's message (its card, a notice, the owner's relayed message) is a
    note; in a lead's forum topic every message is (Telegram makes each one a reply to the
    topic's first message), kept without a word in the topic."""
    repo = desk.repo
    target = replied(message)
    in_topic = message.is_topic_message and message.message_thread_id is not None and (
        await repo.relay.lead_of_topic(message.chat.id, message.message_thread_id) is not None
    )
    if target is not None and target.from_user is not None and target.from_user.id == desk.bot.id:
        ref = await repo.cards.message(message.chat.id, target.message_id)
        if ref is not None and ref.kind == "lost_prompt":
            await _refusal_reason(message, ref, desk, clock, reminders)
            return
        lead_id = ref.lead_id if ref is not None else None
        if lead_id is None:
            copy = await repo.relay.by_group_copy(message.chat.id, target.message_id)
            lead_id = copy.lead_id if copy is not None else None
        if lead_id is not None:
            await _note(message, lead_id, desk, quiet=in_topic)
            return
    if in_topic:
        lead_id = await thread_lead(message, repo)
        if lead_id is not None:
            await _note(message, lead_id, desk, quiet=True)


async def _note(message: Message, lead_id: int, desk: Desk, *, quiet: bool = False) -> None:
    """Keep the note (its text or caption; a voice message, a sticker … by what it is).
    Outside topics the bot says it is kept, as before."""
    content = desk.content
    carried = content_of(message)
    if carried is None:  # a service message (a topic renamed …)
        return
    found = str(getattr(message.content_type, "value", message.content_type))
    kind = found if found in NOTE_KINDS else "other"
    text = carried.text.strip() or content.label(f"note_kinds.{kind}")
    stored = await desk.repo.pipeline.add_note(
        lead_id, desk.user.id, desk.user.full_name, text[:NOTE_LIMIT],
        message.chat.id, message.message_id,
    )
    if stored and not quiet:
        desk.reply(message.reply(content.text("group_hints.note_saved", id=lead_id)))


async def _refusal_reason(
    message: Message, ref: LeadMessage, desk: Desk, clock: Clock, reminders: ReminderSchedule
) -> None:
    user, reply, repo, content = desk.user, desk.reply, desk.repo, desk.content
    reason = (message.text or message.caption or "").strip()
    if not reason:
        reply(message.reply(content.text("group_hints.lost_empty")))
        return
    lead = await repo.leads.get(ref.lead_id)
    closing = await booking_service.closing_event(repo, lead, LeadStatus.lost) if lead else None
    event, slot_at = closing if closing is not None else (None, None)
    result = await repo.pipeline.move(
        ref.lead_id, user.id, user.full_name,
        decide(Action.lost, user.id, user.full_name, is_admin=desk.consultants.is_admin(user.id),
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
        repo, reminders, lead=result.after, now=clock.now()
    )
    await repo.cards.forget_message(message.chat.id, ref.message_id)
    reply(message.reply(content.text("group_hints.lost_saved", id=ref.lead_id)))
    await refresh_card(reply, repo, content, desk.settings, result.after)
